// Hooks (root, real containers): all six kinds at their points and in order, what each gets
// (state JSON with its status and pid, exactly its args and env, the namespaces it runs in), the
// timeout, and runtime-spec 1.3's failure rules with nothing left behind.
// Every hook is busybox run as `sh -c SCRIPT NAME ...` (args[0] "sh" picks the applet, so a hook
// that did not get args[0] as given would not run at all); the script appends one record per
// run to a log file: name, stdin, argv, its environment, and its namespaces. The environment is
// what busybox sh exports: the hook's, plus SHLVL and PWD, and PATH when the hook has none.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { cgroupDirsNamed } from "../util/cgroup-host.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
test.after(() => t.cleanup());

const BUSYBOX = "/bin/busybox"; // the host's busybox-static; the rootfs has the same one
const BUSYBOX_SH_PATH = "PATH=/sbin:/usr/sbin:/bin:/usr/bin"; // what busybox sh sets without a PATH

// One record per run, fields split by \x1e, records by \x1f. $0 is the hook's name (args[1]).
const RECORD = [
  'stdin=$(cat)',
  'printf "%s\\036%s\\036%s\\036%s\\036%s\\036%s\\036%s\\036%s\\036%s\\036%s\\036%s\\037" "$0" "$stdin" "$*" ' +
    '"$(env)" "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/pid)" ' +
    '"$(readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/uts)" "$([ -e "$STATEDIR" ] && echo yes || echo no)" ' +
    '"$(id -u)" "$(grep CapEff /proc/self/status | cut -f2)" >> "$LOG"',
].join("; ");

interface HookRecord { name: string; state: any; args: string; env: string[]; mnt: string; pid: string; net: string; uts: string; stateDirExists: boolean; uid: string; capEff: string }

function records(log: string): HookRecord[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8").split("\x1f").map((r) => r.replace(/^\n/, "")).filter(Boolean).map((r) => {
    const [name, stdin, args, env, mnt, pid, net, uts, exists, uid, capEff] = r.split("\x1e");
    return { name, state: stdin.startsWith("{") ? JSON.parse(stdin) : stdin, args, env: env.split("\n").filter(Boolean), mnt, pid, net, uts, stateDirExists: exists === "yes", uid, capEff };
  });
}
const names = (log: string) => records(log).map((r) => r.name);

interface Scenario { id: string; dir: string; log: string; bundle: string }

/** A container whose hooks all log to dir/log (the container sees dir at /out). extra: what
 * each hook's script does after logging, by kind; hookPatch: more fields for a kind's hook. */
function scenario(id: string, kinds: string[], opts: { then?: Record<string, string>; timeout?: Record<string, number>; args?: string[]; twice?: string[] } = {}): Scenario {
  const dir = join(t.dir, `hooks-${id}`);
  mkdirSync(dir);
  const log = join(dir, "log");
  const hooks: Record<string, unknown[]> = {};
  for (const kind of kinds) {
    const inside = kind === "startContainer";
    const logPath = inside ? "/out/log" : log;
    const hook = (name: string) => ({
      path: BUSYBOX,
      args: ["sh", "-c", RECORD + (opts.then?.[kind] ? "; " + opts.then[kind] : ""), name, "an arg", "x"],
      env: [`LOG=${logPath}`, `STATEDIR=${join(root, id)}`, "SPACED=a b"],
      ...(opts.timeout?.[kind] ? { timeout: opts.timeout[kind] } : {}),
    });
    hooks[kind] = opts.twice?.includes(kind) ? [hook(kind), hook(kind + "2")] : [hook(kind)];
  }
  const args = opts.args ?? ["sh", "-c", "echo 'process\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1f' >> /out/log; exec sleep 1000"];
  const bundle = t.bundle(args, { "/hooks": hooks, "/annotations": { "z.key": "last", "a.key": "first" } });
  t.addMount(bundle, { destination: "/out", type: "bind", source: dir, options: ["rbind", "rw"] });
  return { id, dir, log, bundle };
}

