// update (root, real cgroups: this machine's hybrid host, and pure cgroup v2 in the VM): runc's
// flags and -r (a file, as podman sends it; stdin, as containerd does) written to the container's
// cgroup and read back from the host and from inside; stored, so a later update starts from
// them; a value the kernel refuses leaves the old ones; runc's rules on the container's state.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { byMode, cgroupFileOf, hostCgroupMode, readTrim, v1Dir } from "../util/cgroup-host.ts";

const t = new TestBundles();
const root = t.root;
const mode = hostCgroupMode();
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
const M = 1 << 20;
test.after(() => t.cleanup());

/** A running container (ids start with up-: cgroup names are global on this host). */
function running(id: string, resources: unknown = {}): number {
  const b = t.bundle(["sleep", "1000"], { "/linux/resources": resources });
  const r = oci("run", "-d", "--bundle", b, id);
  assert.is(r.code, 0, r.stderr);
  return state(id).pid;
}

/** The container's cgroup file, as the host sees it. */
const hostRead = (pid: number, ctrl: string, file: string) => readTrim(cgroupFileOf(pid, ctrl, file));

/** The same file as the container sees it (its cgroup namespace's root is its own cgroup). */
function insideRead(id: string, ctrl: string, file: string): string {
  const r = oci("exec", id, "cat", `/sys/fs/cgroup/${mode === "v2" ? "" : v1Dir(ctrl) + "/"}${file}`);
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** update, which prints nothing when it succeeds. */
function update(id: string, ...args: string[]): void {
  const r = oci("update", ...args, id);
  assert.equal([r.code, r.stdout, r.stderr], [0, "", ""], `update ${args.join(" ")}`);
}

const storedResources = (id: string) => JSON.parse(readFileSync(join(root, id, "config.json"), "utf8")).linux.resources;

test("flags: every value written, read back from the host and from inside, nothing printed", () => {
  const pid = running("up-flags", { memory: { limit: 256 * M }, pids: { limit: 100 } });
  update("up-flags", "--memory", "128m", "--memory-reservation", "64m", "--pids-limit", "20", "--cpu-share", "512",
    "--cpu-quota", "30000", "--cpu-period", "100000", "--cpuset-cpus", "0", "--cpuset-mems", "0");
  const reads: [string, string, string][] = byMode(
    [
      ["memory", "memory.limit_in_bytes", String(128 * M)],
      ["memory", "memory.soft_limit_in_bytes", String(64 * M)],
      ["pids", "pids.max", "20"],
      ["cpu", "cpu.shares", "512"],
      ["cpu", "cpu.cfs_quota_us", "30000"],
      ["cpu", "cpu.cfs_period_us", "100000"],
      ["cpuset", "cpuset.cpus", "0"],
      ["cpuset", "cpuset.mems", "0"],
    ],
    [
      ["memory", "memory.max", String(128 * M)],
      ["memory", "memory.low", String(64 * M)],
      ["pids", "pids.max", "20"],
      ["cpu", "cpu.weight", "20"],
      ["cpu", "cpu.max", "30000 100000"],
      ["cpuset", "cpuset.cpus", "0"],
      ["cpuset", "cpuset.mems", "0"],
    ],
  );
  for (const [ctrl, file, want] of reads) {
    assert.is(hostRead(pid, ctrl, file), want, `host ${file}`);
    assert.is(insideRead("up-flags", ctrl, file), want, `inside ${file}`);
  }
  assert.equal(storedResources("up-flags"), {
    memory: { limit: 128 * M, reservation: 64 * M }, pids: { limit: 20 },
    cpu: { shares: 512, quota: 30000, period: 100000, cpus: "0", mems: "0" },
  });
  assert.is(oci("delete", "--force", "up-flags").code, 0);
});

test("-r - reads the resources on stdin (containerd), -r FILE from a file (podman)", () => {
  const pid = running("up-r", { pids: { limit: 100 } });
  const stdin = ocirun(["update", "--resources", "-", "up-r"], { root, input: JSON.stringify({ pids: { limit: 33 }, memory: { limit: 96 * M } }) });
  assert.equal([stdin.code, stdin.stdout, stdin.stderr], [0, "", ""]);
  assert.is(hostRead(pid, "pids", "pids.max"), "33");
  assert.is(hostRead(pid, "memory", byMode("memory.limit_in_bytes", "memory.max")), String(96 * M));
  // podman writes the whole merged LinuxResources, devices and all: update ignores what it cannot change.
  const file = join(t.dir, "resources.json");
  writeFileSync(file, JSON.stringify({ devices: [{ allow: true, access: "rwm" }], pids: { limit: 44 }, cpu: { shares: 1024 } }, null, 2));
  update("up-r", `--resources=${file}`);
  assert.is(hostRead(pid, "pids", "pids.max"), "44");
  writeFileSync(file, JSON.stringify({ pids: { limit: 45 } }));
  update("up-r", "-r", file);
  assert.is(hostRead(pid, "pids", "pids.max"), "45");
  assert.is(hostRead(pid, "memory", byMode("memory.limit_in_bytes", "memory.max")), String(96 * M), "what -r does not give stays");
  assert.is(insideRead("up-r", "pids", "pids.max"), "45");
  assert.equal(storedResources("up-r").devices, undefined, "device rules are not update's");
  const missing = oci("update", "-r", join(t.dir, "nope.json"), "up-r");
  assert.equal([missing.code, errorMessage(missing.stderr)], [1, `open ${join(t.dir, "nope.json")}: no such file or directory`]);
  const bad = ocirun(["update", "-r", "-", "up-r"], { root, input: "{\"pids\": {\"limit\": \"x\"}}" });
  assert.equal([bad.code, errorMessage(bad.stderr)], [1, "/linux/resources/pids/limit: must be an integer, not a string"]);
  assert.is(oci("delete", "--force", "up-r").code, 0);
});

test("a later update starts from the stored values: a quota alone keeps the stored period, a period alone the quota", () => {
  const pid = running("up-later", { cpu: { quota: 50000, period: 250000 } });
  update("up-later", "--cpu-quota", "20000");
  const cpu = () => mode === "v2" ? hostRead(pid, "cpu", "cpu.max") : `${hostRead(pid, "cpu", "cpu.cfs_quota_us")} ${hostRead(pid, "cpu", "cpu.cfs_period_us")}`;
  assert.is(cpu(), "20000 250000");
  update("up-later", "--cpu-period", "200000");
  assert.is(cpu(), "20000 200000");
  update("up-later", "--pids-limit", "9");
  assert.is(cpu(), "20000 200000", "an update of something else writes the stored cpu values again");
  assert.equal(storedResources("up-later"), { cpu: { quota: 20000, period: 200000 }, pids: { limit: 9 } });
  assert.is(oci("delete", "--force", "up-later").code, 0);
});

const swapFile = byMode("memory.memsw.limit_in_bytes", "memory.swap.max");
/** The kernel accounts swap: a container's memory cgroup has the swap limit file. */
function swapAccounted(): boolean {
  const pid = running("up-probe", { memory: { limit: 64 * M } });
  const yes = existsSync(cgroupFileOf(pid, "memory", swapFile));
  assert.is(oci("delete", "--force", "up-probe").code, 0);
  return yes;
}

const haveSwap = swapAccounted();
(haveSwap ? test : test.skip)(`memory and swap raised and lowered together (v1: memsw and the limit in the order the kernel takes)${haveSwap ? "" : ` (skipped: the kernel accounts no swap, ${swapFile} is missing)`}`, () => {
  const pid = running("up-swap", { memory: { limit: 64 * M } });
  const read = () => [hostRead(pid, "memory", byMode("memory.limit_in_bytes", "memory.max")), hostRead(pid, "memory", swapFile)];
  update("up-swap", "--memory", "256m", "--memory-swap", "512m");
  assert.equal(read(), byMode([String(256 * M), String(512 * M)], [String(256 * M), String(256 * M)]));
  update("up-swap", "--memory", "64m", "--memory-swap", "96m");
  assert.equal(read(), byMode([String(64 * M), String(96 * M)], [String(64 * M), String(32 * M)]));
  update("up-swap", "--memory-swap", "128m");
  assert.equal(read(), byMode([String(64 * M), String(128 * M)], [String(64 * M), String(64 * M)]), "the stored limit stays");
  update("up-swap", "--memory", "-1");
  assert.equal(read(), byMode(["9223372036854771712", "9223372036854771712"], ["max", "max"]));
  assert.is(oci("delete", "--force", "up-swap").code, 0);
});

test("a value the kernel refuses fails naming its flag or field, and the old values are written back", () => {
  const pid = running("up-refused", { pids: { limit: 100 }, memory: { limit: 256 * M } });
  const memFile = byMode("memory.limit_in_bytes", "memory.max");
  // The core checks the list's syntax; the kernel knows this host has no CPU 63.
  // (v1 says ERANGE, v2 EINVAL.)
  const r = oci("update", "--pids-limit", "30", "--memory", "128m", "--cpuset-cpus", "63", "up-refused");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), /^--cpuset-cpus: write "63" to cpuset\.cpus: (result too large|numerical result out of range|invalid argument)$/);
  assert.is(hostRead(pid, "pids", "pids.max"), "100", "pids.max written back");
  assert.is(hostRead(pid, "memory", memFile), String(256 * M), "the memory limit written back");
  assert.equal(storedResources("up-refused"), { pids: { limit: 100 }, memory: { limit: 256 * M } }, "the stored config is unchanged");
  const j = ocirun(["update", "-r", "-", "up-refused"], { root, input: JSON.stringify({ pids: { limit: 31 }, cpu: { cpus: "63" } }) });
  assert.is(j.code, 1);
  assert.match(errorMessage(j.stderr), /^\/linux\/resources\/cpu\/cpus: write "63" to cpuset\.cpus: /);
  assert.is(hostRead(pid, "pids", "pids.max"), "100");
  update("up-refused", "--pids-limit", "40");
  assert.is(hostRead(pid, "pids", "pids.max"), "40");
  assert.is(hostRead(pid, "memory", memFile), String(256 * M), "a later update starts from the old stored values");
  assert.is(oci("delete", "--force", "up-refused").code, 0);
});

