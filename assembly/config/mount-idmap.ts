// mounts[].uidMappings and gidMappings: the id mappings of an idmapped mount, given together.
import { JsonValue, childPointer } from "../json/value";
import { Diagnostics, E_REQUIRED } from "../diagnostics";
import { Mount } from "./model";
import { idMappings } from "./linux";
import { hasField } from "./read";

export function parseMountIdmap(v: JsonValue, ptr: string, d: Diagnostics, m: Mount): void {
  const uid = hasField(v, "uidMappings");
  const gid = hasField(v, "gidMappings");
  if (uid != gid) d.error(E_REQUIRED, childPointer(ptr, uid ? "gidMappings" : "uidMappings"), "is required with " + (uid ? "uidMappings" : "gidMappings"));
  m.uidMappings = idMappings(v, "uidMappings", ptr, d);
  m.gidMappings = idMappings(v, "gidMappings", ptr, d);
}
