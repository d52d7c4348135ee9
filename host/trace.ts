// OCIRUN_TRACE=1: one stderr line per phase with the milliseconds since the process started,
// to see where a command spends its time (the benchmark measures totals, this says why).
import { writeAll } from "./stdio.ts";

const on = process.env.OCIRUN_TRACE === "1";

export function mark(phase: string): void {
  if (on) writeAll(2, `ocirun trace: ${performance.now().toFixed(2)} ms ${phase}\n`);
}
