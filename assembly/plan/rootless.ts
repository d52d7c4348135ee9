// What changes when ocirun runs as a non-root user (the request's euid is not 0), as runc's
// rootless mode: the config must give the container a user namespace, may not ask for
// supplementary groups or for uid=/gid= mount options the namespace does not map
// (libcontainer/configs/validate/rootless.go), and the id maps are written the way the kernel
// lets an unprivileged caller write them (nsexec's update_setgroups, update_uidmap).
import { Config, IdMapping } from "../config/model";
import { CLONE_NEWUSER } from "../config/linux";
import { Request } from "../request";
import { Diagnostics, E_CONFLICT, E_NEEDS_NAMESPACE } from "../diagnostics";
import { childPointer, indexPointer } from "../json/value";
import { USERNS_NEWUIDMAP, USERNS_NEWGIDMAP, USERNS_DENY_SETGROUPS } from "./ops";

export function checkRootless(c: Config, req: Request, d: Diagnostics): void {
  if (req.euid == 0) return;
  const who = "ocirun runs as uid " + req.euid.toString();
  let user = false;
  for (let i = 0; i < c.linux.namespaces.length; i++) if (c.linux.namespaces[i].flag == CLONE_NEWUSER) user = true;
  if (!user && c.linux.namespacesValid) {
    d.error(E_NEEDS_NAMESPACE, c.linux.namespacesPointer, who + ", not root: a user namespace is required (see ocirun spec --rootless)");
  }
  if (c.process.present && c.process.user.additionalGids.length > 0) {
    d.error(E_CONFLICT, "/process/user/additionalGids", who + ", not root: a rootless container cannot set supplementary groups");
  }
  if (!user) return;
  for (let i = 0; i < c.mounts.length; i++) {
    const m = c.mounts[i];
    for (let k = 0; k < m.options.length; k++) {
      const o = m.options[k];
      const isUid = o.startsWith("uid=");
      if (!isUid && !o.startsWith("gid=")) continue;
      const value = o.substring(4);
      if (!isDecimal(value)) continue; // not an id: left to the filesystem, as runc does
      const id = <u64>parseInt(value);
      if (mapsId(isUid ? c.linux.uidMappings : c.linux.gidMappings, id)) continue;
      d.error(E_CONFLICT, indexPointer(childPointer(m.pointer, "options"), m.optionIndices[k]),
        "\"" + o + "\": " + (isUid ? "uid" : "gid") + " " + value + " is not mapped in the user namespace (" + who + ", not root)");
    }
  }
}

/** The OP_USERNS_MAPS "how" bits. Root writes both maps. Anyone else may write only a single
 * line mapping its own id (for gid_map, once setgroups is "deny": Linux 3.19+); other maps go
 * through newuidmap/newgidmap, which check /etc/subuid and /etc/subgid. */
export function idMapsHow(c: Config, req: Request): u64 {
  if (req.euid == 0) return 0;
  let how: u64 = ownIdOnly(c.linux.uidMappings, req.euid) ? 0 : USERNS_NEWUIDMAP;
  how |= ownIdOnly(c.linux.gidMappings, req.egid) ? USERNS_DENY_SETGROUPS : USERNS_NEWGIDMAP;
  return how;
}

export function idMapsHowLabel(how: u64): string {
  let label = "";
  if (how & USERNS_DENY_SETGROUPS) label = "deny-setgroups";
  if (how & USERNS_NEWUIDMAP) label += (label.length > 0 ? "|" : "") + "newuidmap";
  if (how & USERNS_NEWGIDMAP) label += (label.length > 0 ? "|" : "") + "newgidmap";
  return label.length > 0 ? label : "write";
}

function ownIdOnly(maps: IdMapping[], id: u32): bool {
  return maps.length == 1 && maps[0].hostID == id && maps[0].size == 1;
}

function mapsId(maps: IdMapping[], id: u64): bool {
  for (let i = 0; i < maps.length; i++) {
    if (id >= <u64>maps[i].containerID && id < <u64>maps[i].containerID + <u64>maps[i].size) return true;
  }
  return false;
}

function isDecimal(s: string): bool {
  if (s.length == 0 || s.length > 10) return false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return false;
  }
  return true;
}