const ns = (pid: number, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
const ALL = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

test("all six kinds run at their points, in order; each gets the state with its status and pid, and its namespaces", () => {
  const s = scenario("hk-all", ALL);
  const c = oci("create", "--bundle", s.bundle, s.id);
  assert.is(c.code, 0, c.stderr);
  assert.equal(names(s.log), ["prestart", "createRuntime", "createContainer"], "create ran the create-time hooks only");
  const pid = state(s.id).pid;
  const r = oci("start", s.id);
  assert.is(r.code, 0, r.stderr);
  assert.equal(names(s.log).slice(0, 4), ["prestart", "createRuntime", "createContainer", "startContainer"]);
  assert.ok(names(s.log).includes("poststart"), "poststart ran before start returned");
  assert.ok(waitFor(() => names(s.log).includes("process")));
  assert.ok(names(s.log).indexOf("startContainer") < names(s.log).indexOf("process"), "startContainer before the user's process");
  const d = oci("delete", "--force", s.id);
  assert.is(d.code, 0, d.stderr);
  assert.is(names(s.log).at(-1), "poststop", "poststop ran before delete returned");

  const by = Object.fromEntries(records(s.log).map((x) => [x.name, x]));
  const host = { mnt: ns(process.pid, "mnt"), pid: ns(process.pid, "pid"), net: ns(process.pid, "net") };
  const base = { ociVersion: JSON.parse(readFileSync(join(s.bundle, "config.json"), "utf8")).ociVersion, id: s.id, bundle: s.bundle, annotations: { "a.key": "first", "z.key": "last" } };
  // runtime-spec: "creating" until create returns (docs/compat.md, hooks: why not runc-tools' "created").
  assert.equal(by.prestart.state, { ...base, status: "creating", pid });
  assert.equal(by.createRuntime.state, { ...base, status: "creating", pid });
  assert.equal(by.createContainer.state, { ...base, status: "creating", pid: 1 }, "pid as the container sees it");
  assert.equal(by.startContainer.state, { ...base, status: "created", pid: 1 });
  assert.equal(by.poststart.state, { ...base, status: "running", pid });
  assert.equal(by.poststop.state, { ...base, status: "stopped" }, "no pid once gone");
  assert.is(JSON.stringify(Object.keys(by.createRuntime.state)), JSON.stringify(["ociVersion", "id", "status", "pid", "bundle", "annotations"]));
  for (const name of ["prestart", "createRuntime", "poststart", "poststop"]) {
    assert.equal({ mnt: by[name].mnt, pid: by[name].pid, net: by[name].net }, host, `${name} runs in the runtime's namespaces`);
  }
  for (const name of ["createContainer", "startContainer"]) {
    assert.is.not(by[name].mnt, host.mnt, `${name} is in the container's mount namespace`);
    assert.is.not(by[name].pid, host.pid, `${name} is in the container's pid namespace`);
    assert.is.not(by[name].net, host.net, `${name} is in the container's network namespace`);
    assert.is(by[name].uts, by.createContainer.uts);
  }
  assert.ok(by.createRuntime.stateDirExists, "create-time hooks run while the container exists");
  assert.not.ok(by.poststop.stateDirExists, "poststop runs after the container is deleted");
});

test("createContainer runs in the waiting init's very namespaces", () => {
  const s = scenario("hk-ns", ["createContainer"]);
  assert.is(oci("create", "--bundle", s.bundle, s.id).code, 0);
  const pid = state(s.id).pid;
  const [rec] = records(s.log);
  assert.equal([rec.mnt, rec.pid, rec.net, rec.uts], [ns(pid, "mnt"), ns(pid, "pid"), ns(pid, "net"), ns(pid, "uts")]);
  assert.is(oci("delete", "--force", s.id).code, 0);
});

test("a hook gets exactly its args (args[0] as argv[0]) and exactly its env, nothing inherited", () => {
  const s = scenario("hk-env", ["createRuntime", "startContainer"]);
  const r = ocirun(["run", "-d", "--bundle", s.bundle, s.id], { root, env: { ...process.env, LEAKED_FROM_RUNTIME: "1" } });
  assert.is(r.code, 0, r.stderr);
  for (const rec of records(s.log).filter((x) => x.name !== "process")) {
    assert.is(rec.args, "an arg x", `${rec.name}: $1 $2`);
    const env = rec.env.filter((v) => !/^(SHLVL|PWD)=/.test(v)).sort();
    const expected = [`LOG=${rec.name === "startContainer" ? "/out/log" : s.log}`, `STATEDIR=${join(root, s.id)}`, "SPACED=a b", BUSYBOX_SH_PATH];
    assert.equal(env, expected.sort(), `${rec.name}: its env only`);
  }
  assert.is(oci("delete", "--force", s.id).code, 0);
});

test("startContainer runs as the container's process: its user, its capabilities; createContainer as root", () => {
  const s = scenario("hk-creds", ["createContainer", "startContainer"]);
  const file = join(s.bundle, "config.json");
  const config = JSON.parse(readFileSync(file, "utf8"));
  config.process.user = { uid: 1000, gid: 1000 };
  writeFileSync(file, JSON.stringify(config));
  writeFileSync(s.log, "", { mode: 0o666 }); // the log is written as uid 1000 too
  chmodSync(s.log, 0o666);
  const r = oci("run", "-d", "--bundle", s.bundle, s.id);
  assert.is(r.code, 0, r.stderr);
  const by = Object.fromEntries(records(s.log).map((x) => [x.name, x]));
  assert.is(by.createContainer.uid, "0");
  assert.is(by.startContainer.uid, "1000");
  assert.is(by.startContainer.capEff, "0000000000000000", "a non-root process keeps no effective capability");
  assert.is.not(by.createContainer.capEff, "0000000000000000");
  assert.is(oci("delete", "--force", s.id).code, 0);
});

test("hooks of one kind run in config order", () => {
  const s = scenario("hk-order", ["createRuntime", "poststop"], { twice: ["createRuntime", "poststop"] });
  assert.is(oci("run", "-d", "--bundle", s.bundle, s.id).code, 0);
  assert.is(oci("delete", "--force", s.id).code, 0);
  assert.equal(names(s.log).filter((n) => n !== "process"), ["createRuntime", "createRuntime2", "poststop", "poststop2"]);
});

/** Nothing of the container is left: no state, no cgroup. */
function gone(id: string): void {
  assert.is(oci("state", id).code, 1, "no state");
  assert.not.ok(existsSync(join(root, id)), "no state dir");
  assert.equal(cgroupDirsNamed(id), [], "no cgroup");
}

for (const kind of ["prestart", "createRuntime", "createContainer"]) {
  test(`a failing ${kind} hook fails create naming it; no process ran, nothing is left, poststop ran`, () => {
    const s = scenario(`hk-f-${kind}`, ["prestart", "createRuntime", "createContainer", "poststop"], { then: { [kind]: "echo it broke >&2; exit 3" } });
    const r = oci("run", "-d", "--bundle", s.bundle, s.id);
    assert.is(r.code, 1);
    assert.is(errorMessage(r.stderr.trim().split("\n").at(-1)!), `/hooks/${kind}/0: ${BUSYBOX}: exit status 3, stderr: "it broke"`);
    const order = ["prestart", "createRuntime", "createContainer"];
    assert.equal(names(s.log), [...order.slice(0, order.indexOf(kind) + 1), "poststop"], "later hooks did not run; poststop did");
    gone(s.id);
  });
}

test("a hook killed by a signal, and one that cannot be run, are named with why", () => {
  const s = scenario("hk-sig", ["createContainer"], { then: { createContainer: "kill -9 $$" } });
  const r = oci("create", "--bundle", s.bundle, s.id);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `/hooks/createContainer/0: ${BUSYBOX}: signal: killed`);
  gone(s.id);
  const b = t.bundle(["true"], { "/hooks": { createRuntime: [{ path: "/no/such/hook" }] } });
  const missing = oci("create", "--bundle", b, "hk-missing");
  assert.is(missing.code, 1);
  assert.is(errorMessage(missing.stderr.trim()), "/hooks/createRuntime/0: /no/such/hook: cannot run it: no such file or directory");
  gone("hk-missing");
});

