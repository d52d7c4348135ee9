// `exec` into real containers: the process joins the init's namespaces and sees the container's
// root, gets the flags' or the --process file's env, cwd, user and capabilities, the container's
// seccomp filter and noNewPrivileges, and its exit status comes back; -d returns with a pid file;
// a stopped or missing container is refused with runc's words and status 255.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, ocirun, ocirunCommand, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { isLive, startTimeOf } from "../../host/proc.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
test.after(() => t.cleanup());

let n = 0;
/** A running container whose init sleeps; returns its id and init pid. */
function sleeper(patches: Record<string, unknown> = {}): { id: string; pid: number } {
  const id = `ex${++n}`;
  const r = oci("run", "-d", "--bundle", t.bundle(["sleep", "100"], patches), id);
  assert.is(r.code, 0, r.stderr);
  return { id, pid: JSON.parse(oci("state", id).stdout).pid };
}

const status = (text: string) => Object.fromEntries(text.trim().split("\n").filter((l) => l.includes(":")).map((l) => l.split(/:\s+/)));

test("the process joins every namespace of the init and gets the container's hostname", () => {
  const { id, pid } = sleeper({ "/hostname": "exec-host" });
  const types = ["ipc", "mnt", "net", "pid", "uts", "cgroup"];
  const r = oci("exec", id, "sh", "-c", `for n in ${types.join(" ")}; do readlink /proc/self/ns/$n; done; hostname; echo pid=$$`);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.slice(0, types.length), types.map((n) => readlinkSync(`/proc/${pid}/ns/${n}`)));
  // The control: the runtime's own namespaces differ from the container's.
  assert.is.not(readlinkSync("/proc/self/ns/mnt"), readlinkSync(`/proc/${pid}/ns/mnt`));
  assert.is(lines[types.length], "exec-host");
  // A pid of the container's pid namespace, where the init is 1.
  assert.ok(Number(lines[types.length + 1].slice(4)) > 1, lines[types.length + 1]);
  oci("delete", "--force", id);
});

test("the process sees the container's root filesystem, and its cwd is inside it", () => {
  const marker = `only-in-rootfs-${process.pid}`;
  writeFileSync(join(t.rootfs, "etc/exec-marker"), marker + "\n");
  assert.not.ok(existsSync("/etc/exec-marker"), "the control: the host has no such file");
  const { id } = sleeper();
  const r = oci("exec", "--cwd", "/etc", id, "sh", "-c", "cat /etc/exec-marker; cd -P ../../..; pwd; ls /");
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines[0], marker);
  assert.is(lines[1], "/");
  assert.ok(lines.includes("etc") && lines.includes("bin"), r.stdout);
  oci("delete", "--force", id);
});

test("-e, --cwd, -u and -g change config.json's process; the rest of its env stays", () => {
  const { id } = sleeper({ "/process/env": ["PATH=/bin", "FOO=from-config", "KEPT=yes"], "/process/cwd": "/" });
  const r = oci("exec", "-e", "FOO=from-flag", "-e", "NEW=1", "--cwd", "/tmp", "-u", "1000:1001", "-g", "10", "-g", "20", id,
    "sh", "-c", "id -u; id -g; id -G; pwd; env | grep -E '^(FOO|NEW|KEPT)=' | sort");
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n"), ["1000", "1001", "1001 10 20", "/tmp", "FOO=from-flag", "KEPT=yes", "NEW=1"]);
  // Without the flags: config.json's user, cwd and env.
  const plain = oci("exec", id, "sh", "-c", "id -u; pwd; echo $FOO");
  assert.equal(plain.stdout.trim().split("\n"), ["0", "/", "from-config"], plain.stderr);
  oci("delete", "--force", id);
});

test("the exit status comes back: a code as it is, a signal as 128+n", () => {
  const { id } = sleeper();
  assert.is(oci("exec", id, "sh", "-c", "exit 7").code, 7);
  assert.is(oci("exec", id, "sh", "-c", "kill -TERM $$").code, 143);
  assert.is(oci("exec", id, "true").code, 0);
  oci("delete", "--force", id);
});

