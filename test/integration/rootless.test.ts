// Rootless containers, as runc runs them: a non-root user runs `spec --rootless` and `run`, its
// state lands under $XDG_RUNTIME_DIR/ocirun, and the id maps are written the way the kernel
// lets it (its own uid/gid directly, setgroups denied; /etc/subuid ranges through newuidmap and
// newgidmap). The tests run as root and start the CLI as the user with setpriv.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { errorMessage, ocirun, ocirunCommand, repo, type Result } from "../util/ocirun.ts";
import { waitFor } from "../util/wait.ts";
import { packageMissing, testNeeding } from "../util/needs.ts";
import { TestBundles } from "../util/bundle.ts";
import { hostCgroupMode } from "../util/cgroup-host.ts";

const t = new TestBundles();
const UID = 1500;
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The user: uid 1500, made here if the machine has none (and removed again).
let name = spawnSync("getent", ["passwd", String(UID)], { encoding: "utf8" }).stdout.split(":")[0];
const madeUser = !name;
if (madeUser) {
  name = "ocirun-rootless";
  execFileSync("useradd", ["-M", "-u", String(UID), "-U", "-s", "/bin/false", name]);
}
const GID = Number(spawnSync("id", ["-g", name], { encoding: "utf8" }).stdout.trim());
const user = { uid: UID, gid: GID };

// Its subordinate ids: useradd usually gives them; else a range added here (and removed again).
const added: Array<{ file: string; line: string }> = [];
function subRange(file: string): [number, number] {
  const own = readFileSync(file, "utf8").split("\n").map((l) => l.split(":"))
    .find((f) => (f[0] === name || f[0] === String(UID)) && Number(f[2]) >= 65536);
  if (own) return [Number(own[1]), 65536];
  const line = `${name}:2000000:65536`;
  writeFileSync(file, readFileSync(file, "utf8") + line + "\n");
  added.push({ file, line });
  return [2000000, 65536];
}
const [subuid] = subRange("/etc/subuid");
const [subgid] = subRange("/etc/subgid");

/** newuidmap and newgidmap: installed here if missing (package uidmap, in .ci/run). */
function haveUidmap(): boolean {
  const has = () => existsSync("/usr/bin/newuidmap") && existsSync("/usr/bin/newgidmap");
  if (has()) return true;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (spawnSync("apt-get", ["install", "-y", "-qq", "uidmap"], { env, stdio: "ignore" }).status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { env, stdio: "ignore" });
    spawnSync("apt-get", ["install", "-y", "-qq", "uidmap"], { env, stdio: "ignore" });
  }
  return has();
}

/** A directory the user owns (0700), under the test's dir. */
let dirs = 0;
function userDir(): string {
  const d = join(t.dir, `user${++dirs}`);
  mkdirSync(d, { mode: 0o700 });
  chownSync(d, UID, GID);
  return d;
}

// The user's XDG_RUNTIME_DIR and HOME; every XDG dir is swept at the end.
const xdgs: string[] = [];
function userEnv(): NodeJS.ProcessEnv {
  const xdg = userDir();
  xdgs.push(xdg);
  return { PATH, USER: name, HOME: userDir(), XDG_RUNTIME_DIR: xdg };
}

const asUser = (args: string[], env: NodeJS.ProcessEnv, cwd?: string): Result => ocirun(args, { user, env, cwd });

/** `spec --rootless` as the user in a bundle dir of its own, then the command and maps patched in. */
function rootlessBundle(env: NodeJS.ProcessEnv, args: string[], linux: Record<string, unknown> = {}, processUser?: object): string {
  const b = userDir();
  const r = asUser(["spec", "--rootless"], env, b);
  assert.equal([r.code, r.stderr], [0, ""]);
  const config = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  config.root.path = t.rootfs;
  config.process.terminal = false;
  config.process.args = args;
  if (processUser) config.process.user = processUser;
  Object.assign(config.linux, linux);
  writeFileSync(join(b, "config.json"), JSON.stringify(config));
  return b;
}

const words = (s: string) => s.trim().split(/\s+/).join(" ");

test.after(() => {
  // Root may delete the user's containers: a failed test may leave one running.
  for (const xdg of xdgs) {
    const root = join(xdg, "ocirun");
    if (existsSync(root)) for (const id of readdirSync(root)) ocirun(["delete", "--force", id], { root });
  }
  t.cleanup();
  for (const { file, line } of added) writeFileSync(file, readFileSync(file, "utf8").split("\n").filter((l) => l !== line).join("\n"));
  if (madeUser) spawnSync("userdel", [name], { stdio: "ignore" });
});

