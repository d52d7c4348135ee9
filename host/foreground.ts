// The process `run` and `exec` wait for in the foreground: the signals the caller gets go on to
// it (with a pty, SIGWINCH resizes the pty instead), and its end becomes the caller's exit status
// as a shell gives it (128 + the signal).
import { addon } from "./addon.ts";
import type { ConsoleProxy } from "./console-proxy.ts";

const FORWARDED: NodeJS.Signals[] = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT"];

/** Waits for pid (after `first`, when given, while signals are already forwarded); its status. */
export async function waitForeground(pid: number, proxy: ConsoleProxy | undefined, first?: Promise<unknown>): Promise<number> {
  const forward = (signal: NodeJS.Signals) => { try { process.kill(pid, signal); } catch {} };
  const forwarded = proxy ? FORWARDED.filter((s) => s !== "SIGWINCH") : FORWARDED;
  for (const s of forwarded) process.on(s, forward);
  await first;
  const status = await addon().waitExit(pid);
  for (const s of forwarded) process.off(s, forward);
  await proxy?.finish();
  return status.signal ? 128 + status.signal : status.code;
}
