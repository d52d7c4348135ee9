// op update: runc's flags and -r resources, merged with the stored config by runc 1.2+'s rules
// (only given fields change), translated into the writes for the host's mode.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch } from "../../util/core";
import { v1Facts, v2Facts } from "../../util/cgroup";
import { updateResult, updateTable, updateVerdict } from "../../util/update";

const M = 1 << 20;

updateTable([
  // Memory.
  { name: "--memory with a unit", flags: { memory: "512m" },
    v1: ["memory/memory.limit_in_bytes = 536870912"], v2: ["memory.max = 536870912"], merged: { memory: { limit: 536870912 } } },
  { name: "--memory given empty is not given (runc)", stored: { pids: { limit: 5 } }, flags: { memory: "" },
    v1: ["pids/pids.max = 5"], v2: ["pids.max = 5"], merged: { pids: { limit: 5 } } },
  { name: "--memory -1 lifts the swap limit too (runc 1.2+: swap 0)", stored: { memory: { limit: 64 * M, swap: 128 * M } }, flags: { memory: "-1" },
    v1: ["memory/memory.memsw.limit_in_bytes ?= -1", "memory/memory.limit_in_bytes = -1"], v2: ["memory.swap.max ?= max", "memory.max = max"],
    merged: { memory: { limit: -1, swap: 0 } } },
  { name: "--memory-swap alone keeps the stored limit", stored: { memory: { limit: 64 * M } }, flags: { "memory-swap": "128m" },
    v1: ["memory/memory.memsw.limit_in_bytes = 134217728", "memory/memory.limit_in_bytes = 67108864"],
    v2: ["memory.swap.max = 67108864", "memory.max = 67108864"], merged: { memory: { limit: 64 * M, swap: 128 * M } } },
  { name: "--memory-swap without a memory limit", flags: { "memory-swap": "128m" }, errorAt: ["--memory-swap"] },
  { name: "--memory-swap -1", stored: { memory: { limit: 64 * M, swap: 128 * M } }, flags: { "memory-swap": "-1" },
    v1: ["memory/memory.memsw.limit_in_bytes ?= -1", "memory/memory.limit_in_bytes = 67108864"], v2: ["memory.swap.max ?= max", "memory.max = 67108864"] },
  { name: "raising memory and swap: memsw first (v1), as the current limit is below the new swap",
    stored: { memory: { limit: 64 * M, swap: 128 * M } }, flags: { memory: "256m", "memory-swap": "512m" },
    v1: ["memory/memory.memsw.limit_in_bytes = 536870912", "memory/memory.limit_in_bytes = 268435456"],
    v2: ["memory.swap.max = 268435456", "memory.max = 268435456"] },
  { name: "lowering memory and swap: memory first (v1)",
    stored: { memory: { limit: 256 * M, swap: 512 * M } }, flags: { memory: "64m", "memory-swap": "128m" },
    v1: ["memory/memory.limit_in_bytes = 67108864", "memory/memory.memsw.limit_in_bytes = 134217728"],
    v2: ["memory.swap.max = 67108864", "memory.max = 67108864"] },
  { name: "--memory above the stored swap", stored: { memory: { limit: 64 * M, swap: 128 * M } }, flags: { memory: "256m" },
    errorAt: ["/linux/resources/memory/swap"] },
  { name: "--memory-reservation", flags: { "memory-reservation": "32m" },
    v1: ["memory/memory.soft_limit_in_bytes = 33554432"], v2: ["memory.low = 33554432"], merged: { memory: { reservation: 32 * M } } },
  { name: "--memory not a size", flags: { memory: "abc" }, errorAt: ["--memory"] },
  { name: "--memory negative", flags: { memory: "-2" }, errorAt: ["--memory"] },
  { name: "--memory with an unknown suffix", flags: { memory: "5xx" }, errorAt: ["--memory"] },
  { name: "--kernel-memory is warned about and ignored", flags: { "kernel-memory": "64m" }, warnAt: ["--kernel-memory"], v1: [], v2: [], merged: {} },
  { name: "--kernel-memory-tcp is warned about and ignored", flags: { "kernel-memory-tcp": "64m" }, warnAt: ["--kernel-memory-tcp"], v1: [], v2: [] },
  { name: "--kernel-memory not a size", flags: { "kernel-memory": "x" }, errorAt: ["--kernel-memory"] },

  // CPU.
  { name: "--cpu-quota alone keeps the stored period", stored: { cpu: { quota: 50000, period: 200000 } }, flags: { "cpu-quota": "20000" },
    v1: ["cpu/cpu.cfs_period_us = 200000", "cpu/cpu.cfs_quota_us = 20000"], v2: ["cpu.max = 20000 200000"],
    merged: { cpu: { quota: 20000, period: 200000 } } },
  { name: "--cpu-period alone keeps the stored quota; a shorter period goes after the quota (v1)",
    stored: { cpu: { quota: 50000, period: 100000 } }, flags: { "cpu-period": "50000" },
    v1: ["cpu/cpu.cfs_quota_us = 50000", "cpu/cpu.cfs_period_us = 50000"], v2: ["cpu.max = 50000 50000"] },
  { name: "quota 0 in -r is not given (runc)", stored: { cpu: { quota: 50000, period: 100000 } }, resources: { cpu: { quota: 0, period: 250000 } },
    v1: ["cpu/cpu.cfs_period_us = 250000", "cpu/cpu.cfs_quota_us = 50000"], v2: ["cpu.max = 50000 250000"],
    merged: { cpu: { quota: 50000, period: 250000 } } },
  { name: "neither quota nor period given keeps both", stored: { cpu: { quota: 50000, period: 100000 } }, flags: { "cpu-share": "512" },
    merged: { cpu: { quota: 50000, period: 100000, shares: 512 } } },
  { name: "--cpu-quota -1", stored: { cpu: { quota: 50000, period: 100000 } }, flags: { "cpu-quota": "-1" },
    v1: ["cpu/cpu.cfs_period_us = 100000", "cpu/cpu.cfs_quota_us = -1"], v2: ["cpu.max = max 100000"] },
  { name: "--cpu-share", flags: { "cpu-share": "512" }, v1: ["cpu/cpu.shares = 512"], v2: ["cpu.weight = 20"], merged: { cpu: { shares: 512 } } },
  { name: "--cpu-shares (ocirun's other spelling)", flags: { "cpu-shares": "512" }, v1: ["cpu/cpu.shares = 512"], v2: ["cpu.weight = 20"] },
  { name: "--cpu-share out of range", flags: { "cpu-share": "1" }, errorAt: ["--cpu-share"] },
  { name: "--cpu-shares out of range", flags: { "cpu-shares": "300000" }, errorAt: ["--cpu-shares"] },
  { name: "--cpu-period not a number", flags: { "cpu-period": "x" }, errorAt: ["--cpu-period"] },
  { name: "--cpu-period negative", flags: { "cpu-period": "-5" }, errorAt: ["--cpu-period"] },
  { name: "--cpu-period out of the kernel's range", flags: { "cpu-period": "2000000" }, errorAt: ["--cpu-period"] },
  { name: "--cpu-quota not an integer", flags: { "cpu-quota": "1.5" }, errorAt: ["--cpu-quota"] },
  { name: "--cpu-quota below 1 ms", flags: { "cpu-quota": "999" }, errorAt: ["--cpu-quota"] },
  { name: "--cpu-burst with the stored quota", stored: { cpu: { quota: 50000, period: 100000 } }, flags: { "cpu-burst": "10000" },
    v1: ["cpu/cpu.cfs_period_us = 100000", "cpu/cpu.cfs_quota_us = 50000", "cpu/cpu.cfs_burst_us = 10000"],
    v2: ["cpu.max = 50000 100000", "cpu.max.burst = 10000"] },
  { name: "a quota below the stored burst: the burst first", stored: { cpu: { quota: 50000, period: 100000, burst: 40000 } },
    flags: { "cpu-quota": "20000", "cpu-burst": "10000" },
    v1: ["cpu/cpu.cfs_period_us = 100000", "cpu/cpu.cfs_burst_us = 10000", "cpu/cpu.cfs_quota_us = 20000"],
    v2: ["cpu.max.burst = 10000", "cpu.max = 20000 100000"] },
  { name: "--cpu-burst above the stored quota", stored: { cpu: { quota: 50000 } }, flags: { "cpu-burst": "60000" }, errorAt: ["--cpu-burst"] },
  { name: "--cpu-idle with no shares given sets shares 0 (runc 1.2+)", stored: { cpu: { shares: 512 } }, flags: { "cpu-idle": "1" },
    v1: ["cpu/cpu.idle = 1"], v2: ["cpu.idle = 1"], merged: { cpu: { shares: 0, idle: 1 } } },
  { name: "--cpu-idle 2", flags: { "cpu-idle": "2" }, errorAt: ["--cpu-idle"] },
  { name: "--cpu-rt-period and --cpu-rt-runtime", flags: { "cpu-rt-period": "1000000", "cpu-rt-runtime": "950000" },
    v1: ["cpu/cpu.rt_period_us = 1000000", "cpu/cpu.rt_runtime_us = 950000"], v2: [], warnV2: ["--cpu-rt-runtime"] },
  { name: "an rt period below the stored runtime: the runtime first (v1)", stored: { cpu: { realtimePeriod: 1000000, realtimeRuntime: 500000 } },
    flags: { "cpu-rt-period": "400000", "cpu-rt-runtime": "300000" },
    v1: ["cpu/cpu.rt_runtime_us = 300000", "cpu/cpu.rt_period_us = 400000"] },
  { name: "--cpu-rt-runtime not an integer", flags: { "cpu-rt-runtime": "a" }, errorAt: ["--cpu-rt-runtime"] },
  { name: "--cpuset-cpus and --cpuset-mems", flags: { "cpuset-cpus": "0", "cpuset-mems": "0" },
    v1: ["cpuset/cpuset.cpus = 0", "cpuset/cpuset.mems = 0"], v2: ["cpuset.cpus = 0", "cpuset.mems = 0"], merged: { cpu: { cpus: "0", mems: "0" } } },
  { name: "--cpuset-cpus not a list", flags: { "cpuset-cpus": "3-1" }, errorAt: ["--cpuset-cpus"] },
  { name: "stored cpus stay when not given", stored: { cpu: { cpus: "0" } }, flags: { "cpu-share": "512" },
    v1: ["cpu/cpu.shares = 512", "cpuset/cpuset.cpus = 0"], merged: { cpu: { cpus: "0", shares: 512 } } },

  // Pids, block I/O.
  { name: "--pids-limit", flags: { "pids-limit": "10" }, v1: ["pids/pids.max = 10"], v2: ["pids.max = 10"], merged: { pids: { limit: 10 } } },
  { name: "--pids-limit -1", stored: { pids: { limit: 10 } }, flags: { "pids-limit": "-1" }, v1: ["pids/pids.max = max"], v2: ["pids.max = max"] },
  { name: "--pids-limit not a number", flags: { "pids-limit": "abc" }, errorAt: ["--pids-limit"] },
  { name: "--blkio-weight", flags: { "blkio-weight": "500" },
    v1: ["blkio/blkio.weight ?= 500", "blkio/blkio.bfq.weight ?= 500"], v2: ["io.bfq.weight ?= 500", "io.weight ?= 4950"],
    merged: { blockIO: { weight: 500 } } },
  { name: "--blkio-weight 0 is not given (runc)", stored: { blockIO: { weight: 300 } }, flags: { "blkio-weight": "0" }, merged: { blockIO: { weight: 300 } } },
  { name: "--blkio-weight out of range", flags: { "blkio-weight": "5" }, errorAt: ["--blkio-weight"] },

  // -r: a LinuxResources object, as containerd (stdin) and podman (a file) send it.
  { name: "-r: memory, cpu and pids as containerd sends them",
    resources: { memory: { limit: 128 * M, swap: 256 * M }, cpu: { shares: 1024, quota: 30000, period: 100000, cpus: "0" }, pids: { limit: 50 } },
    v1: ["pids/pids.max = 50", "memory/memory.limit_in_bytes = 134217728", "memory/memory.memsw.limit_in_bytes = 268435456", "cpu/cpu.shares = 1024",
      "cpu/cpu.cfs_period_us = 100000", "cpu/cpu.cfs_quota_us = 30000", "cpuset/cpuset.cpus = 0"],
    v2: ["pids.max = 50", "memory.swap.max = 134217728", "memory.max = 134217728", "cpu.weight = 39", "cpu.max = 30000 100000", "cpuset.cpus = 0"] },
  { name: "-r: what update does not change is ignored, the stored values kept",
    stored: { devices: [{ allow: false, access: "rwm" }], hugepageLimits: [{ pageSize: "2MB", limit: 0 }] },
    resources: { devices: [{ allow: true, access: "rwm" }], hugepageLimits: [{ pageSize: "2MB", limit: M }], network: { classID: 5 }, memory: { swappiness: 10, disableOOMKiller: true }, rdma: { mlx5_0: { hcaHandles: 3 } } },
    v1: [], v2: [], merged: { devices: [{ allow: false, access: "rwm" }], hugepageLimits: [{ pageSize: "2MB", limit: 0 }] } },
  { name: "no device rules, even with stored ones (runc's SkipDevices)", stored: { devices: [{ allow: false, access: "rwm" }], pids: { limit: 5 } },
    v1: ["pids/pids.max = 5"], v2: ["pids.max = 5"] },
  { name: "-r: a wrong type names the field", resources: { memory: { limit: "1g" } }, errorAt: ["/linux/resources/memory/limit"] },
  { name: "-r: a wrong section type names it", resources: { cpu: [] }, errorAt: ["/linux/resources/cpu"] },
  { name: "-r: shares out of range", resources: { cpu: { shares: 1 } }, errorAt: ["/linux/resources/cpu/shares"] },
  { name: "-r: not JSON", resources: "{\"memory\":", errorAt: ["--resources"] },
  { name: "-r: not an object", resources: "[1]", errorAt: ["--resources"] },
  { name: "-r: null sections are absent", resources: { memory: null, cpu: { shares: 512 } }, v1: ["cpu/cpu.shares = 512"] },
  { name: "-r: the other flags are ignored, with a warning", resources: { pids: { limit: 20 } }, flags: { memory: "1g" },
    v1: ["pids/pids.max = 20"], v2: ["pids.max = 20"], warnAt: ["--memory"] },
  { name: "-r: kernel memory is warned about and ignored", resources: { memory: { kernel: 1000000 } }, warnAt: ["/linux/resources/memory/kernel"], v1: [] },
  { name: "-r: unified files are added to the stored ones", stored: { unified: { "memory.high": "100M" } }, resources: { unified: { "pids.max": "30" } },
    v2: ["memory.high = 100M", "pids.max = 30"], errorV1: ["/linux/resources/unified"],
    merged: { unified: { "memory.high": "100M", "pids.max": "30" } } },
  { name: "-r: a unified file replaces the stored one", stored: { unified: { "pids.max": "10" } }, resources: { unified: { "pids.max": "30" } },
    v2: ["pids.max = 30"], errorV1: ["/linux/resources/unified"], merged: { unified: { "pids.max": "30" } } },
  { name: "-r: throttle devices upserted by major:minor (runc 1.3+)",
    stored: { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 100 }] } },
    resources: { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 200 }, { major: 8, minor: 16, rate: 50 }] } },
    v1: ["blkio/blkio.throttle.read_bps_device = 8:0 200", "blkio/blkio.throttle.read_bps_device = 8:16 50"],
    v2: ["io.max = 8:0 rbps=200", "io.max = 8:16 rbps=50"],
    merged: { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 200 }, { major: 8, minor: 16, rate: 50 }] } } },
  { name: "-r: a device weight upserted field by field (runc 1.3+)",
    stored: { blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 100, leafWeight: 200 }] } },
    resources: { blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 300 }] } },
    v1: ["blkio/blkio.weight_device ?= 8:0 300", "blkio/blkio.bfq.weight_device ?= 8:0 300", "blkio/blkio.leaf_weight_device ?= 8:0 200"],
    merged: { blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 300, leafWeight: 200 }] } } },
  { name: "-r: pids limit 0 is a limit (runc 1.5, runtime-spec 1.3)", resources: { pids: { limit: 0 } }, v1: ["pids/pids.max = 0"], v2: ["pids.max = 0"] },

  // Nothing given: the stored values are written again (runc's Set), the restore the same.
  { name: "nothing given", stored: { pids: { limit: 5 }, memory: { limit: 64 * M } },
    v1: ["pids/pids.max = 5", "memory/memory.limit_in_bytes = 67108864"], v2: ["pids.max = 5", "memory.max = 67108864"] },
  { name: "the restore writes are the stored values'", stored: { pids: { limit: 5 }, cpu: { quota: 50000, period: 100000 } },
    flags: { "pids-limit": "10", "cpu-period": "200000" },
    v1: ["pids/pids.max = 10", "cpu/cpu.cfs_period_us = 200000", "cpu/cpu.cfs_quota_us = 50000"],
    restoreV1: ["pids/pids.max = 5", "cpu/cpu.cfs_quota_us = 50000", "cpu/cpu.cfs_period_us = 100000"],
    restoreV2: ["pids.max = 5", "cpu.max = 50000 100000"] },
  { name: "an unknown flag", flags: { bogus: "1" }, errorAt: [""] },
]);

