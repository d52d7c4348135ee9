// /process: user, args, env, cwd, capabilities, rlimits, noNewPrivileges, terminal.
import { JsonValue, JsonKind, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_REQUIRED, E_EMPTY, E_NOT_ABSOLUTE, E_ENUM, E_DUPLICATE, E_RANGE, W_UNKNOWN_CAPABILITY, W_AMBIENT_NOT_RAISABLE } from "../diagnostics";
import { Process, Rlimit, Capabilities } from "./model";
import { field, readObject, readArray, readString, readStringArray, readBool, readInt, isObject, isString, intValue, u64Value, requireField, U32_MAX } from "./read";
import { capabilityBit } from "./capabilities";
import { rlimitResource } from "./rlimits";
import { parseProcessLinux } from "./process-linux";

export function parseProcess(v: JsonValue, ptr: string, d: Diagnostics): Process {
  const p = new Process();
  p.present = true;
  p.terminal = readBool(v, "terminal", ptr, d);
  const size = readObject(v, "consoleSize", ptr, d);
  if (size) {
    const sp = childPointer(ptr, "consoleSize");
    p.consoleHeight = <u32>readInt(size, "height", sp, d, 0, 65535, 0);
    p.consoleWidth = <u32>readInt(size, "width", sp, d, 0, 65535, 0);
  }

  const userPtr = childPointer(ptr, "user");
  const user = readObject(v, "user", ptr, d);
  if (user) {
    requireField(user, "uid", userPtr, d);
    requireField(user, "gid", userPtr, d);
    p.user.uid = <u32>readInt(user, "uid", userPtr, d, 0, U32_MAX, 0);
    p.user.gid = <u32>readInt(user, "gid", userPtr, d, 0, U32_MAX, 0);
    p.user.umask = <i32>readInt(user, "umask", userPtr, d, 0, 0o777, -1);
    const gids = readArray(user, "additionalGids", userPtr, d);
    if (gids) {
      const gp = childPointer(userPtr, "additionalGids");
      for (let i = 0; i < gids.items.length; i++) p.user.additionalGids.push(<u32>intValue(gids.items[i], indexPointer(gp, i), d, 0, U32_MAX));
    }
  }

  // args is required when the process is started; runtime-spec requires at least one entry.
  const argsPtr = childPointer(ptr, "args");
  if (!field(v, "args")) d.error(E_REQUIRED, argsPtr, "is required: the command to run in the container");
  else {
    const at: i32[] = [];
    p.args = readStringArray(v, "args", ptr, d, at);
    const arr = field(v, "args");
    if (arr && arr.kind == JsonKind.Array && arr.items.length == 0) d.error(E_EMPTY, argsPtr, "must name a command: the array is empty");
    else if (p.args.length > 0 && p.args[0].length == 0) d.error(E_EMPTY, indexPointer(argsPtr, at[0]), "must name a command, not an empty string");
  }
  p.env = readStringArray(v, "env", ptr, d);

  if (requireField(v, "cwd", ptr, d)) {
    p.cwd = readString(v, "cwd", ptr, d, "/");
    if (!p.cwd.startsWith("/")) d.error(E_NOT_ABSOLUTE, childPointer(ptr, "cwd"), "must be an absolute path, not \"" + p.cwd + "\"");
  }

  const caps = readObject(v, "capabilities", ptr, d);
  if (caps) parseCapabilities(caps, childPointer(ptr, "capabilities"), d, p.capabilities);

  const rl = readArray(v, "rlimits", ptr, d);
  if (rl) parseRlimits(rl, childPointer(ptr, "rlimits"), d, p.rlimits);

  p.noNewPrivileges = readBool(v, "noNewPrivileges", ptr, d);
  parseProcessLinux(v, ptr, d, p);
  return p;
}

function capabilitySet(caps: JsonValue, key: string, ptr: string, d: Diagnostics): u64 {
  let mask: u64 = 0;
  const arr = readArray(caps, key, ptr, d);
  if (!arr) return 0;
  const p = childPointer(ptr, key);
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(p, i);
    if (!isString(item, ip, d)) continue;
    const bit = capabilityBit(item.str);
    // runtime-spec: a capability the runtime cannot map is logged, not fatal.
    if (bit < 0) d.warn(W_UNKNOWN_CAPABILITY, ip, "unknown capability \"" + item.str + "\" is ignored");
    else mask |= (<u64>1) << bit;
  }
  return mask;
}

function parseCapabilities(caps: JsonValue, ptr: string, d: Diagnostics, out: Capabilities): void {
  out.present = true;
  out.bounding = capabilitySet(caps, "bounding", ptr, d);
  out.effective = capabilitySet(caps, "effective", ptr, d);
  out.permitted = capabilitySet(caps, "permitted", ptr, d);
  out.inheritable = capabilitySet(caps, "inheritable", ptr, d);
  out.ambient = capabilitySet(caps, "ambient", ptr, d);
  // The kernel raises an ambient capability only if it is permitted and inheritable; runc
  // warns and goes on without it, and so do we (runc's own default spec relies on this).
  const raisable = out.permitted & out.inheritable;
  const amb = readArray(caps, "ambient", ptr, d);
  if (!amb) return;
  for (let i = 0; i < amb.items.length; i++) {
    const bit = amb.items[i].kind == JsonKind.String ? capabilityBit(amb.items[i].str) : -1;
    if (bit < 0 || (raisable >> bit) & 1) continue;
    out.ambient &= ~((<u64>1) << bit);
    d.warn(W_AMBIENT_NOT_RAISABLE, indexPointer(childPointer(ptr, "ambient"), i),
      amb.items[i].str + " is not both permitted and inheritable, so it cannot be ambient; it is left out");
  }
}

function parseRlimits(arr: JsonValue, ptr: string, d: Diagnostics, out: Rlimit[]): void {
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    const typePtr = childPointer(ip, "type");
    if (!requireField(item, "type", ip, d)) continue;
    const name = readString(item, "type", ip, d);
    const resource = rlimitResource(name);
    if (resource < 0) { d.error(E_ENUM, typePtr, "unknown rlimit \"" + name + "\""); continue; }
    let duplicate = false;
    for (let k = 0; k < out.length; k++) if (out[k].resource == resource) duplicate = true;
    if (duplicate) { d.error(E_DUPLICATE, typePtr, "duplicate rlimit \"" + name + "\""); continue; }
    const soft = field(item, "soft");
    const hard = field(item, "hard");
    if (!soft) d.error(E_REQUIRED, childPointer(ip, "soft"), "is required");
    if (!hard) d.error(E_REQUIRED, childPointer(ip, "hard"), "is required");
    if (!soft || !hard) continue;
    const before = d.errorCount;
    const s = u64Value(soft, childPointer(ip, "soft"), d);
    const h = u64Value(hard, childPointer(ip, "hard"), d);
    if (d.errorCount != before) continue;
    if (s > h) { d.error(E_RANGE, childPointer(ip, "soft"), "soft limit " + s.toString() + " is above the hard limit " + h.toString()); continue; }
    out.push(new Rlimit(ip, resource, s, h));
  }
}
