// process.apparmorProfile and process.selinuxLabel on this host: applied where the LSM is
// enabled (read back inside), refused with one line naming the field where it is not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync } from "node:fs";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { lsmFacts } from "../../host/facts.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());
const lsm = lsmFacts();

/** create fails with exit 1, one line that names `pointer`, and leaves --root empty. */
function refused(patches: Record<string, unknown>, pointer: string, msg: string) {
  const r = ocirun(["create", "--bundle", t.bundle(["true"], patches), "lsm"], { root });
  assert.is(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.is(lines.length, 1, r.stderr);
  assert.ok(errorMessage(lines[0]).includes(`${pointer}: ${msg}`), lines[0]);
  assert.equal(existsSync(root) ? readdirSync(root) : [], [], "nothing left under --root");
}

if (lsm.apparmor) {
  test("apparmorProfile unconfined is the profile the process runs under", () => {
    const r = ocirun(["run", "--bundle", t.bundle(["cat", "/proc/self/attr/current"], { "/process/apparmorProfile": "unconfined" }), "aa"], { root });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^unconfined\s*$/);
  });
} else {
  test("apparmorProfile is refused on a host without apparmor", () =>
    refused({ "/process/apparmorProfile": "unconfined" }, "/process/apparmorProfile", "apparmor is not enabled on this host"));
}

if (!lsm.selinux) {
  test("selinuxLabel is refused on a host without selinux", () =>
    refused({ "/process/selinuxLabel": "system_u:system_r:container_t:s0" }, "/process/selinuxLabel", "selinux is not enabled on this host"));
}

test("mountLabel on a host without selinux only warns", () => {
  if (lsm.selinux) return;
  const r = ocirun(["run", "--bundle", t.bundle(["true"], { "/linux/mountLabel": "system_u:object_r:container_file_t:s0" }), "ml"], { root });
  assert.is(r.code, 0, r.stderr);
});

test.run();