test("the units of --memory (go-units' RAMInBytes, binary multipliers)", () => {
  const cases: [string, number][] = [
    ["100", 100], ["4096b", 4096], ["2.5k", 2560], ["1 KiB", 1024], ["10MB", 10 * M], ["1G", 1 << 30], ["1.5g", 1.5 * (1 << 30)],
    ["1e3", 1000], ["2t", 2 * 2 ** 40], ["1p", 2 ** 50], ["7.9", 7], ["512M", 512 * M], ["3mib", 3 * M],
  ];
  for (const [given, bytes] of cases) {
    const r = updateResult({ flags: { memory: given } }, v2Facts);
    assert.equal(r.errors, [], `${given}: ${r.messages}`);
    assert.equal((r.section!.resources as any).memory.limit, bytes, given);
  }
  for (const bad of ["abc", "-2", "5xx", "1kbb", "k", "1.2.3", " 5", "1  k", "10000000p", "1kB5"]) {
    const r = updateResult({ flags: { memory: bad } }, v2Facts);
    assert.equal(r.errors, ["--memory"], `${bad}: ${r.messages}`);
  }
});

test("flag errors name the flag and the value", () => {
  const messages = (flags: Record<string, string>) => updateResult({ flags }, v2Facts).messages;
  assert.equal(messages({ memory: "abc" }), ['--memory: invalid size "abc"']);
  assert.equal(messages({ memory: "5xx" }), ['--memory: invalid size "5xx": unknown suffix "xx"']);
  assert.equal(messages({ "cpu-period": "x" }), ['--cpu-period: invalid value "x": not an unsigned integer']);
  assert.equal(messages({ "cpu-quota": "1.5" }), ['--cpu-quota: invalid value "1.5": not an integer']);
  assert.equal(messages({ "pids-limit": "abc" }), ['--pids-limit: invalid value "abc": not an integer']);
  assert.equal(messages({ "cpu-share": "1" }), ["--cpu-share: 1 is out of range [2, 262144]"]);
  assert.equal(messages({ "kernel-memory": "1m" }), ["--kernel-memory: kernel memory settings are ignored and will be removed"]);
  assert.equal(messages({ bogus: "1" }), [': update-flags: unknown flag "bogus"']);
});

