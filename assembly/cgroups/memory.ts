// linux.resources.memory: memory.limit_in_bytes & co. on v1, memory.max & co. on v2.
import { Resources } from "../config/model";
import { Diagnostics, E_CONFLICT, W_IGNORED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write, limitText } from "./write";

/** `current`: the values the cgroup has now (update: the stored ones; create: none, the kernel's
 * defaults), which decide the order of v1's two limits. */
export function memoryWrites(res: Resources, mode: CgroupMode, d: Diagnostics, current: Resources | null = null): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const m = res.memory;
  if (!m) return out;
  const limit = m.limit;
  const swap = m.swap;
  // 0 leaves a value unset, as runc reads these fields.
  const limitValue: i64 = limit ? limit.value : 0;
  const swapValue: i64 = swap ? swap.value : 0;
  const reservation = m.reservation;
  if (mode == CgroupMode.V2) {
    // v1's swap counts memory and swap together; v2's memory.swap.max is the swap alone.
    // Written before memory.max, as runc does; without swap accounting the file is missing.
    if (swap && swapValue != 0) {
      const value = swapValue < 0 ? "max" : limitValue < 0 ? swapValue.toString() : (swapValue - limitValue).toString();
      write(out, mode, "", "memory.swap.max", value, swap.pointer, value == "max" || value == "0");
    } else if (limit && limitValue < 0) {
      // Unlimited memory with swap unset: unlimited swap too, as on v1.
      write(out, mode, "", "memory.swap.max", "max", limit.pointer, true);
    }
    if (limit && limitValue != 0) write(out, mode, "", "memory.max", limitText(limitValue, mode), limit.pointer);
    if (reservation && reservation.value != 0) write(out, mode, "", "memory.low", limitText(reservation.value, mode), reservation.pointer);
    const swappiness = m.swappiness;
    if (swappiness) d.warn(W_IGNORED, swappiness.pointer, "cgroup v2 has no per-cgroup swappiness: ignored");
    const oom = m.disableOOMKiller;
    if (oom && oom.value != 0) d.warn(W_IGNORED, oom.pointer, "cgroup v2 cannot disable the oom killer: ignored");
    return out;
  }
  if (limit && limitValue < 0 && swapValue > 0) d.error(E_CONFLICT, swap!.pointer, "cannot be set with an unlimited memory limit on cgroup v1");
  // Unlimited memory with swap unset: unlimited memory+swap too (where the kernel accounts swap).
  const swapLimit: i64 = limit && limitValue < 0 && swapValue == 0 ? -1 : swapValue;
  const swapPointer = swap && swapValue != 0 ? swap.pointer : limit ? limit.pointer : "";
  // memsw may never be below the memory limit: runc's order, against the current limit.
  const swapFirst = limitValue != 0 && swapLimit != 0 && (swapLimit < 0 || currentLimit(current) < swapLimit);
  if (swapFirst) writeSwap(out, mode, swapLimit, swapPointer);
  if (limit && limitValue != 0) write(out, mode, "memory", "memory.limit_in_bytes", limitText(limitValue, mode), limit.pointer);
  if (!swapFirst && swapLimit != 0) writeSwap(out, mode, swapLimit, swapPointer);
  if (reservation && reservation.value != 0) write(out, mode, "memory", "memory.soft_limit_in_bytes", limitText(reservation.value, mode), reservation.pointer);
  const swappiness = m.swappiness;
  if (swappiness) write(out, mode, "memory", "memory.swappiness", swappiness.value.toString(), swappiness.pointer);
  const oom = m.disableOOMKiller;
  if (oom && oom.value != 0) write(out, mode, "memory", "memory.oom_control", "1", oom.pointer);
  return out;
}

/** memory.memsw.limit_in_bytes; "-1" is optional: without swap accounting the file is missing. */
function writeSwap(out: CgroupWrite[], mode: CgroupMode, value: i64, pointer: string): void {
  write(out, mode, "memory", "memory.memsw.limit_in_bytes", value.toString(), pointer, value < 0);
}

/** The cgroup's memory limit now; unlimited (the kernel's default) when none is set. */
function currentLimit(current: Resources | null): i64 {
  const m = current ? current.memory : null;
  const limit = m ? m.limit : null;
  return limit && limit.value > 0 ? limit.value : I64.MAX_VALUE;
}