// runc 1.2+ checks the usage on cgroup v2 only; v1's kernel refuses a limit below the usage itself.
(mode === "v2" ? test : test.skip)(`checkBeforeUpdate: a memory limit at or below the usage is refused before any write${mode === "v2" ? "" : " (skipped: cgroup v2 only)"}`, () => {
  const pid = running("up-check", { memory: { limit: 256 * M }, pids: { limit: 100 } });
  const r = ocirun(["update", "-r", "-", "up-check"], { root, input: JSON.stringify({ pids: { limit: 50 }, memory: { limit: 4096, checkBeforeUpdate: true } }) });
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), /^\/linux\/resources\/memory\/limit: rejecting memory limit 4096 <= usage \d+$/);
  assert.is(hostRead(pid, "memory", "memory.max"), String(256 * M));
  assert.is(hostRead(pid, "pids", "pids.max"), "100", "nothing written");
  assert.is(oci("delete", "--force", "up-check").code, 0);
});

test("values the core refuses change nothing and say why", () => {
  const pid = running("up-invalid", { pids: { limit: 100 } });
  const cases: [string[], string][] = [
    [["--memory", "abc"], '--memory: invalid size "abc"'],
    [["--cpu-quota", "x"], '--cpu-quota: invalid value "x": not an integer'],
    [["--cpu-share", "1"], "--cpu-share: 1 is out of range [2, 262144]"],
    [["--memory-swap", "1g"], "--memory-swap: needs a memory limit in /linux/resources/memory/limit"],
    [["--pids-limit", "5", "--blkio-weight", "5000"], "--blkio-weight: 5000 is out of range [10, 1000]"],
  ];
  for (const [args, message] of cases) {
    const r = oci("update", ...args, "up-invalid");
    assert.equal([r.code, errorMessage(r.stderr)], [1, message], args.join(" "));
  }
  assert.is(hostRead(pid, "pids", "pids.max"), "100");
  const rdt = oci("update", "--l3-cache-schema", "L3:0=f", "up-invalid");
  assert.is(rdt.code, 1);
  assert.match(errorMessage(rdt.stderr), /^--l3-cache-schema: /);
  assert.is(oci("delete", "--force", "up-invalid").code, 0);
});

