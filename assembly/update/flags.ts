// op update: what the update gives, in the shape of `update -r`'s LinuxResources object: the
// request's `update-resources` (the -r file or stdin), or else runc's flags as typed
// (`update-flags`, raw strings) parsed as runc parses them: sizes as go-units' RAMInBytes
// ("512m", "1.5g", "-1"), the CPU values as strconv's ParseUint/ParseInt, the cpuset lists as
// they are. An empty string is a flag not given (runc's String flags), and `--blkio-weight 0`
// too. With -r every flag but the Intel RDT ones is ignored, as in runc (with a warning here).
import { JsonValue, JsonKind, kindName, setKey, numberValue, stringValue } from "../json/value";
import { parseJson } from "../json/parse";
import { Diagnostics, E_JSON_SYNTAX, E_TYPE, E_RANGE, E_UNSUPPORTED, E_CONFLICT, W_IGNORED } from "../diagnostics";
import { Request } from "../request";

/** Where the merged resources are in the stored config: diagnostics point below it. */
export const RESOURCES = "/linux/resources";

/** What the update gives. `tree` is a LinuxResources object (null when the -r text is wrong);
 * `flagPointers[i]` (a field under /linux/resources) was given by the flag `flagNames[i]`. */
export class GivenResources {
  tree: JsonValue | null = null;
  flagPointers: string[] = [];
  flagNames: string[] = [];

  /** The flag that gave the field at pointer ("--memory"), or the pointer itself. */
  source(pointer: string): string {
    const i = this.flagPointers.indexOf(pointer);
    return i < 0 ? pointer : this.flagNames[i];
  }
}

const enum Kind { Size, Uint, Int, GoInt, List, Rdt }

class Flag {
  constructor(public name: string, public kind: Kind, public group: string, public key: string) {}
}

// runc's update flags (update.go), and --cpu-shares, the spelling of `runc run`'s docs.
const FLAGS: Flag[] = [
  new Flag("memory", Kind.Size, "memory", "limit"),
  new Flag("memory-swap", Kind.Size, "memory", "swap"),
  new Flag("memory-reservation", Kind.Size, "memory", "reservation"),
  new Flag("kernel-memory", Kind.Size, "memory", "kernel"),
  new Flag("kernel-memory-tcp", Kind.Size, "memory", "kernelTCP"),
  new Flag("cpu-share", Kind.Uint, "cpu", "shares"),
  new Flag("cpu-shares", Kind.Uint, "cpu", "shares"),
  new Flag("cpu-period", Kind.Uint, "cpu", "period"),
  new Flag("cpu-quota", Kind.Int, "cpu", "quota"),
  new Flag("cpu-burst", Kind.Uint, "cpu", "burst"),
  new Flag("cpu-rt-period", Kind.Uint, "cpu", "realtimePeriod"),
  new Flag("cpu-rt-runtime", Kind.Int, "cpu", "realtimeRuntime"),
  new Flag("cpu-idle", Kind.Int, "cpu", "idle"),
  new Flag("cpuset-cpus", Kind.List, "cpu", "cpus"),
  new Flag("cpuset-mems", Kind.List, "cpu", "mems"),
  new Flag("pids-limit", Kind.GoInt, "pids", "limit"),
  new Flag("blkio-weight", Kind.GoInt, "blockIO", "weight"),
  new Flag("l3-cache-schema", Kind.Rdt, "", "l3"),
  new Flag("mem-bw-schema", Kind.Rdt, "", "mba"),
];

function findFlag(name: string): Flag | null {
  for (let i = 0; i < FLAGS.length; i++) if (FLAGS[i].name == name) return FLAGS[i];
  return null;
}

