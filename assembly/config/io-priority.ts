// process.ioPriority: class and priority, as ioprio_set(2) takes them.
import { JsonValue, childPointer } from "../json/value";
import { Diagnostics, E_ENUM } from "../diagnostics";
import { IoPriority } from "./model";
import { readString, readInt, requireField } from "./read";

// Index = IOPRIO_CLASS_* of linux/ioprio.h (0 is IOPRIO_CLASS_NONE, not a spec value).
const CLASSES: string[] = ["", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"];

export function ioPriorityClassName(c: u32): string {
  return c > 0 && c < <u32>CLASSES.length ? CLASSES[c] : c.toString();
}

export function parseIoPriority(v: JsonValue, ptr: string, d: Diagnostics): IoPriority | null {
  const before = d.errorCount;
  let ioClass = 0;
  if (requireField(v, "class", ptr, d)) {
    const name = readString(v, "class", ptr, d);
    ioClass = name.length > 0 ? CLASSES.indexOf(name) : -1;
    if (ioClass < 0) d.error(E_ENUM, childPointer(ptr, "class"), "unknown io priority class \"" + name + "\": one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE");
  }
  let priority: i64 = 0;
  if (requireField(v, "priority", ptr, d)) priority = readInt(v, "priority", ptr, d, 0, 7, 0);
  return d.errorCount == before ? new IoPriority(<u32>ioClass, <u32>priority) : null;
}
