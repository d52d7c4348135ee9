// checkpoint and restore through CRIU (runc's checkpoint.bats, in part). CRIU cannot run on this
// machine's kernel; the cgroup v2 VM (test/vm/run-suites.mjs, with CRIU's modules loaded) runs
// these. Where `criu check` fails they are skipped, saying why.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, ocirunCommand, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { sleepSync, waitFor } from "../util/wait.ts";
import { packageMissing, testNeeding, type Missing } from "../util/needs.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
test.after(() => t.cleanup());

function criuMissing(): Missing | { required: string } {
  const which = spawnSync("sh", ["-c", "command -v criu"]);
  if (which.status !== 0) return packageMissing("criu", false);
  const check = spawnSync("criu", ["check"], { encoding: "utf8" });
  return check.status === 0 ? null : `criu cannot run on this kernel (criu check: ${(check.stderr || check.stdout).trim().split("\n").pop()}); the cgroup v2 VM runs these`;
}
const missing = criuMissing();

// A counter in the container's /dev/shm (a tmpfs CRIU dumps with it), a step every 0.1 s. Its
// stdio is the container's /dev/null: the host's files it started with are outside the
// container's mounts, which CRIU cannot dump (runc's tests give it a terminal or pipes).
// Written through a rename, so a reader never sees the file empty (a restore may stop the
// counter between the truncate and the write).
const counter = ["sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i > /dev/shm/count.new; mv /dev/shm/count.new /dev/shm/count; sleep 0.1; done"];
const count = (id: string) => Number(oci("exec", id, "cat", "/dev/shm/count").stdout.trim());
const status = (id: string) => JSON.parse(oci("state", id).stdout || "{}").status;
// A dump of id into a new image directory, which it returns.
function checkpointed(id: string, ...flags: string[]): string {
  const images = mkdtempSync(join(t.dir, "img-"));
  const ck = oci("checkpoint", ...flags, "--image-path", images, id);
  assert.is(ck.code, 0, ck.stderr);
  return images;
}
// A detached restore of id from images, which must succeed.
function restoredDetached(id: string, bundle: string, images: string, ...flags: string[]): void {
  const rs = oci("restore", "-d", ...flags, "--image-path", images, "--bundle", bundle, id);
  assert.is(rs.code, 0, rs.stderr);
}

testNeeding("checkpoint, then restore: the counter goes on from where it was", missing, () => {
  const b = t.bundle(counter);
  assert.is(oci("run", "-d", "--bundle", b, "cr1").code, 0);
  sleepSync(500);
  const images = checkpointed("cr1");
  assert.not.ok(readdirSync(root).includes("cr1"), "the checkpointed container is gone");
  restoredDetached("cr1", b, images);
  assert.is(status("cr1"), "running");
  const after = count("cr1");
  assert.ok(after > 0, `count ${after}`);
  sleepSync(500);
  assert.ok(count("cr1") > after, "the restored counter goes on");
  assert.is(oci("delete", "--force", "cr1").code, 0);
});

testNeeding("checkpoint --leave-running keeps the container; --pre-dump, then a dump with --parent-path", missing, () => {
  assert.is(oci("run", "-d", "--bundle", t.bundle(counter), "cr2").code, 0);
  const images = mkdtempSync(join(t.dir, "img-"));
  const pre = oci("checkpoint", "--pre-dump", "--image-path", join(images, "parent"), "cr2");
  assert.is(pre.code, 0, pre.stderr);
  assert.is(status("cr2"), "running");
  const leave = oci("checkpoint", "--leave-running", "--image-path", join(images, "full"), "--parent-path", "../parent", "cr2");
  assert.is(leave.code, 0, leave.stderr);
  assert.is(status("cr2"), "running");
  const before = count("cr2");
  sleepSync(300);
  assert.ok(count("cr2") > before, "it still runs");
  assert.is(oci("delete", "--force", "cr2").code, 0);
});

