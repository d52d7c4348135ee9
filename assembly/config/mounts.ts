// /mounts: destination, source, type, options. What the options do is plan/mounts.ts and plan/mount-flags.ts.
import { JsonValue, JsonKind, childPointer, indexPointer } from "../json/value";
import { Diagnostics, W_RELATIVE_PATH, E_EMPTY } from "../diagnostics";
import { Mount } from "./model";
import { readString, readStringArray, isObject, requireField } from "./read";
import { parseMountIdmap } from "./mount-idmap";

export function parseMounts(arr: JsonValue, ptr: string, d: Diagnostics): Mount[] {
  const out: Mount[] = [];
  for (let i = 0; i < arr.items.length; i++) {
    const item = arr.items[i];
    const ip = indexPointer(ptr, i);
    if (!isObject(item, ip, d)) continue;
    const m = new Mount();
    m.pointer = ip;
    if (requireField(item, "destination", ip, d)) m.destination = readString(item, "destination", ip, d);
    const dest = item.get("destination");
    if (dest && dest.kind == JsonKind.String && dest.str.length == 0) d.error(E_EMPTY, childPointer(ip, "destination"), "must be a path, not empty");
    m.source = readString(item, "source", ip, d);
    m.type = readString(item, "type", ip, d);
    m.options = readStringArray(item, "options", ip, d, m.optionIndices);
    parseMountIdmap(item, ip, d, m);
    if (m.destination.length > 0 && !m.destination.startsWith("/")) {
      // runc accepts a relative destination (relative to the root) with a warning; so do we.
      d.warn(W_RELATIVE_PATH, childPointer(ip, "destination"), "\"" + m.destination + "\" is relative; it is taken as \"/" + m.destination + "\"");
      m.destination = "/" + m.destination;
    }
    out.push(m);
  }
  return out;
}

/** A bind mount: type "bind", or a "bind"/"rbind" option (runc's reading). */
export function isBindMount(m: Mount): bool {
  if (m.type == "bind") return true;
  for (let i = 0; i < m.options.length; i++) if (m.options[i] == "bind" || m.options[i] == "rbind") return true;
  return false;
}
