// Plans run from a separate node or bun process whose fds the test controls: the addon under
// Node 20, --preserve-fds and fd leaks, and the exec failure after start (on stderr).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PlanBuilder, containerPlan, execShell } from "../util/plan-builder.ts";
import * as O from "../../host/plan/ops.gen.ts";

const ADDON_PATH = path.resolve(import.meta.dirname, "../../addon/build/Release/ocirun.node");

// Run by `node -e` or `bun -e` with one JSON argument: create, release, start, wait; prints RESULT on stderr.
const NODE_RUNNER = `
const fs = require("fs");
const a = require(process.env.OCIRUN_ADDON);
const { plan, preserveFds, fifo, unlinkBeforeStart, exitAfterRelease } = JSON.parse(process.argv[process.argv.length - 1]);
const report = (r) => process.stderr.write("RESULT " + JSON.stringify(r) + "\\n");
if (a.mkfifo(fifo, 0o600) !== 0) throw new Error("mkfifo");
const f = fs.openSync(fifo, "r+");
const r = a.spawnInit(Buffer.from(plan, "base64"), f, preserveFds);
fs.closeSync(f);
if (!("pid" in r)) { report(r); process.exit(0); }
if (exitAfterRelease) report({ pid: r.pid });
a.releaseInit(r.sync);
if (exitAfterRelease) process.kill(process.pid, "SIGKILL"); // the fastest exit there is
if (unlinkBeforeStart) fs.unlinkSync(unlinkBeforeStart);
const w = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
fs.writeSync(w, "!");
fs.closeSync(w);
const p = a.waitExit(r.pid);
if (!(p instanceof Promise)) throw new Error("waitExit must return a Promise");
p.then(report);
`;

let tmp = "";
let rootfs = "";

test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocirun-exec-node-"));
  rootfs = path.join(tmp, "rootfs");
  execFileSync("sh", [path.resolve(import.meta.dirname, "../fixtures/make-rootfs.sh"), rootfs]);
});

test.after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const BUN = path.resolve(import.meta.dirname, "../../node_modules/.bin/bun");

let runs = 0;
/** Runs the plan from a node (or bun) process; fds[i] becomes its fd 3+i ("ignore": closed). */
function runUnderNode(
  b: PlanBuilder,
  opts: { preserveFds?: number; fds?: (number | "ignore")[]; unlinkBeforeStart?: string; runtime?: string; exitAfterRelease?: boolean; fifo?: string } = {},
) {
  const n = runs++;
  const arg = JSON.stringify({
    plan: Buffer.from(b.bytes()).toString("base64"),
    preserveFds: opts.preserveFds ?? 0,
    fifo: opts.fifo ?? path.join(tmp, `exec-${n}.fifo`),
    unlinkBeforeStart: opts.unlinkBeforeStart,
    exitAfterRelease: opts.exitAfterRelease,
  });
  // Files, not pipes: a created init keeps the runner's stdio open after the runner exits.
  const stdout = path.join(tmp, `stdout-${n}`), stderr = path.join(tmp, `stderr-${n}`);
  const outFd = fs.openSync(stdout, "w"), errFd = fs.openSync(stderr, "w");
  let r;
  try {
    r = spawnSync(opts.runtime ?? "node", ["-e", NODE_RUNNER, arg], {
      stdio: ["ignore", outFd, errFd, ...(opts.fds ?? [])],
      env: { ...process.env, OCIRUN_ADDON: ADDON_PATH },
      timeout: 20_000,
    });
  } finally {
    fs.closeSync(outFd);
    fs.closeSync(errFd);
  }
  const errText = fs.readFileSync(stderr, "utf8");
  if (!opts.exitAfterRelease) assert.is(r.status, 0, `runner failed: ${errText}`);
  const lines = errText.split("\n");
  const result = lines.find((l) => l.startsWith("RESULT "));
  if (!result) throw new Error("no RESULT from the runner: " + errText);
  return { result: JSON.parse(result.slice(7)), stdout: fs.readFileSync(stdout, "utf8"), stderr: lines.filter((l) => l && !l.startsWith("RESULT ")) };
}

test("node: the addon loads and waitExit's Promise resolves", () => {
  const out = fs.mkdtempSync(path.join(tmp, "out-"));
  const b = execShell(containerPlan(rootfs, out), "echo under-node > /out/marker; exit 5");
  assert.equal(runUnderNode(b).result, { code: 5, signal: 0 });
  assert.is(fs.readFileSync(path.join(out, "marker"), "utf8"), "under-node\n");
});

