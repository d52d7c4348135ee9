// Socket activation as runc passes it: when LISTEN_PID names the runtime's own pid, its fds
// 3..3+LISTEN_FDS-1 go to the container's process, which is told LISTEN_FDS=n and LISTEN_PID=1;
// --preserve-fds ones come after them. ocirun is started the way systemd starts a service.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readlinkSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { ocirun, ocirunCommand } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { installSdHelper } from "../util/sd-helper.ts";

const t = new TestBundles();
installSdHelper(t.rootfs);
const root = t.root;
test.after(() => t.cleanup());

interface Listener { server: net.Server; fd: number; port: number; link: string }

/** A listening TCP socket on 127.0.0.1 and its fd in this process. */
async function listener(): Promise<Listener> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const fd = (server as any)._handle.fd as number;
  return { server, fd, port: (server.address() as net.AddressInfo).port, link: readlinkSync(`/proc/self/fd/${fd}`) };
}

/** Stops this process listening: the container's copy of the socket is then the only one. */
function close(l: Listener): Promise<void> {
  return new Promise((resolve) => l.server.close(() => resolve()));
}

/** `ocirun run` with fds[i] as its fd 3+i and env added, as systemd runs a socket-activated
 * service: LISTEN_PID is the pid that execs ocirun ("self"), or the given one. */
function runActivated(args: string[], fds: number[], env: Record<string, string>, listenPid: "self" | number) {
  const base = { ...process.env };
  for (const k of ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET"]) delete base[k];
  const script = `LISTEN_PID=${listenPid === "self" ? "$$" : listenPid} exec "$@"`;
  const child = spawn("sh", ["-c", script, "sh", ...ocirunCommand(), "--root", root, ...args], {
    stdio: ["ignore", "pipe", "pipe", ...fds], env: { ...base, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }));
}

/** Connects to port and reads until the peer closes (or 10 s pass). */
function readFrom(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const c = net.connect(port, "127.0.0.1");
    c.setTimeout(10_000, () => c.destroy(new Error("no answer in 10 s")));
    c.on("data", (d) => (got += d));
    c.on("end", () => resolve(got));
    c.on("error", reject);
  });
}

/** fd -> link target, from `ls -l /proc/self/fd` lines ("l... 3 -> socket:[123]"; "" for ls's
 * own fd, whose link is gone by the time ls reads it). */
function fdLinks(out: string): Map<number, string> {
  const links = new Map<number, string>();
  for (const m of out.matchAll(/^l.* (\d+)(?: -> (\S+))?$/gm)) links.set(Number(m[1]), m[2] ?? "");
  return links;
}

test("LISTEN_FDS=2 with LISTEN_PID of the runtime: fds 3 and 4 reach the container, which accepts on one", async () => {
  const a = await listener();
  const b = await listener();
  const bundle = t.bundle(["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; ls -l /proc/self/fd; sd-helper accept 4 hello-from-fd4"]);
  const run = runActivated(["run", "--bundle", bundle, "act1"], [a.fd, b.fd], { LISTEN_FDS: "2" }, "self");
  await close(a);
  await close(b);
  const answer = await readFrom(b.port);
  const r = await run;
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.split("\n")[0], "2 1");
  const links = fdLinks(r.stdout);
  assert.is(links.get(3), a.link, "fd 3 is the first listening socket");
  assert.is(links.get(4), b.link, "fd 4 is the second");
  // 0-2, the two sockets, and the directory ls reads (dangling once ls is done with it).
  assert.equal([...links.keys()].sort(), [0, 1, 2, 3, 4, 5]);
  assert.is(answer, "hello-from-fd4");
});

test("LISTEN_PID of another process: no fd and no LISTEN_* variable reach the container", async () => {
  const a = await listener();
  const bundle = t.bundle(["sh", "-c", "echo \"[$LISTEN_FDS][$LISTEN_PID]\"; ls /proc/self/fd | sort -n | tr '\\n' ' '"]);
  // The fds were meant for pid 1, not for this ocirun.
  const r = await runActivated(["run", "--bundle", bundle, "act2"], [a.fd], { LISTEN_FDS: "1" }, 1);
  await close(a);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "[][]\n0 1 2 3 ");
});

test("the activation fds come first, then --preserve-fds: LISTEN_FDS=1 and --preserve-fds 1 pass fds 3 and 4", async () => {
  const a = await listener();
  const file = join(t.dir, "preserved");
  const fd = openSync(file, "w");
  try {
    const bundle = t.bundle(["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; echo to-fd4 >&4; ls -l /proc/self/fd"]);
    const r = await runActivated(["run", "--preserve-fds", "1", "--bundle", bundle, "act3"], [a.fd, fd], { LISTEN_FDS: "1" }, "self");
    await close(a);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.split("\n")[0], "1 1");
    const links = fdLinks(r.stdout);
    assert.is(links.get(3), a.link);
    assert.is(links.get(4), file);
    assert.equal([...links.keys()].sort(), [0, 1, 2, 3, 4, 5]);
    assert.is(readFileSync(file, "utf8"), "to-fd4\n");
  } finally {
    closeSync(fd);
  }
});

test.run();