test("a missing executable or cwd fails with status 255, naming the field", () => {
  const { id } = sleeper();
  const r1 = oci("exec", id, "no-such-command");
  assert.is(r1.code, 255);
  assert.is(errorMessage(r1.stderr.trim()), 'exec failed: /process/args/0: exec: "no-such-command": executable file not found in $PATH');
  const r2 = oci("exec", "--cwd", "/no-such-dir", id, "true");
  assert.is(r2.code, 255);
  assert.match(errorMessage(r2.stderr.trim()), /^exec failed: \/process\/cwd: .*no such file or directory$/);
  const r3 = oci("exec", id);
  assert.is(r3.code, 255);
  assert.is(errorMessage(r3.stderr.trim()), "exec failed: process args cannot be empty");
  oci("delete", "--force", id);
});

test("-d --pid-file: returns while the process runs on, its pid (no newline) in the file", () => {
  const { id, pid: init } = sleeper();
  const pidFile = join(t.dir, "exec.pid");
  const started = Date.now();
  const r = oci("exec", "-d", "--pid-file", pidFile, id, "sleep", "30");
  assert.is(r.code, 0, r.stderr);
  assert.ok(Date.now() - started < 10_000, "did not wait for the process");
  const text = readFileSync(pidFile, "utf8");
  assert.match(text, /^[0-9]+$/);
  const pid = Number(text);
  // Alive after exec returned (no parent-death signal), in the container's pid namespace.
  const start = startTimeOf(pid)!;
  assert.ok(start && isLive(pid, start), "the process outlives exec -d");
  assert.is(readFileSync(`/proc/${pid}/cmdline`, "utf8"), "sleep\u000030\u0000");
  assert.is(readlinkSync(`/proc/${pid}/ns/pid`), readlinkSync(`/proc/${init}/ns/pid`));
  process.kill(pid, "SIGKILL");
  oci("delete", "--force", id);
});

test("--preserve-fds 1 passes the caller's fd 3 and nothing above it", () => {
  const { id } = sleeper();
  const fd3 = openSync(join(t.dir, "fd3"), "w");
  const fd4 = openSync(join(t.dir, "fd4"), "w");
  try {
    const [cmd, ...pre] = ocirunCommand();
    const script = "echo to-fd3 >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '";
    const r = spawnSync(cmd, [...pre, "--root", root, "exec", "--preserve-fds", "1", id, "sh", "-c", script], {
      stdio: ["ignore", "pipe", "pipe", fd3, fd4], encoding: "utf8", timeout: 30_000,
    });
    assert.is(r.status, 0, r.stderr);
    // 0-3, and the fd ls opens for /proc/self/fd.
    assert.is(r.stdout, "0 1 2 3 4 ");
    assert.is(readFileSync(join(t.dir, "fd3"), "utf8"), "to-fd3\n");
  } finally {
    closeSync(fd3);
    closeSync(fd4);
    oci("delete", "--force", id);
  }
});

test("exec into a stopped or missing container fails as runc's does (status 255)", () => {
  const { id, pid } = sleeper();
  process.kill(pid, "SIGKILL");
  assert.ok(waitFor(() => JSON.parse(oci("state", id).stdout).status === "stopped"));
  const r1 = oci("exec", id, "true");
  assert.is(r1.code, 255);
  assert.is(errorMessage(r1.stderr.trim()), "exec failed: cannot exec in a stopped container");
  oci("delete", "--force", id);
  const r2 = oci("exec", "no-such-id", "true");
  assert.is(r2.code, 255);
  assert.is(errorMessage(r2.stderr.trim()), 'exec failed: container "no-such-id" does not exist');
});

test("exec into a created container runs at once; the init still waits for start", () => {
  const id = `ex${++n}`;
  assert.is(oci("create", "--bundle", t.bundle(["sh", "-c", "echo started"]), id).code, 0);
  const r = oci("exec", id, "sh", "-c", "echo in-created; cat /proc/1/cmdline | tr '\\0' ' '");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^in-created\n/);
  assert.is(JSON.parse(oci("state", id).stdout).status, "created");
  oci("delete", "--force", id);
});

