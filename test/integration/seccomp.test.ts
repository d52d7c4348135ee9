// linux.seccomp in real containers: each action read from inside (the errno a syscall gets,
// the signal that ends it) or from the host (the kernel's audit log, an agent that answers a
// notification); argument filters; podman's default profile; where the filter is loaded.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

let n = 0;
function run(script: string, seccomp: unknown, patches: Record<string, unknown> = {}) {
  return ocirun(["run", "--bundle", t.bundle(["sh", "-c", script], { "/linux/seccomp": seccomp, ...patches }), `sc${++n}`], { root });
}

const deny = (names: string[], action: string, extra: Record<string, unknown> = {}) =>
  ({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names, action, ...extra }] });

test("ERRNO: a denied syscall fails with errnoRet, and EPERM without one", () => {
  let r = run("mkdir /dev/shm/a; echo status=$?", deny(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", { errnoRet: 38 }));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /Function not implemented/);
  assert.match(r.stdout, /status=1/);
  r = run("mkdir /dev/shm/a; echo status=$?", deny(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"));
  assert.match(r.stderr, /Operation not permitted/);
  // The control: the same script without the filter makes the directory.
  r = run("mkdir /dev/shm/a && echo made", { defaultAction: "SCMP_ACT_ALLOW" });
  assert.is(r.stdout, "made\n", r.stderr);
});

const podman = JSON.parse(readFileSync(join(repo, "test/golden/plans/seccomp-podman/config.json"), "utf8")).linux.seccomp;

test("every flag is accepted on a filter without a listener", () => {
  const flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];
  const r = run("mkdir /dev/shm/a; echo status=$?", { ...deny(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO"), flags });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /status=1/);
});

test("defaultErrnoRet: a syscall the profile does not allow gets it", () => {
  // podman's profile without mkdir and mkdirat, and EOPNOTSUPP as its default.
  const syscalls = podman.syscalls.map((r: { names: string[] }) => ({ ...r, names: r.names.filter((x) => x !== "mkdir" && x !== "mkdirat") }))
    .filter((r: { names: string[] }) => r.names.length > 0);
  const r = run("mkdir /dev/shm/a; echo status=$?", { ...podman, defaultErrnoRet: 95, syscalls });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /not supported/i);
  assert.match(r.stdout, /status=1/);
});

test("a filter that denies everything, exit included, ends the container instead of spinning", () => {
  const r = run("true", { defaultAction: "SCMP_ACT_ERRNO" });
  assert.is.not(r.code, 0);
  // No process of it is left behind.
  assert.is(ocirun(["list", "-q"], { root }).stdout.trim(), "");
});

test("KILL and KILL_PROCESS end the caller with SIGSYS; the rest of the container goes on", () => {
  for (const action of ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS"]) {
    const r = run("mkdir /dev/shm/a; echo status=$?", deny(["mkdir", "mkdirat"], action));
    assert.is(r.code, 0, `${action}: ${r.stderr}`);
    assert.match(r.stdout, /status=159/, action); // 128 + SIGSYS (31)
  }
});

test("TRAP sends SIGSYS, which the process can catch", () => {
  // chdir is the shell's own syscall: its trap handler runs, and the shell goes on.
  const r = run("trap 'echo caught SIGSYS' SYS; cd /tmp; echo after", deny(["chdir"], "SCMP_ACT_TRAP"));
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /caught SIGSYS/);
  assert.match(r.stdout, /after/);
  // With KILL the same shell dies instead.
  const k = run("trap 'echo caught SIGSYS' SYS; cd /tmp; echo after", deny(["chdir"], "SCMP_ACT_KILL_PROCESS"));
  assert.not.match(k.stdout, /after/);
});

test("LOG allows the syscall and the kernel logs it", () => {
  // A marker of our own in the kernel log: counting lines fails once the ring buffer is full.
  const marker = `ocirun-seccomp-log-test-${process.pid}-${Date.now()}`;
  writeFileSync("/dev/kmsg", marker);
  const r = run("mkdir /dev/shm/logged && echo made", deny(["mkdir", "mkdirat"], "SCMP_ACT_LOG"));
  assert.is(r.stdout, "made\n", r.stderr);
  // x86_64 mkdir is 83, mkdirat 258; code is SECCOMP_RET_LOG.
  const log = execFileSync("dmesg").toString();
  const fresh = log.slice(log.lastIndexOf(marker));
  assert.match(fresh, /comm="mkdir".*syscall=(83|258) .*code=0x7ffc0000/);
});

test("an argument filter allows one value and denies another (64-bit compare)", () => {
  // setpriority(which, who, prio): busybox nice calls it with the new nice value.
  const profile = deny(["setpriority"], "SCMP_ACT_ERRNO", { errnoRet: 95, args: [{ index: 2, value: 10, op: "SCMP_CMP_GT" }] });
  const r = run("renice -n 5 $$ && echo five-ok; renice -n 15 $$; echo fifteen=$?", profile);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /five-ok/);
  assert.match(r.stdout, /fifteen=1/);
  assert.match(r.stderr, /not supported/i);
});

test("podman's default profile: the container runs filtered, and what it denies is denied", () => {
  // With CAP_SYS_ADMIN the kernel lets the container set its hostname; podman's profile (as
  // podman converts it for a container without that capability) says EPERM.
  const caps = ["CAP_SYS_ADMIN", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_NET_BIND_SERVICE"];
  const withAdmin = { "/process/capabilities/bounding": caps, "/process/capabilities/effective": caps, "/process/capabilities/permitted": caps };
  const script = "grep -E '^Seccomp(_filters)?:' /proc/self/status; echo hi > /dev/shm/f && cat /dev/shm/f; hostname other && hostname";
  const r = run(script, podman, withAdmin);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /Seccomp:\s+2\n/);
  assert.match(r.stdout, /Seccomp_filters:\s+1\n/);
  assert.match(r.stdout, /hi\n/);
  assert.match(r.stderr, /sethostname: Operation not permitted/);
  const control = run(script, { defaultAction: "SCMP_ACT_ALLOW" }, withAdmin);
  assert.match(control.stdout, /other\n/, control.stderr);
});

test("the filter loads before the capabilities drop without noNewPrivileges, and after start with it", () => {
  for (const nnp of [false, true]) {
    const plan = ocirun(["plan", "--bundle", t.bundle(["true"], { "/linux/seccomp": deny(["mkdir"], "SCMP_ACT_ERRNO"), "/process/noNewPrivileges": nnp })]);
    assert.is(plan.code, 0, plan.stderr);
    const names = plan.stdout.split("\n").map((l) => l.trim().split(" ")[1]).filter(Boolean);
    const at = names.indexOf("SECCOMP");
    assert.ok(at > 0, plan.stdout);
    if (nnp) assert.is(names[at - 1], "WAIT_START", plan.stdout);
    else assert.ok(at < names.indexOf("CAPS") && at < names.indexOf("USER"), plan.stdout);
    const r = run("grep '^Seccomp:' /proc/self/status", deny(["mkdir"], "SCMP_ACT_ERRNO"), { "/process/noNewPrivileges": nnp });
    assert.is(r.stdout, "Seccomp:\t2\n", r.stderr);
  }
});

test("NOTIFY: the agent gets the process state and the listener, and answers the container's syscall", async () => {
  const sock = join(t.dir, "agent.sock");
  const out = join(t.dir, "agent.out");
  // x86_64 mkdir 83, mkdirat 258: answered with EDQUOT (122); anything else continues.
  const agent = spawn("python3", [join(repo, "test/fixtures/seccomp-agent.py"), sock, out, "83,258", "122"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await waitFor(() => existsSync(sock), 5000);
    // Every flag too: TSYNC and WAIT_KILLABLE_RECV must not make the kernel refuse the filter.
    const flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];
    const profile = { ...deny(["mkdir", "mkdirat"], "SCMP_ACT_NOTIFY"), listenerPath: sock, listenerMetadata: "test-meta", flags };
    const r = run("mkdir /dev/shm/n; echo status=$?", profile);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /quota/i);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const state = JSON.parse(lines[0]);
    assert.equal(state.fds, ["seccompFd"]);
    assert.is(state.metadata, "test-meta");
    assert.is(state.state.status, "creating");
    assert.is(state.state.pid, state.pid);
    assert.ok(state.state.id.startsWith("sc"));
    assert.ok(lines.some((l) => l === "nr=83" || l === "nr=258"), lines.join("\n"));
  } finally {
    agent.kill();
  }
});

test("NOTIFY with no agent listening: create fails naming listenerPath, and leaves nothing", () => {
  const profile = { ...deny(["mkdir"], "SCMP_ACT_NOTIFY"), listenerPath: join(t.dir, "nobody.sock") };
  const r = run("true", profile);
  assert.is(r.code, 1);
  assert.match(r.stderr, /listenerPath.*no such file/);
  const left = ocirun(["list", "-q"], { root });
  assert.is(left.stdout.trim(), "");
});

test("NOTIFY on the syscalls the runtime itself makes (close, read, openat, execve, sendmsg...): no deadlock", async () => {
  const sock = join(t.dir, "agent-all.sock");
  const out = join(t.dir, "agent-all.out");
  // Nothing denied (nr 100000): every notification continues. The agent takes one listener.
  const agent = spawn("python3", [join(repo, "test/fixtures/seccomp-agent.py"), sock, out, "100000", "1"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await waitFor(() => existsSync(sock), 5000);
    const names = ["close", "read", "openat", "execve", "execveat", "sendto", "sendmsg", "recvfrom", "recvmsg", "fcntl", "prctl", "mkdirat"];
    const profile = { ...deny(names, "SCMP_ACT_NOTIFY"), listenerPath: sock };
    const r = run("grep -c ^Seccomp: /proc/self/status; echo done", profile);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "1\ndone\n");
    assert.ok(readFileSync(out, "utf8").split("\n").some((l) => l.startsWith("nr=")), "the agent answered the container's syscalls");
  } finally {
    agent.kill();
  }
});

test("a default-deny allow-list that has execve but not close_range, memfd_create or execveat still runs the program (issue 12: the runtime needs only execve)", () => {
  const missing = ["close_range", "execveat", "memfd_create"];
  const trimmed = { ...podman, syscalls: podman.syscalls.map((r: { names: string[] }) => ({ ...r, names: r.names.filter((n) => !missing.includes(n)) })).filter((r: { names: string[] }) => r.names.length > 0) };
  for (const nnp of [true, false]) {
    const r = run("echo ran", trimmed, { "/process/noNewPrivileges": nnp });
    assert.is(r.code, 0, `noNewPrivileges ${nnp}: ${r.stderr}`);
    assert.is(r.stdout, "ran\n");
  }
});

test.run();