export function givenResources(req: Request, d: Diagnostics): GivenResources {
  const g = new GivenResources();
  const fromFlags = new JsonValue(JsonKind.Object, 0);
  const flags = req.updateFlags.length > 0 ? parseLine(req.updateFlags, "update-flags", "", d) : null;
  if (flags && flags.kind != JsonKind.Object) d.error(E_TYPE, "", "update-flags must be a JSON object");
  else if (flags) {
    for (let i = 0; i < flags.keys.length; i++) {
      const name = flags.keys[i];
      if (flags.get(name) !== flags.items[i]) continue;
      const flag = findFlag(name);
      if (!flag) { d.error(E_TYPE, "", "update-flags: unknown flag \"" + name + "\""); continue; }
      const v = flags.items[i];
      if (v.kind != JsonKind.String) { d.error(E_TYPE, "--" + name, "must be a string, not " + kindName(v.kind)); continue; }
      if (flag.kind == Kind.Rdt) { intelRdt(flag, v.str, req, d); continue; }
      if (req.hasUpdateResources) {
        if (v.str.length > 0) d.warn(W_IGNORED, "--" + name, "ignored: -r/--resources gives the resources (runc ignores the other flags then)");
        continue;
      }
      const value = flagValue(flag, v.str, d);
      if (!value) continue;
      const pointer = RESOURCES + "/" + flag.group + "/" + flag.key;
      if (g.flagPointers.includes(pointer)) { d.error(E_CONFLICT, "--" + name, "gives " + pointer + " again (--" + g.source(pointer).substring(2) + ")"); continue; }
      let group = fromFlags.get(flag.group);
      if (!group) { group = new JsonValue(JsonKind.Object, 0); setKey(fromFlags, flag.group, group); }
      setKey(group, flag.key, value);
      g.flagPointers.push(pointer);
      g.flagNames.push("--" + name);
    }
  }
  if (!req.hasUpdateResources) {
    g.tree = fromFlags;
    return g;
  }
  const given = parseLine(req.updateResources, "the resources", "--resources", d);
  if (!given) return g;
  // Go's decoder leaves the object as it was for `null`: nothing given.
  if (given.kind == JsonKind.Null) g.tree = new JsonValue(JsonKind.Object, 0);
  else if (given.kind != JsonKind.Object) d.error(E_TYPE, "--resources", "must be a JSON object (LinuxResources), not " + kindName(given.kind));
  else g.tree = given;
  return g;
}

function parseLine(text: string, what: string, pointer: string, d: Diagnostics): JsonValue | null {
  const r = parseJson(Uint8Array.wrap(String.UTF8.encode(text)));
  if (r.error) {
    const err = r.error!;
    d.error(E_JSON_SYNTAX, pointer, what + " is not valid JSON: at byte " + (err.offset + 1).toString() + ": " + err.message);
    return null;
  }
  return r.value;
}

/** Intel RDT: runc's words when the host lacks the feature; with it, ocirun has no resctrl
 * group of the container's to write (create makes none yet). */
function intelRdt(flag: Flag, value: string, req: Request, d: Diagnostics): void {
  if (value.length == 0) return;
  const ptr = "--" + flag.name;
  if (flag.key == "l3" && !req.rdtL3) d.error(E_UNSUPPORTED, ptr, "Intel RDT/CAT: l3 cache schema is not enabled (this host has no resctrl filesystem with L3 cache allocation)");
  else if (flag.key == "mba" && !req.rdtMba) d.error(E_UNSUPPORTED, ptr, "Intel RDT/MBA: memory bandwidth schema is not enabled (this host has no resctrl filesystem with memory bandwidth allocation)");
  else d.error(E_UNSUPPORTED, ptr, "updating a container's Intel RDT schema is not supported yet: ocirun makes no resctrl group for a container");
}

/** The JSON value a flag gives, or null when it gives none (or is wrong: an error is recorded). */
function flagValue(flag: Flag, s: string, d: Diagnostics): JsonValue | null {
  const ptr = "--" + flag.name;
  // runc's String flags: empty is not given. Its Int flags (urfave's IntFlag) must parse.
  if (s.length == 0 && flag.kind != Kind.GoInt) return null;
  if (flag.kind == Kind.List) return stringValue(s);
  if (flag.kind == Kind.Size) return sizeValue(s, ptr, d);
  if (flag.kind == Kind.Uint) {
    const t = unsignedText(s);
    if (t === null) { d.error(E_TYPE, ptr, "invalid value " + quoteText(s) + ": not an unsigned integer"); return null; }
    if (t == "") { d.error(E_RANGE, ptr, "invalid value " + quoteText(s) + ": out of range"); return null; }
    return numberValue(t);
  }
  const t = signedText(s);
  if (t === null) { d.error(E_TYPE, ptr, "invalid value " + quoteText(s) + ": not an integer"); return null; }
  if (t == "") { d.error(E_RANGE, ptr, "invalid value " + quoteText(s) + ": out of range"); return null; }
  // runc sets the blkio weight only when it is not 0.
  if (flag.name == "blkio-weight" && t == "0") return null;
  return numberValue(t);
}

function quoteText(s: string): string {
  return "\"" + s + "\"";
}

/** strconv.ParseUint(s, 10, 64) as decimal text: null if not digits, "" if above 2^64-1. */
function unsignedText(s: string): string | null {
  if (s.length == 0) return null;
  let r: u64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
    const digit = <u64>(c - 0x30);
    if (r > (U64.MAX_VALUE - digit) / 10) return "";
    r = r * 10 + digit;
  }
  return r.toString();
}

