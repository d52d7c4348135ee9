// Signal names for `kill <id> [signal]`: a number, or a name with or without SIG, in any case
// (runc: KILL, SIGKILL, 9). Linux numbers, the same on x86_64 and arm64.
import { OciError } from "./errors.ts";

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18,
  STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27,
  WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};
const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function parseSignal(raw: string): number {
  if (/^[0-9]+$/.test(raw)) {
    const n = Number(raw);
    if (n <= SIGRTMAX) return n;
  } else {
    const name = raw.toUpperCase().replace(/^SIG/, "");
    if (name in SIGNALS) return SIGNALS[name];
    // RTMIN, RTMIN+n, RTMAX, RTMAX-n
    const rt = /^RT(MIN|MAX)(?:([+-])([0-9]+))?$/.exec(name);
    if (rt) {
      const off = rt[3] === undefined ? 0 : Number(rt[3]);
      const n = rt[1] === "MIN" && rt[2] !== "-" ? SIGRTMIN + off : rt[1] === "MAX" && rt[2] !== "+" ? SIGRTMAX - off : -1;
      if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    }
  }
  throw new OciError(`unknown signal "${raw}"`);
}

/** A signal as Go's os/exec words a process killed by it ("signal: killed"), as runc reports. */
export function goSignalText(signal: number): string {
  const names: Record<number, string> = {
    1: "hangup", 2: "interrupt", 3: "quit", 4: "illegal instruction", 5: "trace/breakpoint trap", 6: "aborted",
    7: "bus error", 8: "floating point exception", 9: "killed", 10: "user defined signal 1", 11: "segmentation fault",
    12: "user defined signal 2", 13: "broken pipe", 14: "alarm clock", 15: "terminated",
  };
  return names[signal] ?? `signal ${signal}`;
}
