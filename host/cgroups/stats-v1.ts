// A container's figures on cgroup v1 (and a hybrid host's v1 controllers), read as runc's fs
// manager reads them: each controller the container has a directory in, in runc's order
// (cpuset, memory, cpu, cpuacct, pids, blkio, hugetlb); a file runc needs that is missing or
// unreadable fails the whole read, one the kernel may lack (memsw, kmem, usage_all) is skipped.
import { existsSync } from "node:fs";
import { type BlkioEntry, MAX_UINT64, type MemoryEntry, memoryEntry, newStats, type Stats } from "./stats-types.ts";
import {
  isNotExist, lines, parseError, parseUint, readKeyValues, readOptional, readStatsFile, readUint, readUintOptional,
} from "./stats-files.ts";

/** runc counts cpuacct.stat in USER_HZ ticks of 1/100 s. */
const NS_PER_TICK = 10_000_000n;

/** dirOf(controller): the container's directory in that controller's hierarchy, if any. */
export function statsV1(dirOf: (controller: string) => string | undefined, pageSizes: string[]): Stats {
  const s = newStats();
  const at = (controller: string) => {
    const dir = dirOf(controller);
    return dir !== undefined && existsSync(dir) ? dir : undefined;
  };
  let dir: string | undefined;
  if ((dir = at("cpuset"))) cpuset(dir, s);
  if ((dir = at("memory"))) memory(dir, s);
  if ((dir = at("cpu"))) cpu(dir, s);
  if ((dir = at("cpuacct"))) cpuacct(dir, s);
  if ((dir = at("pids"))) pids(dir, s);
  if ((dir = at("blkio"))) blkio(dir, s);
  if ((dir = at("hugetlb"))) hugetlb(dir, s, pageSizes);
  return s;
}

function cpuset(dir: string, s: Stats): void {
  const c = s.cpuset;
  const list = (file: string) => {
    const text = readOptional(dir, file);
    return text === null ? [] : cpuList(text.trim(), dir, file);
  };
  const num = (file: string) => readUintOptional(dir, file) ?? 0n;
  c.cpus = list("cpuset.cpus");
  c.cpu_exclusive = num("cpuset.cpu_exclusive");
  c.mems = list("cpuset.mems");
  c.mem_hardwall = num("cpuset.mem_hardwall");
  c.mem_exclusive = num("cpuset.mem_exclusive");
  c.memory_migrate = num("cpuset.memory_migrate");
  c.memory_spread_page = num("cpuset.memory_spread_page");
  c.memory_spread_slab = num("cpuset.memory_spread_slab");
  c.memory_pressure = num("cpuset.memory_pressure");
  c.sched_load_balance = num("cpuset.sched_load_balance");
  const level = readOptional(dir, "cpuset.sched_relax_domain_level");
  if (level !== null) {
    if (!/^[+-]?[0-9]+$/.test(level.trim())) throw parseError(dir, "cpuset.sched_relax_domain_level", `strconv.ParseInt: parsing ${JSON.stringify(level.trim())}: invalid syntax`);
    c.sched_relax_domain_level = BigInt(level.trim());
  }
}

/** "0-2,5" -> [0, 1, 2, 5]. */
function cpuList(text: string, dir: string, file: string): number[] {
  if (text === "") throw parseError(dir, file, "empty file");
  const out: number[] = [];
  for (const part of text.split(",")) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part);
    if (!m || Number(m[1]) > 65535 || Number(m[2] ?? 0) > 65535) throw parseError(dir, file, `invalid list ${JSON.stringify(part)}`);
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (lo > hi) throw parseError(dir, file, "invalid values, min > max");
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

function memory(dir: string, s: Stats): void {
  let stat: Array<[string, bigint]>;
  try {
    stat = readKeyValues(dir, "memory.stat");
  } catch (err) {
    if (isNotExist(err)) return;
    throw err;
  }
  for (const [k, v] of stat) s.memory.raw.set(k, v);
  s.memory.cache = s.memory.raw.get("cache") ?? 0n;
  s.memory.usage = memoryData(dir, "");
  s.memory.swap = memoryData(dir, "memsw");
  s.memory.kernel = memoryData(dir, "kmem");
  s.memory.kernelTCP = memoryData(dir, "kmem.tcp");
}

/** memory[.name].{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes}; swap and kmem
 * are optional in the kernel (zero when absent), and newer kernels have no kmem limit. */
function memoryData(dir: string, name: string): MemoryEntry {
  const prefix = name ? `memory.${name}` : "memory";
  const e = memoryEntry();
  const usage = name ? readUintOptional(dir, `${prefix}.usage_in_bytes`) : readUint(dir, `${prefix}.usage_in_bytes`);
  if (usage === null) return e;
  e.usage = usage;
  e.max = readUint(dir, `${prefix}.max_usage_in_bytes`);
  e.failcnt = readUint(dir, `${prefix}.failcnt`);
  const limit = name === "kmem" ? readUintOptional(dir, `${prefix}.limit_in_bytes`) : readUint(dir, `${prefix}.limit_in_bytes`);
  if (limit !== null) e.limit = limit;
  return e;
}

function cpu(dir: string, s: Stats): void {
  let stat: Array<[string, bigint]>;
  try {
    stat = readKeyValues(dir, "cpu.stat");
  } catch (err) {
    if (isNotExist(err)) return;
    throw err;
  }
  const t = s.cpu.throttling;
  for (const [k, v] of stat) {
    if (k === "nr_periods") t.periods = v;
    else if (k === "nr_throttled") t.throttledPeriods = v;
    else if (k === "throttled_time") t.throttledTime = v;
  }
}

