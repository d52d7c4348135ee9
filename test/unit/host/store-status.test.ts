// Status is derived from the recorded init (pid + start time) and exec.fifo, with real processes.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listContainers, nowRfc3339Nano, ociState, openContainer, readState, statusOf, writeState } from "../../../host/store.ts";
import { isLive, procStat } from "../../../host/proc.ts";
import { fakeContainer, stopFake } from "../../util/fake-container.ts";
import { tempRoot } from "../../util/ocirun.ts";

const { dir: tmp, root } = tempRoot();
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function status(id: string) {
  const c = openContainer(root, id)!;
  return statusOf(c);
}

test("procStat reads state and start time, even with ') ' in comm", async () => {
  const exe = join(tmp, "a) b (c");
  copyFileSync("/bin/sleep", exe);
  const child = spawn(exe, ["1000"], { stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await new Promise((r) => setTimeout(r, 50)); // until the exec has renamed comm
    const st = procStat(child.pid!)!;
    // A split at the first ')' would read "b" as the state and a wrong field as the start time.
    assert.ok(st.state === "S" && /^[0-9]+$/.test(st.startTime), JSON.stringify(st));
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
  assert.is(procStat(0), null);
  assert.is(procStat(2 ** 22 + 1), null);
});

test("running: live pid with matching start time and no exec.fifo", async () => {
  const f = fakeContainer(root, "run1");
  try {
    assert.is(status("run1"), "running");
    const c = openContainer(root, "run1")!;
    assert.equal(ociState(c as never, "running").pid, f.pid);
  } finally {
    await stopFake(f);
  }
  assert.is(status("run1"), "stopped");
});

test("created: exec.fifo present; running once it is removed", async () => {
  const f = fakeContainer(root, "cre1", { created: true });
  try {
    assert.is(status("cre1"), "created");
    unlinkSync(join(f.dir, "exec.fifo"));
    assert.is(status("cre1"), "running");
  } finally {
    await stopFake(f);
  }
});

test("a reused pid (other start time) is stopped, pid reported as 0", async () => {
  const f = fakeContainer(root, "reuse1");
  try {
    const path = join(f.dir, "state.json");
    const s = JSON.parse(readFileSync(path, "utf8"));
    s.pidStartTime = String(Number(f.startTime) - 1);
    writeFileSync(path, JSON.stringify(s));
    assert.is(status("reuse1"), "stopped");
    const c = openContainer(root, "reuse1")!;
    assert.is(ociState(c as never, statusOf(c)).pid, 0);
  } finally {
    await stopFake(f);
  }
});

test("a zombie is stopped", async () => {
  const f = fakeContainer(root, "zomb1");
  // Block the reap: Bun/Node reap children asynchronously, so poll until the kernel reports Z
  // or the process is gone; both must read as stopped.
  process.kill(f.pid, "SIGKILL");
  for (let i = 0; i < 200 && procStat(f.pid)?.state !== "Z" && procStat(f.pid) !== null; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.not.ok(isLive(f.pid, f.startTime));
  assert.is(status("zomb1"), "stopped");
  await f.exited;
});

test("ociState: runc's field order, annotations omitted when empty", async () => {
  const f = fakeContainer(root, "order1", { annotations: { a: "b" } });
  try {
    const c = openContainer(root, "order1")!;
    assert.equal(Object.keys(ociState(c as never, statusOf(c))), [
      "ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner",
    ]);
    c.state!.annotations = {};
    assert.not.ok("annotations" in ociState(c as never, "running"));
  } finally {
    await stopFake(f);
  }
});

test("writeState is atomic and readState tolerant", () => {
  const c = openContainer(root, "order1")!;
  writeState(c, { ...c.state!, bundle: "/new" });
  assert.equal(readdirSync(c.dir).sort(), ["state.json"]);
  assert.is(readState(c.dir)!.bundle, "/new");
  writeFileSync(join(c.dir, "state.json"), JSON.stringify({ id: "order1", pid: 5, extra: { x: 1 } }));
  const s = readState(c.dir)!;
  assert.equal([s.pid, s.pidStartTime, s.annotations, s.hasProcess, s.owner], [5, "", {}, true, ""]);
  writeFileSync(join(c.dir, "state.json"), "{not json");
  assert.is(readState(c.dir), null);
});

test("listContainers skips half-created dirs, files and invalid names; missing root lists nothing", () => {
  const ids = listContainers(root).map((c) => c.id);
  assert.ok(ids.includes("run1") && ids.includes("reuse1"));
  assert.not.ok(ids.includes("order1")); // state.json is now unreadable: half-created
  writeFileSync(join(root, "afile"), "");
  assert.not.ok(listContainers(root).some((c) => c.id === "afile"));
  assert.equal(listContainers(join(tmp, "nope")), []);
  assert.not.ok(existsSync(join(tmp, "nope")));
});

test("created timestamps: RFC 3339 with up to 9 fraction digits, no trailing zeros (Go's RFC3339Nano)", () => {
  for (let i = 0; i < 50; i++) {
    const t = nowRfc3339Nano();
    assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/.test(t), t);
    assert.ok(Math.abs(Date.parse(t) - Date.now()) < 1000, t);
  }
});

test.run();