// fd 40 (after a gap) is one that Node leaves without close-on-exec: libuv marks only the
// first 16 fds and the run after them. Under bun, fd 3 is the one left without it.
test("preserveFds 1 passes exactly fd 3; inherited fds without close-on-exec stay out", () => {
  const open = (name: string) => {
    fs.writeFileSync(path.join(tmp, name), `through-${name}\n`);
    return fs.openSync(path.join(tmp, name), "r");
  };
  const fd3 = open("fd3"), fd40 = open("fd40");
  const fds = [fd3, ...Array<"ignore">(36).fill("ignore"), fd40];
  try {
    const out = fs.mkdtempSync(path.join(tmp, "out-"));
    const script = "for i in $(seq 3 64); do [ -L /proc/$$/fd/$i ] && echo fd $i; done; cat <&3";
    const plan = () => execShell(containerPlan(rootfs, out), script);
    const one = runUnderNode(plan(), { preserveFds: 1, fds });
    assert.equal(one.result, { code: 0, signal: 0 });
    assert.is(one.stdout, "fd 3\nthrough-fd3\n");

    const none = runUnderNode(plan(), { preserveFds: 0, fds });
    assert.is(none.stdout, "", "node: without preserveFds no fd crosses");
    assert.equal(none.stderr, ["sh: 3: Bad file descriptor"]);

    const bun = runUnderNode(plan(), { preserveFds: 0, fds, runtime: BUN });
    assert.is(bun.stdout, "", "bun: without preserveFds no fd crosses");
  } finally {
    fs.closeSync(fd3);
    fs.closeSync(fd40);
  }
});

test("CHDIR into a host directory through a preserved fd fails with EPERM (CVE-2024-21626)", () => {
  const hostDir = fs.openSync(tmp, "r");
  try {
    const b = containerPlan(rootfs, fs.mkdtempSync(path.join(tmp, "out-")));
    const cd = b.op(O.OP_CHDIR, "/proc/self/fd/3");
    execShell(b, "true");
    assert.equal(runUnderNode(b, { preserveFds: 1, fds: [hostDir] }).result, { op: cd, errno: os.constants.errno.EPERM });
  } finally {
    fs.closeSync(hostDir);
  }
});

// `create` exits right after releaseInit: the init must already have dropped PDEATHSIG.
test("the init survives its creator exiting right after releaseInit, and starts later", async () => {
  for (const runtime of ["node", BUN]) {
    for (let i = 0; i < 10; i++) {
      const out = fs.mkdtempSync(path.join(tmp, "out-"));
      const fifo = path.join(tmp, `created-${runs}.fifo`);
      const b = execShell(containerPlan(rootfs, out), "echo started > /out/marker");
      const { pid } = runUnderNode(b, { exitAfterRelease: true, runtime, fifo }).result;
      try {
        await new Promise((r) => setTimeout(r, 20));
        assert.ok(fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8")), `${runtime} #${i}: the created init is alive`);
        const w = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        fs.writeSync(w, "!");
        fs.closeSync(w);
        // The shell creates the file before it writes to it: wait for the content, not the name.
        const marker = () => (fs.existsSync(path.join(out, "marker")) ? fs.readFileSync(path.join(out, "marker"), "utf8") : "");
        for (let t = 0; t < 400 && marker() !== "started\n"; t++) await new Promise((r) => setTimeout(r, 5));
        assert.is(marker(), "started\n");
      } finally {
        try { process.kill(pid, "SIGKILL"); } catch {}
      }
    }
  }
});

test("execve failing after start: a line on the container's stderr and exit 127", () => {
  const out = fs.mkdtempSync(path.join(tmp, "out-"));
  fs.copyFileSync(path.join(rootfs, "bin/busybox"), path.join(rootfs, "bin/vanishing"));
  fs.chmodSync(path.join(rootfs, "bin/vanishing"), 0o755);
  const b = containerPlan(rootfs, out);
  b.op(O.OP_FIND_EXEC, ["/bin/vanishing"]);
  b.op(O.OP_WAIT_START);
  b.op(O.OP_EXEC, ["true"], []);
  const r = runUnderNode(b, { unlinkBeforeStart: path.join(rootfs, "bin/vanishing") });
  assert.equal(r.result, { code: 127, signal: 0 });
  assert.equal(r.stderr, ["ocirun: exec /bin/vanishing: errno 2"]);
});

test.run();