function cpuacct(dir: string, s: Stats): void {
  const u = s.cpu.usage;
  const stat = readStatsFile(dir, "cpuacct.stat");
  const f = stat.trim().split(/\s+/);
  if (f.length < 4 || f[0] !== "user" || f[2] !== "system") throw parseError(dir, "cpuacct.stat", `malformed line ${JSON.stringify(stat)}`);
  const user = parseUint(f[1], dir, "cpuacct.stat");
  const system = parseUint(f[3], dir, "cpuacct.stat");
  u.total = readUint(dir, "cpuacct.usage");
  const percpu = readStatsFile(dir, "cpuacct.usage_percpu").trim();
  u.percpu = percpu === "" ? [] : percpu.split(/\s+/).map((v) => parseUint(v, dir, "cpuacct.usage_percpu"));
  // "cpu user system" then one line per CPU; absent on older kernels.
  const all = readOptional(dir, "cpuacct.usage_all");
  for (const line of all === null ? [] : lines(all).slice(1)) {
    const cols = line.split(" ");
    if (cols.length !== 3) continue;
    u.percpu_kernel.push(parseUint(cols[2], dir, "cpuacct.usage_all"));
    u.percpu_user.push(parseUint(cols[1], dir, "cpuacct.usage_all"));
  }
  u.user = user * NS_PER_TICK;
  u.kernel = system * NS_PER_TICK;
}

function pids(dir: string, s: Stats): void {
  s.pids.current = readUint(dir, "pids.current");
  const max = readUint(dir, "pids.max");
  s.pids.limit = max === MAX_UINT64 ? 0n : max; // "max": no limit, reported as 0
}

type BlkioTable = keyof Stats["blkio"];

/** The first group whose first file has entries wins (bfq with its debug tables, bfq, cfq,
 * then the throttle tables, recursive first); a later file of the group that is missing or
 * empty ends it. */
const BLKIO_GROUPS: Array<Array<[string, BlkioTable]>> = [
  [
    ["blkio.bfq.sectors_recursive", "sectorsRecursive"],
    ["blkio.bfq.io_service_time_recursive", "ioServiceTimeRecursive"],
    ["blkio.bfq.io_wait_time_recursive", "ioWaitTimeRecursive"],
    ["blkio.bfq.io_merged_recursive", "ioMergedRecursive"],
    ["blkio.bfq.io_queued_recursive", "ioQueueRecursive"],
    ["blkio.bfq.time_recursive", "ioTimeRecursive"],
    ["blkio.bfq.io_serviced_recursive", "ioServicedRecursive"],
    ["blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"],
  ],
  [
    ["blkio.bfq.io_serviced_recursive", "ioServicedRecursive"],
    ["blkio.bfq.io_service_bytes_recursive", "ioServiceBytesRecursive"],
  ],
  [
    ["blkio.sectors_recursive", "sectorsRecursive"],
    ["blkio.io_service_time_recursive", "ioServiceTimeRecursive"],
    ["blkio.io_wait_time_recursive", "ioWaitTimeRecursive"],
    ["blkio.io_merged_recursive", "ioMergedRecursive"],
    ["blkio.io_queued_recursive", "ioQueueRecursive"],
    ["blkio.time_recursive", "ioTimeRecursive"],
    ["blkio.io_serviced_recursive", "ioServicedRecursive"],
    ["blkio.io_service_bytes_recursive", "ioServiceBytesRecursive"],
  ],
  [
    ["blkio.throttle.io_serviced_recursive", "ioServicedRecursive"],
    ["blkio.throttle.io_service_bytes_recursive", "ioServiceBytesRecursive"],
  ],
  [
    ["blkio.throttle.io_serviced", "ioServicedRecursive"],
    ["blkio.throttle.io_service_bytes", "ioServiceBytesRecursive"],
  ],
];

function blkio(dir: string, s: Stats): void {
  for (const group of BLKIO_GROUPS) {
    for (let i = 0; i < group.length; i++) {
      const [file, table] = group[i];
      const entries = blkioTable(dir, file);
      if (entries.length === 0) {
        if (i === 0) break; // not this group: the next one
        return;
      }
      s.blkio[table] = entries;
      if (i === group.length - 1) return;
    }
  }
}

/** "maj:min Op value" (or "maj:min value") lines; the lone "Total N" line is left out. */
function blkioTable(dir: string, file: string): BlkioEntry[] {
  const text = readOptional(dir, file);
  if (text === null) return [];
  const out: BlkioEntry[] = [];
  for (const line of lines(text)) {
    const f = line.split(/[ :]/).filter((x) => x !== "");
    if (f.length < 3) {
      if (f.length === 2 && f[0] === "Total") continue;
      throw parseError(dir, file, `malformed line ${JSON.stringify(line)}`);
    }
    const op = f.length === 4 ? f[2] : "";
    out.push({ major: parseUint(f[0], dir, file), minor: parseUint(f[1], dir, file), op, value: parseUint(f[f.length === 4 ? 3 : 2], dir, file) });
  }
  return out;
}

function hugetlb(dir: string, s: Stats, pageSizes: string[]): void {
  let rsvd = ".rsvd"; // reservations where the kernel counts them (5.7+), for every size after
  for (const size of pageSizes) {
    let usage = rsvd ? readUintOptional(dir, `hugetlb.${size}.rsvd.usage_in_bytes`) : null;
    if (usage === null) {
      rsvd = "";
      usage = readUint(dir, `hugetlb.${size}.usage_in_bytes`);
    }
    const prefix = `hugetlb.${size}${rsvd}`;
    s.hugetlb.set(size, { usage, max: readUint(dir, `${prefix}.max_usage_in_bytes`), failcnt: readUint(dir, `${prefix}.failcnt`) });
  }
}