test("writes from flags name the flag, writes from -r or the stored config the field", () => {
  const r = updateResult({ stored: { pids: { limit: 5 } }, flags: { memory: "64m" } }, v2Facts);
  assert.equal(r.section!.writes.map((w) => w.pointer), ["/linux/resources/pids/limit", "--memory"]);
  const j = updateResult({ resources: { memory: { limit: 64 * M } } }, v2Facts);
  assert.equal(j.section!.writes.map((w) => w.pointer), ["/linux/resources/memory/limit"]);
});

test("Intel RDT: refused clearly without resctrl, and not supported yet with it (even with -r)", () => {
  const messages = (flags: Record<string, string>, intelRdt?: Array<"l3" | "mba">, resources?: unknown) =>
    updateResult({ flags, resources, facts: intelRdt ? { intelRdt } : {} }, v2Facts).messages;
  assert.equal(messages({ "l3-cache-schema": "L3:0=f" }), ["--l3-cache-schema: Intel RDT/CAT: l3 cache schema is not enabled (this host has no resctrl filesystem with L3 cache allocation)"]);
  assert.equal(messages({ "mem-bw-schema": "MB:0=50" }, ["l3"]), ["--mem-bw-schema: Intel RDT/MBA: memory bandwidth schema is not enabled (this host has no resctrl filesystem with memory bandwidth allocation)"]);
  assert.equal(messages({ "l3-cache-schema": "L3:0=f" }, ["l3", "mba"], { pids: { limit: 3 } }),
    ["--l3-cache-schema: updating a container's Intel RDT schema is not supported yet: ocirun makes no resctrl group for a container"]);
});

