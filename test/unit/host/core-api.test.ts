// The `ocirun/core` entry point as built (build/core-api.js): under Bun in this process, and under
// Node in a child, each finding core.wasm beside itself; the answers match the core's own.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baseConfig, core, patch, repo } from "../../util/core";

const entry = repo + "build/core-api.js";
const invalid = patch(baseConfig(), { "/ociVersion": "x", "/process/cwd": "relative", "/process/args": [] });
let api: any;

test.before(async () => {
  assert.ok(existsSync(entry), `${entry} is missing: run npm run build:api`);
  api = await import(entry);
});

test("package.json exports ./core as the built entry point", () => {
  const pkg = JSON.parse(readFileSync(repo + "package.json", "utf8"));
  assert.is(pkg.exports["./core"], "./build/core-api.js");
  assert.match(pkg.scripts.build, "build:api");
});

test("validate: a valid config from an object, a string and bytes", async () => {
  const text = JSON.stringify(baseConfig());
  for (const input of [baseConfig(), text, new TextEncoder().encode(text)]) {
    assert.equal(await api.validate(input), { ok: true, diagnostics: [] });
  }
});

test("validate: every error of an invalid config, as the core lists them", async () => {
  const r = await api.validate(invalid);
  assert.is(r.ok, false);
  const pointers = r.diagnostics.map((d: any) => d.pointer);
  for (const p of ["/ociVersion", "/process/cwd", "/process/args"]) assert.ok(pointers.includes(p), `${p} not in ${pointers}`);
  assert.equal(r.diagnostics, core("validate", invalid, { cgroup: "v2", cgroupV1: [] }).diagnostics);
});

test("plan: the verdict with the init plan, facts merged over the defaults", async () => {
  const v = await api.plan(baseConfig(), { bundle: "/srv/b" });
  assert.ok(v.ok);
  assert.is(v.container.rootfs, "/srv/b/rootfs");
  assert.is(new TextDecoder().decode(v.init.subarray(0, 4)), "OCIP");
  const ops = api.disassemble(v.init).ops;
  assert.is(ops.length, v.text.split("\n").filter((l: string) => /^\s*\d+ /.test(l)).length);
});

test("loadCore: a given module replaces the default one", async () => {
  await api.loadCore(readFileSync(repo + "test/util/wasi-node.mjs")).catch(() => {}); // not wasm
  const err = await api.validate(baseConfig()).then(() => undefined, (e: Error) => e);
  assert.instance(err, Error);
  await api.loadCore(new WebAssembly.Module(readFileSync(repo + "build/core.wasm")));
  assert.ok((await api.validate(baseConfig())).ok);
});

test("features: the core's features document", async () => {
  const f = await api.features();
  assert.type(f, "object");
  assert.type(f.ociVersionMin, "string");
  assert.ok(Array.isArray(f.linux?.namespaces));
});

test("under Node: the same answers, core.wasm found beside the module", () => {
  const config = patch(baseConfig(), { "/hostname": "h", "/linux/namespaces/2": { type: "uts" } });
  const r = spawnSync("node", ["--no-warnings", repo + "test/util/core-api-node.mjs", entry], { input: JSON.stringify(config), encoding: "utf8", timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const v = core("plan", config, { cgroup: "v2", cgroupV1: [] });
  assert.equal(out.validate, { ok: true, diagnostics: [] });
  assert.equal(out.plan, { ok: true, text: v.text, ops: out.plan.ops });
  assert.ok(out.plan.ops > 5);
  assert.match(v.text!, 'SETHOSTNAME name="h"');
});

test.run();
