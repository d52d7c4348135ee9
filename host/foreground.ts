// The process `run` and `exec` wait for in the foreground: the signals the caller gets go on to
// it (with a pty, SIGWINCH resizes the pty instead), and its end becomes the caller's exit status
// as a shell gives it (128 + the signal).
//
// A process that outlives HAND_OFF_AFTER_MS is waited for by the waiter program instead
// (addon/waiter/): this process execs it (same pid, so the caller notices nothing) and its 40 MB
// become a few pages; `run` passes the delete it would have done, which the waiter runs after.
// Short processes end before that and are waited for here, which is faster. With a pty to copy
// or a NOTIFY_SOCKET to serve, the work stays here.
import { addon } from "./addon.ts";
import type { ConsoleProxy } from "./console-proxy.ts";
import type { GlobalOptions } from "./context.ts";

// addon/src/foreground_signals.h has the same list for the waiter.
const FORWARDED: NodeJS.Signals[] = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT"];

const HAND_OFF_AFTER_MS = 100;
const POLL_SLICE_MS = 10;

export interface WaitOptions {
  proxy?: ConsoleProxy;
  /** Awaited first, while signals are already forwarded (the ready notification). */
  first?: Promise<unknown>;
  /** The command (our own global flags, then its own) run after the process ends. */
  finish?: string[];
}

/** Waits for pid; its status. Does not return when the waiter took over: the waiter exits
 * with the status, after `finish` if given. */
export async function waitForeground(pid: number, opts: WaitOptions = {}): Promise<number> {
  const forward = (signal: NodeJS.Signals) => { try { process.kill(pid, signal); } catch {} };
  const forwarded = opts.proxy ? FORWARDED.filter((s) => s !== "SIGWINCH") : FORWARDED;
  for (const s of forwarded) process.on(s, forward);
  await opts.first;
  let status = opts.proxy || opts.first ? undefined : await waitBriefly(pid);
  if (status === null) {
    // Let any signal received meanwhile be forwarded before the signals are blocked.
    await new Promise((r) => setImmediate(r));
    addon().handOffWait(pid, opts.finish ?? []); // returns only if the exec failed
  }
  status ??= await addon().waitExit(pid);
  for (const s of forwarded) process.off(s, forward);
  await opts.proxy?.finish();
  return status.signal ? 128 + status.signal : status.code;
}

/** pid's status if it ends within HAND_OFF_AFTER_MS, null if it runs on, undefined if it cannot
 * be told (no pidfd). Polls in slices so that forwarded signals are handled meanwhile. */
async function waitBriefly(pid: number): Promise<{ code: number; signal: number } | null | undefined> {
  for (let waited = 0; waited < HAND_OFF_AFTER_MS; waited += POLL_SLICE_MS) {
    const r = addon().waitExitFor(pid, POLL_SLICE_MS);
    if (typeof r === "number") return undefined;
    if (r !== null) return r;
    await new Promise((r) => setImmediate(r));
  }
  return null;
}

/** The argv that runs this ocirun again with ctx's global flags: the executable, or the
 * runtime and the script. */
export function ownArgv(ctx: GlobalOptions): string[] {
  const self = typeof OCIRUN_ADDON_FILE === "string" ? [process.execPath] : [process.execPath, process.argv[1]];
  return [
    ...self, "--root", ctx.root, "--log-format", ctx.logFormat, "--rootless", ctx.rootless,
    ...(ctx.logFile !== undefined ? ["--log", ctx.logFile] : []),
    ...(ctx.debug ? ["--debug"] : []), ...(ctx.systemdCgroup ? ["--systemd-cgroup"] : []),
  ];
}
