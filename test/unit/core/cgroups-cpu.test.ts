// linux.resources.cpu → cpu.* writes (shares → weight, quota/period → cpu.max) and cpuset.*.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupTable } from "../../util/cgroup";

cgroupTable([
  { name: "shares", resources: { cpu: { shares: 1024 } }, v1: ["cpu/cpu.shares = 1024"], v2: ["cpu.weight = 39"] },
  { name: "shares at the ends of the range", resources: { cpu: { shares: 2 } }, v1: ["cpu/cpu.shares = 2"], v2: ["cpu.weight = 1"] },
  { name: "largest shares", resources: { cpu: { shares: 262144 } }, v1: ["cpu/cpu.shares = 262144"], v2: ["cpu.weight = 10000"] },
  { name: "shares 0 is unset", resources: { cpu: { shares: 0 } }, v1: [], v2: [] },
  { name: "quota and period", resources: { cpu: { quota: 50000, period: 100000 } },
    v1: ["cpu/cpu.cfs_period_us = 100000", "cpu/cpu.cfs_quota_us = 50000"], v2: ["cpu.max = 50000 100000"] },
  { name: "quota alone", resources: { cpu: { quota: 20000 } }, v1: ["cpu/cpu.cfs_quota_us = 20000"], v2: ["cpu.max = 20000"] },
  { name: "unlimited quota", resources: { cpu: { quota: -1, period: 50000 } },
    v1: ["cpu/cpu.cfs_period_us = 50000", "cpu/cpu.cfs_quota_us = -1"], v2: ["cpu.max = max 50000"] },
  { name: "period alone", resources: { cpu: { period: 250000 } }, v1: ["cpu/cpu.cfs_period_us = 250000"], v2: ["cpu.max = max 250000"] },
  { name: "burst", resources: { cpu: { quota: 50000, burst: 10000 } },
    v1: ["cpu/cpu.cfs_quota_us = 50000", "cpu/cpu.cfs_burst_us = 10000"], v2: ["cpu.max = 50000", "cpu.max.burst = 10000"] },
  { name: "burst above quota", resources: { cpu: { quota: 50000, burst: 60000 } }, errorAt: ["/linux/resources/cpu/burst"] },
  { name: "realtime", resources: { cpu: { realtimePeriod: 1000000, realtimeRuntime: 950000 } },
    v1: ["cpu/cpu.rt_period_us = 1000000", "cpu/cpu.rt_runtime_us = 950000"], v2: [], warnV2: ["/linux/resources/cpu/realtimeRuntime"] },
  { name: "idle", resources: { cpu: { idle: 1 } }, v1: ["cpu/cpu.idle = 1"], v2: ["cpu.idle = 1"] },
  { name: "cpus and mems", resources: { cpu: { cpus: "0-3,7", mems: "0" } },
    v1: ["cpuset/cpuset.cpus = 0-3,7", "cpuset/cpuset.mems = 0"], v2: ["cpuset.cpus = 0-3,7", "cpuset.mems = 0"] },
  { name: "empty cpus is unset", resources: { cpu: { cpus: "" } }, v1: [], v2: [] },
  { name: "bad cpus", resources: { cpu: { cpus: "3-1" } }, errorAt: ["/linux/resources/cpu/cpus"] },
  { name: "mems not a list", resources: { cpu: { mems: "all" } }, errorAt: ["/linux/resources/cpu/mems"] },
  { name: "shares out of the kernel's range", resources: { cpu: { shares: 1 } }, errorAt: ["/linux/resources/cpu/shares"] },
  { name: "shares negative", resources: { cpu: { shares: -5 } }, errorAt: ["/linux/resources/cpu/shares"] },
  { name: "quota below 1 ms", resources: { cpu: { quota: 999 } }, errorAt: ["/linux/resources/cpu/quota"] },
  { name: "quota below -1", resources: { cpu: { quota: -2 } }, errorAt: ["/linux/resources/cpu/quota"] },
  { name: "period above 1 s", resources: { cpu: { period: 1000001 } }, errorAt: ["/linux/resources/cpu/period"] },
  { name: "idle 2", resources: { cpu: { idle: 2 } }, errorAt: ["/linux/resources/cpu/idle"] },
]);

test("the shares → weight formula (crun.1.md)", () => {
  for (const [shares, weight] of [[2, 1], [1024, 39], [262144, 10000], [131073, 5000]]) {
    assert.is(1 + Math.floor(((shares - 2) * 9999) / 262142), weight);
  }
});

test.run();
