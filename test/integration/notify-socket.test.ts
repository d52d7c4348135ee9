// sd_notify as runc passes it: with NOTIFY_SOCKET in the runtime's environment the container gets
// its own socket's directory bound on /run/notify (ro, nosuid, nodev, noexec) and
// NOTIFY_SOCKET=/run/notify/notify.sock; `run -d` and `start` return only once the container
// sent READY=1, which reaches the runtime's NOTIFY_SOCKET with MAINPID and BARRIER=1.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, ocirun, ocirunCommand, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { installSdHelper } from "../util/sd-helper.ts";
import { waitFor } from "../util/wait.ts";

const t = new TestBundles();
installSdHelper(t.rootfs);
const root = t.root;
test.after(() => t.cleanup());

/** process.env without systemd's variables, plus NOTIFY_SOCKET=sock when given. */
function envWith(sock?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET"]) delete env[k];
  if (sock) env.NOTIFY_SOCKET = sock;
  return env;
}

interface Datagram { text: string; at: number; fds: number }

/** test/fixtures/notify-receiver.py on a new socket: what systemd's end receives. */
function receiver(name: string, seconds = 20): { sock: string; got: Promise<Datagram[]>; stop: () => void } {
  const sock = join(t.dir, name);
  const p = spawn("python3", [join(repo, "test/fixtures/notify-receiver.py"), sock, String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  p.stdout!.on("data", (d) => (out += d));
  const got = new Promise<Datagram[]>((resolve) => p.on("close", () => resolve(out.split("\n").filter(Boolean).map((l) => JSON.parse(l)))));
  assert.ok(waitFor(() => existsSync(sock)), "the receiver listens");
  return { sock, got, stop: () => p.kill() };
}

const texts = (ds: Datagram[]) => ds.map((d) => d.text);
const initPid = (id: string) => JSON.parse(ocirun(["state", id], { root }).stdout).pid as number;

test("run -d returns only after the container's READY=1, which reaches NOTIFY_SOCKET with MAINPID and BARRIER", async () => {
  const { sock, got } = receiver("n1.sock");
  const bundle = t.bundle(["sh", "-c", "sleep 0.5; sd-helper notify READY=1; exec sleep 60"]);
  const t0 = Date.now();
  const r = ocirun(["run", "-d", "--bundle", bundle, "n1"], { root, env: envWith(sock) });
  const returned = Date.now();
  assert.is(r.code, 0, r.stderr);
  assert.ok(returned - t0 >= 500, `run -d returned after ${returned - t0} ms, before the container's sleep 0.5 and READY=1`);
  const ds = await got;
  assert.equal(texts(ds), ["READY=1\n", `MAINPID=${initPid("n1")}\n`, "BARRIER=1"]);
  assert.is(ds[2].fds, 1, "BARRIER=1 carries the pipe to close");
  assert.ok(ds[0].at * 1000 <= returned, "READY=1 came before run -d returned");
  assert.is(ocirun(["delete", "--force", "n1"], { root }).code, 0);
});

test("create, then start: start returns only after READY=1; MAINPID is the container's init", async () => {
  const { sock, got } = receiver("n2.sock");
  const bundle = t.bundle(["sh", "-c", "sleep 0.5; sd-helper notify READY=1; exec sleep 60"]);
  const created = ocirun(["create", "--bundle", bundle, "n2"], { root, env: envWith(sock) });
  assert.is(created.code, 0, created.stderr);
  const t0 = Date.now();
  const r = ocirun(["start", "n2"], { root, env: envWith(sock) });
  const took = Date.now() - t0;
  assert.is(r.code, 0, r.stderr);
  assert.ok(took >= 500, `start returned after ${took} ms, before READY=1`);
  assert.equal(texts(await got), ["READY=1\n", `MAINPID=${initPid("n2")}\n`, "BARRIER=1"]);
  assert.is(ocirun(["delete", "--force", "n2"], { root }).code, 0);
});

test("run in the foreground: the container sees NOTIFY_SOCKET and a read-only /run/notify; MAINPID is ocirun's pid", async () => {
  const { sock, got } = receiver("n3.sock");
  // READY=1 on the second line of the datagram (sd_notify(0, "STATUS=…\nREADY=1")).
  const bundle = t.bundle(["sh", "-c", [
    "echo $NOTIFY_SOCKET", "grep ' /run/notify ' /proc/self/mountinfo | cut -d' ' -f6", "ls -l /run/notify | grep -o 'srwxrwxrwx.*'",
    "sd-helper notify \"$(printf 'STATUS=starting\\nREADY=1')\"",
  ].join("; ")]);
  const child = spawn(ocirunCommand()[0], [...ocirunCommand().slice(1), "--root", root, "run", "--bundle", bundle, "n3"], {
    stdio: ["ignore", "pipe", "inherit"], env: envWith(sock),
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.is(code, 0);
  const lines = out.trim().split("\n");
  assert.is(lines[0], "/run/notify/notify.sock");
  assert.is(lines[1].split(",").slice(0, 4).join(","), "ro,nosuid,nodev,noexec", `mount options of /run/notify: ${lines[1]}`);
  assert.match(lines[2], / notify\.sock$/);
  assert.equal(texts(await got), ["READY=1\n", `MAINPID=${child.pid}\n`, "BARRIER=1"]);
});

test("a container that exits without READY=1: run -d returns when it exits, and nothing is sent", async () => {
  const { sock, got } = receiver("n4.sock", 2);
  const bundle = t.bundle(["sh", "-c", "sleep 0.3"]);
  const t0 = Date.now();
  const r = ocirun(["run", "-d", "--bundle", bundle, "n4"], { root, env: envWith(sock) });
  const took = Date.now() - t0;
  assert.is(r.code, 0, r.stderr);
  assert.ok(took >= 300 && took < 10_000, `run -d took ${took} ms`);
  assert.equal(texts(await got), []);
  assert.is(ocirun(["delete", "--force", "n4"], { root }).code, 0);
});

test("while start waits for READY=1 the container is not locked: kill ends it, and start returns", async () => {
  const { sock, stop } = receiver("n5.sock", 10);
  const created = ocirun(["create", "--bundle", t.bundle(["sleep", "60"]), "n5"], { root, env: envWith(sock) });
  assert.is(created.code, 0, created.stderr);
  const start = spawn(ocirunCommand()[0], [...ocirunCommand().slice(1), "--root", root, "start", "n5"], { stdio: "ignore", env: envWith(sock) });
  const started = new Promise((resolve) => start.on("close", resolve));
  assert.ok(waitFor(() => JSON.parse(ocirun(["state", "n5"], { root }).stdout).status === "running"), "start released the init");
  const k = ocirun(["kill", "n5", "KILL"], { root });
  assert.is(k.code, 0, k.stderr);
  assert.is(await started, 0);
  stop();
  assert.is(ocirun(["delete", "--force", "n5"], { root }).code, 0);
});

test("start with NOTIFY_SOCKET naming no socket fails as runc's does: connect: no such file or directory", () => {
  const missing = join(t.dir, "nobody.sock");
  const created = ocirun(["create", "--bundle", t.bundle(["sh", "-c", "sd-helper notify READY=1; sleep 60"]), "n6"], { root, env: envWith(missing) });
  assert.is(created.code, 0, created.stderr);
  const r = ocirun(["start", "n6"], { root, env: envWith(missing) });
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), `NOTIFY_SOCKET ${missing}: connect: no such file or directory`);
  assert.is(ocirun(["delete", "--force", "n6"], { root }).code, 0);
});

test("without NOTIFY_SOCKET: no /run/notify mount and no NOTIFY_SOCKET in the container", () => {
  const bundle = t.bundle(["sh", "-c", "echo \"[$NOTIFY_SOCKET]\"; grep -c ' /run/notify ' /proc/self/mountinfo; true"]);
  const r = ocirun(["run", "--bundle", bundle, "n7"], { root, env: envWith() });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "[]\n0\n");
});

test.run();
