// /linux/seccomp: checked field by field; seccomp/compile.ts turns it into BPF.
import { JsonValue, JsonKind, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_ENUM, E_EMPTY, E_NOT_ABSOLUTE, E_CONFLICT, W_IGNORED } from "../diagnostics";
import { Seccomp, SeccompRule, SeccompArg } from "./model";
import { indexIn, readEnum, enumError, readEnumArray } from "./enums";
import { field, readArray, readString, readInt, isObject, isString, requireField, u64Value } from "./read";

// libseccomp's names (seccomp.h) without their common prefix, to keep core.wasm small; the model
// keeps indexes into these tables.
export const SCMP_ACT = "SCMP_ACT_";
export const SECCOMP_ACTIONS: string[] = ["KILL", "KILL_PROCESS", "KILL_THREAD", "TRAP", "ERRNO", "TRACE", "ALLOW", "LOG", "NOTIFY"];
export const ACT_ERRNO: i32 = 4;
export const ACT_TRACE: i32 = 5;
export const ACT_NOTIFY: i32 = 8;

// The architectures libseccomp 2.6 knows.
export const SCMP_ARCH = "SCMP_ARCH_";
export const SECCOMP_ARCHES: string[] = ["X86", "X86_64", "X32", "ARM", "AARCH64", "MIPS", "MIPS64", "MIPS64N32",
  "MIPSEL", "MIPSEL64", "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390", "S390X", "PARISC", "PARISC64", "RISCV64",
  "LOONGARCH64", "M68K", "SH", "SHEB"];

export const SECCOMP_FILTER_FLAG = "SECCOMP_FILTER_FLAG_";
export const SECCOMP_FLAGS: string[] = ["TSYNC", "LOG", "SPEC_ALLOW", "WAIT_KILLABLE_RECV"];

export const SCMP_CMP = "SCMP_CMP_";
export const SECCOMP_OPERATORS: string[] = ["NE", "LT", "LE", "EQ", "GE", "GT", "MASKED_EQ"];

// The errno rides in SECCOMP_RET_DATA, 16 bits.
const ERRNO_MAX: i64 = 65535;
const ARG_INDEX_MAX: i64 = 5;

/** defaultErrnoRet / errnoRet: only an action that returns an errno takes one. */
function readErrno(obj: JsonValue, key: string, ptr: string, action: i32, d: Diagnostics): i32 {
  if (!field(obj, key)) return -1;
  const errno = <i32>readInt(obj, key, ptr, d, 0, ERRNO_MAX, -1);
  if (action >= 0 && action != ACT_ERRNO && action != ACT_TRACE) {
    d.error(E_CONFLICT, childPointer(ptr, key), "is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not " + SCMP_ACT + SECCOMP_ACTIONS[action]);
  }
  return errno;
}

