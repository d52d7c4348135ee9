// Bad input: one clear line naming the field, exit 1, and nothing left under --root.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

/** Exit 1, exactly one line on stderr containing `msg`, and --root has no container left. */
function refused(args: string[], msg: string) {
  const r = ocirun(args, { root });
  assert.is(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.is(lines.length, 1, r.stderr);
  const text = errorMessage(lines[0]);
  assert.ok(text.includes(msg), `${JSON.stringify(text)} lacks ${JSON.stringify(msg)}`);
  assert.equal(existsSync(root) ? readdirSync(root) : [], [], "nothing left under --root");
}

function bundleWithConfig(text: string): string {
  const dir = join(t.dir, `raw${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "config.json"), text);
  return dir;
}

test("missing bundle", () => refused(["create", "--bundle", join(t.dir, "nope"), "x"], "no such file or directory"));
test("missing config.json", () => refused(["create", "--bundle", bundleWithConfig("{}").replace(/raw\w+$/, ""), "x"], "config.json: no such file or directory"));
test("malformed JSON names line and column", () =>
  refused(["create", "--bundle", bundleWithConfig('{\n "ociVersion": "1.3.0",\n "root": {"path": "rootfs"\n}'), "x"], "line 4, column 2"));
test("missing process.args", () => refused(["create", "--bundle", t.bundle(["true"], { "/process/args": undefined }), "x"], "/process/args: is required"));
test("empty process.args", () => refused(["create", "--bundle", t.bundle([]), "x"], "/process/args: must name a command"));
test("relative cwd", () => refused(["create", "--bundle", t.bundle(["true"], { "/process/cwd": "tmp" }), "x"], "/process/cwd: must be an absolute path"));
test("bad ids", () => {
  const b = t.bundle(["true"]);
  refused(["create", "--bundle", b, ""], "container id cannot be empty");
  for (const id of ["a/b", ".", "..", "../esc", "-x"]) refused(["create", "--bundle", b, "--", id].filter((a) => a !== "--" || id.startsWith("-")), "invalid container id");
  assert.not.ok(existsSync(join(t.dir, "esc")));
});
test("a failing mount names its field and errno", () =>
  refused(["create", "--bundle", t.bundle(["true"], { "/mounts/7": { destination: "/mnt", type: "nosuchfs", source: "x" } }), "x"],
    '/mounts/7: mount "nosuchfs" on "/mnt": no such device'));
test("an executable missing from PATH", () =>
  refused(["create", "--bundle", t.bundle(["nosuchcmd"]), "x"], '/process/args/0: exec: "nosuchcmd": executable file not found in $PATH'));
test("an executable path that does not exist", () =>
  refused(["run", "--bundle", t.bundle(["/bin/nosuch"]), "x"], '/process/args/0: exec: "/bin/nosuch": no such file or directory'));


test("--log-format json: the error is the only record in --log, and still one line on stderr", () => {
  const log = join(t.dir, "oci-log");
  const r = ocirun(["--log-format=json", "--log", log, "create", "--bundle", t.bundle(["true"], { "/process/cwd": "rel" }), "x"], { root });
  assert.is(r.code, 1);
  assert.is(r.stderr.trimEnd().split("\n").length, 1);
  const record = JSON.parse(readFileSync(log, "utf8")); // podman parses the whole file as one object
  assert.is(record.level, "error");
  assert.match(record.msg, "/process/cwd");
  assert.ok(!Number.isNaN(Date.parse(record.time)));
});

test.run();
