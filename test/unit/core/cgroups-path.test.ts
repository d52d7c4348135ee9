// The container's cgroup in each hierarchy, by runc's rules: linux.cgroupsPath absolute under
// the root; relative (or the id when absent) under the runtime's own cgroup on v1, under its
// parent on v2; a hybrid host's unified hierarchy takes it from its root. No section without cgroups.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupPlan, v1Facts, v2Facts } from "../../util/cgroup";
import { baseConfig, patch, core } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

// The runtime runs in /user.slice/s1 (v2), and in /process_api/p1 of the memory hierarchy (v1).
const v2Own: Partial<HostFacts> = { ...v2Facts, ownCgroup: "/user.slice/s1" };
const hybridOwn: Partial<HostFacts> = {
  cgroup: "hybrid",
  cgroupV1: [{ dir: "cpu,cpuacct", options: "cpu,cpuacct" }, { dir: "devices", options: "devices" }, { dir: "memory", options: "memory", own: "/process_api/p1" }],
};

const rows: [string, unknown, Record<string, string>, Record<string, string>][] = [
  ["absolute", "/machine/c1", { "": "/machine/c1" }, { "cpu,cpuacct": "/machine/c1", devices: "/machine/c1", memory: "/machine/c1", unified: "/machine/c1" }],
  ["relative goes under the runtime's cgroup (v2: its parent)", "testdir/cgrouptest/container",
    { "": "/user.slice/testdir/cgrouptest/container" },
    { "cpu,cpuacct": "/testdir/cgrouptest/container", devices: "/testdir/cgrouptest/container", memory: "/process_api/p1/testdir/cgrouptest/container", unified: "/testdir/cgrouptest/container" }],
  ["cleaned", "/a/./b//c/../d", { "": "/a/b/d" }, { "cpu,cpuacct": "/a/b/d", devices: "/a/b/d", memory: "/a/b/d", unified: "/a/b/d" }],
  ["a relative path cannot climb out", "../../x", { "": "/user.slice/x" }, { "cpu,cpuacct": "/x", devices: "/x", memory: "/process_api/p1/x", unified: "/x" }],
  ["absent: the container id, as a relative path", undefined, { "": "/user.slice/c1" }, { "cpu,cpuacct": "/c1", devices: "/c1", memory: "/process_api/p1/c1", unified: "/c1" }],
];
for (const [name, path, v2, hybrid] of rows) {
  test(`cgroup path: ${name}`, () => {
    const config = patch(baseConfig(), { "/linux/cgroupsPath": path });
    assert.equal(cgroupPlan(config, v2Own).section!.paths, v2);
    assert.equal(cgroupPlan(config, hybridOwn).section!.paths, hybrid);
  });
}

test("a v1-only host has no unified directory; the runtime in the v2 root puts a relative path under it", () => {
  const config = patch(baseConfig(), { "/linux/cgroupsPath": "x" });
  assert.equal(cgroupPlan(config, { ...hybridOwn, cgroup: "v1" }).section!.paths, { "cpu,cpuacct": "/x", devices: "/x", memory: "/process_api/p1/x" });
  assert.equal(cgroupPlan(config, v2Facts).section!.paths, { "": "/x" });
});

for (const path of ["/..", "/", ".", "a/../.."]) {
  test(`cgroupsPath ${JSON.stringify(path)} names no cgroup: refused`, () => {
    assert.equal(cgroupPlan(patch(baseConfig(), { "/linux/cgroupsPath": path }), v2Facts).errors, ["/linux/cgroupsPath"]);
  });
}

test("a v1 host without the devices hierarchy is refused (every host device would be open)", () => {
  const { errors } = cgroupPlan(baseConfig(), { cgroup: "v1", cgroupV1: [{ dir: "memory", options: "memory" }] });
  assert.equal(errors, ["/linux/resources/devices"]);
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