export function parseSeccomp(v: JsonValue, ptr: string, d: Diagnostics): Seccomp {
  const s = new Seccomp();
  if (requireField(v, "defaultAction", ptr, d)) s.defaultAction = readEnum(v, "defaultAction", ptr, SCMP_ACT, SECCOMP_ACTIONS, "seccomp action", d);
  s.defaultErrnoRet = readErrno(v, "defaultErrnoRet", ptr, s.defaultAction, d);
  s.architectures = readEnumArray(v, "architectures", ptr, SCMP_ARCH, SECCOMP_ARCHES, "architecture", d);
  s.flags = readEnumArray(v, "flags", ptr, SECCOMP_FILTER_FLAG, SECCOMP_FLAGS, "seccomp flag", d);
  s.listenerPath = readString(v, "listenerPath", ptr, d);
  s.listenerMetadata = readString(v, "listenerMetadata", ptr, d);
  const arr = readArray(v, "syscalls", ptr, d);
  if (arr) {
    const p = childPointer(ptr, "syscalls");
    for (let i = 0; i < arr.items.length; i++) {
      const ip = indexPointer(p, i);
      if (isObject(arr.items[i], ip, d)) s.syscalls.push(parseRule(arr.items[i], ip, d));
    }
  }

  // A NOTIFY action hands the listener fd to the agent at listenerPath.
  let notifyAt = s.defaultAction == ACT_NOTIFY ? childPointer(ptr, "defaultAction") : "";
  for (let i = 0; notifyAt.length == 0 && i < s.syscalls.length; i++) {
    if (s.syscalls[i].action == ACT_NOTIFY) notifyAt = childPointer(s.syscalls[i].pointer, "action");
  }
  const lp = childPointer(ptr, "listenerPath");
  if (s.listenerPath.length > 0) {
    if (!s.listenerPath.startsWith("/")) d.error(E_NOT_ABSOLUTE, lp, "must be an absolute path, not \"" + s.listenerPath + "\"");
    // The spec says to ignore it without NOTIFY, so this is no error.
    if (notifyAt.length == 0) d.warn(W_IGNORED, lp, "is ignored: no action is SCMP_ACT_NOTIFY");
  } else if (notifyAt.length > 0) {
    d.error(E_CONFLICT, notifyAt, "SCMP_ACT_NOTIFY needs /linux/seccomp/listenerPath");
  }
  // The init writes the listener to the runtime after loading the filter: a NOTIFY on write
  // (or as the default) would wait for an agent that never got it. runc refuses both too.
  if (s.defaultAction == ACT_NOTIFY) d.error(E_CONFLICT, childPointer(ptr, "defaultAction"), "cannot be SCMP_ACT_NOTIFY: the runtime could not hand the listener to the agent");
  for (let i = 0; i < s.syscalls.length; i++) {
    const r = s.syscalls[i];
    const w = r.action == ACT_NOTIFY ? r.names.indexOf("write") : -1;
    if (w >= 0) d.error(E_CONFLICT, r.pointer + "/names/" + r.nameIndexes[w].toString(), "\"write\" cannot be SCMP_ACT_NOTIFY: the runtime could not hand the listener to the agent");
  }
  if (s.listenerMetadata.length > 0 && s.listenerPath.length == 0) {
    d.error(E_CONFLICT, childPointer(ptr, "listenerMetadata"), "is only valid with /linux/seccomp/listenerPath");
  }
  return s;
}

function parseRule(v: JsonValue, ptr: string, d: Diagnostics): SeccompRule {
  const r = new SeccompRule();
  r.pointer = ptr;
  if (requireField(v, "names", ptr, d)) {
    const names = readArray(v, "names", ptr, d);
    const np = childPointer(ptr, "names");
    if (names && names.items.length == 0) d.error(E_EMPTY, np, "must name at least one syscall");
    for (let i = 0; names && i < names.items.length; i++) {
      const item = names.items[i];
      // Pointers only for errors: a profile names hundreds of syscalls.
      if (item.kind != JsonKind.String || item.str.length == 0) {
        const ip = indexPointer(np, i);
        if (isString(item, ip, d)) d.error(E_EMPTY, ip, "must not be empty");
      } else {
        r.names.push(names.items[i].str);
        r.nameIndexes.push(i);
      }
    }
  }
  if (requireField(v, "action", ptr, d)) r.action = readEnum(v, "action", ptr, SCMP_ACT, SECCOMP_ACTIONS, "seccomp action", d);
  r.errnoRet = readErrno(v, "errnoRet", ptr, r.action, d);
  const args = readArray(v, "args", ptr, d);
  if (!args) return r;
  const ap = childPointer(ptr, "args");
  for (let i = 0; i < args.items.length; i++) {
    const a = args.items[i];
    const ip = indexPointer(ap, i);
    if (!isObject(a, ip, d)) continue;
    let ok = requireField(a, "index", ip, d);
    ok = requireField(a, "value", ip, d) && ok;
    ok = requireField(a, "op", ip, d) && ok;
    const index = <u32>readInt(a, "index", ip, d, 0, ARG_INDEX_MAX, 0);
    const value = field(a, "value") ? u64Value(a.get("value")!, childPointer(ip, "value"), d) : 0;
    const valueTwo = field(a, "valueTwo") ? u64Value(a.get("valueTwo")!, childPointer(ip, "valueTwo"), d) : 0;
    const op = readEnum(a, "op", ip, SCMP_CMP, SECCOMP_OPERATORS, "operator", d);
    if (ok) r.args.push(new SeccompArg(index, value, valueTwo, op));
  }
  return r;
}
