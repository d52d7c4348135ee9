// The lifecycle with real containers (root): run's output and exit code, every state
// transition, the pid file, signals, the delete rules, two containers at once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
test.after(() => {
  for (const id of readdirSync(root, { withFileTypes: true }).map((e) => e.name)) oci("delete", "--force", id);
  t.cleanup();
});


test("run prints the container's output and exits with its status", () => {
  const b = t.bundle(["sh", "-c", "echo out; echo err >&2; hostname; exit 7"]);
  const r = oci("run", "--bundle", b, "r1");
  assert.is(r.stdout, "out\nocirun\n");
  assert.is(r.stderr, "err\n");
  assert.is(r.code, 7);
  assert.not.ok(existsSync(join(root, "r1")), "run deletes the container after it exits");
});

test("run --keep leaves a stopped container that state still reports", () => {
  const b = t.bundle(["true"]);
  assert.is(oci("run", "--keep", "--bundle", b, "r2").code, 0);
  const s = state("r2");
  assert.equal([s.status, s.pid, s.id, s.bundle], ["stopped", 0, "r2", b]);
  assert.is(oci("delete", "r2").code, 0);
  assert.not.ok(existsSync(join(root, "r2")));
});

test("create → created, start → running, exit → stopped, delete → gone", () => {
  const b = t.bundle(["sh", "-c", "read x"], { "/process/args": ["sleep", "1000"] });
  const pidFile = join(t.dir, "c1.pid");
  const r = oci("create", "--bundle", b, "--pid-file", pidFile, "c1");
  assert.is(r.code, 0, r.stderr);
  const s = state("c1");
  assert.is(s.status, "created");
  assert.is(readFileSync(pidFile, "utf8"), String(s.pid), "pid file: the pid, no newline");
  assert.ok(s.pid > 0);
  assert.match(s.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  assert.equal(Object.keys(s), ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"]);
  // The process has not run: the init is still ours, waiting, not sleep.
  assert.not.match(readFileSync(`/proc/${s.pid}/cmdline`, "latin1"), "sleep");

  const del = oci("delete", "--force", "nope");
  assert.is(del.code, 0);
  assert.is(oci("start", "c1").code, 0);
  assert.ok(waitFor(() => readFileSync(`/proc/${s.pid}/cmdline`, "latin1").startsWith("sleep")), "sleep runs after start");
  assert.is(state("c1").status, "running");

  const again = oci("start", "c1");
  assert.is(again.code, 1);
  assert.match(again.stderr, "not created");
  const noForce = oci("delete", "c1");
  assert.is(noForce.code, 1);
  assert.match(noForce.stderr, "not stopped");
  assert.is(state("c1").status, "running", "a refused delete changes nothing");

  assert.is(oci("kill", "c1", "KILL").code, 0);
  assert.ok(waitFor(() => state("c1").status === "stopped"));
  const killStopped = oci("kill", "c1");
  assert.is(killStopped.code, 1);
  assert.match(killStopped.stderr, "container not running");
  assert.is(oci("delete", "c1").code, 0);
  assert.not.ok(existsSync(join(root, "c1")));
  assert.is(oci("state", "c1").code, 1);
});

test("delete of a created container kills and deletes it (as runc does)", () => {
  const b = t.bundle(["true"]);
  assert.is(oci("create", "--bundle", b, "c2").code, 0);
  const pid = state("c2").pid;
  assert.is(oci("delete", "c2").code, 0);
  assert.ok(waitFor(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "latin1").includes(") Z")));
  assert.not.ok(existsSync(join(root, "c2")));
});

test("kill TERM of a created container (pid 1 of its namespace) kills it", () => {
  const b = t.bundle(["true"]);
  assert.is(oci("create", "--bundle", b, "c3").code, 0);
  assert.is(oci("kill", "c3").code, 0);
  assert.ok(waitFor(() => state("c3").status === "stopped"));
  assert.is(oci("delete", "c3").code, 0);
});

test("signals reach the container's process: a trap sees USR1 and TERM", () => {
  const out = join(t.dir, "trap-out");
  const b = t.bundle(["sh", "-c", "trap 'echo usr1 >> /out/log' USR1; trap 'echo term >> /out/log; exit 3' TERM; echo ready >> /out/log; while true; do sleep 0.05; done"], {
    "/mounts/7": { destination: "/out", type: "bind", source: t.dir, options: ["rbind"] },
  });
  assert.is(oci("run", "--detach", "--bundle", b, "s1").code, 0);
  const log = () => (existsSync(join(t.dir, "log")) ? readFileSync(join(t.dir, "log"), "utf8") : "");
  assert.ok(waitFor(() => log().includes("ready")), "container started");
  assert.is(oci("kill", "s1", "USR1").code, 0);
  assert.ok(waitFor(() => log().includes("usr1")), log());
  assert.is(oci("kill", "s1", "SIGTERM").code, 0);
  assert.ok(waitFor(() => log().includes("term")), log());
  assert.ok(waitFor(() => state("s1").status === "stopped"));
  assert.is(oci("delete", "s1").code, 0);
  void out;
});

test("two containers at once have their own pid namespaces and hostnames", () => {
  const b1 = t.bundle(["sleep", "100"], { "/hostname": "one" });
  const b2 = t.bundle(["sleep", "100"], { "/hostname": "two" });
  assert.is(oci("run", "-d", "--bundle", b1, "two-a").code, 0);
  assert.is(oci("run", "-d", "--bundle", b2, "two-b").code, 0);
  const list = JSON.parse(oci("list", "--format", "json").stdout);
  const ids = list.map((c: any) => c.id).filter((id: string) => id.startsWith("two-"));
  assert.equal(ids, ["two-a", "two-b"]);
  const pa = state("two-a").pid, pb = state("two-b").pid;
  assert.is.not(readFileSync(`/proc/${pa}/status`, "utf8").match(/NSpid:.*/)?.[0], undefined);
  assert.match(readFileSync(`/proc/${pa}/status`, "utf8"), /NSpid:\s+\d+\s+1\n/);
  assert.match(readFileSync(`/proc/${pb}/status`, "utf8"), /NSpid:\s+\d+\s+1\n/);
  assert.is(oci("delete", "-f", "two-a").code, 0);
  assert.is(oci("delete", "-f", "two-b").code, 0);
});

test("create without process works; start of it fails and changes nothing", () => {
  const b = t.bundle(["true"], { "/process": undefined });
  assert.is(oci("create", "--bundle", b, "np").code, 0, "create without process");
  const r = oci("start", "np");
  assert.is(r.code, 1);
  assert.match(r.stderr, "/process");
  assert.is(state("np").status, "created");
  assert.is(oci("delete", "np").code, 0);
});

test("a duplicate id is refused and the first container is untouched", () => {
  const b = t.bundle(["sleep", "100"]);
  assert.is(oci("create", "--bundle", b, "dup").code, 0);
  const first = state("dup");
  const r = oci("create", "--bundle", b, "dup");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), 'container with id "dup" already exists');
  assert.equal(state("dup"), first);
  assert.is(oci("delete", "dup").code, 0);
});

test.run();
