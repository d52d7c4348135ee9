// The init's kernel settings, each placed where runc applies it: oomScoreAdj first (before
// the namespaces), timeOffsets between the time namespace's unshare and the fork into it,
// sysctl after the pivot (before readonlyPaths covers /proc/sys), scheduler, ioPriority and
// memoryPolicy before the capabilities drop, personality last before the wait for start; and an
// exec'd process's execCPUAffinity.
import { Config } from "../config/model";
import { PlanWriter } from "./writer";
import { sysctlPath } from "../config/sysctl";
import { timeOffsetsText } from "../config/time-offsets";
import { schedulerPolicyName, schedulerFlagNames } from "../config/scheduler";
import { ioPriorityClassName } from "../config/io-priority";
import { memoryPolicyModeName } from "../config/memory-policy";
import { PER_LINUX32 } from "../config/linux-settings";
import { parseCpuList } from "../config/cpu-list";
import { MAX_CPU } from "../config/process-linux";
import {
  emitCpuAffinity, emitIoprio, emitMemoryPolicy, emitOomScoreAdj, emitPersonality, emitScheduler,
  emitSysctl, emitTimeOffsets,
} from "./emit.gen";

const IOPRIO_CLASS_SHIFT: u32 = 13;

/** Before any namespace: lowering the score needs CAP_SYS_RESOURCE in the host's user namespace. */
export function planOomScoreAdj(c: Config, w: PlanWriter): void {
  if (!c.process.present || !c.process.hasOomScoreAdj) return;
  const v = c.process.oomScoreAdj.toString();
  emitOomScoreAdj(w, "/process/oomScoreAdj", "set oom_score_adj " + v, v);
}

export function planTimeOffsets(c: Config, w: PlanWriter): void {
  if (c.linux.timeOffsets.length == 0) return;
  emitTimeOffsets(w, "/linux/timeOffsets", "set the time namespace's clock offsets",
    timeOffsetsText(c.linux.timeOffsets));
}

export function planSysctl(c: Config, w: PlanWriter): void {
  const list = c.linux.sysctl;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    emitSysctl(w, s.pointer, "set sysctl " + s.key, sysctlPath(s.key), s.value);
  }
}

export function planSchedulingSettings(c: Config, w: PlanWriter): void {
  const s = c.process.scheduler;
  if (s) {
    emitScheduler(w, "/process/scheduler", "set scheduler " + schedulerPolicyName(s.policy),
      <u64>s.policy, schedulerPolicyName(s.policy), s.flags, schedulerFlagNames(s.flags), <u64>(<u32>s.nice), s.nice.toString(), s.priority, s.runtime, s.deadline, s.period);
  }
  const io = c.process.ioPriority;
  if (io) {
    const name = ioPriorityClassName(io.ioClass);
    emitIoprio(w, "/process/ioPriority", "set io priority " + name + " " + io.priority.toString(),
      <u64>((io.ioClass << IOPRIO_CLASS_SHIFT) | io.priority), name + "," + io.priority.toString());
  }
  const m = c.linux.memoryPolicy;
  if (m) {
    const name = memoryPolicyModeName(m.mode);
    emitMemoryPolicy(w, "/linux/memoryPolicy", "set memory policy " + name + (m.nodes.length > 0 ? " on nodes " + m.nodes : ""),
      <u64>m.mode, name, m.nodeMask);
  }
}

export function planPersonality(c: Config, w: PlanWriter): void {
  const p = c.linux.personality;
  if (p < 0) return;
  emitPersonality(w, "/linux/personality", "set personality",
    <u64>p, p == PER_LINUX32 ? "PER_LINUX32" : "PER_LINUX");
}

/** process.execCPUAffinity, for exec'd processes only (the spec: not the init's): "initial" as
 * early as possible, "final" once the process would be in the container's cgroup. An empty
 * or absent list changes nothing. */
export function planCpuAffinity(c: Config, which: string, w: PlanWriter): void {
  const list = which == "initial" ? c.process.execCPUAffinityInitial : c.process.execCPUAffinityFinal;
  if (list.length == 0) return;
  const mask = parseCpuList(list, MAX_CPU);
  if (mask === null) return; // already an error
  emitCpuAffinity(w, "/process/execCPUAffinity/" + which, "set " + which + " cpu affinity " + list, mask);
}