testNeeding("restore in the foreground: waits for the restored process, exits with its status, deletes it", missing, () => {
  const b = t.bundle(["sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while [ $i -lt 30 ]; do i=$((i+1)); sleep 0.1; done; exit 7"]);
  assert.is(oci("run", "-d", "--bundle", b, "cr3").code, 0);
  sleepSync(300);
  const images = checkpointed("cr3");
  const rs = oci("restore", "--image-path", images, "--bundle", b, "cr3");
  assert.is(rs.code, 7, rs.stderr);
  assert.not.ok(readdirSync(root).includes("cr3"), "deleted after it exited");
});

testNeeding("a bind mount is external: restored onto the same host directory, which the process goes on writing", missing, () => {
  const data = mkdtempSync(join(t.dir, "data-"));
  const b = t.bundle(["sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i > /data/count; sleep 0.1; done"]);
  const config = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  config.mounts.push({ destination: "/data", type: "bind", source: data, options: ["rbind", "rw"] });
  writeFileSync(join(b, "config.json"), JSON.stringify(config));
  assert.is(oci("run", "-d", "--bundle", b, "cr4").code, 0);
  sleepSync(300);
  restoredDetached("cr4", b, checkpointed("cr4"));
  const before = Number(readFileSync(join(data, "count"), "utf8"));
  sleepSync(500);
  assert.ok(Number(readFileSync(join(data, "count"), "utf8")) > before, "the restored process writes through the bind");
  assert.is(oci("delete", "--force", "cr4").code, 0);
});

testNeeding("a terminal container: restore --console-socket sends the restored pty's master", missing, async () => {
  const receive = (sock: string) => {
    const r = spawn("python3", [join(repo, "test/fixtures/console-receiver.py"), sock], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    r.stdout.on("data", (d) => (out += d));
    const done = new Promise<string>((ok) => r.on("exit", () => ok(out)));
    assert.ok(waitFor(() => existsSync(sock)), "receiver listens");
    return done;
  };
  const b = t.bundle(["sh", "-c", "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.2; done"], { "/process/terminal": true });
  const first = receive(join(t.dir, "console1.sock"));
  assert.is(oci("run", "-d", "--console-socket", join(t.dir, "console1.sock"), "--bundle", b, "cr5").code, 0);
  sleepSync(800);
  const images = checkpointed("cr5");
  const ticks = (out: string) => [...out.matchAll(/tick(\d+)/g)].map((m) => Number(m[1]));
  const before = ticks(await first);
  assert.ok(before.length > 0, "ticks before the checkpoint");
  const second = receive(join(t.dir, "console2.sock"));
  restoredDetached("cr5", b, images, "--console-socket", join(t.dir, "console2.sock"));
  sleepSync(800);
  assert.is(oci("delete", "--force", "cr5").code, 0);
  const after = ticks(await second);
  assert.ok(after.length > 0 && after[after.length - 1] > before[before.length - 1], `ticks go on on the restored terminal: ${before.at(-1)} then ${after.join(",")}`);
});

testNeeding("a network namespace joined by path is external: the restored container is in the same one", missing, () => {
  const name = `ocirun-cr-${process.pid}`;
  assert.is(spawnSync("ip", ["netns", "add", name]).status, 0, "ip netns add");
  try {
    const path = `/run/netns/${name}`;
    const b = t.bundle(counter, {
      "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "network", path }],
    });
    assert.is(oci("run", "-d", "--bundle", b, "cr6").code, 0);
    sleepSync(300);
    restoredDetached("cr6", b, checkpointed("cr6"));
    const inode = String(statSync(path).ino);
    assert.is(oci("exec", "cr6", "readlink", "/proc/self/ns/net").stdout.trim(), `net:[${inode}]`);
    assert.is(oci("delete", "--force", "cr6").code, 0);
  } finally {
    spawnSync("ip", ["netns", "del", name]);
  }
});

testNeeding("--tcp-established: an open connection inside the container goes on after restore", missing, () => {
  const caps = ["CAP_NET_ADMIN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"];
  const b = t.bundle(["sh", "-c", [
    "exec </dev/null >/dev/null 2>&1",
    "ip link set lo up",
    // The listener's stdin never ends (at EOF busybox nc closes the connection).
    "sleep 1000 | nc -l -p 5000 > /dev/shm/recv &",
    "sleep 0.3",
    "i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 5000",
  ].join("\n")], {
    "/process/capabilities": { bounding: caps, effective: caps, permitted: caps },
    "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "network" }],
  });
  assert.is(oci("run", "-d", "--bundle", b, "cr7").code, 0);
  sleepSync(800);
  const received = () => Number(oci("exec", "cr7", "tail", "-n", "1", "/dev/shm/recv").stdout.trim() || "0");
  // The guest is slow (emulated): wait for the first lines.
  assert.ok(waitFor(() => received() > 0, 15_000, 200), "the connection carries the counter");
  const refused = oci("checkpoint", "--image-path", mkdtempSync(join(t.dir, "img-")), "cr7");
  assert.is(refused.code, 1, "an established connection needs --tcp-established");
  restoredDetached("cr7", b, checkpointed("cr7", "--tcp-established"), "--tcp-established");
  const after = received();
  assert.ok(waitFor(() => received() > after, 15_000, 200), "the restored connection goes on");
  assert.is(oci("delete", "--force", "cr7").code, 0);
});

testNeeding("a failed restore says so in one line naming CRIU's log, and leaves nothing behind", missing, () => {
  const images = mkdtempSync(join(t.dir, "img-empty-"));
  const r = oci("restore", "-d", "--image-path", images, "--bundle", t.bundle(counter), "cr8");
  assert.is(r.code, 1);
  const lines = r.stderr.trim().split("\n").filter((l) => !l.includes("level=warning"));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], `criu failed`);
  assert.match(lines[0], join(images, "restore.log"));
  assert.not.ok(readdirSync(root).includes("cr8"), "no state left");
  const cgroups = spawnSync("find", ["/sys/fs/cgroup", "-maxdepth", "4", "-type", "d", "-name", "*cr8*"], { encoding: "utf8" }).stdout.trim();
  assert.is(cgroups, "", "no cgroup left");
});

