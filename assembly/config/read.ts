// Typed reads of JSON values. Each takes the field's JSON pointer and records a diagnostic
// when the value has the wrong type or is out of range. JSON null counts as absent.
import { JsonKind, JsonValue, kindName, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_TYPE, E_RANGE, E_REQUIRED } from "../diagnostics";

export function field(obj: JsonValue | null, key: string): JsonValue | null {
  if (!obj || obj.kind != JsonKind.Object) return null;
  const v = obj.get(key);
  if (!v || v.kind == JsonKind.Null) return null;
  return v;
}

function typeError(d: Diagnostics, ptr: string, want: string, v: JsonValue): void {
  d.error(E_TYPE, ptr, "must be " + want + ", not " + kindName(v.kind));
}

export function isObject(v: JsonValue, ptr: string, d: Diagnostics): bool {
  if (v.kind == JsonKind.Object) return true;
  typeError(d, ptr, "an object", v);
  return false;
}

export function isArray(v: JsonValue, ptr: string, d: Diagnostics): bool {
  if (v.kind == JsonKind.Array) return true;
  typeError(d, ptr, "an array", v);
  return false;
}

export function isString(v: JsonValue, ptr: string, d: Diagnostics): bool {
  if (v.kind == JsonKind.String) return true;
  typeError(d, ptr, "a string", v);
  return false;
}

/** The object at obj[key], or null (absent, or an error recorded). */
export function readObject(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics): JsonValue | null {
  const v = field(obj, key);
  if (!v) return null;
  return isObject(v, childPointer(ptr, key), d) ? v : null;
}

export function readArray(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics): JsonValue | null {
  const v = field(obj, key);
  if (!v) return null;
  return isArray(v, childPointer(ptr, key), d) ? v : null;
}

export function readString(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics, fallback: string = ""): string {
  const v = field(obj, key);
  if (!v) return fallback;
  return isString(v, childPointer(ptr, key), d) ? v.str : fallback;
}

export function hasField(obj: JsonValue | null, key: string): bool {
  return field(obj, key) !== null;
}

export function requireField(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics): bool {
  if (field(obj, key)) return true;
  d.error(E_REQUIRED, childPointer(ptr, key), "is required");
  return false;
}

export function readBool(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics): bool {
  const v = field(obj, key);
  if (!v) return false;
  if (v.kind != JsonKind.Bool) { typeError(d, childPointer(ptr, key), "a boolean", v); return false; }
  return v.boolValue;
}

/** An integer in [lo, hi] (i64). */
export function intValue(v: JsonValue, ptr: string, d: Diagnostics, lo: i64, hi: i64): i64 {
  if (v.kind != JsonKind.Number) { typeError(d, ptr, "an integer", v); return 0; }
  const t = v.numText;
  const neg = t.charCodeAt(0) == 0x2d;
  const mag = parseMagnitude(t, neg ? 1 : 0);
  if (mag < 0) {
    d.error(E_TYPE, ptr, "must be an integer, not " + t);
    return 0;
  }
  // mag is a u64 magnitude encoded in an i64 slot only when it fits below 2^63.
  const big = mag == 0x7fffffffffffffff && overflowed;
  if (big || (neg ? -mag : mag) > hi || (neg ? -mag : mag) < lo) {
    d.error(E_RANGE, ptr, t + " is out of range [" + lo.toString() + ", " + hi.toString() + "]");
    return 0;
  }
  return neg ? -mag : mag;
}

/** An unsigned 64-bit integer (rlimits, memory sizes). */
export function u64Value(v: JsonValue, ptr: string, d: Diagnostics): u64 {
  if (v.kind != JsonKind.Number) { typeError(d, ptr, "an integer", v); return 0; }
  const t = v.numText;
  if (t.charCodeAt(0) == 0x2d) { d.error(E_RANGE, ptr, t + " is out of range [0, 18446744073709551615]"); return 0; }
  let r: u64 = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) { d.error(E_TYPE, ptr, "must be an integer, not " + t); return 0; }
    const digit = <u64>(c - 0x30);
    if (r > (U64.MAX_VALUE - digit) / 10) { d.error(E_RANGE, ptr, t + " is out of range [0, 18446744073709551615]"); return 0; }
    r = r * 10 + digit;
  }
  return r;
}

let overflowed = false;

/** Digits from `start` as a non-negative i64; -1 if not a plain integer; saturates (setting `overflowed`). */
function parseMagnitude(t: string, start: i32): i64 {
  overflowed = false;
  if (start >= t.length) return -1;
  let r: i64 = 0;
  for (let i = start; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    const digit = <i64>(c - 0x30);
    if (r > (I64.MAX_VALUE - digit) / 10) { overflowed = true; return I64.MAX_VALUE; }
    r = r * 10 + digit;
  }
  return r;
}

export function readInt(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics, lo: i64, hi: i64, fallback: i64): i64 {
  const v = field(obj, key);
  if (!v) return fallback;
  return intValue(v, childPointer(ptr, key), d, lo, hi);
}

/** An array of strings; wrong elements are reported and skipped. `indices`, when given, gets
 * each kept string's index in the config, so later diagnostics point at the right element. */
export function readStringArray(obj: JsonValue | null, key: string, ptr: string, d: Diagnostics, indices: i32[] | null = null): string[] {
  const out: string[] = [];
  const arr = readArray(obj, key, ptr, d);
  if (!arr) return out;
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    // The pointer is built only for an error: most items are strings.
    if (item.kind != JsonKind.String) {
      typeError(d, indexPointer(childPointer(ptr, key), i), "a string", item);
      continue;
    }
    out.push(item.str);
    if (indices) indices.push(i);
  }
  return out;
}

export const U32_MAX: i64 = 4294967295;
