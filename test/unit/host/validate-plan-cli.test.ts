// `ocirun validate`, `plan` and `features` end to end, as a separate process (test/util/ocirun.ts).
// They read only the bundle's config.json: no state directory, no addon, no kernel.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeVerdict } from "../../../host/core/protocol";
import { featuresText } from "../../../host/commands/features";
import { baseConfig, core, patch } from "../../util/core";
import { errorMessage, ocirun, tempRoot } from "../../util/ocirun";

const dir = mkdtempSync(join(tmpdir(), "ocirun-vp-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

function bundle(config: unknown): string {
  const b = join(dir, `b${++count}`);
  mkdirSync(b);
  writeFileSync(join(b, "config.json"), typeof config === "string" ? config : JSON.stringify(config, null, 2));
  return b;
}

const cgroupMount = { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro"] };
const valid = patch(baseConfig(), { "/mounts": [{ destination: "/proc", type: "proc", source: "proc" }, cgroupMount] });
const withWarning = patch(valid, { "/process/capabilities": { bounding: ["CAP_NOPE"] } });
const invalid = patch(valid, { "/ociVersion": "one", "/process/cwd": "relative", "/process/args": [], "/linux/namespaces/2": { type: "bogus" } });
const opLine = /^\s*(\d+) ([A-Z_0-9]+)\b.*?(?:  <- (\S+))?$/;

test("validate: a valid config exits 0 with the summary line", () => {
  const r = ocirun(["validate", "--bundle", bundle(valid)]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "valid: 0 errors, 0 warnings\n");
});

test("validate: warnings are shown and the exit status stays 0", () => {
  const r = ocirun(["validate", "-b", bundle(withWarning)]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^warning W\d+ \/process\/capabilities\/bounding\/0: .*CAP_NOPE/m);
  assert.match(r.stdout, /^valid: 0 errors, 1 warning$/m);
});

test("validate: an invalid config exits 1 and lists every error", () => {
  const expected = core("validate", invalid).diagnostics.filter((d) => d.severity === "error");
  assert.ok(expected.length >= 4, "the config should have several errors");
  const r = ocirun(["validate", "--bundle", bundle(invalid)]);
  assert.is(r.code, 1);
  const lines = r.stdout.trimEnd().split("\n");
  for (const d of expected) assert.ok(lines.includes(`error ${d.code} ${d.pointer}: ${d.message}`), `missing ${d.pointer}`);
  assert.is(lines[lines.length - 1], `invalid: ${expected.length} errors, 0 warnings`);
  assert.is(lines.length, expected.length + 1);
});

test("validate --format json: the diagnostics array", () => {
  const r = ocirun(["validate", "--bundle", bundle(invalid), "--format", "json"]);
  assert.is(r.code, 1);
  assert.equal(JSON.parse(r.stdout), core("validate", invalid).diagnostics);
  assert.equal(JSON.parse(ocirun(["validate", "--bundle", bundle(valid), "--format=json"]).stdout), []);
});

test("validate: malformed JSON and a missing config.json are one-line failures", () => {
  const r = ocirun(["validate", "--bundle", bundle('{"ociVersion": ')]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /^error E\d+ config\.json: config\.json is not valid JSON/m);
  const missing = ocirun(["validate", "--bundle", join(dir, "nope")]);
  assert.is(missing.code, 1);
  assert.is(missing.stderr.trim().split("\n").length, 1);
  assert.match(errorMessage(missing.stderr), "no such file or directory");
});

test("plan: one op a line, each naming its config field; json ops match one-to-one", () => {
  const b = bundle(valid);
  const text = ocirun(["plan", "--bundle", b]);
  assert.is(text.code, 0, text.stderr);
  const lines = text.stdout.split("\n").filter((l) => opLine.test(l));
  assert.ok(lines.length > 5);
  assert.match(text.stdout, /^\s*\d+ MOUNT .*  <- \/mounts\/0$/m);
  const json = ocirun(["plan", "--bundle", b, "--format", "json"]);
  assert.is(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout);
  assert.is(plan.ok, true);
  assert.is(plan.container.rootfs, join(b, "rootfs"));
  assert.is(plan.ops.length, lines.length);
  lines.forEach((line, i) => {
    const [, index, op, source] = opLine.exec(line)!;
    const o = plan.ops[i];
    assert.equal([o.index, o.op, o.source], [Number(index), op, source ?? ""], line);
    for (const [k, v] of Object.entries(o.args)) if (typeof v === "string") assert.ok(line.includes(`${k}=${JSON.stringify(v)}`), `${k} in ${line}`);
  });
});

test("plan --cgroup: the plan for another host's cgroup mode", () => {
  // With a cgroup namespace the cgroup mount is a fresh one of the host's kind.
  const b = bundle(patch(valid, { "/linux/namespaces/2": { type: "cgroup" } }));
  const v2 = ocirun(["plan", "--bundle", b, "--cgroup", "v2"]);
  const v1 = ocirun(["plan", "--bundle", b, "--cgroup", "v1"]);
  assert.is(v2.code, 0, v2.stderr);
  assert.is(v1.code, 0, v1.stderr);
  assert.match(v2.stdout, 'fstype="cgroup2"');
  assert.not.match(v1.stdout, 'fstype="cgroup2"');
  assert.match(v1.stdout, 'fstype="cgroup"');
  const bad = ocirun(["plan", "--bundle", b, "--cgroup", "v3"]);
  assert.is(bad.code, 1);
  assert.match(errorMessage(bad.stderr), "invalid --cgroup");
});

test("plan: an invalid config exits 1 with its diagnostics", () => {
  const r = ocirun(["plan", "--bundle", bundle(invalid)]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /^error E\d+ \/ociVersion: /m);
  assert.not.match(r.stdout, /^\s*\d+ [A-Z_]+ /m);
  const json = ocirun(["plan", "--bundle", bundle(invalid), "-f", "json"]);
  assert.is(json.code, 1);
  const plan = JSON.parse(json.stdout);
  assert.is(plan.ok, false);
  assert.is(plan.ops, undefined);
  assert.ok(plan.diagnostics.length >= 4);
});

test("validate and plan touch no state: --root that does not exist stays absent", () => {
  const { dir: tmp, root } = tempRoot();
  try {
    const b = bundle(valid);
    for (const args of [["plan", "--bundle", b], ["validate", "--bundle", b], ["plan", "-b", b, "-f", "json"]]) {
      const r = ocirun(args, { root });
      assert.is(r.code, 0, r.stderr);
    }
    assert.not.ok(existsSync(root));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("features: the core's features section printed unchanged (the core lays it out as runc does)", () => {
  const doc = '{"ociVersionMin":"1.0.0","ociVersionMax":"1.3.0","hooks":["prestart"]}';
  const bytes = new TextEncoder().encode(`ocirun-verdict 1 ok\ndiagnostics 2\n[]\nfeatures ${doc.length}\n${doc}\n`);
  assert.is(featuresText(decodeVerdict(bytes)), doc + "\n");
  assert.throws(() => featuresText(decodeVerdict(new TextEncoder().encode("ocirun-verdict 1 ok\n"))), /no features section/);
});

test("features: the command prints the core's document", () => {
  const r = ocirun(["features"]);
  assert.is(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout);
  assert.type(f.ociVersionMin, "string");
  assert.type(f.ociVersionMax, "string");
  assert.ok(r.stdout.startsWith("{\n  "), "indented");
  assert.equal(f, core("features", "").features);
});

test("help lists validate, plan and features", () => {
  const r = ocirun(["--help"]);
  for (const name of ["validate", "plan", "features"]) assert.match(r.stdout, new RegExp(`^   ${name} `, "m"));
});

test.run();