testNeeding("--file-locks: a held flock is dumped and held again after restore; without the flag the dump is refused", missing, () => {
  // A copy of the rootfs with a static flock holder in it.
  const rootfs = join(t.dir, "rootfs-locker");
  spawnSync("cp", ["-a", t.rootfs, rootfs]);
  const cc = spawnSync("gcc", ["-static", "-O2", "-o", join(rootfs, "bin/locker"), join(repo, "test/fixtures/locker.c")], { encoding: "utf8" });
  assert.is(cc.status, 0, cc.stderr);
  const b = t.bundle(["sh", "-c", "exec </dev/null >/dev/null 2>&1; /bin/locker hold /dev/shm/lock & while :; do sleep 0.1; done"], { "/root/path": rootfs });
  assert.is(oci("run", "-d", "--bundle", b, "cr9").code, 0);
  const locked = () => oci("exec", "cr9", "/bin/locker", "try", "/dev/shm/lock").code === 1;
  assert.ok(waitFor(locked, 15_000, 200), "the lock is held");
  assert.is(oci("checkpoint", "--image-path", mkdtempSync(join(t.dir, "img-")), "cr9").code, 1, "a held lock needs --file-locks");
  restoredDetached("cr9", b, checkpointed("cr9", "--file-locks"), "--file-locks");
  assert.ok(locked(), "the restored holder holds the lock again");
  assert.is(oci("delete", "--force", "cr9").code, 0);
});

