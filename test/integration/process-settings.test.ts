// The init's kernel settings, read from inside real containers: oomScoreAdj, sysctl,
// scheduler, ioPriority, personality, timeOffsets, memoryPolicy; and a /proc that is not
// procfs refusing the sysctl write.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, existsSync } from "node:fs";
import { arch } from "node:os";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { testNeeding } from "../util/needs.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

let n = 0;
function run(script: string, patches: Record<string, unknown>) {
  return ocirun(["run", "--bundle", t.bundle(["sh", "-c", script], patches), `ps${++n}`], { root });
}

/** `run` a shell script; returns its stdout (exit code checked). */
function sh(script: string, patches: Record<string, unknown>): string {
  const r = run(script, patches);
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** This process has capability `bit` in its effective set. */
function hasCap(bit: number): boolean {
  const eff = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"))![1];
  return ((BigInt("0x" + eff) >> BigInt(bit)) & 1n) === 1n;
}

const hostUptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
const withTime = [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "time" }];

type Row = { name: string; script: string; patches: Record<string, unknown>; expect: RegExp | ((out: string) => void); skip?: string };

const rows: Row[] = [
  { name: "oomScoreAdj raised", script: "cat /proc/self/oom_score_adj", patches: { "/process/oomScoreAdj": 500 }, expect: /^500\n$/ },
  {
    name: "network and ipc sysctls, then /proc/sys read-only",
    script: "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax; echo 0 > /proc/sys/net/ipv4/ip_forward 2>/dev/null && echo writable || echo read-only",
    patches: { "/linux/sysctl": { "net.ipv4.ip_forward": "1", "kernel.shmmax": "65536" } },
    expect: /^1\n65536\nread-only\n$/,
  },
  {
    name: "a sysctl in slash form",
    script: "cat /proc/sys/net/ipv4/conf/lo/forwarding",
    patches: { "/linux/sysctl": { "net/ipv4/conf/lo/forwarding": "1" } },
    expect: /^1\n$/,
  },
  {
    // /proc/<pid>/stat: field 19 is the nice value, field 41 the policy (SCHED_BATCH = 3).
    name: "scheduler SCHED_BATCH with nice 7",
    script: "awk '{print $19, $41}' /proc/$$/stat",
    patches: { "/process/scheduler": { policy: "SCHED_BATCH", nice: 7 } },
    expect: /^7 3\n$/,
  },
  {
    name: "scheduler SCHED_FIFO priority 10",
    script: "awk '{print $18, $41}' /proc/$$/stat",
    // field 18 is -1 - rt_priority for real-time tasks; policy SCHED_FIFO = 1. Where the kernel
    // budgets real-time time per cgroup (v1 cpu.rt_runtime_us), the container's gets some.
    patches: { "/process/scheduler": { policy: "SCHED_FIFO", priority: 10 }, "/linux/resources/cpu/realtimeRuntime": 10000 },
    expect: /^-11 1\n$/,
  },
  { name: "ioPriority best-effort 6", script: "ionice -p $$", patches: { "/process/ioPriority": { class: "IOPRIO_CLASS_BE", priority: 6 } }, expect: /best-effort: prio 6/ },
  { name: "ioPriority idle", script: "ionice -p $$", patches: { "/process/ioPriority": { class: "IOPRIO_CLASS_IDLE", priority: 0 } }, expect: /idle/ },
  {
    name: "personality LINUX32",
    script: "uname -m",
    patches: { "/linux/personality": { domain: "LINUX32" } },
    expect: /^i686\n$/,
    skip: arch() === "x64" ? undefined : "LINUX32 reads i686 only on x86_64",
  },
  { name: "personality LINUX", script: "uname -m", patches: { "/linux/personality": { domain: "LINUX" } }, expect: /^x86_64\n$/, skip: arch() === "x64" ? undefined : "x86_64 only" },
  {
    name: "timeOffsets shift monotonic and boottime",
    script: "cat /proc/self/timens_offsets; cut -d' ' -f1 /proc/uptime",
    patches: { "/linux/namespaces": withTime, "/linux/timeOffsets": { monotonic: { secs: 86400, nanosecs: 0 }, boottime: { secs: 172800, nanosecs: 0 } } },
    expect: (out) => {
      const lines = out.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
      assert.equal(lines.slice(0, 2), ["monotonic 86400 0", "boottime 172800 0"]);
      const shift = Number(lines[2]) - hostUptime();
      assert.ok(shift > 172700 && shift < 172900, `uptime shifted by ${shift}`);
    },
  },
  {
    name: "memoryPolicy MPOL_BIND on node 0",
    script: "grep -c ' bind:0 ' /proc/self/numa_maps",
    patches: { "/linux/memoryPolicy": { mode: "MPOL_BIND", nodes: "0" } },
    expect: /^[1-9][0-9]*\n$/,
    skip: existsSync("/sys/devices/system/node/node0") ? undefined : "no NUMA node 0",
  },
];