test("spec --rootless as the user: its uid and gid mapped to 0, a user namespace, no network one", () => {
  const env = userEnv();
  const b = userDir();
  const r = asUser(["spec", "--rootless"], env, b);
  assert.equal([r.code, r.stderr], [0, ""]);
  const c = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  assert.equal(c.linux.uidMappings, [{ containerID: 0, hostID: UID, size: 1 }]);
  assert.equal(c.linux.gidMappings, [{ containerID: 0, hostID: GID, size: 1 }]);
  assert.equal(c.linux.namespaces.map((n: { type: string }) => n.type), ["pid", "ipc", "uts", "mount", "cgroup", "user"]);
  assert.is(statSync(join(b, "config.json")).uid, UID);
});

test("run as the user: root inside, only its own ids mapped, setgroups denied", () => {
  const env = userEnv();
  const b = rootlessBundle(env, ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"]);
  const r = asUser(["run", "--bundle", b, "r1"], env);
  assert.is(r.code, 0, r.stderr);
  assert.is(words(r.stdout), `0 0 0 ${UID} 1 0 ${GID} 1 deny`);
  // run deletes it: nothing left under the user's root.
  assert.equal(readdirSync(join(env.XDG_RUNTIME_DIR!, "ocirun")), []);
});

test("the user's state lives under $XDG_RUNTIME_DIR/ocirun, owned by it; create, state, list, start, kill, delete", () => {
  const env = userEnv();
  const root = join(env.XDG_RUNTIME_DIR!, "ocirun");
  const b = rootlessBundle(env, ["sleep", "60"]);
  const c = asUser(["create", "--bundle", b, "s1"], env);
  assert.is(c.code, 0, c.stderr);
  // runc's rules for the XDG root: 0700 and the sticky bit, made by (so owned by) the user.
  const st = statSync(root);
  assert.equal([st.uid, st.mode & 0o7777], [UID, 0o1700]);
  assert.is(statSync(join(root, "s1")).uid, UID);
  assert.not.ok(existsSync(join("/run/ocirun", "s1")));
  const s = asUser(["state", "s1"], env);
  assert.is(s.code, 0, s.stderr);
  const state = JSON.parse(s.stdout);
  assert.equal([state.status, state.bundle], ["created", b]);
  // The init runs as the user on the host.
  assert.is(statSync(`/proc/${state.pid}`).uid, UID);
  const l = asUser(["list", "-f", "json"], env);
  assert.equal(JSON.parse(l.stdout).map((x: { id: string; owner: string }) => [x.id, x.owner]), [["s1", name]]);
  assert.is(asUser(["start", "s1"], env).code, 0);
  assert.is(JSON.parse(asUser(["state", "s1"], env).stdout).status, "running");
  assert.is(asUser(["kill", "s1", "KILL"], env).code, 0);
  const d = asUser(["delete", "--force", "s1"], env);
  assert.is(d.code, 0, d.stderr);
  assert.is(asUser(["list", "-q"], env).stdout, "");
  assert.not.ok(existsSync(join(root, "s1")));
});

test("the default root: $XDG_RUNTIME_DIR/ocirun for the user and for root in its user namespace unless USER=root, else /run/ocirun", () => {
  const env = userEnv();
  const rootOf = (pre: string[], e: NodeJS.ProcessEnv) => {
    const [bin, ...args] = ocirunCommand();
    const r = spawnSync("/usr/bin/setpriv", [`--reuid=${UID}`, `--regid=${GID}`, "--init-groups", ...pre, bin, ...args, "--debug", "list"], { env: e, encoding: "utf8" });
    return /root=(\S+?)"?$/m.exec(r.stderr)?.[1];
  };
  const xdgRoot = join(env.XDG_RUNTIME_DIR!, "ocirun");
  assert.is(rootOf([], env), xdgRoot);
  assert.is(rootOf(["unshare", "--map-root-user", "env", "-u", "USER"], env), xdgRoot);
  assert.is(rootOf(["unshare", "--map-root-user"], { ...env, USER: "root" }), "/run/ocirun");
  assert.is(rootOf([], { ...env, XDG_RUNTIME_DIR: "" }), "/run/ocirun");
  // Root in the initial namespace keeps runc's /run default whatever XDG_RUNTIME_DIR says.
  const r = ocirun(["--debug", "list"], { env: { ...process.env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR } });
  assert.match(r.stderr, /root=\/run\/ocirun/);
  // A runtime dir the user cannot write: runc's message.
  const bad = asUser(["list"], { ...env, XDG_RUNTIME_DIR: "/proc" });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /the path in \$XDG_RUNTIME_DIR must be writable by the user/);
});

