// /linux: namespaces, devices, maskedPaths, readonlyPaths, rootfsPropagation.
import { JsonValue, JsonKind, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_ENUM, E_DUPLICATE, E_NOT_ABSOLUTE, E_REQUIRED, E_EMPTY } from "../diagnostics";
import { Linux, Namespace, Device, IdMapping } from "./model";
import { readArray, readString, readStringArray, isObject, field, readInt, requireField, hasField, U32_MAX } from "./read";

export const CLONE_NEWTIME: u32 = 0x00000080;
export const CLONE_NEWNS: u32 = 0x00020000;
export const CLONE_NEWCGROUP: u32 = 0x02000000;
export const CLONE_NEWUTS: u32 = 0x04000000;
export const CLONE_NEWIPC: u32 = 0x08000000;
export const CLONE_NEWUSER: u32 = 0x10000000;
export const CLONE_NEWPID: u32 = 0x20000000;
export const CLONE_NEWNET: u32 = 0x40000000;

export function namespaceFlag(type: string): u32 {
  if (type == "pid") return CLONE_NEWPID;
  if (type == "network") return CLONE_NEWNET;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "user") return CLONE_NEWUSER;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  if (type == "time") return CLONE_NEWTIME;
  return 0;
}

export function parseLinux(v: JsonValue, ptr: string, d: Diagnostics): Linux {
  const l = new Linux();
  const ns = readArray(v, "namespaces", ptr, d);
  if (ns) parseNamespaces(ns, childPointer(ptr, "namespaces"), d, l.namespaces);
  else if (field(v, "namespaces")) l.namespacesValid = false;
  const devs = readArray(v, "devices", ptr, d);
  if (devs) parseDevices(devs, childPointer(ptr, "devices"), d, l.devices);
  l.uidMappings = idMappings(v, "uidMappings", ptr, d);
  l.gidMappings = idMappings(v, "gidMappings", ptr, d);
  l.maskedPaths = absolutePaths(v, "maskedPaths", ptr, d);
  l.readonlyPaths = absolutePaths(v, "readonlyPaths", ptr, d);
  l.rootfsPropagation = readString(v, "rootfsPropagation", ptr, d);
  if (l.rootfsPropagation.length > 0 && propagationFlag(l.rootfsPropagation) == 0) {
    d.error(E_ENUM, childPointer(ptr, "rootfsPropagation"), "unknown propagation \"" + l.rootfsPropagation + "\": one of shared, slave, private, unbindable");
  }
  return l;
}

export function propagationFlag(name: string): u32 {
  if (name == "shared") return 1 << 20; // MS_SHARED
  if (name == "slave") return 1 << 19; // MS_SLAVE
  if (name == "private") return 1 << 18; // MS_PRIVATE
  if (name == "unbindable") return 1 << 17; // MS_UNBINDABLE
  return 0;
}

export function idMappings(v: JsonValue, key: string, ptr: string, d: Diagnostics): IdMapping[] {
  const out: IdMapping[] = [];
  const arr = readArray(v, key, ptr, d);
  if (!arr) return out;
  const p = childPointer(ptr, key);
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(p, i);
    if (!isObject(item, ip, d)) continue;
    let ok = true;
    for (let k = 0; k < 3; k++) ok = requireField(item, ["containerID", "hostID", "size"][k], ip, d) && ok;
    if (!ok) continue;
    const size = <u32>readInt(item, "size", ip, d, 1, U32_MAX, 1);
    out.push(new IdMapping(<u32>readInt(item, "containerID", ip, d, 0, U32_MAX, 0), <u32>readInt(item, "hostID", ip, d, 0, U32_MAX, 0), size));
  }
  return out;
}

function absolutePaths(v: JsonValue, key: string, ptr: string, d: Diagnostics): string[] {
  const at: i32[] = [];
  const paths = readStringArray(v, key, ptr, d, at);
  const p = childPointer(ptr, key);
  for (let i = 0; i < paths.length; i++) {
    if (!paths[i].startsWith("/")) d.error(E_NOT_ABSOLUTE, indexPointer(p, at[i]), "must be an absolute path, not \"" + paths[i] + "\"");
  }
  return paths;
}

function parseNamespaces(arr: JsonValue, ptr: string, d: Diagnostics, out: Namespace[]): void {
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    if (!requireField(item, "type", ip, d)) continue;
    const type = readString(item, "type", ip, d);
    const flag = namespaceFlag(type);
    const tp = childPointer(ip, "type");
    if (flag == 0) { d.error(E_ENUM, tp, "unknown namespace type \"" + type + "\""); continue; }
    let dup = false;
    for (let k = 0; k < out.length; k++) if (out[k].flag == flag) dup = true;
    if (dup) { d.error(E_DUPLICATE, tp, "duplicate namespace \"" + type + "\""); continue; }
    const path = readString(item, "path", ip, d);
    if (path.length > 0 && !path.startsWith("/")) d.error(E_NOT_ABSOLUTE, childPointer(ip, "path"), "must be an absolute path, not \"" + path + "\"");
    out.push(new Namespace(ip, type, flag, path));
  }
}

function parseDevices(arr: JsonValue, ptr: string, d: Diagnostics, out: Device[]): void {
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    const dev = new Device();
    dev.pointer = ip;
    if (requireField(item, "path", ip, d)) dev.path = readString(item, "path", ip, d);
    if (hasField(item, "path") && dev.path.length == 0 && item.get("path")!.kind == JsonKind.String) d.error(E_EMPTY, childPointer(ip, "path"), "must be a full path, not empty");
    if (dev.path.length > 0 && !dev.path.startsWith("/")) d.error(E_NOT_ABSOLUTE, childPointer(ip, "path"), "must be an absolute path, not \"" + dev.path + "\"");
    if (requireField(item, "type", ip, d)) dev.type = readString(item, "type", ip, d);
    const t = dev.type;
    if (t.length > 0 && t != "c" && t != "b" && t != "u" && t != "p") d.error(E_ENUM, childPointer(ip, "type"), "unknown device type \"" + t + "\": one of c, b, u, p");
    if (t != "p") {
      if (!field(item, "major") && t.length > 0) d.error(E_REQUIRED, childPointer(ip, "major"), "is required for a device of type \"" + t + "\"");
      if (!field(item, "minor") && t.length > 0) d.error(E_REQUIRED, childPointer(ip, "minor"), "is required for a device of type \"" + t + "\"");
    }
    dev.major = readInt(item, "major", ip, d, 0, U32_MAX, 0);
    dev.minor = readInt(item, "minor", ip, d, 0, U32_MAX, 0);
    dev.fileMode = <u32>readInt(item, "fileMode", ip, d, 0, 0o7777, 0o666);
    dev.uid = <u32>readInt(item, "uid", ip, d, 0, U32_MAX, 0);
    dev.gid = <u32>readInt(item, "gid", ip, d, 0, U32_MAX, 0);
    out.push(dev);
  }
}
