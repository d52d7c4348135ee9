// The addon's plan executor against a real busybox rootfs (run as root). Each container
// writes what it sees into a host temp dir bind-mounted at /out; the host checks the files.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import {
  PlanBuilder, containerPlan as sharedContainerPlan, execShell,
  CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MS_BIND, MS_REC, MS_SLAVE,
} from "../util/plan-builder.ts";
import * as O from "../../host/plan/ops.gen.ts";
import type { Addon } from "../../host/addon.ts";
import { lsmFacts } from "../../host/facts.ts";

const require = createRequire(import.meta.url);
const ADDON_PATH = path.resolve(import.meta.dirname, "../../addon/build/Release/ocirun.node");
const addon = require(ADDON_PATH) as Addon;
const E = os.constants.errno;

const RLIMIT_NOFILE = 7;
const DEFAULT_CAPS = 0xa80425fbn; // the OCI default set (chown, dac_override, ... audit_write)

let tmp = "";
let rootfs = "";

test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocirun-exec-"));
  rootfs = path.join(tmp, "rootfs");
  execFileSync("sh", [path.resolve(import.meta.dirname, "../fixtures/make-rootfs.sh"), rootfs]);
  fs.mkdirSync(path.join(rootfs, "secret"));
  fs.writeFileSync(path.join(rootfs, "secret/key"), "hidden\n");
});

