// The systemd unit's properties under --systemd-cgroup, as runc's systemd driver sends them:
// the unit's own for StartTransientUnit (a delegated scope in its slice, every accounting on),
// and linux.resources as the properties systemd owns, for SetUnitProperties
// (genV2ResourcesProperties / genV1ResourcesProperties): memory, CPU weight and quota, tasks,
// cpuset, v1's blkio weight, unified's files systemd knows, and the devices as DevicePolicy and
// DeviceAllow. Features newer than the host's systemd (request fact `systemd-version`) are left
// to the cgroupfs writes, as runc leaves them. Each value is JSON by its D-Bus signature
// (docs/formats.md §2): 64-bit integers as decimal strings, `b` as a boolean, `ay` as numbers.
import { Config, DeviceRule, Resources } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_RANGE, W_IGNORED } from "../diagnostics";
import { quote } from "../json/write";
import { parseCpuList } from "../config/cpu-list";
import { CgroupMode } from "./write";
import { cpuWeight, DEFAULT_CPU_PERIOD, systemdQuotaPerSec } from "./cpu";
import { deviceRules } from "./devices";
import { accessBits } from "./device-program";
import { SystemdUnit } from "./systemd-unit";

export class UnitProperty {
  constructor(public name: string, public signature: string, public value: string) {}
}

/** systemd's infinity (USEC_INFINITY, CGROUP_LIMIT_MAX): uint64's largest value. */
export const U64_MAX = "18446744073709551615";

function u64(out: UnitProperty[], name: string, decimal: string): void {
  out.push(new UnitProperty(name, "t", quote(decimal)));
}

function flag(out: UnitProperty[], name: string, value: bool): void {
  out.push(new UnitProperty(name, "b", value ? "true" : "false"));
}

function str(out: UnitProperty[], name: string, value: string): void {
  out.push(new UnitProperty(name, "s", quote(value)));
}

/** A limit where a negative value means none. */
function limit(value: i64): string {
  return value < 0 ? U64_MAX : value.toString();
}

/** StartTransientUnit's properties (runc's Apply); the host adds PIDs, the process that keeps
 * the scope until the init is in it. */
export function unitProperties(u: SystemdUnit, c: Config, req: Request): UnitProperty[] {
  const out: UnitProperty[] = [];
  str(out, "Description", "ocirun container " + u.name);
  str(out, "Slice", u.slice);
  flag(out, "Delegate", true);
  flag(out, "MemoryAccounting", true);
  flag(out, "CPUAccounting", true);
  flag(out, req.cgroup == "v2" ? "IOAccounting" : "BlockIOAccounting", true);
  flag(out, "TasksAccounting", true);
  flag(out, "DefaultDependencies", false);
  // memory.oom.group is systemd's OOMPolicy (253+); runc sets it at start only.
  const res = c.linux.resources;
  for (let i = 0; req.cgroup == "v2" && req.systemdVersion >= 253 && i < res.unified.length; i++) {
    const f = res.unified[i];
    if (f.file != "memory.oom.group") continue;
    const v = f.value.trim();
    if (v == "1") str(out, "OOMPolicy", "kill");
    else if (v == "0") str(out, "OOMPolicy", "continue");
  }
  return out;
}

/** linux.resources as unit properties, in runc's order; the cgroupfs writes follow them.
 * devices: the rules to send (deviceRules), or null for none (update: runc's SkipDevices). */
export function resourceProperties(res: Resources, devices: DeviceRule[] | null, req: Request, mode: CgroupMode, d: Diagnostics): UnitProperty[] {
  const out: UnitProperty[] = [];
  const version = req.systemdVersion;
  if (devices) deviceProperties(devices, version, out, d);
  const m = res.memory;
  const cpu = res.cpu;
  if (mode == CgroupMode.V2) {
    if (m) {
      const lim: i64 = m.limit ? m.limit!.value : 0;
      const swap: i64 = m.swap ? m.swap!.value : 0;
      if (lim != 0) u64(out, "MemoryMax", limit(lim));
      if (m.reservation && m.reservation!.value != 0) u64(out, "MemoryLow", limit(m.reservation!.value));
      // runc's ConvertMemorySwapToCgroupV2Value: v2 counts the swap alone.
      if (lim < 0 && swap == 0) u64(out, "MemorySwapMax", U64_MAX);
      else if (swap < 0) u64(out, "MemorySwapMax", U64_MAX);
      else if (swap > 0 && lim > 0 && swap >= lim) u64(out, "MemorySwapMax", (swap - lim).toString());
    }
    if (cpu) {
      const idle = cpu.idle;
      if (idle && idle.value == 1 && version >= 252) u64(out, "CPUWeight", "0"); // systemd writes cpu.idle 1 for it
      else if (cpu.shares && cpu.shares!.value != 0) u64(out, "CPUWeight", cpuWeight(cpu.shares!.value).toString());
    }
  } else {
    if (m && m.limit && m.limit!.value != 0) u64(out, "MemoryLimit", limit(m.limit!.value));
    if (cpu && cpu.shares && cpu.shares!.value != 0) u64(out, "CPUShares", cpu.shares!.value.toString());
  }
  if (cpu) cpuQuota(cpu.quota ? cpu.quota!.value : 0, cpu.period ? cpu.period!.value : 0, version, out);
  const b = res.blockIO;
  if (mode == CgroupMode.V1 && b && b.weight && b.weight!.value != 0) u64(out, "BlockIOWeight", b.weight!.value.toString());
  const pids = res.pids;
  if (pids) u64(out, "TasksMax", pids.value < 0 ? U64_MAX : pids.value == 0 ? "1" : pids.value.toString()); // systemd refuses 0
  if (cpu && cpu.cpus) cpuset(out, "AllowedCPUs", cpu.cpus!.value, version);
  if (cpu && cpu.mems) cpuset(out, "AllowedMemoryNodes", cpu.mems!.value, version);
  if (mode == CgroupMode.V2) unifiedProperties(res, version, out, d);
  return out;
}

