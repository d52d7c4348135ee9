// linux.resources: types and ranges only. What the host's cgroup mode allows is decided where
// the writes are made (assembly/cgroups/; linux.cgroupsPath is read in linux-settings.ts).
import { JsonValue, JsonKind, childPointer, indexPointer } from "../json/value";
import { Diagnostics, W_IGNORED, E_RANGE, E_ENUM, E_TYPE, E_CONFLICT, W_DEPRECATED } from "../diagnostics";
import {
  Linux, Resources, Num, Str, DeviceRule, MemoryResources, CpuResources, BlockIOResources, BlkioDevice,
  HugepageLimit, RdmaLimit, NetPriority, NetworkResources, UnifiedFile,
} from "./model";
import { field, readObject, readArray, readString, readBool, isObject, intValue, requireField } from "./read";
import { parseCpuList } from "./cpu-list";

const I64_MAX: i64 = I64.MAX_VALUE;
const U32_MAX: i64 = 4294967295;
const U16_MAX: i64 = 65535;

export const THROTTLE_FIELDS: string[] = ["throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"];

function num(obj: JsonValue, key: string, ptr: string, d: Diagnostics, lo: i64, hi: i64): Num | null {
  const v = field(obj, key);
  if (!v) return null;
  const p = childPointer(ptr, key);
  return new Num(p, intValue(v, p, d, lo, hi));
}

function str(obj: JsonValue, key: string, ptr: string, d: Diagnostics): Str | null {
  if (!field(obj, key)) return null;
  return new Str(childPointer(ptr, key), readString(obj, key, ptr, d));
}

export function parseResources(linux: JsonValue, ptr: string, d: Diagnostics, l: Linux): void {
  const r = new Resources();
  l.resources = r;
  const v = readObject(linux, "resources", ptr, d);
  if (!v) return;
  const rp = childPointer(ptr, "resources");
  const devs = readArray(v, "devices", rp, d);
  if (devs) { r.devicesPointer = childPointer(rp, "devices"); parseDeviceRules(devs, r.devicesPointer, d, r.devices); }
  const mem = readObject(v, "memory", rp, d);
  if (mem) r.memory = parseMemory(mem, childPointer(rp, "memory"), d);
  const cpu = readObject(v, "cpu", rp, d);
  if (cpu) r.cpu = parseCpu(cpu, childPointer(rp, "cpu"), d);
  const bio = readObject(v, "blockIO", rp, d);
  if (bio) r.blockIO = parseBlockIO(bio, childPointer(rp, "blockIO"), d);
  const huge = readArray(v, "hugepageLimits", rp, d);
  if (huge) parseHugepages(huge, childPointer(rp, "hugepageLimits"), d, r.hugepageLimits);
  const net = readObject(v, "network", rp, d);
  if (net) r.network = parseNetwork(net, childPointer(rp, "network"), d);
  const pids = readObject(v, "pids", rp, d);
  if (pids) {
    const pp = childPointer(rp, "pids");
    // -1: no limit; 0 is a limit of zero tasks (runtime-spec 1.3).
    if (requireField(pids, "limit", pp, d)) r.pids = num(pids, "limit", pp, d, -1, I64_MAX);
  }
  const rdma = readObject(v, "rdma", rp, d);
  if (rdma) parseRdma(rdma, childPointer(rp, "rdma"), d, r.rdma);
  const unified = readObject(v, "unified", rp, d);
  if (unified) { r.unifiedPointer = childPointer(rp, "unified"); parseUnified(unified, r.unifiedPointer, d, r.unified); }
}