testNeeding("restore runs the prestart and createRuntime hooks once the namespaces exist, with the restored init's pid", missing, () => {
  const out = mkdtempSync(join(t.dir, "hooks-"));
  const hook = (name: string) => ({ path: "/bin/sh", args: ["sh", "-c", `cat > ${out}/${name}`] });
  const b = t.bundle(counter, { "/hooks": { prestart: [hook("prestart")], createRuntime: [hook("createRuntime")] } });
  assert.is(oci("run", "-d", "--bundle", b, "cr11").code, 0);
  sleepSync(300);
  const images = checkpointed("cr11");
  for (const f of readdirSync(out)) spawnSync("rm", [join(out, f)]);
  restoredDetached("cr11", b, images);
  const pid = JSON.parse(oci("state", "cr11").stdout).pid;
  for (const name of ["prestart", "createRuntime"]) {
    assert.ok(existsSync(join(out, name)), `${name} did not run at restore`);
    const state = JSON.parse(readFileSync(join(out, name), "utf8"));
    assert.is(state.id, "cr11");
    assert.is(state.pid, pid, `${name} got the restored init's pid`);
  }
  assert.is(oci("delete", "--force", "cr11").code, 0);
});

testNeeding("--lazy-pages: the dump waits on its page server, CRIU's lazy-pages daemon serves a lazy restore, the counter goes on", missing, async () => {
  const b = t.bundle(counter);
  assert.is(oci("run", "-d", "--bundle", b, "cr10").code, 0);
  sleepSync(300);
  const images = mkdtempSync(join(t.dir, "img-lazy-"));
  const port = "27277";
  const [cmd, ...pre] = ocirunCommand();
  // runc's checkpoint.bats: CRIU writes to --status-fd once the dump is done and its page server
  // listens; the dump then lasts until the restore has taken every page.
  // A FIFO, not spawn's "pipe" (a socket): CRIU reopens the status fd through /proc.
  const fifo = join(images, "status.fifo");
  assert.is(spawnSync("mkfifo", [fifo]).status, 0);
  const statusRead = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const statusWrite = openSync(fifo, constants.O_WRONLY);
  const ck = spawn(cmd, [...pre, "--root", root, "checkpoint", "--lazy-pages", "--page-server", `127.0.0.1:${port}`, "--status-fd", "3",
    "--work-path", images, "--image-path", images, "cr10"], { stdio: ["ignore", "ignore", "pipe", statusWrite] });
  closeSync(statusWrite);
  let ckErr = "";
  ck.stderr!.on("data", (d) => (ckErr += d));
  let exited = false;
  const ckDone = new Promise<number | null>((res) => ck.on("close", (code) => { exited = true; res(code); }));
  const gotByte = () => { try { return readSync(statusRead, Buffer.alloc(1)) === 1; } catch { return false; } };
  let ready = false;
  for (const end = Date.now() + 30_000; !ready && !exited && Date.now() < end; ) {
    ready = gotByte();
    if (!ready) await new Promise((r) => setTimeout(r, 50));
  }
  closeSync(statusRead);
  if (!ready) ck.kill("SIGKILL");
  assert.ok(ready, `no status from the lazy dump: ${ckErr}`);
  const daemon = spawn("criu", ["lazy-pages", "--page-server", "--address", "127.0.0.1", "--port", port, "-D", images], { stdio: ["ignore", "ignore", "pipe"] });
  const daemonDone = new Promise<number | null>((res) => daemon.on("close", (code) => res(code)));
  // Under a new id, as runc's test does: its cgroup is not the dumped container's, which the
  // dump deletes once it ends.
  restoredDetached("cr10-restored", b, images, "--lazy-pages", "--work-path", images);
  assert.is(await ckDone, 0, ckErr);
  await daemonDone;
  assert.not.ok(readdirSync(root).includes("cr10"), "the checkpointed container is gone");
  const after = count("cr10-restored");
  assert.ok(after > 0, `count ${after}`);
  sleepSync(500);
  assert.ok(count("cr10-restored") > after, "the restored counter goes on");
  assert.is(oci("delete", "--force", "cr10-restored").code, 0);
});

test.run();
