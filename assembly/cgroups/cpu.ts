// linux.resources.cpu (but cpus and mems: cgroups/cpuset.ts): cpu.shares and the CFS files on
// v1, cpu.weight and cpu.max on v2.
import { Resources } from "../config/model";
import { Diagnostics, W_IGNORED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write } from "./write";

/** crun's and runc's linear map of shares [2, 262144] onto weight [1, 10000]. */
export function cpuWeight(shares: i64): i64 {
  return 1 + ((shares - 2) * 9999) / 262142;
}

export function cpuWrites(res: Resources, mode: CgroupMode, d: Diagnostics): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const c = res.cpu;
  if (!c) return out;
  const shares = c.shares;
  const quota = c.quota;
  const period = c.period;
  const burst = c.burst;
  const idle = c.idle;
  const quotaValue: i64 = quota ? quota.value : 0;
  const periodValue: i64 = period ? period.value : 0;
  if (mode == CgroupMode.V2) {
    if (shares && shares.value != 0) write(out, mode, "", "cpu.weight", cpuWeight(shares.value).toString(), shares.pointer);
    // Quota and period share one file: "max" or the quota, then the period if given.
    if (quotaValue != 0 || periodValue != 0) {
      let value = quotaValue > 0 ? quotaValue.toString() : "max";
      if (periodValue != 0) value += " " + periodValue.toString();
      write(out, mode, "", "cpu.max", value, quotaValue != 0 ? quota!.pointer : period!.pointer);
    }
    if (burst) write(out, mode, "", "cpu.max.burst", burst.value.toString(), burst.pointer);
    if (idle) write(out, mode, "", "cpu.idle", idle.value.toString(), idle.pointer);
    const rt = c.realtimeRuntime ? c.realtimeRuntime : c.realtimePeriod;
    if (rt && rt.value != 0) d.warn(W_IGNORED, rt.pointer, "cgroup v2 has no realtime scheduling limits: ignored");
    return out;
  }
  if (shares && shares.value != 0) write(out, mode, "cpu", "cpu.shares", shares.value.toString(), shares.pointer);
  // The period first: the kernel checks the quota against it.
  if (periodValue != 0) write(out, mode, "cpu", "cpu.cfs_period_us", periodValue.toString(), period!.pointer);
  if (quotaValue != 0) write(out, mode, "cpu", "cpu.cfs_quota_us", quotaValue.toString(), quota!.pointer);
  if (burst) write(out, mode, "cpu", "cpu.cfs_burst_us", burst.value.toString(), burst.pointer);
  const rtPeriod = c.realtimePeriod;
  const rtRuntime = c.realtimeRuntime;
  if (rtPeriod && rtPeriod.value != 0) write(out, mode, "cpu", "cpu.rt_period_us", rtPeriod.value.toString(), rtPeriod.pointer);
  if (rtRuntime && rtRuntime.value != 0) write(out, mode, "cpu", "cpu.rt_runtime_us", rtRuntime.value.toString(), rtRuntime.pointer);
  if (idle) write(out, mode, "cpu", "cpu.idle", idle.value.toString(), idle.pointer);
  return out;
}
