// containerd as a client (root, Debian's containerd 1.6 with its runc v2 shim, as containerd and
// so Kubernetes drive a runtime): a private containerd (test/clients/containerd.ts), ctr with
// --runc-binary (the shim's BinaryName) naming ocirun, and a busybox root filesystem given with
// --rootfs (there is no registry here). The shim runs the runtime with --root, --log and
// --log-format json, and parses its pid file, its exit statuses and its errors.
//
// OCIRUN_CONTAINERD_RUNTIME picks the runtime: `ocirun` (default: $OCIRUN_BIN, else
// build/ocirun), `runc` (to check the harness itself) or a path.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repo } from "../util/ocirun.ts";
import { waitFor } from "../util/wait.ts";
import { packageMissing, testNeeding } from "../util/needs.ts";
import { Containerd, containerdAvailability, type Result } from "./containerd.ts";
import { cgroupDirs, processesMentioning } from "./host-processes.ts";

const wanted = process.env.OCIRUN_CONTAINERD_RUNTIME || "ocirun";
const runtimePath = wanted === "runc" ? "/usr/sbin/runc" : resolve(repo, wanted === "ocirun" ? process.env.OCIRUN_BIN || "build/ocirun" : wanted);
const label = wanted === "runc" || wanted === "ocirun" ? wanted : runtimePath;
const where = containerdAvailability();

let c: Containerd | undefined;
let startError: unknown;
let rootfs = "";
let ids = 0;

test.before(async () => {
  if ("skip" in where) return;
  try {
    if (!existsSync(runtimePath)) throw new Error(`${runtimePath} is missing (npm run build)`);
    c = new Containerd(where);
    await c.start();
    rootfs = mkdtempSync(join(tmpdir(), "ocirun-containerd-rootfs-"));
    execFileSync(join(repo, "test/fixtures/make-rootfs.sh"), [rootfs]);
  } catch (err) {
    startError = err;
  }
});

test.after(async () => {
  await c?.stop();
  if (rootfs) rmSync(rootfs, { recursive: true, force: true });
});

/** A test that needs the containerd: skipped (counted as such) where it cannot run. */
function containerdTest(name: string, fn: (c: Containerd) => void): void {
  testNeeding(`containerd (--runc-binary ${label}): ${name}`, "skip" in where ? (where.pkg ? packageMissing(where.pkg, false) : where.skip) : null, () => {
    if (!c || startError) throw startError ?? new Error("no containerd");
    fn(c);
  });
}

function ok(r: Result, what: string): Result {
  assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** ctr run with the runtime under test and the busybox rootfs; options before the rootfs. */
function run(c: Containerd, options: string[], id: string, args: string[]): Result {
  return c.ctr(["run", "--rootfs", "--runc-binary", runtimePath, "--fifo-dir", c.fifoDir, ...options, rootfs, id, ...args]);
}

const newId = () => `ctr${++ids}`;

/** Nothing of the container is left: no process naming it, no state under the runtime's
 * root, no cgroup. */
function nothingLeft(c: Containerd, id: string): void {
  assert.equal(processesMentioning(id), [], "processes left");
  const root = c.runtimeRoot();
  assert.ok(!existsSync(root) || !readdirSync(root).includes(id), `state left under ${root}`);
  assert.equal(cgroupDirs(`/${c.namespace}/${id}`), [], "cgroups left");
}

containerdTest("run --rm: stdout, stderr and the exit status come back", (c) => {
  const id = newId();
  const r = run(c, ["--rm"], id, ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.is(r.code, 3, r.stderr);
  assert.is(r.stdout, "out\n");
  assert.match(r.stderr, "err");
  nothingLeft(c, id);
});

containerdTest("a command that cannot run: ctr run fails with the runtime's reason as one clean line, nothing left", (c) => {
  const id = newId();
  const r = run(c, ["--rm"], id, ["/no/such/program"]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /no such file or directory|not found/i);
  // The shim runs the runtime with --log-format json and takes the message from the record.
  assert.not.match(r.stderr, /level=error msg=|time="/, "a log record glued into the message");
  c.ctr(["container", "delete", id]);
  nothingLeft(c, id);
});

containerdTest("run -d, task exec, ps, pause and resume, metrics, kill, delete", (c) => {
  const id = newId();
  // sh as pid 1 ignores TERM unless it traps it.
  ok(run(c, ["-d"], id, ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]), "ctr run -d");
  const status = () => (c.ctr(["task", "ls"]).stdout.split("\n").find((l) => l.startsWith(id + " ")) ?? "").trim().split(/\s+/)[2];
  try {
    assert.ok(waitFor(() => status() === "RUNNING", 10_000), `status ${status()}`);
    assert.is(ok(c.ctr(["task", "exec", "--fifo-dir", c.fifoDir, "--exec-id", "e1", id, "/bin/echo", "from-exec"]), "task exec").stdout, "from-exec\n");
    assert.is(c.ctr(["task", "exec", "--fifo-dir", c.fifoDir, "--exec-id", "e2", id, "/bin/sh", "-c", "exit 5"]).code, 5, "exec's exit status");
    const ps = ok(c.ctr(["task", "ps", id]), "task ps").stdout;
    assert.ok(ps.trim().split("\n").length >= 2, ps);
    ok(c.ctr(["task", "pause", id]), "task pause");
    assert.is(status(), "PAUSED");
    ok(c.ctr(["task", "resume", id]), "task resume");
    assert.is(status(), "RUNNING");
    // The figures are the container's own cgroup's.
    const metrics = ok(c.ctr(["task", "metrics", id]), "task metrics").stdout;
    assert.match(metrics, /memory/i);
    ok(c.ctr(["task", "kill", "-s", "SIGTERM", id]), "task kill");
    assert.ok(waitFor(() => status() === "STOPPED", 10_000), `status after kill: ${status()}`);
    ok(c.ctr(["task", "delete", id]), "task delete");
    ok(c.ctr(["container", "delete", id]), "container delete");
    nothingLeft(c, id);
  } finally {
    c.ctr(["task", "kill", "-s", "SIGKILL", id]);
    c.ctr(["task", "delete", "-f", id]);
    c.ctr(["container", "delete", id]);
  }
});

test.run();