function parseDeviceRules(arr: JsonValue, ptr: string, d: Diagnostics, out: DeviceRule[]): void {
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    requireField(item, "allow", ip, d);
    const allow = readBool(item, "allow", ip, d);
    let type = readString(item, "type", ip, d, "a");
    if (type.length == 0) type = "a"; // runc reads "" as all, like an absent type
    if (type != "a" && type != "c" && type != "b") d.error(E_ENUM, childPointer(ip, "type"), "unknown device type \"" + type + "\": one of a, c, b");
    // Absent major/minor: any (-1 says the same, as runc writes it).
    const major = readIntOr(item, "major", ip, d);
    const minor = readIntOr(item, "minor", ip, d);
    const given = readString(item, "access", ip, d, "rwm");
    const access = deviceAccess(given);
    const accessPtr = childPointer(ip, "access");
    if (access.length == 0) d.error(E_ENUM, accessPtr, "\"" + given + "\" has none of r, w and m");
    else if (!onlyAccessLetters(given)) d.warn(W_IGNORED, accessPtr, "\"" + given + "\" is taken as \"" + access + "\": only r, w and m count, as runc reads it");
    out.push(new DeviceRule(ip, allow, type, major, minor, access));
  }
}

function readIntOr(item: JsonValue, key: string, ptr: string, d: Diagnostics): i64 {
  const v = field(item, key);
  // The device program compares against a signed 32-bit immediate.
  return v ? intValue(v, childPointer(ptr, key), d, -1, 0x7fffffff) : -1;
}

function onlyAccessLetters(s: string): bool {
  for (let i = 0; i < s.length; i++) if ("rwm".indexOf(s.charAt(i)) < 0) return false;
  return true;
}

/** runc's reading of an access string (a set of r, w, m; any other character ignored), in
 * the kernel's order: "rwa" is "rw", "mr" is "rm". */
function deviceAccess(s: string): string {
  let out = "";
  if (s.includes("r")) out += "r";
  if (s.includes("w")) out += "w";
  if (s.includes("m")) out += "m";
  return out;
}

function parseMemory(v: JsonValue, ptr: string, d: Diagnostics): MemoryResources {
  const m = new MemoryResources();
  m.pointer = ptr;
  m.limit = num(v, "limit", ptr, d, -1, I64_MAX);
  m.reservation = num(v, "reservation", ptr, d, -1, I64_MAX);
  m.swap = num(v, "swap", ptr, d, -1, I64_MAX);
  m.swappiness = num(v, "swappiness", ptr, d, 0, 100);
  // runc ignores kernel memory limits with a warning: the kernel deprecated them.
  const kernel = ["kernel", "kernelTCP"];
  for (let i = 0; i < 2; i++) {
    if (num(v, kernel[i], ptr, d, -1, I64_MAX)) d.warn(W_DEPRECATED, childPointer(ptr, kernel[i]), "kernel memory limits are deprecated and ignored");
  }
  if (field(v, "disableOOMKiller")) m.disableOOMKiller = new Num(childPointer(ptr, "disableOOMKiller"), readBool(v, "disableOOMKiller", ptr, d) ? 1 : 0);
  readBool(v, "useHierarchy", ptr, d);
  readBool(v, "checkBeforeUpdate", ptr, d);
  const limit = m.limit;
  const swap = m.swap;
  // swap is memory+swap: it needs a memory limit and cannot be below it.
  if (swap && swap.value > 0) {
    if (!limit || limit.value <= 0) {
      if (!limit || limit.value == 0) d.error(E_CONFLICT, swap.pointer, "needs a memory limit in " + ptr + "/limit");
    } else if (swap.value < limit.value) d.error(E_RANGE, swap.pointer, "must be at least the memory limit (" + limit.value.toString() + "): it counts memory and swap together");
  }
  return m;
}

