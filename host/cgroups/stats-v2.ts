// A container's figures on cgroup v2, read as runc's fs2 manager reads them from its one
// directory: pids, memory, io, cpu, hugetlb, in v1's shapes (swap as memory+swap, io.stat as
// v1's blkio tables). A controller's files that do not exist are skipped; any other failure is
// collected and the read fails naming them all (`error while statting cgroup v2: [...]`).
import { type MemoryEntry, MAX_UINT64, memoryEntry, newStats, type Stats } from "./stats-types.ts";
import { isNotExist, lines, parseUint, readKeyValues, readStatsFile, readUint, readUintOptional } from "./stats-files.ts";

export function statsV2(dir: string, pageSizes: string[]): Stats {
  const s = newStats();
  const errors: string[] = [];
  const read = (f: () => void, skipMissing: boolean) => {
    try {
      f();
    } catch (err) {
      if (!(skipMissing && isNotExist(err))) errors.push((err as Error).message);
    }
  };
  read(() => pids(dir, s), false);
  read(() => memory(dir, s), true);
  read(() => io(dir, s), true);
  read(() => cpu(dir, s), true); // cpu.stat is there even without the cpu controller
  read(() => hugetlb(dir, s, pageSizes), true);
  if (errors.length > 0) throw new Error(`error while statting cgroup v2: [${errors.join(" ")}]`);
  return s;
}

function pids(dir: string, s: Stats): void {
  const current = readUintOptional(dir, "pids.current");
  if (current === null) {
    // No pids controller here: count the processes.
    s.pids.current = BigInt(lines(readStatsFile(dir, "cgroup.procs")).length);
    return;
  }
  const max = readUint(dir, "pids.max");
  s.pids.current = current;
  s.pids.limit = max === MAX_UINT64 ? 0n : max; // "max": no limit, reported as 0
}

function memory(dir: string, s: Stats): void {
  for (const [k, v] of readKeyValues(dir, "memory.stat")) s.memory.raw.set(k, v);
  s.memory.cache = s.memory.raw.get("file") ?? 0n;
  const usage = memoryData(dir, "");
  s.memory.usage = usage;
  // v1's memsw figures: memory plus swap (no peak of the sum).
  const swap = memoryData(dir, "swap");
  s.memory.swap = {
    limit: swap.limit === MAX_UINT64 ? MAX_UINT64 : min(swap.limit + usage.limit, MAX_UINT64),
    usage: swap.usage + usage.usage,
    max: 0n,
    failcnt: swap.failcnt,
  };
}

/** memory[.name].{current,max,peak}; peak only on newer kernels (5.19, swap 6.5), and no
 * swap files at all without swap accounting. */
function memoryData(dir: string, name: string): MemoryEntry {
  const prefix = name ? `memory.${name}` : "memory";
  const e = memoryEntry();
  const usage = name ? readUintOptional(dir, `${prefix}.current`) : readUint(dir, `${prefix}.current`);
  if (usage === null) return e;
  e.usage = usage;
  e.limit = readUint(dir, `${prefix}.max`);
  e.max = readUintOptional(dir, `${prefix}.peak`) ?? 0n;
  return e;
}

/** io.stat's "maj:min rbytes=… wbytes=… rios=… wios=… …" as v1's bytes and ios tables. */
function io(dir: string, s: Stats): void {
  const file = "io.stat";
  for (const line of lines(readStatsFile(dir, file))) {
    const [device, ...items] = line.trim().split(/\s+/);
    const d = device.split(":");
    if (d.length !== 2) continue;
    const major = parseUint(d[0], dir, file);
    const minor = parseUint(d[1], dir, file);
    for (const item of items) {
      const kv = item.split("=");
      if (kv.length !== 2) continue;
      const where = { rbytes: ["Read", "ioServiceBytesRecursive"], wbytes: ["Write", "ioServiceBytesRecursive"], rios: ["Read", "ioServicedRecursive"], wios: ["Write", "ioServicedRecursive"] }[kv[0]];
      if (!where) continue; // no v1 table for it
      const [op, table] = where as [string, "ioServiceBytesRecursive" | "ioServicedRecursive"];
      s.blkio[table].push({ major, minor, op, value: parseUint(kv[1], dir, file) });
    }
  }
}

function cpu(dir: string, s: Stats): void {
  const u = s.cpu.usage;
  const t = s.cpu.throttling;
  for (const [k, v] of readKeyValues(dir, "cpu.stat")) {
    if (k === "usage_usec") u.total = v * 1000n;
    else if (k === "user_usec") u.user = v * 1000n;
    else if (k === "system_usec") u.kernel = v * 1000n;
    else if (k === "nr_periods") t.periods = v;
    else if (k === "nr_throttled") t.throttledPeriods = v;
    else if (k === "throttled_usec") t.throttledTime = v * 1000n;
  }
}

/** Usage from hugetlb.<size>.rsvd.current where the kernel counts reservations (else .current),
 * failures from the "max" count of hugetlb.<size>.events. */
function hugetlb(dir: string, s: Stats, pageSizes: string[]): void {
  let rsvd = ".rsvd";
  for (const size of pageSizes) {
    let usage = rsvd ? readUintOptional(dir, `hugetlb.${size}.rsvd.current`) : null;
    if (usage === null) {
      rsvd = "";
      usage = readUint(dir, `hugetlb.${size}.current`);
    }
    const max = /^max ([0-9]+)$/m.exec(readStatsFile(dir, `hugetlb.${size}.events`));
    s.hugetlb.set(size, { usage, max: 0n, failcnt: max ? parseUint(max[1], dir, `hugetlb.${size}.events`) : 0n });
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