const denyMkdir = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38 }] };

test("the container's seccomp filter applies to the exec'd process, with and without noNewPrivileges", () => {
  for (const nnp of [true, false]) {
    const { id } = sleeper({ "/linux/seccomp": denyMkdir, "/process/noNewPrivileges": nnp });
    const r = oci("exec", id, "sh", "-c", "mkdir /dev/shm/made; echo status=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status");
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /Function not implemented/, `nnp=${nnp}`);
    assert.match(r.stdout, /status=1/);
    assert.match(r.stdout, /Seccomp:\t2/);
    assert.match(r.stdout, nnp ? /NoNewPrivs:\t1/ : /NoNewPrivs:\t0/);
    oci("delete", "--force", id);
  }
  // The control: without the filter mkdir works.
  const { id } = sleeper();
  const r = oci("exec", id, "sh", "-c", "mkdir /dev/shm/made && echo made; grep '^Seccomp:' /proc/self/status");
  assert.is(r.stdout, "made\nSeccomp:\t0\n", r.stderr);
  oci("delete", "--force", id);
});

test("capabilities and noNewPrivileges are config.json's; --cap adds to it, --no-new-privs sets it", () => {
  const caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"];
  const { id } = sleeper({
    "/process/noNewPrivileges": false,
    "/process/capabilities": { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
  });
  const read = "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status";
  const plain = status(oci("exec", id, "sh", "-c", read).stdout);
  assert.equal(plain, {
    CapInh: "0000000000000000", CapPrm: "0000000020000420", CapEff: "0000000020000420", CapBnd: "0000000020000420",
    CapAmb: "0000000000000000", NoNewPrivs: "0",
  });
  const more = status(oci("exec", "--cap", "CAP_SYS_ADMIN", "--no-new-privs", id, "sh", "-c", read).stdout);
  assert.equal(more, {
    CapInh: "0000000000000000", CapPrm: "0000000020200420", CapEff: "0000000020200420", CapBnd: "0000000020200420",
    CapAmb: "0000000000000000", NoNewPrivs: "1",
  });
  oci("delete", "--force", id);
});

test("--process FILE (as containerd writes it) replaces config.json's process; the other flags are ignored", () => {
  const { id } = sleeper({ "/process/env": ["PATH=/bin", "FROM_CONFIG=1"] });
  const file = join(t.dir, "process.json");
  writeFileSync(file, JSON.stringify({
    user: { uid: 1000, gid: 1000, additionalGids: [5] }, args: ["sh", "-c", "id -u; id -G; pwd; ulimit -n; env | grep -E '^(FROM_|ONLY)' | sort; grep CapEff /proc/self/status"],
    env: ["PATH=/bin", "ONLY_IN_FILE=1"], cwd: "/tmp",
    // Ambient: a non-root uid keeps it across execve.
    capabilities: { bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"] },
    rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 512 }], noNewPrivileges: true,
  }));
  const r = oci("exec", "--process", file, "-e", "IGNORED=1", id);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n"), ["1000", "1000 5", "/tmp", "512", "ONLY_IN_FILE=1", "CapEff:\t0000000000000020"]);
  writeFileSync(file, JSON.stringify({ args: [], cwd: "tmp" }));
  const bad = oci("exec", "-p", file, id);
  assert.is(bad.code, 255);
  assert.match(errorMessage(bad.stderr.trim()), /^exec failed: .*\/process\/args: must name a command/);
  oci("delete", "--force", id);
});

test("execCPUAffinity: final is the exec'd process's affinity, else initial; the init keeps its own", () => {
  const cpus = (text: string) => status(text).Cpus_allowed_list;
  const read = ["grep", "^Cpus_allowed_list:", "/proc/self/status"];
  // The control: without it, the process has every CPU (this machine has 2).
  const plain = sleeper();
  assert.is(cpus(oci("exec", plain.id, ...read).stdout), "0-1");
  oci("delete", "--force", plain.id);
  const both = sleeper({ "/process/execCPUAffinity": { initial: "0", final: "1" } });
  const r = oci("exec", both.id, ...read);
  assert.is(r.code, 0, r.stderr);
  assert.is(cpus(r.stdout), "1");
  // The spec: not the init's.
  assert.is(cpus(readFileSync(`/proc/${both.pid}/status`, "utf8")), "0-1");
  oci("delete", "--force", both.id);
  const initial = sleeper({ "/process/execCPUAffinity": { initial: "1" } });
  assert.is(cpus(oci("exec", initial.id, ...read).stdout), "1");
  oci("delete", "--force", initial.id);
});

