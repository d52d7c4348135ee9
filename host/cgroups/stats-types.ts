// What `events` prints: runc's event records ({"type","id","data"}) and its stats object (runc's
// types.Stats), with its JSON names, field order and omitempty rules. The v1 and v2 readers
// (stats-v1.ts, stats-v2.ts) fill a Stats; eventJson writes the line. Counters are uint64 in
// runc and many pass 2^53 (an unlimited v1 memory limit is 2^63 rounded down to a page, v2's
// "max" 2^64-1), so they are bigints, written as exact decimal numbers.
import { goJsonBig } from "../gojson.ts";

export interface MemoryEntry {
  limit: bigint;
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface BlkioEntry {
  major: bigint;
  minor: bigint;
  op: string;
  value: bigint;
}

export interface Hugetlb {
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface Stats {
  cpu: {
    usage: { total: bigint; percpu: bigint[]; percpu_kernel: bigint[]; percpu_user: bigint[]; kernel: bigint; user: bigint };
    throttling: { periods: bigint; throttledPeriods: bigint; throttledTime: bigint };
  };
  cpuset: {
    cpus: number[];
    cpu_exclusive: bigint;
    mems: number[];
    mem_hardwall: bigint;
    mem_exclusive: bigint;
    memory_migrate: bigint;
    memory_spread_page: bigint;
    memory_spread_slab: bigint;
    memory_pressure: bigint;
    sched_load_balance: bigint;
    sched_relax_domain_level: bigint;
  };
  memory: { cache: bigint; usage: MemoryEntry; swap: MemoryEntry; kernel: MemoryEntry; kernelTCP: MemoryEntry; raw: Map<string, bigint> };
  pids: { current: bigint; limit: bigint };
  blkio: {
    ioServiceBytesRecursive: BlkioEntry[];
    ioServicedRecursive: BlkioEntry[];
    ioQueueRecursive: BlkioEntry[];
    ioServiceTimeRecursive: BlkioEntry[];
    ioWaitTimeRecursive: BlkioEntry[];
    ioMergedRecursive: BlkioEntry[];
    ioTimeRecursive: BlkioEntry[];
    sectorsRecursive: BlkioEntry[];
  };
  /** Page size as runc names it ("2MB", "1GB") -> figures. */
  hugetlb: Map<string, Hugetlb>;
}

export const MAX_UINT64 = 2n ** 64n - 1n;

export function memoryEntry(): MemoryEntry {
  return { limit: 0n, usage: 0n, max: 0n, failcnt: 0n };
}

export function newStats(): Stats {
  return {
    cpu: {
      usage: { total: 0n, percpu: [], percpu_kernel: [], percpu_user: [], kernel: 0n, user: 0n },
      throttling: { periods: 0n, throttledPeriods: 0n, throttledTime: 0n },
    },
    cpuset: {
      cpus: [], cpu_exclusive: 0n, mems: [], mem_hardwall: 0n, mem_exclusive: 0n, memory_migrate: 0n, memory_spread_page: 0n,
      memory_spread_slab: 0n, memory_pressure: 0n, sched_load_balance: 0n, sched_relax_domain_level: 0n,
    },
    memory: { cache: 0n, usage: memoryEntry(), swap: memoryEntry(), kernel: memoryEntry(), kernelTCP: memoryEntry(), raw: new Map() },
    pids: { current: 0n, limit: 0n },
    blkio: {
      ioServiceBytesRecursive: [], ioServicedRecursive: [], ioQueueRecursive: [], ioServiceTimeRecursive: [],
      ioWaitTimeRecursive: [], ioMergedRecursive: [], ioTimeRecursive: [], sectorsRecursive: [],
    },
    hugetlb: new Map(),
  };
}

/** One line of `events`: `{"type":…,"id":…,"data":…}` and a newline, as Go's json.Encoder
 * writes runc's types.Event (data omitted when absent: an oom event). */
export function eventJson(type: "stats" | "oom", id: string, data?: Stats): string {
  return goJsonBig({ type, id, ...(data ? { data: statsShape(data) } : {}) }) + "\n";
}

/** The object Go would encode: struct fields in runc's order, `omitempty` ones left out when
 * zero or empty (struct-typed fields never are), map keys sorted. */
function statsShape(s: Stats) {
  const u = s.cpu.usage;
  const t = s.cpu.throttling;
  const c = s.cpuset;
  return {
    cpu: {
      usage: { ...nz("total", u.total), ...ne("percpu", u.percpu), ...ne("percpu_kernel", u.percpu_kernel), ...ne("percpu_user", u.percpu_user), kernel: u.kernel, user: u.user },
      throttling: { ...nz("periods", t.periods), ...nz("throttledPeriods", t.throttledPeriods), ...nz("throttledTime", t.throttledTime) },
    },
    cpuset: {
      ...ne("cpus", c.cpus), cpu_exclusive: c.cpu_exclusive, ...ne("mems", c.mems), mem_hardwall: c.mem_hardwall,
      mem_exclusive: c.mem_exclusive, memory_migrate: c.memory_migrate, memory_spread_page: c.memory_spread_page,
      memory_spread_slab: c.memory_spread_slab, memory_pressure: c.memory_pressure, sched_load_balance: c.sched_load_balance,
      sched_relax_domain_level: c.sched_relax_domain_level,
    },
    memory: {
      ...nz("cache", s.memory.cache),
      usage: entryShape(s.memory.usage),
      swap: entryShape(s.memory.swap),
      kernel: entryShape(s.memory.kernel),
      kernelTCP: entryShape(s.memory.kernelTCP),
      ...(s.memory.raw.size > 0 ? { raw: sortedObject(s.memory.raw, (v) => v) } : {}),
    },
    pids: { ...nz("current", s.pids.current), ...nz("limit", s.pids.limit) },
    blkio: Object.fromEntries(
      Object.entries(s.blkio)
        .filter(([, list]) => list.length > 0)
        .map(([name, list]) => [name, list.map((e) => ({ ...nz("major", e.major), ...nz("minor", e.minor), ...(e.op ? { op: e.op } : {}), ...nz("value", e.value) }))]),
    ),
    hugetlb: sortedObject(s.hugetlb, (h) => ({ ...nz("usage", h.usage), ...nz("max", h.max), failcnt: h.failcnt })),
    intel_rdt: {},
    network_interfaces: null,
  };
}

function entryShape(e: MemoryEntry) {
  return { limit: e.limit, ...nz("usage", e.usage), ...nz("max", e.max), failcnt: e.failcnt };
}

/** omitempty of a number: the field only when it is not zero. */
function nz(name: string, v: bigint): Record<string, bigint> {
  return v !== 0n ? { [name]: v } : {};
}

/** omitempty of a slice: the field only when it has items. */
function ne<T>(name: string, v: T[]): Record<string, T[]> {
  return v.length > 0 ? { [name]: v } : {};
}

/** A Go map: keys in byte order. */
function sortedObject<V, W>(map: Map<string, V>, f: (v: V) => W): Record<string, W> {
  const out: Record<string, W> = {};
  for (const k of [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = f(map.get(k)!);
  return out;
}