test("timeout kills the hook and fails it", () => {
  const s = scenario("hk-timeout", ["createRuntime"], { then: { createRuntime: "sleep 20" }, timeout: { createRuntime: 1 } });
  const began = Date.now();
  const r = oci("create", "--bundle", s.bundle, s.id);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `/hooks/createRuntime/0: ${BUSYBOX}: timed out after 1s`);
  assert.ok(Date.now() - began < 10_000, "not the hook's 20 s");
  gone(s.id);
});

test("a failing startContainer hook fails start naming it; the user's process never runs; the container is stopped", () => {
  const s = scenario("hk-f-start", ["startContainer"], { then: { startContainer: "echo nope; exit 4" } });
  assert.is(oci("create", "--bundle", s.bundle, s.id).code, 0);
  const r = oci("start", s.id);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `/hooks/startContainer/0: ${BUSYBOX}: exit status 4, stdout: "nope"`);
  assert.ok(waitFor(() => state(s.id).status === "stopped"));
  assert.equal(names(s.log), ["startContainer"], "no process");
  assert.is(oci("delete", s.id).code, 0);
});

test("a startContainer hook is timed out by the init", () => {
  const s = scenario("hk-t-start", ["startContainer"], { then: { startContainer: "sleep 20" }, timeout: { startContainer: 1 } });
  assert.is(oci("create", "--bundle", s.bundle, s.id).code, 0);
  const r = oci("start", s.id);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `/hooks/startContainer/0: ${BUSYBOX}: timed out after 1s`);
  assert.is(oci("delete", "--force", s.id).code, 0);
});

