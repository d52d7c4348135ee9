// ps and events (root, real cgroups: this machine's hybrid host, and pure cgroup v2 in the VM):
// ps(1)'s table filtered to the container's processes and `ps -f json`; `events --stats` figures
// read back from the cgroup's own files; the stream's stats lines, its oom event when the kernel
// OOM-kills a process of the container, and its end when the container goes; and the layout that
// `docker stats` and `ctr task metrics` read on their own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { errorMessage, ocirun, ocirunCommand } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { byMode, cgroupFileOf, cgroupsOf, hostCgroupMode, readTrim, v1Dir } from "../util/cgroup-host.ts";

const t = new TestBundles();
const root = t.root;
const mode = hostCgroupMode();
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
const streams: ChildProcess[] = [];
test.after(() => {
  for (const c of streams) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  t.cleanup();
});

/** Every pid in the container's cgroup and below, as the host reads cgroup.procs. */
function cgroupPids(id: string): number[] {
  const pids: number[] = [];
  const walk = (dir: string) => {
    for (const line of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n")) if (line) pids.push(Number(line));
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(dirname(cgroupFileOf(state(id).pid, "pids", "cgroup.procs")));
  return pids.sort((a, b) => a - b);
}

/** Waits until the container's cgroup holds n processes (a shell's children come after run -d). */
function settle(id: string, n: number): void {
  assert.ok(waitFor(() => cgroupPids(id).length === n), `${n} processes in ${id}'s cgroup: ${cgroupPids(id)}`);
}

function start(id: string, args: string[], resources?: object): number {
  const b = t.bundle(args, resources ? { "/linux/resources": resources } : {});
  const r = oci("run", "-d", "--bundle", b, id);
  assert.is(r.code, 0, r.stderr);
  return state(id).pid;
}

/** The PID column of a ps table. */
function tablePids(table: string): number[] {
  const [header, ...lines] = table.split("\n").filter(Boolean);
  const i = header.trim().split(/\s+/).indexOf("PID");
  assert.ok(i >= 0, `a PID column in ${JSON.stringify(header)}`);
  return lines.map((l) => Number(l.trim().split(/\s+/)[i])).sort((a, b) => a - b);
}

test("ps: ps -ef's header and the lines of the container's processes (the init and an exec'd one), no host process", () => {
  start("st-ps1", ["sleep", "1001"]);
  const ex = oci("exec", "-d", "st-ps1", "sleep", "1002");
  assert.is(ex.code, 0, ex.stderr);
  settle("st-ps1", 2);
  const r = oci("ps", "st-ps1");
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.endsWith("\n"));
  const hostHeader = spawnSync("ps", ["-ef"], { encoding: "utf8" }).stdout.split("\n")[0];
  assert.is(r.stdout.split("\n")[0], hostHeader, "ps -ef by default, its header as it is");
  assert.equal(tablePids(r.stdout), cgroupPids("st-ps1"));
  assert.is(tablePids(r.stdout).length, 2);
  assert.match(r.stdout, / sleep 1001\n/);
  assert.match(r.stdout, / sleep 1002\n/);
  assert.not.ok(tablePids(r.stdout).includes(process.pid), "not the test's own process");
});

test("ps: the arguments after the id go to ps(1); the PID column is found by name; runc's errors", () => {
  const r = oci("ps", "st-ps1", "-o", "pid,comm");
  assert.is(r.code, 0, r.stderr);
  const [header, ...lines] = r.stdout.trimEnd().split("\n");
  assert.equal(header.trim().split(/\s+/), ["PID", "COMMAND"]);
  assert.equal(lines.map((l) => l.trim().replace(/^\d+\s+/, "")), ["sleep", "sleep"]);
  assert.equal(tablePids(r.stdout), cgroupPids("st-ps1"));
  // PID second; no command column, whose names may hold spaces on a busy host (runc, as ocirun,
  // then fails to parse the line).
  const second = oci("ps", "st-ps1", "-o", "ppid,pid");
  assert.is(second.code, 0, second.stderr);
  assert.equal(tablePids(second.stdout), cgroupPids("st-ps1"));
  const noPid = oci("ps", "st-ps1", "-o", "comm");
  assert.equal([noPid.code, errorMessage(noPid.stderr)], [1, "couldn't find PID field in ps output"]);
  const format = oci("ps", "--format", "xml", "st-ps1");
  assert.equal([format.code, errorMessage(format.stderr)], [1, "invalid format option"]);
  const bad = oci("ps", "st-ps1", "--no-such-ps-option");
  assert.is(bad.code, 1);
  assert.match(errorMessage(bad.stderr), /^exit status 1: /);
  const missing = oci("ps", "st-none");
  assert.equal([missing.code, errorMessage(missing.stderr)], [1, 'container "st-none" does not exist']);
});

test("ps -f json: the cgroup's pids; null once it has none (ps checks no status)", () => {
  start("st-ps2", ["sh", "-c", "sleep 1003 & exec sleep 1004"]);
  settle("st-ps2", 2);
  for (const flags of [["-f", "json"], ["--format=json"]]) {
    const r = oci("ps", ...flags, "st-ps2");
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\d+(,\d+)*\]\n$/);
    assert.equal(JSON.parse(r.stdout).sort((a: number, b: number) => a - b), cgroupPids("st-ps2"));
  }
  assert.is(oci("kill", "st-ps2", "KILL").code, 0);
  assert.ok(waitFor(() => state("st-ps2").status === "stopped"));
  assert.ok(waitFor(() => oci("ps", "-f", "json", "st-ps2").stdout === "null\n"), "null, as Go encodes an empty list");
  const table = oci("ps", "st-ps2");
  assert.is(table.code, 0, table.stderr);
  assert.is(table.stdout.split("\n").filter(Boolean).length, 1, "the header alone");
  assert.is(oci("delete", "st-ps2").code, 0);
});