test("runc's rules: a created and a paused container can be updated, a stopped one cannot", () => {
  const b = t.bundle(["true"], { "/linux/resources": { pids: { limit: 100 } } });
  assert.is(oci("create", "--bundle", b, "up-state").code, 0);
  const pid = state("up-state").pid;
  update("up-state", "--pids-limit", "7");
  assert.is(hostRead(pid, "pids", "pids.max"), "7");
  assert.is(state("up-state").status, "created");
  assert.is(oci("pause", "up-state").code, 0);
  update("up-state", "--pids-limit", "8");
  assert.is(hostRead(pid, "pids", "pids.max"), "8");
  assert.is(state("up-state").status, "paused", "still paused");
  assert.is(oci("resume", "up-state").code, 0);
  assert.is(oci("start", "up-state").code, 0);
  assert.ok(waitFor(() => state("up-state").status === "stopped"));
  const stopped = oci("update", "--pids-limit", "9", "up-state");
  assert.equal([stopped.code, errorMessage(stopped.stderr)], [1, "container not running"]);
  assert.is(oci("delete", "up-state").code, 0);
  const none = oci("update", "--pids-limit", "9", "up-none");
  assert.equal([none.code, errorMessage(none.stderr)], [1, 'container "up-none" does not exist']);
});

test.run();
