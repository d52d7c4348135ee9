// The /linux fields that set up the container's kernel view: sysctl, timeOffsets,
// personality, memoryPolicy, netDevices, mountLabel, cgroupsPath, intelRdt.
import { JsonValue, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_ENUM, E_RANGE, E_DUPLICATE } from "../diagnostics";
import { Linux, NetDevice } from "./model";
import { readObject, readString, readArray, isObject, isString, requireField } from "./read";
import { parseSysctl } from "./sysctl";
import { parseTimeOffsets } from "./time-offsets";
import { parseMemoryPolicy } from "./memory-policy";
import { parseIntelRdt } from "./intel-rdt";

export const PER_LINUX: i32 = 0x0000;
export const PER_LINUX32: i32 = 0x0008;

export function parseLinuxSettings(v: JsonValue, ptr: string, d: Diagnostics, l: Linux): void {
  const sysctl = readObject(v, "sysctl", ptr, d);
  if (sysctl) l.sysctl = parseSysctl(sysctl, childPointer(ptr, "sysctl"), d);
  const offsets = readObject(v, "timeOffsets", ptr, d);
  if (offsets) l.timeOffsets = parseTimeOffsets(offsets, childPointer(ptr, "timeOffsets"), d);
  const pers = readObject(v, "personality", ptr, d);
  if (pers) l.personality = parsePersonality(pers, childPointer(ptr, "personality"), d);
  const mpol = readObject(v, "memoryPolicy", ptr, d);
  if (mpol) l.memoryPolicy = parseMemoryPolicy(mpol, childPointer(ptr, "memoryPolicy"), d);
  const devs = readObject(v, "netDevices", ptr, d);
  if (devs) l.netDevices = parseNetDevices(devs, childPointer(ptr, "netDevices"), d);
  l.mountLabel = readString(v, "mountLabel", ptr, d);
  // Where the cgroup is, and the systemd "slice:prefix:name" form, are the host's business.
  l.cgroupsPath = readString(v, "cgroupsPath", ptr, d);
  const rdt = readObject(v, "intelRdt", ptr, d);
  if (rdt) { l.hasIntelRdt = true; parseIntelRdt(rdt, childPointer(ptr, "intelRdt"), d); }
}

function parsePersonality(v: JsonValue, ptr: string, d: Diagnostics): i32 {
  const flags = readArray(v, "flags", ptr, d);
  if (flags) {
    const fp = childPointer(ptr, "flags");
    // runtime-spec defines no personality flags yet.
    for (let i = 0; i < flags.items.length; i++) {
      if (isString(flags.items[i], indexPointer(fp, i), d)) d.error(E_ENUM, indexPointer(fp, i), "unknown personality flag \"" + flags.items[i].str + "\"");
    }
  }
  if (!requireField(v, "domain", ptr, d)) return -1;
  const domain = readString(v, "domain", ptr, d);
  if (domain == "LINUX") return PER_LINUX;
  if (domain == "LINUX32") return PER_LINUX32;
  d.error(E_ENUM, childPointer(ptr, "domain"), "unknown personality domain \"" + domain + "\": one of LINUX, LINUX32");
  return -1;
}

/** An interface name the kernel takes: 1 to 15 bytes, no "/", ":" or white space, not "." or "..".
 * A "%" only as the one "%d" of a template (the kernel picks the number), and only when
 * template is true: a device's own name never has one. */
function validInterfaceName(name: string, template: bool): bool {
  if (name.length == 0 || String.UTF8.byteLength(name) > 15 || name == "." || name == "..") return false;
  let percents = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c == 0x2f || c == 0x3a || c <= 0x20 || c == 0x7f) return false;
    if (c == 0x25 && (++percents > 1 || !template || i + 1 == name.length || name.charCodeAt(i + 1) != 0x64)) return false;
  }
  return true;
}

function parseNetDevices(v: JsonValue, ptr: string, d: Diagnostics): NetDevice[] {
  const out: NetDevice[] = [];
  for (let i = 0; i < v.keys.length; i++) {
    const host = v.keys[i];
    if (v.get(host) !== v.items[i]) continue; // a repeated key: the last one wins
    const ip = childPointer(ptr, host);
    if (!validInterfaceName(host, false)) { d.error(E_RANGE, ip, "\"" + host + "\" is not a network interface name"); continue; }
    if (!isObject(v.items[i], ip, d)) continue;
    // "" keeps the host's name, as runc reads it (Go's zero value).
    let name = readString(v.items[i], "name", ip, d, host);
    if (name.length == 0) name = host;
    if (!validInterfaceName(name, true)) { d.error(E_RANGE, childPointer(ip, "name"), "\"" + name + "\" is not a network interface name"); continue; }
    // Two templates are fine: the kernel numbers each.
    let dup = false;
    for (let k = 0; k < out.length; k++) if (out[k].name == name && !name.includes("%")) dup = true;
    if (dup) { d.error(E_DUPLICATE, ip, "another device is also named \"" + name + "\" in the container"); continue; }
    out.push(new NetDevice(ip, host, name));
  }
  return out;
}
