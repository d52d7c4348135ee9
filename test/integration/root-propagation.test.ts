// linux.rootfsPropagation with a root.path that is not a mount point (runtime-tools'
// linux_rootfs_propagation, config_updates_without_affect): as runc, "/" gets the propagation,
// the mount holding the rootfs is made private so pivot_root takes it, and the new root gets the
// propagation again.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

// The optional fields of the root's mountinfo line (shared:N, master:N, unbindable), or "-".
const ROOT_LINE = "awk '$5 == \"/\" { for (i = 7; $i != \"-\"; i++) printf \"%s \", $i; print \"-\" }' /proc/self/mountinfo";

for (const [propagation, expected] of [["shared", /^shared:\d+ -$/], ["unbindable", /^unbindable -$/], ["slave", /^-$/], ["private", /^-$/]] as const) {
  test(`rootfsPropagation ${propagation}: the container starts and its root shows it`, () => {
    const b = t.bundle(["sh", "-c", ROOT_LINE], { "/linux/rootfsPropagation": propagation });
    const r = ocirun(["run", "--bundle", b, `rp-${propagation}`], { root });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), expected);
  });
}

test.run();