function parseCpu(v: JsonValue, ptr: string, d: Diagnostics): CpuResources {
  const c = new CpuResources();
  c.pointer = ptr;
  c.shares = num(v, "shares", ptr, d, 0, I64_MAX);
  const shares = c.shares;
  // The kernel's range; 0 leaves the default. runc refuses values the kernel would clamp.
  if (shares && shares.value != 0 && (shares.value < 2 || shares.value > 262144)) d.error(E_RANGE, shares.pointer, shares.value.toString() + " is out of range [2, 262144]");
  c.quota = num(v, "quota", ptr, d, -1, I64_MAX);
  const quota = c.quota;
  // The kernel refuses a quota below 1 ms.
  if (quota && quota.value > 0 && quota.value < 1000) d.error(E_RANGE, quota.pointer, quota.value.toString() + " is below the kernel's minimum of 1000 microseconds");
  c.period = num(v, "period", ptr, d, 0, I64_MAX);
  const period = c.period;
  if (period && period.value != 0 && (period.value < 1000 || period.value > 1000000)) d.error(E_RANGE, period.pointer, period.value.toString() + " is out of range [1000, 1000000] microseconds");
  c.burst = num(v, "burst", ptr, d, 0, I64_MAX);
  const burst = c.burst;
  if (burst && quota && quota.value > 0 && burst.value > quota.value) d.error(E_RANGE, burst.pointer, "must not exceed the quota (" + quota.value.toString() + ")");
  c.realtimeRuntime = num(v, "realtimeRuntime", ptr, d, -1, I64_MAX);
  c.realtimePeriod = num(v, "realtimePeriod", ptr, d, 0, I64_MAX);
  c.idle = num(v, "idle", ptr, d, 0, 1);
  c.cpus = cpuList(v, "cpus", ptr, d);
  c.mems = cpuList(v, "mems", ptr, d);
  return c;
}

function cpuList(v: JsonValue, key: string, ptr: string, d: Diagnostics): Str | null {
  const s = str(v, key, ptr, d);
  if (!s || s.value.length == 0) return null;
  if (parseCpuList(s.value, 0xfffff) === null) d.error(E_RANGE, s.pointer, "\"" + s.value + "\" is not a list such as \"0-3,7\"");
  return s;
}

function parseBlockIO(v: JsonValue, ptr: string, d: Diagnostics): BlockIOResources {
  const b = new BlockIOResources();
  b.pointer = ptr;
  b.weight = weight(v, "weight", ptr, d);
  b.leafWeight = weight(v, "leafWeight", ptr, d);
  blkioDevices(v, "weightDevice", ptr, d, b.weightDevice, true);
  for (let i = 0; i < THROTTLE_FIELDS.length; i++) blkioDevices(v, THROTTLE_FIELDS[i], ptr, d, b.throttle[i], false);
  return b;
}

/** A blkio weight: 10 to 1000, 0 = not set (as runc reads it). */
function weight(v: JsonValue, key: string, ptr: string, d: Diagnostics): Num | null {
  const w = num(v, key, ptr, d, 0, U16_MAX);
  if (!w || w.value == 0) return null;
  if (w.value < 10 || w.value > 1000) d.error(E_RANGE, w.pointer, w.value.toString() + " is out of range [10, 1000]");
  return w;
}

function blkioDevices(v: JsonValue, key: string, ptr: string, d: Diagnostics, out: BlkioDevice[], isWeight: bool): void {
  const arr = readArray(v, key, ptr, d);
  if (!arr) return;
  const p = childPointer(ptr, key);
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(p, i);
    if (!isObject(item, ip, d)) continue;
    let ok = requireField(item, "major", ip, d);
    ok = requireField(item, "minor", ip, d) && ok;
    if (!isWeight) ok = requireField(item, "rate", ip, d) && ok;
    const major = num(item, "major", ip, d, 0, U32_MAX);
    const minor = num(item, "minor", ip, d, 0, U32_MAX);
    const value = isWeight ? weight(item, "weight", ip, d) : num(item, "rate", ip, d, 0, I64_MAX);
    const leaf = isWeight ? weight(item, "leafWeight", ip, d) : null;
    if (ok) out.push(new BlkioDevice(ip, major!.value, minor!.value, value, leaf));
  }
}