/** runc's addCpuQuota: the period (systemd 242+), and the quota per second of CPU time, which
 * systemd keeps in whole percents: rounded up to 10 ms (cpu.ts writes the quota to match). */
function cpuQuota(quota: i64, period: i64, version: u32, out: UnitProperty[]): void {
  if (period != 0 && version >= 242) u64(out, "CPUQuotaPeriodUSec", period.toString());
  if (quota == 0 && period == 0) return;
  u64(out, "CPUQuotaPerSecUSec", quota > 0 ? systemdQuotaPerSec(quota, period).toString() : U64_MAX);
}

/** AllowedCPUs / AllowedMemoryNodes (systemd 244+): a byte mask, CPU n in byte n/8 bit n%8, with
 * no trailing zero bytes. An empty list is not sent. */
function cpuset(out: UnitProperty[], name: string, list: string, version: u32): void {
  if (version < 244) return;
  const words = parseCpuList(list.trim(), 0xfffff);
  if (words === null) return; // the config's own check names it
  const bytes: u32[] = [];
  for (let k = 0; k < words.length * 4; k++) bytes.push((words[k >> 2] >> ((<u32>k & 3) * 8)) & 0xff);
  while (bytes.length > 0 && bytes[bytes.length - 1] == 0) bytes.pop();
  if (bytes.length == 0) return;
  let json = "[";
  for (let i = 0; i < bytes.length; i++) json += (i > 0 ? "," : "") + bytes[i].toString();
  out.push(new UnitProperty(name, "ay", json + "]"));
}

/** runc's unifiedResToSystemdProps: the unified files systemd has a property for, in config
 * order; the rest go to cgroupfs only. A value systemd could not take is an error. */
function unifiedProperties(res: Resources, version: u32, out: UnitProperty[], d: Diagnostics): void {
  const files = res.unified;
  let idle = false;
  for (let i = 0; i < files.length; i++) if (files[i].file == "cpu.idle" && files[i].value.trim() == "1" && version >= 252) idle = true;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const k = f.file;
    const v = f.value.trim();
    const conversion = "unified resource " + quote(k) + " value conversion error: " + quote(v) + " is not a number";
    if (k == "cpu.idle") {
      if (idle) u64(out, "CPUWeight", "0");
    } else if (k == "cpu.weight") {
      if (idle) continue; // one CPUWeight: cpu.idle's
      if (!isU64(v)) { d.error(E_RANGE, f.pointer, conversion); continue; }
      u64(out, "CPUWeight", v);
    } else if (k == "cpu.max") {
      const fields = splitFields(v);
      if (fields.length < 1 || fields.length > 2) { d.error(E_RANGE, f.pointer, "unified resource " + quote(k) + " value invalid: " + quote(v)); continue; }
      let quota: i64 = 0;
      let period: i64 = DEFAULT_CPU_PERIOD;
      if (fields[0] != "max") {
        if (!isI64(fields[0])) { d.error(E_RANGE, f.pointer, "unified resource " + quote(k) + " quota value conversion error: " + quote(fields[0]) + " is not a number"); continue; }
        quota = I64.parseInt(fields[0]);
      }
      if (fields.length == 2) {
        if (!isU64(fields[1]) || fields[1].length > 18) { d.error(E_RANGE, f.pointer, "unified resource " + quote(k) + " period value conversion error: " + quote(fields[1]) + " is not a number"); continue; }
        period = I64.parseInt(fields[1]);
      }
      cpuQuota(quota, period, version, out);
    } else if (k == "cpuset.cpus" || k == "cpuset.mems") {
      cpuset(out, k == "cpuset.cpus" ? "AllowedCPUs" : "AllowedMemoryNodes", v, version);
    } else if (k == "memory.high" || k == "memory.low" || k == "memory.min" || k == "memory.max" || k == "memory.swap.max") {
      if (v != "max" && !isU64(v)) { d.error(E_RANGE, f.pointer, conversion); continue; }
      const names = ["MemoryHigh", "MemoryLow", "MemoryMin", "MemoryMax", "MemorySwapMax"];
      const files = ["memory.high", "memory.low", "memory.min", "memory.max", "memory.swap.max"];
      u64(out, names[files.indexOf(k)], v == "max" ? U64_MAX : v);
    } else if (k == "pids.max") {
      if (v == "max" || (v.startsWith("-") && isI64(v))) u64(out, "TasksMax", U64_MAX);
      else if (isU64(v)) u64(out, "TasksMax", v);
      else d.error(E_RANGE, f.pointer, conversion);
    }
  }
}

