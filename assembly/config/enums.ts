// Config values that name one of a fixed table (seccomp actions, scheduler policies, flag
// lists): the lookup, and one error wording for an unknown name. Tables may leave out a prefix
// every name shares ("SCMP_ACT_"), to keep the core small.
import { JsonValue, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_ENUM } from "../diagnostics";
import { field, readArray, isString } from "./read";

export function indexIn(prefix: string, table: string[], name: string): i32 {
  return name.startsWith(prefix) ? table.indexOf(name.substring(prefix.length)) : -1;
}

/** obj[key] looked up in table; -1 (and an error) when it is not there. */
export function readEnum(obj: JsonValue, key: string, ptr: string, prefix: string, table: string[], what: string, d: Diagnostics): i32 {
  const v = field(obj, key);
  const p = childPointer(ptr, key);
  if (!v || !isString(v, p, d)) return -1;
  const i = indexIn(prefix, table, v.str);
  if (i < 0) enumError(prefix, table, v.str, what, p, d);
  return i;
}

export function enumError(prefix: string, table: string[], name: string, what: string, ptr: string, d: Diagnostics): void {
  let msg = "unknown " + what + " \"" + name + "\"";
  for (let i = 0; table.length < 10 && i < table.length; i++) msg += (i == 0 ? ": one of " : ", ") + prefix + table[i];
  d.error(E_ENUM, ptr, msg);
}

export function readEnumArray(obj: JsonValue, key: string, ptr: string, prefix: string, table: string[], what: string, d: Diagnostics): i32[] {
  const out: i32[] = [];
  const arr = readArray(obj, key, ptr, d);
  if (!arr) return out;
  const p = childPointer(ptr, key);
  for (let i = 0; i < arr.items.length; i++) {
    const ip = indexPointer(p, i);
    if (!isString(arr.items[i], ip, d)) continue;
    const k = indexIn(prefix, table, arr.items[i].str);
    if (k < 0) enumError(prefix, table, arr.items[i].str, what, ip, d);
    else out.push(k);
  }
  return out;
}