// Whether the user may make cgroups where the runtime it starts finds itself (as the runtime
// decides: it owns the parent of its cgroup v2 cgroup): then a rootless container has its own.
function callerDelegated(): boolean {
  if (hostCgroupMode() !== "v2") return false;
  const own = /^0::(\/.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"))?.[1];
  try {
    return own !== undefined && statSync(join("/sys/fs/cgroup", dirname(own))).uid === UID;
  } catch {
    return false;
  }
}

testNeeding("ps and events of a container without a cgroup of its own (no delegated v2 subtree): nothing to list, no stats", callerDelegated() ? "this host delegates a cgroup v2 subtree to the user, so the container has its own cgroup" : null, () => {
  const env = userEnv();
  const b = rootlessBundle(env, ["sleep", "60"]);
  const r = asUser(["run", "-d", "--bundle", b, "ps1"], env);
  assert.is(r.code, 0, r.stderr);
  const stateFile = join(env.XDG_RUNTIME_DIR!, "ocirun", "ps1", "state.json");
  assert.not.ok(JSON.parse(readFileSync(stateFile, "utf8")).cgroup, "the container has no cgroup of its own");
  const json = asUser(["ps", "-f", "json", "ps1"], env);
  assert.equal([json.code, json.stdout, json.stderr], [0, "null\n", ""]);
  const table = asUser(["ps", "ps1"], env);
  assert.is(table.code, 0, table.stderr);
  assert.equal(table.stdout.split("\n").filter(Boolean).map(words), ["UID PID PPID C STIME TTY TIME CMD"], "ps -ef's header alone");
  const stats = asUser(["events", "--stats", "ps1"], env);
  assert.equal([stats.code, errorMessage(stats.stderr)], [1, "unable to get container cgroup stats: the container has no cgroup of its own (rootless without a delegated cgroup)"]);
  assert.is(asUser(["delete", "--force", "ps1"], env).code, 0);
});

test("a config without a user namespace is refused for the user, naming /linux/namespaces", () => {
  const env = userEnv();
  const b = t.bundle(["true"]);
  const r = asUser(["run", "--bundle", b, "n1"], env);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\/linux\/namespaces: ocirun runs as uid 1500, not root: a user namespace is required/);
});

const uidmap = packageMissing("uidmap", haveUidmap());