test("a failing poststart hook fails start (runtime-spec 1.3) and stops the container", () => {
  const s = scenario("hk-f-poststart", ["poststart", "poststop"], { then: { poststart: "exit 5" }, twice: ["poststart"] });
  assert.is(oci("create", "--bundle", s.bundle, s.id).code, 0);
  const r = oci("start", s.id);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `/hooks/poststart/0: ${BUSYBOX}: exit status 5`);
  assert.ok(waitFor(() => state(s.id).status === "stopped"), "stopped");
  assert.not.ok(names(s.log).includes("poststart2"), "the next poststart hook does not run");
  assert.is(oci("delete", s.id).code, 0);
  assert.is(names(s.log).at(-1), "poststop");
});

test("a failing poststop hook is a warning: delete succeeds and the next poststop hook runs", () => {
  const s = scenario("hk-f-poststop", ["poststop"], { then: { poststop: "exit 6" }, twice: ["poststop"] });
  assert.is(oci("run", "-d", "--bundle", s.bundle, s.id).code, 0);
  const d = oci("delete", "--force", s.id);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stderr, /level=warning msg="\/hooks\/poststop\/0: \/bin\/busybox: exit status 6"/);
  assert.equal(names(s.log).filter((n) => n !== "process"), ["poststop", "poststop2"]);
  gone(s.id);
});

test("run in the foreground: hooks around the process, poststop when run deletes it", () => {
  const s = scenario("hk-run", ALL, { args: ["sh", "-c", "echo 'process\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1e\x1f' >> /out/log"] });
  const r = oci("run", "--bundle", s.bundle, s.id);
  assert.is(r.code, 0, r.stderr);
  const seen = names(s.log);
  assert.equal(seen.slice(0, 4), ["prestart", "createRuntime", "createContainer", "startContainer"]);
  assert.is(seen.at(-1), "poststop");
  assert.ok(seen.includes("process") && seen.includes("poststart"));
  gone(s.id);
});

test("features lists every hook kind", () => {
  const r = oci("features");
  assert.equal(JSON.parse(r.stdout).hooks, ALL);
});

test.run();
