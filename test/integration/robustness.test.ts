// Concurrency and faults: racing creates of one id, a runtime killed at any point of create,
// commands on one id serialized by the state dir's lock.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { ocirun, ocirunCommand, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { sleepSync } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
const [cliBin, ...cliPre] = ocirunCommand();
test.after(() => t.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let outputs = 0;
/** Runs the CLI without waiting; stderr goes to a file (a created container keeps the caller's stdio). */
function runAsync(args: string[]): Promise<{ code: number; stderr: string }> {
  const file = join(t.dir, `stderr${++outputs}`);
  const fd = openSync(file, "w");
  return new Promise((resolve) => {
    const p = spawn(cliBin, [...cliPre, "--root", root, ...args], { stdio: ["ignore", "ignore", fd] });
    closeSync(fd);
    p.on("exit", (code) => resolve({ code: code ?? -1, stderr: readFileSync(file, "utf8") }));
  });
}

/** Processes holding a file of `id`'s state dir: the init (and its intermediate child) hold its
 * exec.fifo from the clone until start. (Their cmdline reads "ocirun init", not the id.) */
function processesOf(id: string): number[] {
  const dir = join(root, id) + "/";
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readdirSync(`/proc/${pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir); } catch { return false; } })) out.push(Number(pid));
    } catch {}
  }
  return out;
}

test("concurrent creates of one id: exactly one container, the losers change nothing", async () => {
  const b = t.bundle(["sleep", "100"]);
  const results = await Promise.all(Array.from({ length: 6 }, () => runAsync(["create", "--bundle", b, "race"])));
  const winners = results.filter((r) => r.code === 0);
  assert.is(winners.length, 1, results.map((r) => r.stderr).join("\n"));
  for (const r of results.filter((r) => r.code !== 0)) assert.match(r.stderr, "already exists");
  const s = JSON.parse(ocirun(["state", "race"], { root }).stdout);
  assert.is(s.status, "created");
  assert.is(ocirun(["delete", "race"], { root }).code, 0);
  assert.equal(readdirSync(root), []);
});

test("a create killed at any point leaves nothing that delete --force does not clean, and no orphan init", async () => {
  const b = t.bundle(["sleep", "100"]);
  for (const delay of [5, 15, 30, 45, 60, 90, 150]) {
    const id = `killed${delay}`;
    const p = spawn(cliBin, [...cliPre, "--root", root, "create", "--bundle", b, id], { stdio: "ignore" });
    const exited = new Promise((r) => p.on("exit", r));
    await sleep(delay);
    p.kill("SIGKILL");
    await exited;
    await sleep(50);
    const d = ocirun(["delete", "--force", id], { root });
    assert.is(d.code, 0, `delay ${delay}: ${d.stderr}`);
    assert.not.ok(existsSync(join(root, id)), `delay ${delay}: state dir left`);
    await sleep(50);
    assert.equal(processesOf(id), [], `delay ${delay}: orphan init`);
  }
});

test("commands on one id wait for the state dir's lock", () => {
  const b = t.bundle(["sleep", "100"]);
  assert.is(ocirun(["create", "--bundle", b, "locked"], { root }).code, 0);
  // flock(1) takes the same flock(2) on the directory that create/start/kill/delete take.
  const holder = spawn("flock", [join(root, "locked"), "sleep", "1"], { stdio: "ignore" });
  sleepSync(200);
  const t0 = Date.now();
  const r = ocirun(["delete", "--force", "locked"], { root });
  const waited = Date.now() - t0;
  assert.is(r.code, 0, r.stderr);
  assert.ok(waited >= 600, `delete returned after ${waited} ms, before the lock was released`);
  holder.kill();
  assert.not.ok(existsSync(join(root, "locked")));
});

test("a full state disk is reported by the file's name, and nothing is left behind", () => {
  const full = join(t.dir, "full-root");
  spawnSync("mkdir", ["-p", full]);
  assert.is(spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full]).status, 0, "mount a small tmpfs");
  try {
    // Fill it: a directory entry still fits (tmpfs counts pages), the first file written in the
    // container's directory (cgroup.json, where create records its cgroups; else state.json) does not.
    spawnSync("dd", ["if=/dev/zero", `of=${join(full, "fill")}`, "bs=4k", "count=100"]);
    const r = ocirun(["create", "--bundle", t.bundle(["true"]), "full1"], { root: full });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`write ${full}/full1/\\.(cgroup|state)\\.json\\.tmp: no space left on device`));
    assert.equal(readdirSync(full), ["fill"]);
  } finally {
    spawnSync("umount", [full]);
  }
});

test.run();
