// The container's cgroup: linux.cgroupsPath or "/<id>", and no section without cgroups.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupPlan, v1Facts, v2Facts } from "../../util/cgroup";
import { baseConfig, patch, core } from "../../util/core";

const rows: [string, unknown, string][] = [
  ["absolute", "/machine/c1", "/machine/c1"],
  ["relative goes under the root", "testdir/cgrouptest/container", "/testdir/cgrouptest/container"],
  ["cleaned", "/a/./b//c/../d", "/a/b/d"],
  ["cannot climb out", "../../x", "/x"],
  ["absent: the container id", undefined, "/c1"],
];
for (const [name, path, want] of rows) {
  test(`cgroup path: ${name}`, () => {
    const config = patch(baseConfig(), { "/linux/cgroupsPath": path });
    assert.is(cgroupPlan(config, v2Facts).section!.path, want);
    assert.is(cgroupPlan(config, v1Facts).section!.path, want);
  });
}

test("cgroupsPath naming the root is refused", () => {
  assert.equal(cgroupPlan(patch(baseConfig(), { "/linux/cgroupsPath": "/.." }), v2Facts).errors, ["/linux/cgroupsPath"]);
});

test("no cgroup section on a host without cgroups, nor for validate", () => {
  assert.is(core("plan", baseConfig(), { cgroup: "none", cgroupV1: [] }).sections.cgroup, undefined);
  assert.is(core("validate", baseConfig()).sections.cgroup, undefined);
});

test("the v1 controller is the host's hierarchy directory", () => {
  const config = patch(baseConfig(), { "/linux/resources": { cpu: { shares: 512 } } });
  const { section } = cgroupPlan(config, { cgroup: "v1", cgroupV1: [{ dir: "cpu,cpuacct", options: "cpu,cpuacct" }, { dir: "devices", options: "devices" }] });
  assert.equal(section!.writes.filter((w) => w.file === "cpu.shares").map((w) => w.controller), ["cpu,cpuacct"]);
});

test.run();
