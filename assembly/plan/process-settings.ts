// The init's kernel settings, each placed where runc applies it: oomScoreAdj first (before
// the namespaces), timeOffsets between the time namespace's unshare and the fork into it,
// sysctl after the pivot (before readonlyPaths covers /proc/sys), scheduler, ioPriority and
// memoryPolicy before the capabilities drop, personality last before the wait for start; and an
// exec'd process's execCPUAffinity.
import { Config } from "../config/model";
import { PlanWriter } from "./writer";
import { OP_SYSCTL, OP_OOM_SCORE_ADJ, OP_SCHEDULER, OP_IOPRIO, OP_PERSONALITY, OP_TIME_OFFSETS, OP_MEMORY_POLICY, OP_CPU_AFFINITY } from "./ops";
import { sysctlPath } from "../config/sysctl";
import { timeOffsetsText } from "../config/time-offsets";
import { schedulerPolicyName, schedulerFlagNames } from "../config/scheduler";
import { ioPriorityClassName } from "../config/io-priority";
import { memoryPolicyModeName } from "../config/memory-policy";
import { PER_LINUX32 } from "../config/linux-settings";
import { parseCpuList } from "../config/cpu-list";
import { MAX_CPU } from "../config/process-linux";

const IOPRIO_CLASS_SHIFT: u32 = 13;

/** Before any namespace: lowering the score needs CAP_SYS_RESOURCE in the host's user namespace. */
export function planOomScoreAdj(c: Config, w: PlanWriter): void {
  if (!c.process.present || !c.process.hasOomScoreAdj) return;
  const v = c.process.oomScoreAdj.toString();
  w.op(OP_OOM_SCORE_ADJ, "OOM_SCORE_ADJ", "/process/oomScoreAdj", "set oom_score_adj " + v).s("value", v);
}

export function planTimeOffsets(c: Config, w: PlanWriter): void {
  if (c.linux.timeOffsets.length == 0) return;
  w.op(OP_TIME_OFFSETS, "TIME_OFFSETS", "/linux/timeOffsets", "set the time namespace's clock offsets").s("offsets", timeOffsetsText(c.linux.timeOffsets));
}

export function planSysctl(c: Config, w: PlanWriter): void {
  const list = c.linux.sysctl;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    w.op(OP_SYSCTL, "SYSCTL", s.pointer, "set sysctl " + s.key).s("path", sysctlPath(s.key)).s("value", s.value);
  }
}

export function planSchedulingSettings(c: Config, w: PlanWriter): void {
  const s = c.process.scheduler;
  if (s) {
    w.op(OP_SCHEDULER, "SCHEDULER", "/process/scheduler", "set scheduler " + schedulerPolicyName(s.policy))
      .named("policy", <u64>s.policy, schedulerPolicyName(s.policy)).named("flags", s.flags, schedulerFlagNames(s.flags))
      .named("nice", <u64>(<u32>s.nice), s.nice.toString()).n("priority", s.priority)
      .n("runtime", s.runtime).n("deadline", s.deadline).n("period", s.period);
  }
  const io = c.process.ioPriority;
  if (io) {
    const name = ioPriorityClassName(io.ioClass);
    w.op(OP_IOPRIO, "IOPRIO", "/process/ioPriority", "set io priority " + name + " " + io.priority.toString())
      .named("ioprio", <u64>((io.ioClass << IOPRIO_CLASS_SHIFT) | io.priority), name + "," + io.priority.toString());
  }
  const m = c.linux.memoryPolicy;
  if (m) {
    const name = memoryPolicyModeName(m.mode);
    w.op(OP_MEMORY_POLICY, "MEMORY_POLICY", "/linux/memoryPolicy", "set memory policy " + name + (m.nodes.length > 0 ? " on nodes " + m.nodes : ""))
      .named("mode", <u64>m.mode, name).numList("nodemask", m.nodeMask);
  }
}

export function planPersonality(c: Config, w: PlanWriter): void {
  const p = c.linux.personality;
  if (p < 0) return;
  w.op(OP_PERSONALITY, "PERSONALITY", "/linux/personality", "set personality").named("persona", <u64>p, p == PER_LINUX32 ? "PER_LINUX32" : "PER_LINUX");
}

/** process.execCPUAffinity, for exec'd processes only (the spec: not the init's): "initial" as
 * early as possible, "final" once the process would be in the container's cgroup. An empty
 * or absent list changes nothing. */
export function planCpuAffinity(c: Config, which: string, w: PlanWriter): void {
  const list = which == "initial" ? c.process.execCPUAffinityInitial : c.process.execCPUAffinityFinal;
  if (list.length == 0) return;
  const mask = parseCpuList(list, MAX_CPU);
  if (mask === null) return; // already an error
  w.op(OP_CPU_AFFINITY, "CPU_AFFINITY", "/process/execCPUAffinity/" + which, "set " + which + " cpu affinity " + list).numList("mask", mask);
}
