// The Linux-only fields of /process: oomScoreAdj, scheduler, ioPriority, apparmorProfile,
// selinuxLabel, execCPUAffinity.
import { JsonValue, childPointer } from "../json/value";
import { Diagnostics, E_RANGE } from "../diagnostics";
import { Process } from "./model";
import { field, readObject, readString, readInt } from "./read";
import { parseScheduler } from "./scheduler";
import { parseIoPriority } from "./io-priority";
import { parseCpuList } from "./cpu-list";

export const MAX_CPU: u32 = 8191; // the kernel's largest NR_CPUS

export function parseProcessLinux(v: JsonValue, ptr: string, d: Diagnostics, p: Process): void {
  p.hasOomScoreAdj = field(v, "oomScoreAdj") !== null;
  p.oomScoreAdj = <i32>readInt(v, "oomScoreAdj", ptr, d, -1000, 1000, 0);
  const sched = readObject(v, "scheduler", ptr, d);
  if (sched) p.scheduler = parseScheduler(sched, childPointer(ptr, "scheduler"), d);
  const io = readObject(v, "ioPriority", ptr, d);
  if (io) p.ioPriority = parseIoPriority(io, childPointer(ptr, "ioPriority"), d);
  p.apparmorProfile = readString(v, "apparmorProfile", ptr, d);
  p.selinuxLabel = readString(v, "selinuxLabel", ptr, d);
  // Whether the host can apply them is plan/labels.ts's check.
  const aff = readObject(v, "execCPUAffinity", ptr, d);
  if (aff) {
    const ap = childPointer(ptr, "execCPUAffinity");
    p.execCPUAffinityInitial = cpuList(aff, "initial", ap, d);
    p.execCPUAffinityFinal = cpuList(aff, "final", ap, d);
  }
}

function cpuList(v: JsonValue, key: string, ptr: string, d: Diagnostics): string {
  const text = readString(v, key, ptr, d);
  if (parseCpuList(text, MAX_CPU) === null) {
    d.error(E_RANGE, childPointer(ptr, key), "\"" + text + "\" is not a cpu list such as \"0-3,7\" (cpus 0 to " + MAX_CPU.toString() + ")");
  }
  return text;
}
