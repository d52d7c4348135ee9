// op update: the given resources merged into the stored linux.resources by runc 1.2+'s rules
// (update.go): a field changes only when it is given. Fields update never changes (devices,
// hugepageLimits, network, rdma, swappiness, disableOOMKiller) are ignored, as runc ignores them.
// runc's special cases, kept:
// - cpu quota and period: 0 is "not given" (runc sets one alone and keeps the other);
// - cpus and mems: "" is not given;
// - a memory limit of -1 with no swap given sets swap to 0 (unlimited swap follows);
// - cpu idle with no shares given sets shares to 0 (no cpu.weight next to cpu.idle);
// - memory.checkBeforeUpdate is this update's (runc resets it to false when not given);
// - kernel memory is warned about and ignored;
// - blockIO device lists are upserted by major:minor (runc 1.3+): a given weight device changes
//   the fields it gives, a given throttle replaces the stored one; others are appended;
// - unified files are upserted by name.
// Where runc 1.2 still overwrites a field that was not given (cpus, mems, pids, burst, idle,
// unified; both quota and period when neither is given), ocirun keeps the stored value: runc's
// cgroup keeps it too (the setters skip the empty value), only its state.json loses it.
// Values are not checked here: the merged object is parsed as config.json's resources are.
import { JsonValue, JsonKind, childPointer, indexPointer, setKey, removeKey, numberValue } from "../json/value";
import { Diagnostics, W_DEPRECATED } from "../diagnostics";
import { THROTTLE_FIELDS } from "../config/resources";
import { GivenResources, RESOURCES } from "./flags";

/** Merges `given` (a LinuxResources object) into `stored` (linux.resources, changed in place);
 * `given` gets the pointer of each field the update sets, as in the merged object. */
export function mergeResources(stored: JsonValue, g: GivenResources, given: string[], d: Diagnostics): void {
  const r = g.tree!;
  mergeMemory(stored, present(r, "memory"), g, given, d);
  mergeCpu(stored, present(r, "cpu"), given);
  mergeBlockIO(stored, present(r, "blockIO"), given);
  const pids = present(r, "pids");
  if (pids) mergeFields(stored, "pids", pids, ["limit"], given);
  const unified = present(r, "unified");
  if (unified && unified.kind == JsonKind.Object) {
    const u = group(stored, "unified");
    for (let i = 0; i < unified.keys.length; i++) {
      const key = unified.keys[i];
      if (unified.get(key) !== unified.items[i]) continue;
      setKey(u, key, unified.items[i]);
      given.push(childPointer(RESOURCES + "/unified", key));
    }
  } else if (unified) replace(stored, "unified", unified, given);
}

function mergeMemory(stored: JsonValue, m: JsonValue | null, g: GivenResources, given: string[], d: Diagnostics): void {
  // checkBeforeUpdate is each update's own: false (absent) unless this one says true.
  const sm = stored.get("memory");
  if (sm && sm.kind == JsonKind.Object) removeKey(sm, "checkBeforeUpdate");
  if (!m) return;
  if (m.kind != JsonKind.Object) { replace(stored, "memory", m, given); return; }
  mergeFields(stored, "memory", m, ["limit", "reservation", "swap", "checkBeforeUpdate"], given);
  const kernel = ["kernel", "kernelTCP"];
  for (let i = 0; i < 2; i++) {
    if (present(m, kernel[i])) d.warn(W_DEPRECATED, g.source(RESOURCES + "/memory/" + kernel[i]), "kernel memory settings are ignored and will be removed");
  }
  const limit = present(m, "limit");
  if (limit && limit.kind == JsonKind.Number && limit.numText == "-1" && !present(m, "swap")) setKey(group(stored, "memory"), "swap", numberValue("0"));
}

function mergeCpu(stored: JsonValue, c: JsonValue | null, given: string[]): void {
  if (!c) return;
  if (c.kind != JsonKind.Object) { replace(stored, "cpu", c, given); return; }
  mergeFields(stored, "cpu", c, ["shares", "realtimePeriod", "realtimeRuntime", "burst", "idle"], given);
  for (let i = 0; i < 2; i++) {
    const key = i == 0 ? "quota" : "period";
    const v = present(c, key);
    if (v && !isZero(v)) setGiven(stored, "cpu", key, v, given);
  }
  for (let i = 0; i < 2; i++) {
    const key = i == 0 ? "cpus" : "mems";
    const v = present(c, key);
    if (v && !(v.kind == JsonKind.String && v.str.length == 0)) setGiven(stored, "cpu", key, v, given);
  }
  if (present(c, "idle") && !present(c, "shares")) setKey(group(stored, "cpu"), "shares", numberValue("0"));
}