testNeeding("a multi-range map (0 = the user, 1..65536 = its /etc/subuid range) goes through newuidmap/newgidmap", uidmap, () => {
  const env = userEnv();
  const maps = {
    uidMappings: [{ containerID: 0, hostID: UID, size: 1 }, { containerID: 1, hostID: subuid, size: 65536 }],
    gidMappings: [{ containerID: 0, hostID: GID, size: 1 }, { containerID: 1, hostID: subgid, size: 65536 }],
  };
  const b = rootlessBundle(env, ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map"], maps, { uid: 1000, gid: 1000 });
  const r = asUser(["run", "--bundle", b, "m1"], env);
  assert.is(r.code, 0, r.stderr);
  assert.is(words(r.stdout), `1000 1000 0 ${UID} 1 1 ${subuid} 65536 0 ${GID} 1 1 ${subgid} 65536`);
});

testNeeding("a map the user does not own is refused, naming /linux/uidMappings; nothing is left behind", uidmap, () => {
  const env = userEnv();
  const notOwned = { uidMappings: [{ containerID: 0, hostID: UID, size: 1 }, { containerID: 1, hostID: subuid + 1_000_000, size: 65536 }] };
  const b = rootlessBundle(env, ["true"], notOwned);
  const r = asUser(["run", "--bundle", b, "x1"], env);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\/linux\/uidMappings: write the user namespace's id maps: operation not permitted/);
  assert.match(r.stderr, /newuidmap: uid range .* not allowed/); // the helper's own word
  assert.equal(readdirSync(join(env.XDG_RUNTIME_DIR!, "ocirun")), []);
  // Without the helpers in $PATH: the same field, and what is missing.
  const r2 = asUser(["run", "--bundle", rootlessBundle(env, ["true"], { uidMappings: [{ containerID: 0, hostID: subuid, size: 10 }] }), "x2"], { ...env, PATH: "/nonexistent" });
  assert.is(r2.code, 1);
  assert.match(r2.stderr, /\/linux\/uidMappings: write the user namespace's id maps: newuidmap or newgidmap is not in \$PATH \(package uidmap\)/);
});

// cgroups of a rootless container, by runc's rules: none of its own without a delegated cgroup
// v2 subtree (then a limit is an error naming it); with one, its own cgroup and limits. The
// cgroup v2 guest (test/vm) runs these too.
test("rootless without a delegated cgroup: a limit is refused naming it; without one the container stays in the caller's cgroups", () => {
  const env = userEnv();
  const limited = rootlessBundle(env, ["true"], { resources: { pids: { limit: 42 } } });
  const r = asUser(["run", "--bundle", limited, "cg1"], env);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\/linux\/resources\/pids\/limit: cannot be applied: a rootless container gets a cgroup only in a delegated cgroup v2 subtree/);
  const plain = rootlessBundle(env, ["cat", "/proc/self/cgroup"]);
  const ok = asUser(["run", "--bundle", plain, "cg2"], env);
  assert.is(ok.code, 0, ok.stderr);
});

testNeeding("rootless in a delegated cgroup v2 subtree: the container gets its own cgroup there, with its limits", hostCgroupMode() === "v2" ? null : "this host's cgroups are not v2", () => {
  // What systemd gives a user: a subtree it owns, its shell in a leaf of it.
  const deleg = "/sys/fs/cgroup/ocirun-deleg";
  mkdirSync(join(deleg, "self"), { recursive: true });
  writeFileSync(join(deleg, "cgroup.subtree_control"), "+pids +memory");
  for (const d of [deleg, join(deleg, "self")]) {
    for (const f of ["", "cgroup.procs", "cgroup.subtree_control"]) chownSync(join(d, f), UID, GID);
  }
  try {
    const env = userEnv();
    const b = rootlessBundle(env, ["sh", "-c", "cat /proc/self/cgroup /sys/fs/cgroup/pids.max"], { resources: { pids: { limit: 42 } } });
    const [bin, ...pre] = ocirunCommand();
    const r = spawnSync("sh", ["-c", `echo $$ > ${deleg}/self/cgroup.procs && exec "$@"`, "sh",
      "/usr/bin/setpriv", `--reuid=${UID}`, `--regid=${GID}`, "--init-groups", bin, ...pre, "run", "--bundle", b, "cg3"], { encoding: "utf8", env });
    assert.is(r.status, 0, r.stderr);
    assert.is(words(r.stdout), "0::/ 42", "rooted at its own cgroup, limited");
    assert.equal(readdirSync(deleg).filter((e) => statSync(join(deleg, e)).isDirectory()), ["self"], "run removed its cgroup");
  } finally {
    rmdirSync(join(deleg, "self"));
    rmdirSync(deleg);
  }
});

test("hooks of a rootless container: createRuntime as the user, createContainer placed in its namespaces", () => {
  const env = userEnv();
  const out = userDir();
  const log = join(out, "log");
  const hook = (name: string) => ({
    path: "/bin/busybox",
    args: ["sh", "-c", `echo "${name} $(id -u) $(readlink /proc/self/ns/user) $(readlink /proc/self/ns/mnt)" >> ${log}`],
  });
  const b = rootlessBundle(env, ["true"]);
  const config = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  config.hooks = { createRuntime: [hook("createRuntime")], createContainer: [hook("createContainer")] };
  writeFileSync(join(b, "config.json"), JSON.stringify(config));
  const c = asUser(["create", "--bundle", b, "h1"], env);
  assert.is(c.code, 0, c.stderr);
  const pid = JSON.parse(asUser(["state", "h1"], env).stdout).pid;
  const ns = (p: number | string, kind: string) => execFileSync("readlink", [`/proc/${p}/ns/${kind}`], { encoding: "utf8" }).trim();
  const lines = readFileSync(log, "utf8").trim().split("\n");
  assert.equal(lines, [
    `createRuntime ${UID} ${ns("self", "user")} ${ns("self", "mnt")}`,
    `createContainer 0 ${ns(pid, "user")} ${ns(pid, "mnt")}`,
  ]);
  assert.is(asUser(["delete", "--force", "h1"], env).code, 0);
});

// issue 12, point 1 for a rootless caller: NOTIFY on the syscalls the runtime itself makes.
test("NOTIFY on close, read, openat, execve... in a rootless container: the listener reaches the agent, no deadlock", async () => {
  const env = userEnv();
  const dir = userDir();
  const sock = join(dir, "agent.sock");
  const out = join(dir, "agent.out");
  // Nothing denied (nr 100000): every notification continues.
  const agent = spawn("python3", [join(repo, "test/fixtures/seccomp-agent.py"), sock, out, "100000", "1"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    assert.ok(await waitFor(() => existsSync(sock), 5000), "the agent listens");
    chownSync(sock, UID, GID);
    const names = ["close", "read", "openat", "execve", "execveat", "sendto", "sendmsg", "recvfrom", "recvmsg", "fcntl", "prctl"];
    const seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names, action: "SCMP_ACT_NOTIFY" }], listenerPath: sock };
    const b = rootlessBundle(env, ["sh", "-c", "grep -c ^Seccomp: /proc/self/status; echo done"], { seccomp });
    const r = asUser(["run", "--bundle", b, "n1"], env);
    assert.equal([r.code, r.stdout, r.stderr], [0, "1\ndone\n", ""]);
    assert.ok(readFileSync(out, "utf8").split("\n").some((l) => l.startsWith("nr=")), "the agent answered the container's syscalls");
  } finally {
    agent.kill();
  }
});

test.run();