test("execCPUAffinity naming only CPUs the host lacks fails, naming the field", () => {
  for (const which of ["initial", "final"]) {
    const { id } = sleeper({ "/process/execCPUAffinity": { [which]: "5" } });
    const r = oci("exec", id, "true");
    assert.is(r.code, 255);
    assert.match(errorMessage(r.stderr.trim()), new RegExp(`^exec failed: /process/execCPUAffinity/${which}: .*invalid argument`, "i"));
    oci("delete", "--force", id);
  }
});

test("a user namespace: the process joins it and is root there", () => {
  const { id, pid } = sleeper({
    "/linux/namespaces": [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "network" }, { type: "user" }],
    "/linux/uidMappings": [{ containerID: 0, hostID: 200000, size: 65536 }],
    "/linux/gidMappings": [{ containerID: 0, hostID: 200000, size: 65536 }],
    "/mounts": JSON.parse(readFileSync(join(t.bundle(["true"]), "config.json"), "utf8")).mounts
      .filter((m: { destination: string }) => m.destination !== "/sys/fs/cgroup" && m.destination !== "/sys"),
  });
  const r = oci("exec", id, "sh", "-c", "readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map");
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.is(lines[0], readlinkSync(`/proc/${pid}/ns/user`));
  assert.is(lines[1], "0");
  assert.match(lines[2], /^\s*0\s+200000\s+65536$/);
  oci("delete", "--force", id);
});

test("-t with --console-socket and -d: the pty master goes to the socket, the process's stdio is the pty", async () => {
  const { id } = sleeper();
  const sock = join(t.dir, "exec-console.sock");
  const receiver = spawn("python3", [join(repo, "test/fixtures/console-receiver.py"), sock], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  receiver.stdout.on("data", (d) => (out += d));
  const done = new Promise((r) => receiver.on("exit", r));
  assert.ok(waitFor(() => existsSync(sock)), "receiver listens");
  const r = oci("exec", "-t", "-d", "--console-socket", sock, id, "sh", "-c", "tty; readlink /proc/self/fd/2; echo MARKER");
  if (r.code !== 0) receiver.kill(); // it would wait for a connection forever
  assert.is(r.code, 0, r.stderr);
  await done;
  const lines = out.replace(/\r/g, "").trim().split("\n");
  assert.is(lines[0], "name=/dev/ptmx");
  assert.match(lines[1], /^\/dev\/pts\/[0-9]+$/);
  assert.is(lines[2], lines[1]);
  assert.is(lines[3], "MARKER");
  // runc's rules: a detached terminal needs a socket, a socket needs a detached terminal.
  const r1 = oci("exec", "-t", "-d", id, "true");
  assert.is(r1.code, 255);
  assert.is(errorMessage(r1.stderr.trim()), "exec failed: cannot allocate tty if ocirun will detach without setting console socket");
  const r2 = oci("exec", "--console-socket", sock, id, "true");
  assert.is(r2.code, 255);
  assert.is(errorMessage(r2.stderr.trim()), "exec failed: cannot use console socket if ocirun will not detach or allocate tty");
  oci("delete", "--force", id);
});

test("exec uses the container as created: a bundle config.json edited after create changes nothing", () => {
  const b = t.bundle(["sleep", "100"], { "/process/env": ["PATH=/bin", "WHICH=created"], "/process/user": { uid: 0, gid: 0 } });
  assert.is(oci("run", "-d", "--bundle", b, "ex-stored").code, 0);
  const file = join(b, "config.json");
  const edited = JSON.parse(readFileSync(file, "utf8"));
  edited.process.env = ["PATH=/bin", "WHICH=edited"];
  edited.process.user = { uid: 1234, gid: 1234 };
  edited.linux.seccomp = denyMkdir;
  writeFileSync(file, JSON.stringify(edited));
  const r = oci("exec", "ex-stored", "sh", "-c", "echo $WHICH $(id -u); mkdir /dev/shm/made && echo mkdir-ok");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "created 0\nmkdir-ok\n");
  assert.is(oci("delete", "--force", "ex-stored").code, 0);
});