function mergeBlockIO(stored: JsonValue, b: JsonValue | null, given: string[]): void {
  if (!b) return;
  if (b.kind != JsonKind.Object) { replace(stored, "blockIO", b, given); return; }
  mergeFields(stored, "blockIO", b, ["weight", "leafWeight"], given);
  upsertDevices(stored, b, "weightDevice", true, given);
  for (let k = 0; k < THROTTLE_FIELDS.length; k++) upsertDevices(stored, b, THROTTLE_FIELDS[k], false, given);
}

/** A weight device changes the weights it gives; a throttle device replaces the stored one of
 * its major:minor (the last, as runc finds it); a new device is appended. */
function upsertDevices(stored: JsonValue, b: JsonValue, key: string, isWeight: bool, given: string[]): void {
  const list = present(b, key);
  if (!list) return;
  const ptr = RESOURCES + "/blockIO/" + key;
  if (list.kind != JsonKind.Array) { replace(group(stored, "blockIO"), key, list, given, ptr); return; }
  const bio = group(stored, "blockIO");
  let into = bio.get(key);
  if (!into || into.kind != JsonKind.Array) {
    into = new JsonValue(JsonKind.Array, 0);
    setKey(bio, key, into);
  }
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    const at = sameDevice(into, item);
    if (at < 0) {
      into.items.push(item);
      given.push(indexPointer(ptr, into.items.length - 1));
    } else if (isWeight) {
      for (let f = 0; f < 2; f++) {
        const field = f == 0 ? "weight" : "leafWeight";
        const v = present(item, field);
        if (v) { setKey(into.items[at], field, v); given.push(indexPointer(ptr, at) + "/" + field); }
      }
    } else {
      into.items[at] = item;
      given.push(indexPointer(ptr, at));
    }
  }
}

/** The index of the last device in list with item's major and minor, or -1. */
function sameDevice(list: JsonValue, item: JsonValue): i32 {
  const major = present(item, "major");
  const minor = present(item, "minor");
  if (!major || !minor || major.kind != JsonKind.Number || minor.kind != JsonKind.Number) return -1;
  for (let i = list.items.length - 1; i >= 0; i--) {
    const it = list.items[i];
    const a = present(it, "major");
    const b = present(it, "minor");
    if (a && b && a.kind == JsonKind.Number && b.kind == JsonKind.Number && a.numText == major.numText && b.numText == minor.numText) return i;
  }
  return -1;
}

/** Each of keys that `from` gives, set in stored[name]. */
function mergeFields(stored: JsonValue, name: string, from: JsonValue, keys: string[], given: string[]): void {
  if (from.kind != JsonKind.Object) { replace(stored, name, from, given); return; }
  for (let i = 0; i < keys.length; i++) {
    const v = present(from, keys[i]);
    if (v) setGiven(stored, name, keys[i], v, given);
  }
}

function setGiven(stored: JsonValue, name: string, key: string, v: JsonValue, given: string[]): void {
  setKey(group(stored, name), key, v);
  given.push(RESOURCES + "/" + name + "/" + key);
}

/** A value of the wrong type goes in as given, so the parser names it. */
function replace(obj: JsonValue, key: string, v: JsonValue, given: string[], ptr: string = ""): void {
  setKey(obj, key, v);
  given.push(ptr.length > 0 ? ptr : RESOURCES + "/" + key);
}

/** stored[name] as an object, made when it is absent (or not an object). */
function group(stored: JsonValue, name: string): JsonValue {
  const v = stored.get(name);
  if (v && v.kind == JsonKind.Object) return v;
  const made = new JsonValue(JsonKind.Object, 0);
  setKey(stored, name, made);
  return made;
}

/** obj[key] unless absent or null (Go decodes null as not given). */
function present(obj: JsonValue, key: string): JsonValue | null {
  if (obj.kind != JsonKind.Object) return null;
  const v = obj.get(key);
  return v && v.kind != JsonKind.Null ? v : null;
}

/** A JSON number whose value is zero ("0", "-0", "0.0", "0e5"). */
function isZero(v: JsonValue): bool {
  if (v.kind != JsonKind.Number) return false;
  const t = v.numText;
  for (let i = 0; i < t.length; i++) {
    const c = t.charAt(i);
    if (c == "e" || c == "E") return true;
    if (c != "0" && c != "-" && c != ".") return false;
  }
  return true;
}
