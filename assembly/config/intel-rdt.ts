// linux.intelRdt: closID, l3CacheSchema, memBwSchema, schemata, enableMonitoring (and the
// older enableCMT/enableMBM). Checked only: resctrl groups are not managed yet.
import { JsonValue, childPointer } from "../json/value";
import { Diagnostics, E_RANGE, W_IGNORED } from "../diagnostics";
import { readString, readStringArray, readBool } from "./read";

export function parseIntelRdt(v: JsonValue, ptr: string, d: Diagnostics): void {
  const before = d.errorCount;
  const clos = readString(v, "closID", ptr, d);
  // A resctrl group is a directory: its name must be one path component ("/" is the root group).
  if (clos != "/" && (clos == "." || clos == ".." || clos.indexOf("/") >= 0)) {
    d.error(E_RANGE, childPointer(ptr, "closID"), "\"" + clos + "\" is not a resctrl group name");
  }
  readString(v, "l3CacheSchema", ptr, d);
  readString(v, "memBwSchema", ptr, d);
  readStringArray(v, "schemata", ptr, d);
  readBool(v, "enableMonitoring", ptr, d);
  readBool(v, "enableCMT", ptr, d);
  readBool(v, "enableMBM", ptr, d);
  if (d.errorCount == before) d.warn(W_IGNORED, ptr, "is not applied yet: the container gets no resctrl group");
}
