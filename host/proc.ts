// Facts about a process from /proc, and signalling it without being fooled by pid reuse:
// a pid names "our" process only while its start time (field 22 of /proc/<pid>/stat, in clock
// ticks since boot) still equals the one recorded at create.
import { readFileSync } from "./files.ts";

export interface ProcStat {
  /** Field 3: R, S, D, Z (zombie), X (dead), T, t, ... */
  state: string;
  /** Field 22, kept as the decimal string the kernel prints. */
  startTime: string;
}

export function procStat(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may itself contain ") ", so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], startTime: fields[19] };
}

/** The start time to store for a pid that was just created, or null if it is already gone. */
export function startTimeOf(pid: number): string | null {
  return procStat(pid)?.startTime ?? null;
}

/** The recorded process is alive: same start time, and neither a zombie nor dead. */
export function isLive(pid: number, startTime: string): boolean {
  const st = procStat(pid);
  return st !== null && st.startTime === startTime && st.state !== "Z" && st.state !== "X";
}

/** Send `signal` if the recorded process is still the one alive at `pid`. The start time is read
 * right before kill(2), so the window for a reused pid is as small as it gets without a pidfd.
 * Returns false when the process is gone. */
export function signalProcess(pid: number, startTime: string, signal: number): boolean {
  if (!isLive(pid, startTime)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** Poll until the process is gone or a zombie (its parent reaps it, not us). False on timeout. */
export async function waitGone(pid: number, startTime: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (isLive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

/** The pid as the process's own pid namespace sees it (the last NSpid of /proc/<pid>/status),
 * or pid itself when that cannot be read. */
export function pidInOwnNamespace(pid: number): number {
  try {
    const line = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1];
    const last = line?.trim().split(/\s+/).pop();
    return last ? Number(last) : pid;
  } catch {
    return pid;
  }
}