test("checkBeforeUpdate: usage checks for the host on cgroup v2 only (runc 1.2+)", () => {
  const resources = { memory: { limit: 64 * M, swap: 128 * M, checkBeforeUpdate: true } };
  const v2 = updateResult({ resources }, v2Facts).section!;
  assert.equal(v2.checks, [
    { controller: "", files: ["memory.current", "memory.swap.current"], limit: String(128 * M), what: "memory+swap limit", pointer: "/linux/resources/memory/swap" },
    { controller: "", files: ["memory.current"], limit: String(64 * M), what: "memory limit", pointer: "/linux/resources/memory/limit" },
  ]);
  assert.equal(updateResult({ resources }, v1Facts).section!.checks, []);
  assert.equal(updateResult({ resources: { memory: { limit: 64 * M } } }, v2Facts).section!.checks, []);
});

test("the config section: the stored config.json with the merged resources, everything else as it was", () => {
  const stored = patch(baseConfig(), {
    "/linux/resources": { pids: { limit: 5 } },
    "/process/rlimits": [{ type: "RLIMIT_NOFILE", hard: 18446744073709551615n, soft: 1024 }],
  });
  const text = JSON.stringify(stored, (_, v) => (typeof v === "bigint" ? `@${v}@` : v)).replace(/"@(\d+)@"/g, "$1");
  const v = core("update", text, { ...v2Facts, id: "u1", updateFlags: { memory: "64m" } });
  assert.ok(v.ok, JSON.stringify(v.diagnostics));
  const config = new TextDecoder().decode(v.config!);
  assert.match(config, /"hard":18446744073709551615/);
  const parsed = JSON.parse(config);
  assert.equal(parsed.linux.resources, { pids: { limit: 5 }, memory: { limit: 64 * M } });
  assert.equal(parsed.process, JSON.parse(text).process);
  assert.equal(parsed.root, stored.root);
});

test("a stored config without linux gets one", () => {
  const config = baseConfig();
  delete config.linux;
  const v = core("update", config, { ...v2Facts, id: "u1", updateFlags: { "pids-limit": "3" } });
  assert.equal(JSON.parse(new TextDecoder().decode(v.config!)).linux, { resources: { pids: { limit: 3 } } });
});

test("the request: update-flags must be an object of strings", () => {
  const r = updateVerdict({ flags: { memory: 5 as unknown as string } }, v2Facts);
  assert.equal(r.diagnostics.map((d) => d.pointer), ["--memory"]);
});

test.run();
