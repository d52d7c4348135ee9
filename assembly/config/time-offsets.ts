// linux.timeOffsets: {"monotonic"|"boottime": {secs, nanosecs}}, the time namespace's clock
// offsets, written to /proc/self/timens_offsets before any process enters it.
import { JsonValue, childPointer } from "../json/value";
import { Diagnostics, E_ENUM } from "../diagnostics";
import { TimeOffset } from "./model";
import { isObject, readInt } from "./read";

export function parseTimeOffsets(v: JsonValue, ptr: string, d: Diagnostics): TimeOffset[] {
  const out: TimeOffset[] = [];
  for (let i = 0; i < v.keys.length; i++) {
    const clock = v.keys[i];
    if (v.get(clock) !== v.items[i]) continue; // a repeated key: the last one wins
    const cp = childPointer(ptr, clock);
    // The only clocks a time namespace offsets (time_namespaces(7)).
    if (clock != "monotonic" && clock != "boottime") { d.error(E_ENUM, cp, "unknown clock \"" + clock + "\": one of monotonic, boottime"); continue; }
    const item = v.items[i];
    if (!isObject(item, cp, d)) continue;
    const before = d.errorCount;
    const secs = readInt(item, "secs", cp, d, I64.MIN_VALUE + 1, I64.MAX_VALUE, 0);
    const nanosecs = <u32>readInt(item, "nanosecs", cp, d, 0, 999999999, 0);
    if (d.errorCount == before) out.push(new TimeOffset(clock, secs, nanosecs));
  }
  return out;
}

/** The text /proc/self/timens_offsets takes: one "<clock> <secs> <nanosecs>" line per clock. */
export function timeOffsetsText(offsets: TimeOffset[]): string {
  let out = "";
  for (let i = 0; i < offsets.length; i++) {
    out += offsets[i].clock + " " + offsets[i].secs.toString() + " " + offsets[i].nanosecs.toString() + "\n";
  }
  return out;
}