test.after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh host dir to bind-mount at /out. */
function outDir(name: string, mode = 0o755): string {
  const dir = path.join(tmp, "out-" + name);
  fs.mkdirSync(dir, { mode });
  fs.chmodSync(dir, mode);
  return dir;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");

const containerPlan = (out: string, opts?: Parameters<typeof sharedContainerPlan>[2]) => sharedContainerPlan(rootfs, out, opts);

// Inits not yet reaped; killed after each test so one failure does not leak into the next.
const live = new Set<number>();
test.after.each(() => {
  for (const pid of live) addon.abortInit(pid, -1);
  live.clear();
});

let fifoCount = 0;
/** spawnInit with a fresh exec.fifo opened O_RDWR, as `create` does. */
function spawn(b: PlanBuilder, preserveFds = 0) {
  const fifoPath = path.join(tmp, `exec-${fifoCount++}.fifo`);
  assert.is(addon.mkfifo(fifoPath, 0o600), 0);
  const fifo = fs.openSync(fifoPath, "r+");
  try {
    const result = addon.spawnInit(b.bytes(), fifo, preserveFds);
    if ("pid" in result) live.add(result.pid);
    return { result, fifoPath };
  } finally {
    fs.closeSync(fifo);
  }
}

/** What `start` does: one byte into exec.fifo. */
function start(fifoPath: string) {
  const fd = fs.openSync(fifoPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  fs.writeSync(fd, "!");
  fs.closeSync(fd);
}

function ready(r: unknown): { pid: number; sync: number } {
  if (!r || typeof (r as { pid?: number }).pid !== "number") throw new Error("expected READY, got " + JSON.stringify(r));
  return r as { pid: number; sync: number };
}

async function waitExit(pid: number) {
  const exited = await addon.waitExit(pid);
  live.delete(pid);
  return exited;
}

function abort(pid: number, sync: number) {
  addon.abortInit(pid, sync);
  live.delete(pid);
}

async function run(b: PlanBuilder) {
  const { result, fifoPath } = spawn(b);
  const { pid, sync } = ready(result);
  addon.releaseInit(sync);
  start(fifoPath);
  return waitExit(pid);
}

function status(pid: number | "self"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const childPids = () => fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
// Children that other suites in this process may have left are not this test's business.
let childrenBefore = new Set<string>();
test.before.each(() => {
  childrenBefore = new Set(childPids());
});

/** ocirun children (zombies included) this test left behind. */
function ocirunChildren(): string[] {
  return childPids()
    .filter((pid) => !childrenBefore.has(pid))
    .map((pid) => { try { return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim(); } catch { return ""; } })
    .filter((comm) => comm.startsWith("ocirun:"));
}

const hex = (n: bigint) => n.toString(16).padStart(16, "0");

test("a full container: namespaces, mounts, devices, pivot, hostname, caps, exec after start", async () => {
  const out = outDir("full");
  const b = containerPlan(out);
  b.op(O.OP_MASK_PATH, "/proc/timer_list", 1);
  b.op(O.OP_MASK_PATH, "/secret", 1);
  b.op(O.OP_MASK_PATH, "/proc/no-such-file", 1);
  b.op(O.OP_READONLY_PATH, "/proc/sys", 1);
  b.op(O.OP_SETHOSTNAME, "ocirun-test");
  b.op(O.OP_CHDIR, "/tmp");
  b.op(O.OP_CAP_BOUNDING, DEFAULT_CAPS);
  b.op(O.OP_CAPS, DEFAULT_CAPS, DEFAULT_CAPS, 0, 0);
  b.op(O.OP_NO_NEW_PRIVS);
  b.op(O.OP_UMASK, 0o027);
  execShell(b, [
    "hostname > /out/hostname",
    "echo $$ > /out/pid",
    "pwd > /out/cwd",
    "umask > /out/umask",
    "echo $FOO > /out/env",
    "ls /dev > /out/dev",
    "ls -ln /dev/null > /out/devnull",
    "readlink /dev/fd > /out/devfd",
    "grep -E '^(Cap|NoNewPrivs|SigIgn|SigBlk)' /proc/self/status > /out/status",
    "wc -c < /proc/timer_list > /out/timer_list",
    "ls -A /secret > /out/secret",
    "if echo x 2>/dev/null > /proc/sys/kernel/domainname; then echo rw; else echo ro; fi > /out/procsys",
    // exec > (not a redirected loop): ash keeps no saved copy of stdout on a high fd then.
    "exec > /out/fds",
    "for i in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 30 40 50; do [ -L /proc/$$/fd/$i ] && echo $i; done",
    "exit 7",
  ].join("; "), ["PATH=/bin", "FOO=bar"]);
  const hostHostname = os.hostname();
  const hostDir = fs.openSync(tmp, "r"); // a host fd the waiting init must not hold
  const { result, fifoPath } = (() => { try { return spawn(b); } finally { fs.closeSync(hostDir); } })();
  const { pid, sync } = ready(result);
  // Only stdio, the sync socket and exec.fifo reach the waiting init (property 6): the sealed
  // program holds no root fd.
  const initFds = () => fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => Number(fd) > 2).map((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
  assert.equal(initFds().map((l) => l.replace(/^socket:\[\d+\]$/, "socket:[N]")).sort(), [fifoPath, "socket:[N]"].sort());
  // Waiting for start: named, and no signal state inherited from the JS process.
  const waiting = status(pid);
  assert.is(waiting.Name, "ocirun:[2:INIT]");
  assert.is.not(status("self").SigIgn, "0000000000000000", "premise: the JS runtime ignores SIGPIPE");
  assert.is(waiting.SigIgn, "0000000000000000");
  assert.is(waiting.SigBlk, "0000000000000000");
  assert.is(waiting.NSpid.split(/\s+/).pop(), "1");
  assert.not.ok(fs.existsSync(path.join(out, "hostname")), "nothing runs before start");
  addon.releaseInit(sync);
  for (let i = 0; i < 200 && initFds().length > 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(initFds(), [fifoPath], "ACK closes the sync socket");
  start(fifoPath);
  assert.equal(await waitExit(pid), { code: 7, signal: 0 });

  assert.is(read(out, "hostname"), "ocirun-test\n");
  assert.is(os.hostname(), hostHostname);
  assert.is(read(out, "pid"), "1\n");
  assert.is(read(out, "cwd"), "/tmp\n");
  assert.is(read(out, "umask"), "0027\n");
  assert.is(read(out, "env"), "bar\n");
  assert.equal(read(out, "dev").split("\n").filter(Boolean).sort(), ["fd", "null"]);
  assert.match(read(out, "devnull"), /^crw-rw-rw-\s+1 0\s+0\s+1,\s+3 /);
  assert.is(read(out, "devfd"), "/proc/self/fd\n");
  const st = Object.fromEntries(read(out, "status").trim().split("\n").map((l) => l.split(/:\s+/)));
  assert.is(st.CapBnd, hex(DEFAULT_CAPS));
  assert.is(st.CapEff, hex(DEFAULT_CAPS));
  assert.is(st.CapPrm, hex(DEFAULT_CAPS));
  assert.is(st.CapInh, hex(0n));
  assert.is(st.CapAmb, hex(0n));
  assert.is(st.NoNewPrivs, "1");
  assert.is(st.SigIgn, hex(0n));
  assert.is(read(out, "timer_list"), "0\n");
  assert.is(read(out, "secret"), "");
  assert.is(read(out, "procsys"), "ro\n");
  assert.is(read(out, "fds"), "", "no fd above stdio crosses into the container");
  assert.equal(ocirunChildren(), []);
});

test("MASK_PATH refuses a /dev/null that is not the 1:3 device (CVE-2025-31133)", () => {
  for (const fake of ["symlink", "file"]) {
    const b = containerPlan(outDir("devnull-" + fake), { devices: false });
    if (fake === "symlink") b.op(O.OP_SYMLINK, "/etc/passwd", "/dev/null");
    else b.op(O.OP_MKTARGET, "/dev/null", O.MKTARGET_FILE, "");
    const mask = b.op(O.OP_MASK_PATH, "/proc/timer_list", 1);
    execShell(b, "true");
    assert.equal(spawn(b).result, { op: mask, errno: E.ENODEV }, fake);
  }
});

test("MASK_PATH and READONLY_PATH skip a missing path only when the plan says missing_ok", () => {
  for (const code of [O.OP_MASK_PATH, O.OP_READONLY_PATH]) {
    const b = containerPlan(outDir(`missing-${code}`));
    const op = b.op(code, "/no/such/path", 0);
    execShell(b, "true");
    assert.equal(spawn(b).result, { op, errno: E.ENOENT }, String(code));
  }
});

test("mount targets: mkdir -p and files inside the root; symlinks never lead out of it", async () => {
  const out = outDir("targets");
  const victim = path.join(tmp, "victim");
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(tmp, "hostfile"), "from-the-host\n");
  fs.symlinkSync(victim, path.join(rootfs, "abs")); // dangling inside the root
  fs.symlinkSync("../../../../../../../../../tmp", path.join(rootfs, "rel")); // clamps to the root's /tmp
  try {
    const b = containerPlan(out, {
      beforePivot: (p) => {
        p.op(O.OP_MKTARGET, "/a/b/c", O.MKTARGET_DIR, "");
        p.op(O.OP_MKTARGET, "/a/b/file", O.MKTARGET_FILE, "");
        p.op(O.OP_MKTARGET, "/rel/made", O.MKTARGET_DIR, "");
        p.op(O.OP_MOUNT, "tmpfs", "/rel/made", "tmpfs", 0, "size=1m", O.WHERE_TARGET_IN_ROOT);
        p.op(O.OP_MKTARGET, "/etc/hostfile", O.MKTARGET_LIKE_SOURCE, path.join(tmp, "hostfile"));
        p.op(O.OP_MOUNT, path.join(tmp, "hostfile"), "/etc/hostfile", "", MS_BIND, "", O.WHERE_TARGET_IN_ROOT);
      },
    });
    execShell(b, "ls -d /a/b/c > /out/ls; ls /a/b >> /out/ls; stat -f -c %T /tmp/made > /out/made; cat /etc/hostfile > /out/hostfile");
    assert.equal(await run(b), { code: 0, signal: 0 });
    assert.is(read(out, "ls"), "/a/b/c\nc\nfile\n");
    assert.is(read(out, "made"), "tmpfs\n");
    assert.is(read(out, "hostfile"), "from-the-host\n");
    assert.ok(fs.statSync(path.join(rootfs, "a/b/file")).isFile());
    assert.not.ok(fs.existsSync("/tmp/made"), "the ../ symlink stayed in the root");

    let mk = -1;
    const c = containerPlan(outDir("targets-abs"), {
      beforePivot: (p) => {
        mk = p.op(O.OP_MKTARGET, "/abs/sub", O.MKTARGET_DIR, "");
        p.op(O.OP_MOUNT, "tmpfs", "/abs/sub", "tmpfs", 0, "", O.WHERE_TARGET_IN_ROOT);
      },
    });
    execShell(c, "true");
    assert.equal(spawn(c).result, { op: mk, errno: E.ENOENT });
    assert.equal(fs.readdirSync(victim), [], "nothing created through the absolute symlink");
  } finally {
    fs.rmSync(path.join(rootfs, "abs"));
    fs.rmSync(path.join(rootfs, "rel"));
  }
});

test("APPARMOR and SELINUX_EXEC_LABEL refuse a /proc that is not procfs (CVE-2019-16884)", () => {
  for (const [code, arg] of [[O.OP_APPARMOR, "unconfined"], [O.OP_SELINUX_EXEC_LABEL, "system_u:system_r:container_t:s0"]] as const) {
    const b = containerPlan(outDir("label-fake-proc-" + code), {
      beforePivot: (p) => p.op(O.OP_MOUNT, "tmpfs", "/proc", "tmpfs", 0, "", O.WHERE_TARGET_IN_ROOT),
    });
    const label = b.op(code, arg);
    execShell(b, "true");
    assert.equal(spawn(b).result, { op: label, errno: E.ENODEV }, String(code));
  }
});

test("APPARMOR and SELINUX_EXEC_LABEL reach the container's procfs", () => {
  const lsm = lsmFacts();
  for (const [code, arg, on] of [[O.OP_APPARMOR, "unconfined", lsm.apparmor], [O.OP_SELINUX_EXEC_LABEL, "system_u:system_r:container_t:s0", lsm.selinux]] as const) {
    // Without the LSM the kernel itself answers EINVAL: the write got to attr/exec.
    if (on) continue;
    const b = containerPlan(outDir("label-proc-" + code));
    const label = b.op(code, arg);
    execShell(b, "true");
    assert.equal(spawn(b).result, { op: label, errno: E.EINVAL }, String(code));
  }
});

test("a failing mount reports its op index and ENODEV, and leaves no child", () => {
  const b = new PlanBuilder(CLONE_NEWNS);
  b.op(O.OP_SETRLIMIT, 7 /* RLIMIT_NOFILE */, 1024, 1024);
  b.op(O.OP_MOUNT, "", "/", "", MS_SLAVE | MS_REC, "", O.WHERE_PROPAGATION);
  const bad = b.op(O.OP_MOUNT, "none", tmp, "no-such-fstype", 0, "", 0);
  b.op(O.OP_SETHOSTNAME, "never");
  assert.equal(spawn(b).result, { op: bad, errno: E.ENODEV });
  assert.equal(ocirunChildren(), []);
});

test("FIND_EXEC: ENOENT when no candidate exists, EACCES when one is not executable", () => {
  const b = containerPlan(outDir("find"));
  const find = b.op(O.OP_FIND_EXEC, ["/no/such/sh", "/bin/no-such-sh"]);
  b.op(O.OP_WAIT_START);
  b.op(O.OP_EXEC, ["sh"], []);
  assert.equal(spawn(b).result, { op: find, errno: E.ENOENT });

  fs.writeFileSync(path.join(rootfs, "not-exec"), "#!/bin/sh\n", { mode: 0o644 });
  const c = containerPlan(outDir("find2"));
  const find2 = c.op(O.OP_FIND_EXEC, ["/no/such/sh", "/not-exec", "/etc"]);
  c.op(O.OP_WAIT_START);
  c.op(O.OP_EXEC, ["sh"], []);
  assert.equal(spawn(c).result, { op: find2, errno: E.EACCES });
  assert.equal(ocirunChildren(), []);
});

test("FORK_INIT after unshare(CLONE_NEWPID): the init is pid 1 and a direct child of the runtime", async () => {
  const out = outDir("fork");
  const b = containerPlan(out, {
    flags: CLONE_NEWNS | CLONE_NEWUTS,
    beforeRoot: (p) => {
      p.op(O.OP_UNSHARE, CLONE_NEWPID);
      p.op(O.OP_FORK_INIT);
    },
  });
  execShell(b, "echo $$ > /out/pid; exit 3");
  const { result, fifoPath } = spawn(b);
  const { pid, sync } = ready(result);
  const st = status(pid);
  assert.is(st.Name, "ocirun:[2:INIT]");
  assert.is(st.PPid, String(process.pid));
  assert.is(st.NSpid.split(/\s+/).join(" "), `${pid} 1`);
  addon.releaseInit(sync);
  start(fifoPath);
  assert.equal(await waitExit(pid), { code: 3, signal: 0 });
  assert.is(read(out, "pid"), "1\n");
  assert.equal(ocirunChildren(), []);
});

test("FORK_INIT: an error in the init names its op, and both children are reaped", () => {
  const b = new PlanBuilder(CLONE_NEWNS);
  b.op(O.OP_UNSHARE, CLONE_NEWPID);
  b.op(O.OP_FORK_INIT);
  const find = b.op(O.OP_FIND_EXEC, ["/no/such/binary"]);
  b.op(O.OP_WAIT_START);
  b.op(O.OP_EXEC, ["x"], []);
  assert.equal(spawn(b).result, { op: find, errno: E.ENOENT });
  assert.equal(ocirunChildren(), []);
});

test("CHDIR through an fd of the JS process finds nothing: the child closed it (CVE-2024-21626)", () => {
  const hostDir = fs.openSync(tmp, "r");
  try {
    const b = containerPlan(outDir("chdir"));
    const cd = b.op(O.OP_CHDIR, `/proc/self/fd/${hostDir}`);
    execShell(b, "true");
    assert.equal(spawn(b).result, { op: cd, errno: E.ENOENT });
  } finally {
    fs.closeSync(hostDir);
  }
});

test("USER, SETRLIMIT and ambient CAPS", async () => {
  const out = outDir("user", 0o777);
  const b = containerPlan(out);
  const NET_BIND = 1n << 10n;
  b.op(O.OP_SETRLIMIT, RLIMIT_NOFILE, 1024, 2048);
  b.op(O.OP_USER, 65534, 65534, [100, 65534], 0);
  b.op(O.OP_CAPS, NET_BIND, NET_BIND, NET_BIND, NET_BIND);
  execShell(b, "grep -E '^(Uid|Gid|Groups|CapEff|CapAmb)' /proc/self/status > /out/status; ulimit -n > /out/nofile; ulimit -Hn >> /out/nofile");
  assert.equal(await run(b), { code: 0, signal: 0 });
  const st = Object.fromEntries(read(out, "status").trim().split("\n").map((l) => l.split(/:\s+/)));
  assert.is(st.Uid.split(/\s+/).join(" "), "65534 65534 65534 65534");
  assert.is(st.Gid.split(/\s+/).join(" "), "65534 65534 65534 65534");
  assert.is(st.Groups.trim(), "100 65534");
  assert.is(st.CapAmb, hex(NET_BIND));
  assert.is(st.CapEff, hex(NET_BIND));
  assert.is(read(out, "nofile"), "1024\n2048\n");
});

test("--no-pivot: MOVE_ROOT chroots into the rootfs", async () => {
  const out = outDir("moveroot");
  const b = containerPlan(out, { pivot: false });
  execShell(b, "head -1 /etc/passwd > /out/passwd; ls / > /out/root");
  assert.equal(await run(b), { code: 0, signal: 0 });
  assert.is(read(out, "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  assert.ok(read(out, "root").split("\n").includes("secret"));
});

test("SETNS joins another init's UTS namespace; without WAIT_START spawnInit returns at execve", async () => {
  const a = new PlanBuilder(CLONE_NEWUTS);
  a.op(O.OP_SETHOSTNAME, "joined-uts");
  a.op(O.OP_FIND_EXEC, ["/bin/true"]);
  a.op(O.OP_WAIT_START);
  a.op(O.OP_EXEC, ["true"], []);
  const first = ready(spawn(a).result);
  try {
    const out = outDir("setns");
    const b = new PlanBuilder(0);
    b.op(O.OP_SETNS, `/proc/${first.pid}/ns/uts`, CLONE_NEWUTS);
    b.op(O.OP_FIND_EXEC, [path.join(rootfs, "bin/busybox")]);
    b.op(O.OP_EXEC, ["sh", "-c", `cat /proc/sys/kernel/hostname > ${out}/hostname`], []);
    const r = ready(spawn(b).result);
    assert.is(r.sync, -1);
    assert.equal(await waitExit(r.pid), { code: 0, signal: 0 });
    assert.is(read(out, "hostname"), "joined-uts\n");
  } finally {
    abort(first.pid, first.sync);
  }
  assert.not.ok(fs.existsSync(`/proc/${first.pid}`), "abortInit reaped the init");
  assert.equal(ocirunChildren(), []);
});

test("kill TERM ends a created init that is pid 1 of its namespace", async () => {
  const b = containerPlan(outDir("term"));
  execShell(b, "exit 0");
  const { result } = spawn(b);
  const { pid, sync } = ready(result);
  addon.releaseInit(sync);
  // The handlers are installed after ACK; wait until the init shows them.
  for (let i = 0; i < 200 && status(pid).SigCgt === "0000000000000000"; i++) await new Promise((r) => setTimeout(r, 5));
  process.kill(pid, "SIGTERM");
  // A pid 1 left at SIG_DFL would ignore TERM: give up after 5 s instead of hanging.
  const timer = setTimeout(() => process.kill(pid, "SIGKILL"), 5000);
  const exited = await waitExit(pid);
  clearTimeout(timer);
  assert.equal(exited, { code: 128 + 15, signal: 0 });
});

test("waitExit reports a signal death", async () => {
  const b = containerPlan(outDir("sig"));
  execShell(b, "sleep 30");
  const { result, fifoPath } = spawn(b);
  const { pid, sync } = ready(result);
  addon.releaseInit(sync);
  start(fifoPath);
  const exited = addon.waitExit(pid);
  assert.ok(exited instanceof Promise, "the addon's own Promise, under bun");
  process.kill(pid, "SIGKILL");
  assert.equal(await exited, { code: -1, signal: 9 });
  live.delete(pid);
});

test.run();
