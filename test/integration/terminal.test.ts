// process.terminal: the pty master over --console-socket (as conmon and containerd take it),
// /dev/console bound to the pty, consoleSize, and a foreground `run` in a real terminal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ocirun, ocirunShell, repo, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());


test("create --console-socket sends the pty master; the container's stdio and /dev/console are the pty", async () => {
  const sock = join(t.dir, "console.sock");
  const receiver = spawn("python3", [join(repo, "test/fixtures/console-receiver.py"), sock], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  receiver.stdout.on("data", (d) => (out += d));
  const done = new Promise((r) => receiver.on("exit", r));
  assert.ok(waitFor(() => existsSync(sock)), "receiver listens");
  const b = t.bundle(["sh", "-c", "tty; stty size; stat -c '%t' /dev/console; readlink /proc/self/fd/0; echo MARKER"], {
    "/process/terminal": true, "/process/consoleSize": { height: 30, width: 100 },
  });
  const r = ocirun(["create", "--console-socket", sock, "--bundle", b, "tty1"], { root });
  assert.is(r.code, 0, r.stderr);
  assert.is(ocirun(["start", "tty1"], { root }).code, 0);
  await done;
  const lines = out.replace(/\r/g, "").trim().split("\n");
  assert.equal(lines, ["name=/dev/ptmx", "/dev/pts/0", "30 100", "88", "/dev/pts/0", "MARKER"]); // 0x88 = 136, the pty major
  assert.is(ocirun(["delete", "--force", "tty1"], { root }).code, 0);
});

test("run in a terminal: input reaches the container, the pty takes the terminal's size, the exit code comes back", () => {
  const b = t.bundle(["sh", "-c", "stty size; read line; echo got:$line; exit 5"], { "/process/terminal": true });
  const cmd = `stty cols 120 rows 40; ${ocirunShell()} --root ${root} run --bundle ${b} tty2; echo rc=$?`;
  const r = spawnSync("sh", ["-c", `(sleep 1.5; echo hello-input) | script -qec '${cmd}' /dev/null`], { encoding: "utf8", timeout: 20_000 });
  const out = r.stdout.replace(/\r/g, "");
  assert.match(out, "40 120\n");
  assert.match(out, "got:hello-input\n");
  assert.match(out, "rc=5\n");
});

test("the terminal belongs to the container's user (uid 1000), for run and exec -t", async () => {
  const sock = join(t.dir, "console-owner.sock");
  const receiver = spawn("python3", [join(repo, "test/fixtures/console-receiver.py"), sock], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  receiver.stdout.on("data", (d) => (out += d));
  const done = new Promise((r) => receiver.on("exit", r));
  assert.ok(waitFor(() => existsSync(sock)), "receiver listens");
  const b = t.bundle(["sh", "-c", "stat -c '%u %g' $(tty); echo ok > $(tty) && echo WRITABLE; echo MARKER"], {
    "/process/terminal": true, "/process/user": { uid: 1000, gid: 1000 },
  });
  const r = ocirun(["run", "-d", "--console-socket", sock, "--bundle", b, "tty-owner"], { root });
  assert.is(r.code, 0, r.stderr);
  await done;
  const lines = out.replace(/\r/g, "").trim().split("\n");
  assert.equal(lines.filter((l) => l !== "ok"), ["name=/dev/ptmx", "1000 5", "WRITABLE", "MARKER"], "owned by 1000, group tty (devpts gid=5)");
  assert.is(ocirun(["delete", "--force", "tty-owner"], { root }).code, 0);
  // exec -t: a foreground exec in a real terminal, as uid 1000.
  const running = t.bundle(["sleep", "100"]);
  assert.is(ocirun(["run", "-d", "--bundle", running, "tty-owner2"], { root }).code, 0);
  // The owner goes to a file, read back by a plain exec: this test is about the pty's owner, not
  // about the terminal output's last bytes.
  const cmd = `${ocirunShell()} --root ${root} exec -t -u 1000:1000 tty-owner2 sh -c 'stat -c %u $(tty) > /dev/shm/owner'`;
  const e = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", timeout: 20_000 });
  assert.is(e.status, 0, e.stdout);
  const owner = ocirun(["exec", "tty-owner2", "cat", "/dev/shm/owner"], { root });
  assert.is(owner.stdout, "1000\n", owner.stderr);
  assert.is(ocirun(["delete", "--force", "tty-owner2"], { root }).code, 0);
});

test("runc's console rules: a detached terminal needs a socket, a socket needs a terminal", () => {
  const tty = t.bundle(["true"], { "/process/terminal": true });
  const r1 = ocirun(["run", "--detach", "--bundle", tty, "tty3"], { root });
  assert.is(r1.code, 1);
  assert.match(errorMessage(r1.stderr), "cannot allocate tty if ocirun will detach without setting console socket");
  const r2 = ocirun(["create", "--console-socket", join(t.dir, "x.sock"), "--bundle", t.bundle(["true"]), "tty4"], { root });
  assert.is(r2.code, 1);
  assert.match(errorMessage(r2.stderr), "cannot use console socket if ocirun will not detach or allocate tty");
  const r3 = ocirun(["create", "--console-socket", join(t.dir, "nobody-listens.sock"), "--bundle", tty, "tty5"], { root });
  assert.is(r3.code, 1);
  assert.match(errorMessage(r3.stderr), "--console-socket");
  assert.equal(readdirSync(root).filter((id) => id.startsWith("tty")), [], "nothing left under --root");
});

test.run();
