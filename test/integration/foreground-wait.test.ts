// A foreground `run` or `exec` whose process outlives the first moments hands its wait to the
// waiter program (addon/waiter/): same pid, a few pages instead of the runtime's heap, and the
// same behaviour: signals forwarded, the exit status passed on, run's delete done after.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestBundles } from "../util/bundle.ts";
import { ocirun, ocirunCommand } from "../util/ocirun.ts";
import { waitFor } from "../util/wait.ts";

const b = new TestBundles();
test.after(() => b.cleanup());

interface Running { pid: number; done: Promise<{ code: number | null; stdout: string; stderr: string }> }

/** Starts `ocirun --root <root> ...args` in the background, its output collected. */
function start(args: string[]): Running {
  const [cmd, ...pre] = ocirunCommand();
  const child = spawn(cmd, [...pre, "--root", b.root, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => child.on("close", (code) => res({ code, stdout, stderr })));
  return { pid: child.pid!, done };
}

/** The waiter has the pid once /proc/<pid>/comm says so; its PSS in kB then. */
function waiterPss(pid: number): number {
  assert.ok(waitFor(() => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "ocirun:wait", 5000), "the run never became the waiter");
  return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))![1]);
}

test("a long foreground run is waited for by the waiter: small, exit status passed on, container deleted after", async () => {
  const bundle = b.bundle(["sh", "-c", "sleep 1; echo out; exit 42"]);
  const r = start(["run", "--bundle", bundle, "fw-exit"]);
  const pss = waiterPss(r.pid);
  assert.ok(pss < 1024, `waiter PSS ${pss} kB`);
  const { code, stdout, stderr } = await r.done;
  assert.is(code, 42, stderr);
  assert.is(stdout, "out\n");
  assert.not.ok(existsSync(join(b.root, "fw-exit")), "the state dir is left");
  assert.match(ocirun(["state", "fw-exit"], { root: b.root }).stderr, "does not exist");
});

test("signals sent to a foreground run go on to its process after the hand-off", async () => {
  const bundle = b.bundle(["sh", "-c", "trap 'echo got-term; exit 7' TERM; sleep 10 & wait"]);
  const r = start(["run", "--bundle", bundle, "fw-sig"]);
  waiterPss(r.pid);
  process.kill(r.pid, "SIGTERM");
  const { code, stdout, stderr } = await r.done;
  assert.is(code, 7, stderr);
  assert.is(stdout, "got-term\n");
  assert.not.ok(existsSync(join(b.root, "fw-sig")));
});

test("run --keep after the hand-off leaves the stopped container", async () => {
  const bundle = b.bundle(["sh", "-c", "sleep 0.5; exit 3"]);
  const r = start(["run", "--keep", "--bundle", bundle, "fw-keep"]);
  waiterPss(r.pid);
  assert.is((await r.done).code, 3);
  assert.is(JSON.parse(ocirun(["state", "fw-keep"], { root: b.root }).stdout).status, "stopped");
  assert.is(ocirun(["delete", "fw-keep"], { root: b.root }).code, 0);
});

test("a long foreground exec is waited for by the waiter, its status passed on", async () => {
  const bundle = b.bundle(["sleep", "30"]);
  assert.is(ocirun(["run", "-d", "--bundle", bundle, "fw-exec"], { root: b.root }).code, 0);
  const r = start(["exec", "fw-exec", "sh", "-c", "sleep 0.6; exit 5"]);
  const pss = waiterPss(r.pid);
  assert.ok(pss < 1024, `waiter PSS ${pss} kB`);
  assert.is((await r.done).code, 5);
  assert.is(JSON.parse(ocirun(["state", "fw-exec"], { root: b.root }).stdout).status, "running");
  assert.is(ocirun(["delete", "--force", "fw-exec"], { root: b.root }).code, 0);
});

test.run();
