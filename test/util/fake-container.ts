// A container as the store sees one, without create: a state dir whose state.json records a real
// process (a `sleep` child of the test). A "created" one also has exec.fifo, held open O_RDWR by
// that process as a real init holds it: it reads the start byte, then closes the fifo as its
// execve would, which is when `start` returns.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "./wait.ts";

export interface FakeContainer {
  dir: string;
  pid: number;
  startTime: string;
  child: ChildProcess;
  /** Resolves when the child has exited and been reaped. */
  exited: Promise<void>;
}

export interface FakeOptions {
  created?: boolean;
  /** With created: false makes an init that does not hold exec.fifo (as if it had died). */
  holdsFifo?: boolean;
  hasProcess?: boolean;
  annotations?: Record<string, string>;
}

export function fakeContainer(root: string, id: string, opts: FakeOptions = {}): FakeContainer {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fifo = join(dir, "exec.fifo");
  if (opts.created) execFileSync("mkfifo", ["-m", "0600", fifo]);
  const holds = opts.created && opts.holdsFifo !== false;
  const child = holds
    ? spawn("sh", ["-c", 'exec 3<>"$0"; head -c1 <&3 >/dev/null; exec 3>&- sleep 1000', fifo], { stdio: "ignore" })
    : spawn("sleep", ["1000"], { stdio: "ignore" });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const pid = child.pid!;
  if (holds) waitForOrThrow(() => readlinkOr(`/proc/${pid}/fd/3`).endsWith("/exec.fifo"));
  const startTime = startTimeOf(pid);
  writeFileSync(join(dir, "state.json"), JSON.stringify({
    version: 1, ociVersion: "1.3.0", id, pid, pidStartTime: startTime, bundle: "/bundles/" + id,
    rootfs: "/bundles/" + id + "/rootfs", created: "2026-11-23T05:50:01.123456789Z", owner: "",
    annotations: opts.annotations ?? {}, hasProcess: opts.hasProcess ?? true,
  }));
  return { dir, pid, startTime, child, exited };
}

export function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** Kill a fake container's process if it still runs, and wait until it is reaped. */
export async function stopFake(f: FakeContainer): Promise<void> {
  if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill("SIGKILL");
  await f.exited;
}

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

function waitForOrThrow(ok: () => boolean): void {
  if (!waitFor(ok, 5000, 2)) throw new Error("fake container: its process did not open exec.fifo");
}