test("run and exec as uid 1000 whose CAP_DAC_OVERRIDE is what reaches the program (a 0700 root, as Docker's imported images have)", () => {
  const rootfs = join(t.dir, "rootfs-0700");
  execFileSync("cp", ["-a", t.rootfs, rootfs]);
  chmodSync(rootfs, 0o700);
  const caps = ["CAP_DAC_OVERRIDE", "CAP_KILL"];
  const patches = {
    "/root/path": rootfs, "/process/user": { uid: 1000, gid: 1000 },
    "/process/capabilities": { bounding: caps, effective: caps, permitted: caps },
  };
  const r = oci("run", "--bundle", t.bundle(["id", "-u"], patches), "dac1");
  assert.equal([r.code, r.stdout.trim()], [0, "1000"], r.stderr);
  const { id } = sleeper({ "/root/path": rootfs, "/process/capabilities": { bounding: caps, effective: caps, permitted: caps } });
  const e = oci("exec", "-u", "1000:1000", id, "id", "-u");
  assert.equal([e.code, e.stdout.trim()], [0, "1000"], e.stderr);
  oci("delete", "-f", id);
});

/** The targets of pid's open fds ([] once it is gone). */
function fdTargets(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ""; } });
  } catch {
    return [];
  }
}

/** A process in the host's namespaces (but a uts namespace of its own) at exactly pid, made by
 * setting ns_last_pid just before a fork; undefined if other forks kept taking it. */
function processAtPid(pid: number): number | undefined {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync("sh", ["-c", `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid; unshare -u sleep 30 >/dev/null 2>&1 & echo $!`], { encoding: "utf8" });
    const got = Number(r.stdout.trim());
    if (got === pid) return got;
    try { process.kill(got, "SIGKILL"); } catch {}
  }
  return undefined;
}

test("exec racing a reused pid: once exec has checked the init, a process that takes its pid is never joined", async () => {
  // A stored config near the 4 MiB limit makes exec's planning long enough to act in.
  const { id, pid } = sleeper({ "/annotations": { pad: "x".repeat(3_500_000) } });
  // A path only a process in the host's mount namespace can write.
  const mark = join(t.dir, `escaped-${id}`);
  const [cmd, ...pre] = ocirunCommand();
  const child = spawn(cmd, [...pre, "--root", root, "exec", id, "sh", "-c", `echo escaped > ${mark}`], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const exited = new Promise<number>((res) => child.on("exit", (code) => res(code ?? -1)));
  // exec holds the container's lock from before it checks the init until the process runs:
  // stop it in between, once it has decided which process it joins.
  const dir = join(root, id);
  const deadline = Date.now() + 10_000;
  while (!fdTargets(child.pid!).includes(dir) && Date.now() < deadline) {}
  const start = Date.now();
  while (Date.now() - start < 15) {}
  process.kill(child.pid!, "SIGSTOP");
  process.kill(pid, "SIGKILL");
  assert.ok(waitFor(() => !existsSync(`/proc/${pid}`), 5000), "the init is reaped");
  const imposter = processAtPid(pid);
  try {
    assert.ok(imposter, `a process took pid ${pid}`);
    process.kill(child.pid!, "SIGCONT");
    const code = await exited;
    assert.is(code, 255, stderr);
    assert.match(stderr, /stopped|no such process/);
    assert.not.ok(existsSync(mark), "the exec'd process ran in the host's mount namespace");
  } finally {
    if (imposter) process.kill(imposter, "SIGKILL");
    oci("delete", "-f", id);
  }
});

test.run();
