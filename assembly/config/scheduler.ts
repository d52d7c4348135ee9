// process.scheduler: policy, nice, priority, flags, and runtime/deadline/period for
// SCHED_DEADLINE, checked as sched_setattr(2) would check them.
import { JsonValue, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_RANGE, E_CONFLICT, E_UNSUPPORTED } from "../diagnostics";
import { readEnum, readEnumArray } from "./enums";
import { Scheduler } from "./model";
import { field, readInt, requireField, u64Value } from "./read";

// Index = the policy number of linux/sched.h.
const POLICIES: string[] = ["SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"];
const SCHED_FIFO: u32 = 1;
const SCHED_RR: u32 = 2;
const SCHED_ISO: u32 = 4;
const SCHED_DEADLINE: u32 = 6;
// Index = the bit of linux/sched.h's SCHED_FLAG_*.
const FLAGS: string[] = [
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
];

export function schedulerPolicyName(policy: u32): string {
  return policy < <u32>POLICIES.length ? POLICIES[policy] : policy.toString();
}

export function schedulerFlagNames(flags: u64): string {
  let out = "";
  for (let i = 0; i < FLAGS.length; i++) if ((flags >> i) & 1) out += (out.length > 0 ? "|" : "") + FLAGS[i];
  return out.length > 0 ? out : "0";
}

export function parseScheduler(v: JsonValue, ptr: string, d: Diagnostics): Scheduler | null {
  const s = new Scheduler();
  const before = d.errorCount;
  if (requireField(v, "policy", ptr, d)) {
    const policy = readEnum(v, "policy", ptr, "", POLICIES, "scheduling policy", d);
    if (policy == <i32>SCHED_ISO) d.error(E_UNSUPPORTED, childPointer(ptr, "policy"), "SCHED_ISO is not implemented by the linux kernel");
    else if (policy >= 0) s.policy = <u32>policy;
  }
  s.nice = <i32>readInt(v, "nice", ptr, d, -20, 19, 0);
  s.priority = <u32>readInt(v, "priority", ptr, d, 0, 99, 0);
  const rt = s.policy == SCHED_FIFO || s.policy == SCHED_RR;
  if (rt && s.priority == 0 && d.errorCount == before) d.error(E_RANGE, childPointer(ptr, "priority"), "must be 1 to 99 for " + schedulerPolicyName(s.policy));
  if (!rt && s.priority != 0) d.error(E_CONFLICT, childPointer(ptr, "priority"), "is only for SCHED_FIFO and SCHED_RR, not " + schedulerPolicyName(s.policy));

  const bits = readEnumArray(v, "flags", ptr, "", FLAGS, "scheduler flag", d);
  for (let i = 0; i < bits.length; i++) s.flags |= (<u64>1) << bits[i];

  const keys = ["runtime", "deadline", "period"];
  for (let k = 0; k < 3; k++) {
    const f = field(v, keys[k]);
    if (!f) continue;
    const kp = childPointer(ptr, keys[k]);
    const n = u64Value(f, kp, d);
    if (k == 0) s.runtime = n; else if (k == 1) s.deadline = n; else s.period = n;
    if (n != 0 && s.policy != SCHED_DEADLINE) d.error(E_CONFLICT, kp, "is only for SCHED_DEADLINE, not " + schedulerPolicyName(s.policy));
  }
  if (s.policy == SCHED_DEADLINE && d.errorCount == before) {
    // The kernel's rule: 1024 ns <= runtime <= deadline <= period (period 0: the deadline).
    if (s.runtime < 1024) d.error(E_RANGE, childPointer(ptr, "runtime"), "must be at least 1024 (nanoseconds) for SCHED_DEADLINE");
    else if (s.deadline < s.runtime) d.error(E_RANGE, childPointer(ptr, "deadline"), "must be at least the runtime " + s.runtime.toString());
    else if (s.period != 0 && s.period < s.deadline) d.error(E_RANGE, childPointer(ptr, "period"), "must be at least the deadline " + s.deadline.toString());
  }
  return d.errorCount == before ? s : null;
}