function parseHugepages(arr: JsonValue, ptr: string, d: Diagnostics, out: HugepageLimit[]): void {
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    let ok = requireField(item, "pageSize", ip, d);
    ok = requireField(item, "limit", ip, d) && ok;
    const size = readString(item, "pageSize", ip, d);
    if (ok && !isPageSize(size)) d.error(E_RANGE, childPointer(ip, "pageSize"), "\"" + size + "\" is not a huge page size such as \"2MB\" or \"1GB\"");
    const limit = num(item, "limit", ip, d, 0, I64_MAX);
    if (ok) out.push(new HugepageLimit(ip, size, limit!.value));
  }
}

/** The kernel's hugetlb file names: a power of two followed by KB, MB or GB ("3MB" is no page size). */
export function isPageSize(s: string): bool {
  if (s.length < 3 || !s.endsWith("B")) return false;
  const unit = s.charAt(s.length - 2);
  if (unit != "K" && unit != "M" && unit != "G") return false;
  const digits = s.substring(0, s.length - 2);
  if (digits.length == 0 || digits.length > 4 || digits.charCodeAt(0) == 0x30) return false;
  let n: u32 = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    n = n * 10 + <u32>(c - 0x30);
  }
  // The kernel names sizes with the largest unit that divides them: 1024KB is "1MB".
  return (n & (n - 1)) == 0 && (unit == "G" || n < 1024);
}

function parseNetwork(v: JsonValue, ptr: string, d: Diagnostics): NetworkResources {
  const n = new NetworkResources();
  n.pointer = ptr;
  n.classID = num(v, "classID", ptr, d, 0, U32_MAX);
  const arr = readArray(v, "priorities", ptr, d);
  if (!arr) return n;
  const p = childPointer(ptr, "priorities");
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(p, i);
    if (!isObject(item, ip, d)) continue;
    let ok = requireField(item, "name", ip, d);
    ok = requireField(item, "priority", ip, d) && ok;
    const name = readString(item, "name", ip, d);
    if (ok && (name.length == 0 || name.indexOf(" ") >= 0 || name.indexOf("\n") >= 0)) d.error(E_RANGE, childPointer(ip, "name"), "\"" + name + "\" is not an interface name");
    const prio = num(item, "priority", ip, d, 0, U32_MAX);
    if (ok) n.priorities.push(new NetPriority(ip, name, prio!.value));
  }
  return n;
}

function parseRdma(v: JsonValue, ptr: string, d: Diagnostics, out: RdmaLimit[]): void {
  for (let i = 0; i < v.keys.length; i++) {
    const key = v.keys[i];
    if (v.get(key) !== v.items[i]) continue; // a repeated key: the last one wins
    const ip = childPointer(ptr, key);
    const item = v.items[i];
    if (item.kind == JsonKind.Null || !isObject(item, ip, d)) continue;
    if (key.length == 0 || key.indexOf(" ") >= 0 || key.indexOf("\n") >= 0) { d.error(E_RANGE, ip, "\"" + key + "\" is not an rdma device name"); continue; }
    out.push(new RdmaLimit(ip, key, num(item, "hcaHandles", ip, d, 0, U32_MAX), num(item, "hcaObjects", ip, d, 0, U32_MAX)));
  }
}

function parseUnified(v: JsonValue, ptr: string, d: Diagnostics, out: UnifiedFile[]): void {
  for (let i = 0; i < v.keys.length; i++) {
    const key = v.keys[i];
    if (v.get(key) !== v.items[i]) continue;
    const ip = childPointer(ptr, key);
    const dot = key.indexOf(".");
    // A file of the container's own cgroup, named "<controller>.<file>".
    if (dot <= 0 || dot == key.length - 1 || key.indexOf("/") >= 0 || key == "." || key == "..") {
      d.error(E_RANGE, ip, "\"" + key + "\" is not a cgroup file name of the form <controller>.<file>");
      continue;
    }
    const item = v.items[i];
    if (item.kind != JsonKind.String) { d.error(E_TYPE, ip, "must be a string"); continue; }
    out.push(new UnifiedFile(ip, key, item.str));
  }
}