/** strconv.ParseInt(s, 10, 64) as decimal text: null if not an integer, "" out of range. */
function signedText(s: string): string | null {
  const neg = s.startsWith("-");
  const digits = neg || s.startsWith("+") ? s.substring(1) : s;
  const mag = unsignedText(digits);
  if (mag === null || mag == "") return mag;
  const m = U64.parseInt(mag);
  if (m > (neg ? (<u64>1) << 63 : <u64>I64.MAX_VALUE)) return "";
  if (m == 0) return "0";
  return neg ? "-" + mag : mag;
}

/** go-units' RAMInBytes (v0.5, runc 1.2+), with "-1" for unlimited as runc reads it: a decimal
 * number (fractions allowed), an optional space, then an optional suffix k, m, g, t or p
 * (powers of 1024, any case), optionally followed by "b" or "ib"; a lone "b" is bytes.
 * Truncated to whole bytes. A value that does not fit int64 is refused (runc wraps it). */
function sizeValue(s: string, ptr: string, d: Diagnostics): JsonValue | null {
  if (s == "-1") return numberValue("-1");
  let sep = -1;
  for (let i = s.length - 1; i >= 0 && sep < 0; i--) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x20) sep = i;
  }
  if (sep < 0) { d.error(E_TYPE, ptr, "invalid size " + quoteText(s)); return null; }
  const num = s.charCodeAt(sep) == 0x20 ? s.substring(0, sep) : s.substring(0, sep + 1);
  const suffix = s.substring(sep + 1);
  if (!isDecimalFloat(num)) { d.error(E_TYPE, ptr, "invalid size " + quoteText(s)); return null; }
  let size = decimalValue(num);
  if (size < 0) { d.error(E_RANGE, ptr, "invalid size " + quoteText(s)); return null; }
  let ok = suffix.length <= 3;
  if (ok && suffix.length > 0) {
    const unit = lower(suffix, 0);
    if (unit == 0x62) ok = suffix.length == 1; // "b"
    else {
      const at = UNITS.indexOf(String.fromCharCode(unit));
      ok = at >= 0 && (suffix.length == 1 || (suffix.length == 2 && lower(suffix, 1) == 0x62) || (suffix.length == 3 && lower(suffix, 1) == 0x69 && lower(suffix, 2) == 0x62));
      if (ok) size *= <f64>((<i64>1) << (10 * (at + 1)));
    }
  }
  if (!ok) { d.error(E_TYPE, ptr, "invalid size " + quoteText(s) + ": unknown suffix " + quoteText(suffix)); return null; }
  if (!(size < 9223372036854775807.0)) { d.error(E_RANGE, ptr, "invalid size " + quoteText(s) + ": out of range"); return null; }
  return numberValue((<i64>size).toString());
}

const UNITS = "kmgtp";

/** The character at i, an ASCII letter in lower case (String#toLowerCase brings Unicode's tables). */
function lower(s: string, i: i32): i32 {
  const c = s.charCodeAt(i);
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** The value of a decimal isDecimalFloat accepts, as strtod's fast path computes it: the digits
 * exactly, then one multiplication or division by a power of ten, so it is ParseFloat's (correctly
 * rounded) for up to 15 digits and powers up to 1e22, which covers sizes. */
function decimalValue(s: string): f64 {
  let i = 0;
  const neg = s.charAt(0) == "-";
  if (neg || s.charAt(0) == "+") i++;
  let mantissa: f64 = 0;
  let scale: i32 = 0;
  let fraction = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2e) { fraction = true; continue; }
    if (!isDigit(c)) break;
    mantissa = mantissa * 10 + <f64>(c - 0x30);
    if (fraction) scale--;
  }
  if (i < s.length) {
    i++; // e or E
    const expNeg = s.charAt(i) == "-";
    if (expNeg || s.charAt(i) == "+") i++;
    let exp = 0;
    for (; i < s.length; i++) exp = min(exp * 10 + (s.charCodeAt(i) - 0x30), 100000);
    scale += expNeg ? -exp : exp;
  }
  let power: f64 = 1;
  for (let k = 0; k < abs(scale) && power < Infinity; k++) power *= 10;
  const v = scale < 0 ? mantissa / power : mantissa * power;
  return neg ? -v : v;
}

/** strconv.ParseFloat's decimal form: [+-] digits [. digits] [e [+-] digits], or [+-] . digits. */
function isDecimalFloat(s: string): bool {
  let i = 0;
  if (i < s.length && (s.charAt(i) == "+" || s.charAt(i) == "-")) i++;
  let digits = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) { i++; digits++; }
  if (i < s.length && s.charAt(i) == ".") {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) { i++; digits++; }
  }
  if (digits == 0) return false;
  if (i < s.length && (s.charAt(i) == "e" || s.charAt(i) == "E")) {
    i++;
    if (i < s.length && (s.charAt(i) == "+" || s.charAt(i) == "-")) i++;
    let exp = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) { i++; exp++; }
    if (exp == 0) return false;
  }
  return i == s.length;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}