for (const row of rows) {
  testNeeding(row.name, row.skip ?? null, () => {
    const out = sh(row.script, row.patches);
    if (row.expect instanceof RegExp) assert.match(out, row.expect);
    else row.expect(out);
  });
}

test("oomScoreAdj lowered: set with CAP_SYS_RESOURCE, refused with a message without it", () => {
  const r = run("cat /proc/self/oom_score_adj", { "/process/oomScoreAdj": -500 });
  if (hasCap(24)) {
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "-500\n");
  } else {
    assert.is(r.code, 1);
    assert.match(r.stderr, "/process/oomScoreAdj: set oom_score_adj -500: permission denied");
  }
});

test("in a user namespace: sysctl, oomScoreAdj, timeOffsets, personality, ioPriority", () => {
  const out = sh("cat /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; head -1 /proc/self/timens_offsets; ionice -p $$", {
    "/linux/namespaces": [...withTime, { type: "user" }],
    "/linux/uidMappings": [{ containerID: 0, hostID: 100000, size: 65536 }],
    "/linux/gidMappings": [{ containerID: 0, hostID: 100000, size: 65536 }],
    "/linux/sysctl": { "net.ipv4.ip_forward": "1" },
    "/process/oomScoreAdj": 300,
    "/linux/timeOffsets": { monotonic: { secs: 100, nanosecs: 0 } },
    "/process/ioPriority": { class: "IOPRIO_CLASS_BE", priority: 2 },
  });
  const lines = out.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
  assert.equal(lines, ["1", "300", "monotonic 100 0", "best-effort: prio 2"]);
});

test("the host's sysctls are untouched", () => {
  const before = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8");
  const flipped = before.trim() === "1" ? "0" : "1";
  assert.is(sh("cat /proc/sys/net/ipv4/ip_forward", { "/linux/sysctl": { "net.ipv4.ip_forward": flipped } }), flipped + "\n");
  assert.is(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"), before);
});

test("a sysctl that is not namespaced, or without its namespace, is refused before the start", () => {
  const host = run("true", { "/linux/sysctl": { "kernel.panic": "1" } });
  assert.is(host.code, 1);
  assert.match(host.stderr, /\/linux\/sysctl\/kernel\.panic: .*kernel\.panic.* is not namespaced/);
  const noNet = run("true", { "/linux/namespaces": [{ type: "mount" }, { type: "pid" }], "/linux/sysctl": { "net.ipv4.ip_forward": "1" } });
  assert.is(noNet.code, 1);
  assert.match(noNet.stderr, "/linux/sysctl/net.ipv4.ip_forward: needs a network namespace");
});

test("a sysctl is not written when the container's /proc is not procfs", () => {
  // No proc mount: /proc is the rootfs's plain directory, and the write must not land there.
  const r = run("true", {
    "/mounts": [{ destination: "/dev", type: "tmpfs", source: "tmpfs" }],
    "/linux/maskedPaths": [],
    "/linux/readonlyPaths": [],
    "/linux/sysctl": { "kernel.shmmax": "65536" },
  });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, "/linux/sysctl/kernel.shmmax: set sysctl kernel.shmmax: no such device");
  assert.not.ok(existsSync(`${t.rootfs}/proc/sys`), "nothing was created in the rootfs");
});

test.run();