const busy = ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"];
/** The cgroup's own count of CPU time in ns: v1 cpuacct.usage, v2 usage_usec in cpu.stat. */
function cpuNs(pid: number): number {
  if (mode !== "v2") return Number(readTrim(cgroupFileOf(pid, "cpuacct", "cpuacct.usage")));
  return 1000 * Number(/^usage_usec (\d+)$/m.exec(readFileSync(cgroupFileOf(pid, "cpu", "cpu.stat"), "utf8"))![1]);
}

test("events --stats: one line in runc's shape whose figures are the cgroup's files'", () => {
  const pid = start("st-ev1", ["sleep", "1005"], { memory: { limit: 64 << 20 }, pids: { limit: 64 } });
  assert.is(oci("exec", "-d", "st-ev1", "sleep", "1006").code, 0);
  settle("st-ev1", 2);
  const r = oci("events", "--stats", "st-ev1");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\{.*\}\n$/, "one line");
  const e = JSON.parse(r.stdout);
  assert.equal([e.type, e.id], ["stats", "st-ev1"]);
  assert.equal(Object.keys(e.data), ["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"]);
  assert.is(e.data.network_interfaces, null);
  const m = e.data.memory;
  assert.ok(m.usage.usage > 0, "memory in use");
  assert.is(m.usage.limit, 64 << 20);
  assert.is(String(m.usage.limit), readTrim(cgroupFileOf(pid, "memory", byMode("memory.limit_in_bytes", "memory.max"))));
  assert.equal(e.data.pids, { current: 2, limit: 64 });
  assert.is(String(e.data.pids.current), readTrim(cgroupFileOf(pid, "pids", "pids.current")));
  const before = e.data.cpu.usage.total as number;
  assert.ok(before > 0 && before <= cpuNs(pid));
  const loop = oci("exec", "st-ev1", ...busy);
  assert.is(loop.code, 0, loop.stderr);
  const lower = cpuNs(pid);
  const after = JSON.parse(oci("events", "--stats", "st-ev1").stdout).data.cpu.usage.total as number;
  assert.ok(after > before, `cpu usage grows after a busy loop: ${before} -> ${after}`);
  assert.ok(after >= lower && after <= cpuNs(pid), "and is the cgroup's figure");
});

test("events --stats: uint64 figures past 2^53 are exact (no memory limit: 2^63 rounded down to a page on v1, 2^64-1 on v2)", () => {
  const pid = start("st-ev2", ["sleep", "1007"]);
  const r = oci("events", "--stats", "st-ev2");
  assert.is(r.code, 0, r.stderr);
  const file = readTrim(cgroupFileOf(pid, "memory", byMode("memory.limit_in_bytes", "memory.max")));
  const limit = file === "max" ? "18446744073709551615" : file;
  assert.ok(limit.length >= 19, limit);
  assert.ok(r.stdout.includes(`"memory":{`) && r.stdout.includes(`"usage":{"limit":${limit},`), r.stdout);
  assert.is(oci("delete", "--force", "st-ev2").code, 0);
});

test("events: a created container has stats; a stopped one is refused in runc's words; bad intervals", () => {
  const b = t.bundle(["true"]);
  assert.is(oci("create", "--bundle", b, "st-ev3").code, 0);
  const created = oci("events", "--stats", "st-ev3");
  assert.is(created.code, 0, created.stderr);
  assert.is(JSON.parse(created.stdout).data.pids.current, 1, "the waiting init");
  assert.is(oci("start", "st-ev3").code, 0);
  assert.ok(waitFor(() => state("st-ev3").status === "stopped"));
  const stopped = oci("events", "--stats", "st-ev3");
  assert.equal([stopped.code, errorMessage(stopped.stderr), stopped.stdout], [1, "container with id st-ev3 is not running", ""]);
  const streamStopped = oci("events", "st-ev3");
  assert.equal([streamStopped.code, errorMessage(streamStopped.stderr)], [1, "container with id st-ev3 is not running"]);
  const zero = oci("events", "--interval", "0s", "st-ev3");
  assert.equal([zero.code, errorMessage(zero.stderr)], [1, "duration interval must be greater than 0"]);
  const bad = oci("events", "--interval=5", "st-ev3");
  assert.equal([bad.code, errorMessage(bad.stderr)], [1, 'invalid value "5" for flag -interval: parse error']);
  const missing = oci("events", "--stats", "st-none");
  assert.equal([missing.code, errorMessage(missing.stderr)], [1, 'container "st-none" does not exist']);
  assert.is(oci("delete", "st-ev3").code, 0);
});

