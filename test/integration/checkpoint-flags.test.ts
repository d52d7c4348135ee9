// checkpoint and restore on this host, where CRIU cannot run: runc's checks before CRIU is
// called, each refused with runc's words and exit 1, and nothing changed or left behind.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
test.after(() => t.cleanup());

const fails = (r: { code: number; stderr: string }, msg: string) => {
  assert.is(r.code, 1, r.stderr);
  assert.is(errorMessage(r.stderr.trim().split("\n").at(-1)!), msg);
};

test("checkpoint: a created container, a missing one, and bad flags are refused before CRIU", () => {
  assert.is(oci("create", "--bundle", t.bundle(["sleep", "100"]), "ck1").code, 0);
  const images = mkdtempSync(join(t.dir, "img-"));
  fails(oci("checkpoint", "--image-path", images, "ck1"), "Container cannot be checkpointed in created state");
  fails(oci("checkpoint", "--image-path", images, "nosuch"), 'container "nosuch" does not exist');
  fails(oci("checkpoint", "--manage-cgroups-mode", "bogus", "ck1"), "Invalid manage cgroups mode");
  fails(oci("checkpoint", "--empty-ns", "net", "ck1"), 'namespace "net" is not supported');
  fails(oci("checkpoint", "--page-server", "nocolon", "ck1"), "Use --page-server ADDRESS:PORT to specify page server");
  assert.is(oci("start", "ck1").code, 0);
  fails(oci("checkpoint", "--image-path", images, "--parent-path", "/abs", "ck1"), "--parent-path must be relative");
  fails(oci("checkpoint", "--image-path", images, "--parent-path", "../nosuch", "ck1"), `invalid --parent-path: stat ${join(t.dir, "nosuch")}: no such file or directory`);
  // Still running, untouched.
  assert.is(JSON.parse(oci("state", "ck1").stdout).status, "running");
  assert.is(oci("delete", "--force", "ck1").code, 0);
});

test("restore: an id in use and bad flags are refused before CRIU; nothing is left behind", () => {
  assert.is(oci("create", "--bundle", t.bundle(["true"]), "rs1").code, 0);
  fails(oci("restore", "--bundle", t.bundle(["true"]), "rs1"), 'container with id "rs1" already exists');
  fails(oci("restore", "--manage-cgroups-mode", "bogus", "rs2"), "Invalid manage cgroups mode");
  assert.is(oci("delete", "--force", "rs1").code, 0);
  assert.equal(existsSync(root) ? readdirSync(root) : [], []);
});

test.run();