/** Decimal digits that fit uint64. */
function isU64(s: string): bool {
  if (s.length == 0 || s.length > 20) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return false;
  return s.length < 20 || s <= U64_MAX;
}

/** An optional "-" and at most 18 digits: safely an int64. */
function isI64(s: string): bool {
  const digits = s.startsWith("-") ? s.substring(1) : s;
  return digits.length > 0 && digits.length <= 18 && isU64(digits);
}

function splitFields(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch == " " || ch == "\t" || ch == "\n") {
      if (cur.length > 0) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** One entry of runc's device emulator: the access bits (accessBits) of a type and numbers. */
class DeviceEntry {
  constructor(public type: string, public major: i64, public minor: i64, public bits: i32, public pointer: string) {}
}

/** runc's devices.systemdProperties: the rules run through an emulator of v1's device list (a
 * rule for every device and access switches between deny-all and allow-all and empties the list;
 * another rule adds to or takes its bits from the entry of the same type and numbers), then
 * DeviceAllow is emptied and DevicePolicy strict with the allow-list, or auto for allow-all. */
function deviceProperties(rules: DeviceRule[], version: u32, out: UnitProperty[], d: Diagnostics): void {
  let allowAll = false;
  // allowAll: the denied entries; else the allowed ones.
  let list: DeviceEntry[] = [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const bits = accessBits(r.access);
    if (r.type == "a" && r.major < 0 && r.minor < 0 && bits == 7) {
      allowAll = r.allow;
      list = [];
      continue;
    }
    let entry: DeviceEntry | null = null;
    for (let k = 0; k < list.length; k++) if (list[k].type == r.type && list[k].major == r.major && list[k].minor == r.minor) entry = list[k];
    if (r.allow != allowAll) {
      if (entry) entry.bits |= bits;
      else list.push(new DeviceEntry(r.type, r.major, r.minor, bits, r.pointer));
    } else if (entry) {
      entry.bits &= ~bits;
    }
  }
  out.push(new UnitProperty("DeviceAllow", "a(ss)", "[]")); // empties systemd's list first
  if (allowAll) {
    for (let k = 0; k < list.length; k++) {
      if (list[k].bits == 0) continue;
      d.warn(W_IGNORED, list[k].pointer, "systemd's DeviceAllow= cannot say \"all devices but these\": the unit denies every device (ocirun's own device rules still apply in the cgroup)");
      str(out, "DevicePolicy", "strict");
      return;
    }
    str(out, "DevicePolicy", "auto");
    return;
  }
  str(out, "DevicePolicy", "strict");
  let json = "";
  for (let k = 0; k < list.length; k++) {
    const e = list[k];
    let perms = "";
    if (e.bits & 2) perms += "r";
    if (e.bits & 4) perms += "w";
    if (e.bits & 1) perms += "m";
    if (perms.length == 0) continue;
    if (e.major < 0 && e.minor >= 0) {
      d.warn(W_IGNORED, e.pointer, "systemd's DeviceAllow= has no form for any major number with minor " + e.minor.toString() + ": left out of the unit's list (ocirun's own device rules still apply in the cgroup)");
      continue;
    }
    if (e.major >= 0 && e.minor < 0 && version < 240) continue; // "char-<major>" is systemd 240+
    const types = e.type == "a" ? ["char", "block"] : [e.type == "b" ? "block" : "char"];
    for (let t = 0; t < types.length; t++) {
      const path = e.major < 0 ? types[t] + "-*" : e.minor < 0 ? types[t] + "-" + e.major.toString() : "/dev/" + types[t] + "/" + e.major.toString() + ":" + e.minor.toString();
      json += (json.length > 0 ? "," : "") + "[" + quote(path) + "," + quote(perms) + "]";
    }
  }
  if (json.length > 0) out.push(new UnitProperty("DeviceAllow", "a(ss)", "[" + json + "]"));
}

export function propertiesJson(props: UnitProperty[]): string {
  let out = "[";
  for (let i = 0; i < props.length; i++) out += (i > 0 ? "," : "") + "[" + quote(props[i].name) + "," + quote(props[i].signature) + "," + props[i].value + "]";
  return out + "]";
}
