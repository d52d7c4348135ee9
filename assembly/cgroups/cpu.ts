// linux.resources.cpu (but cpus and mems: cgroups/cpuset.ts): cpu.shares and the CFS files on
// v1, cpu.weight and cpu.max on v2.
import { Resources, CpuResources, Num } from "../config/model";
import { Diagnostics, W_IGNORED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write } from "./write";

/** crun's and runc's linear map of shares [2, 262144] onto weight [1, 10000]. */
export function cpuWeight(shares: i64): i64 {
  return 1 + ((shares - 2) * 9999) / 262142;
}

/** The kernel's CFS period when none is given, in microseconds. */
export const DEFAULT_CPU_PERIOD: i64 = 100000;

/** systemd's CPUQuotaPerSecUSec for a quota (> 0) and period (0: the default): systemd keeps it
 * in whole percents of a CPU, so runc rounds it up to 10 ms per second. */
export function systemdQuotaPerSec(quota: i64, period: i64): u64 {
  const p: u64 = period > 0 ? <u64>period : <u64>DEFAULT_CPU_PERIOD;
  const perSec: u64 = (<u64>quota * 1000000) / p;
  return perSec % 10000 == 0 ? perSec : (perSec / 10000 + 1) * 10000;
}

/** `current`: the values the cgroup has now (update: the stored ones; create: none, the kernel's
 * defaults). The kernel checks the quota against the period and the burst, and the realtime
 * runtime against its period, so each pair is written in the order where the value in between
 * is valid too (runc writes, and retries after an EINVAL).
 * systemd: the quota rewritten to what systemd will set, so the cgroupfs write agrees with the
 * unit's property (runc's addCpuQuota does the same). */
export function cpuWrites(res: Resources, mode: CgroupMode, d: Diagnostics, current: Resources | null = null, systemd: bool = false): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const c = res.cpu;
  if (!c) return out;
  const shares = c.shares;
  const quota = c.quota;
  const period = c.period;
  const burst = c.burst;
  const idle = c.idle;
  const periodValue: i64 = period ? period.value : 0;
  let quotaValue: i64 = quota ? quota.value : 0;
  if (systemd && quotaValue > 0) {
    const p: u64 = periodValue > 0 ? <u64>periodValue : <u64>DEFAULT_CPU_PERIOD;
    quotaValue = <i64>((systemdQuotaPerSec(quotaValue, periodValue) * p) / 1000000);
  }
  const cur: CpuResources | null = current ? current.cpu : null;
  if (mode == CgroupMode.V2) {
    if (shares && shares.value != 0) write(out, mode, "", "cpu.weight", cpuWeight(shares.value).toString(), shares.pointer);
    const burstFirst = burstBeforeQuota(burst, quotaValue, cur);
    if (burst && burstFirst) write(out, mode, "", "cpu.max.burst", burst.value.toString(), burst.pointer);
    // Quota and period share one file: "max" or the quota, then the period if given.
    if (quotaValue != 0 || periodValue != 0) {
      let value = quotaValue > 0 ? quotaValue.toString() : "max";
      if (periodValue != 0) value += " " + periodValue.toString();
      write(out, mode, "", "cpu.max", value, quotaValue != 0 ? quota!.pointer : period!.pointer);
    }
    if (burst && !burstFirst) write(out, mode, "", "cpu.max.burst", burst.value.toString(), burst.pointer);
    if (idle) write(out, mode, "", "cpu.idle", idle.value.toString(), idle.pointer);
    const rt = c.realtimeRuntime ? c.realtimeRuntime : c.realtimePeriod;
    if (rt && rt.value != 0) d.warn(W_IGNORED, rt.pointer, "cgroup v2 has no realtime scheduling limits: ignored");
    return out;
  }
  if (shares && shares.value != 0) write(out, mode, "cpu", "cpu.shares", shares.value.toString(), shares.pointer);
  // The period first, unless it gets shorter: the quota/period ratio in between is then the
  // higher one of old and new, which the parent's limit allows.
  const periodLast = cur !== null && quotaValue > 0 && periodValue != 0 && periodValue < currentValue(cur.period, 100000);
  if (periodValue != 0 && !periodLast) write(out, mode, "cpu", "cpu.cfs_period_us", periodValue.toString(), period!.pointer);
  const burstFirst = burstBeforeQuota(burst, quotaValue, cur);
  if (burst && burstFirst) write(out, mode, "cpu", "cpu.cfs_burst_us", burst.value.toString(), burst.pointer);
  if (quotaValue != 0) write(out, mode, "cpu", "cpu.cfs_quota_us", quotaValue.toString(), quota!.pointer);
  if (periodLast) write(out, mode, "cpu", "cpu.cfs_period_us", periodValue.toString(), period!.pointer);
  if (burst && !burstFirst) write(out, mode, "cpu", "cpu.cfs_burst_us", burst.value.toString(), burst.pointer);
  const rtPeriod = c.realtimePeriod;
  const rtRuntime = c.realtimeRuntime;
  const rtPeriodValue: i64 = rtPeriod ? rtPeriod.value : 0;
  const rtRuntimeValue: i64 = rtRuntime ? rtRuntime.value : 0;
  // The runtime may not exceed the period: a period below the current runtime goes last.
  const rtPeriodLast = cur !== null && rtPeriodValue != 0 && rtRuntimeValue != 0 && rtPeriodValue < currentValue(cur.realtimeRuntime, 0);
  if (rtPeriodValue != 0 && !rtPeriodLast) write(out, mode, "cpu", "cpu.rt_period_us", rtPeriodValue.toString(), rtPeriod!.pointer);
  if (rtRuntimeValue != 0) write(out, mode, "cpu", "cpu.rt_runtime_us", rtRuntimeValue.toString(), rtRuntime!.pointer);
  if (rtPeriodLast) write(out, mode, "cpu", "cpu.rt_period_us", rtPeriodValue.toString(), rtPeriod!.pointer);
  if (idle) write(out, mode, "cpu", "cpu.idle", idle.value.toString(), idle.pointer);
  return out;
}

/** The burst goes before the quota when the new quota is below the current burst (the kernel
 * refuses a quota below the burst); else after it, below the quota it then has. */
function burstBeforeQuota(burst: Num | null, quotaValue: i64, cur: CpuResources | null): bool {
  return burst !== null && cur !== null && quotaValue > 0 && quotaValue < currentValue(cur.burst, 0);
}

/** A stored value, or the kernel's default when none is set (0 counts as none). */
function currentValue(n: Num | null, fallback: i64): i64 {
  return n && n.value > 0 ? n.value : fallback;
}