/** `ocirun --debug events <args>` in the background: its lines as they come, and its exit. */
function eventsStream(...args: string[]) {
  const [cmd, ...pre] = ocirunCommand();
  const child = spawn(cmd, [...pre, "--debug", "--root", root, "events", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  streams.push(child);
  const s = { out: "", err: "" };
  child.stdout!.on("data", (d) => (s.out += d));
  child.stderr!.on("data", (d) => (s.err += d));
  const exited = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15))));
  return { s, exited, lines: () => s.out.split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
}

async function until(cond: () => boolean, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) if (cond()) return true;
  return cond();
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);

test("events: a stats line every --interval, and the stream ends (status 0) when the container is deleted", async () => {
  start("st-ev4", ["sleep", "1008"], { pids: { limit: 32 } });
  const ev = eventsStream("--interval", "200ms", "st-ev4");
  assert.ok(await until(() => ev.lines().length >= 3), `three stats lines: ${ev.s.out} ${ev.s.err}`);
  for (const e of ev.lines()) {
    assert.equal([e.type, e.id, Object.keys(e.data)[0]], ["stats", "st-ev4", "cpu"]);
    assert.equal(e.data.pids, { current: 1, limit: 32 });
  }
  assert.is(oci("delete", "--force", "st-ev4").code, 0);
  assert.is(await within(ev.exited, 20_000), 0, ev.s.err);
  assert.ok(ev.s.out.endsWith("\n"));
});

test("events: an oom event when the kernel OOM-kills a process of the container; the stream goes on until the container goes", async () => {
  start("st-oom", ["sleep", "1009"], { memory: { limit: 16 << 20, swap: 16 << 20 } });
  const ev = eventsStream("--interval", "1h", "st-oom");
  assert.ok(await until(() => /watching/.test(ev.s.err)), `the stream watches: ${ev.s.err}`);
  const dd = oci("exec", "st-oom", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
  assert.is(dd.code, 137, `dd is OOM-killed: ${dd.stderr}`);
  assert.ok(await until(() => ev.s.out.includes("\n")), `an event: ${ev.s.err}`);
  assert.is(ev.s.out.split("\n")[0], '{"type":"oom","id":"st-oom"}');
  assert.is(state("st-oom").status, "running", "the init lives on");
  assert.is(await within(ev.exited, 300), "timeout", "the stream goes on");
  assert.is(oci("delete", "--force", "st-oom").code, 0);
  assert.is(await within(ev.exited, 20_000), 0, ev.s.err);
});

/** Each line of /proc/<pid>/cgroup names a directory of its hierarchy (containerd's cgroup1.Load
 * and cgroup2.Load need that, podman's stats too). */
function assertCgroupLinesExist(pid: number): Map<string, string> {
  const lines = cgroupsOf(pid);
  for (const [controllers, path] of lines) {
    const hierarchy = controllers === "" ? (mode === "v2" ? "" : "unified") : v1Dir(controllers.split(",")[0]);
    assert.ok(existsSync(join("/sys/fs/cgroup", hierarchy, path)), `${controllers || "cgroup2"}:${path}`);
  }
  return lines;
}

test("the cgroups are where docker stats and ctr task metrics look: every line of /proc/<init>/cgroup exists in its hierarchy; podman's absolute cgroupsPath is the same path in each", () => {
  assertCgroupLinesExist(start("st-lay1", ["sleep", "1010"]));
  const b = t.bundle(["sleep", "1011"], { "/linux/cgroupsPath": "/st-libpod_parent/libpod-st-lay2" });
  assert.is(oci("run", "-d", "--bundle", b, "st-lay2").code, 0);
  const lines = assertCgroupLinesExist(state("st-lay2").pid);
  if (mode === "v2") {
    assert.is(lines.get(""), "/st-libpod_parent/libpod-st-lay2");
    const dir = join("/sys/fs/cgroup", lines.get("")!);
    for (const f of ["cgroup.controllers", "cpu.stat", "memory.current", "memory.stat", "pids.current", "io.stat"]) assert.ok(existsSync(join(dir, f)), f);
  } else {
    for (const c of ["memory", "cpu", "cpuacct", "pids", "blkio"]) {
      const key = [...lines.keys()].find((k) => k.split(",").includes(c));
      assert.is(key && lines.get(key), "/st-libpod_parent/libpod-st-lay2", c);
    }
  }
  assert.is(oci("delete", "--force", "st-lay1").code, 0);
  assert.is(oci("delete", "--force", "st-lay2").code, 0);
});

test.run();
