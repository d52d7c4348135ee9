// Settings that act inside a namespace the config must give the container: namespaced
// sysctls, timeOffsets, netDevices, idmapped mounts.
import { childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_NEEDS_NAMESPACE, E_CONFLICT } from "../diagnostics";
import { Config, Mount } from "./model";
import { CLONE_NEWTIME, CLONE_NEWNET, CLONE_NEWUSER } from "./linux";
import { checkSysctlNamespaces } from "./sysctl";
import { isBindMount } from "./mounts";

export function checkNamespaceNeeds(c: Config, d: Diagnostics): void {
  if (!c.linux.namespacesValid) return;
  let has: u32 = 0;
  let joined: u32 = 0;
  for (let i = 0; i < c.linux.namespaces.length; i++) {
    const ns = c.linux.namespaces[i];
    has |= ns.flag;
    if (ns.path.length > 0) joined |= ns.flag;
  }
  checkSysctlNamespaces(c, has, d);
  if (c.linux.timeOffsets.length > 0) {
    if ((has & CLONE_NEWTIME) == 0) d.error(E_NEEDS_NAMESPACE, "/linux/timeOffsets", "need a time namespace in /linux/namespaces");
    // Offsets are frozen once a process enters the namespace.
    else if (joined & CLONE_NEWTIME) d.error(E_CONFLICT, "/linux/timeOffsets", "cannot be set for a joined time namespace, only a new one");
  }
  if (c.linux.netDevices.length > 0 && (has & CLONE_NEWNET) == 0) {
    d.error(E_NEEDS_NAMESPACE, "/linux/netDevices", "need a network namespace in /linux/namespaces");
  }
  for (let i = 0; i < c.mounts.length; i++) checkIdmappedMount(c.mounts[i], (has & CLONE_NEWUSER) != 0, d);
}

// Idmapped mounts (config.md, the idmap and ridmap options; runc's checkIDMapMounts): binds
// only, idmapped by the mount's own maps, or without them by the container's user namespace,
// new or joined. The host builds the tree either way (plan/mounts.ts).
function checkIdmappedMount(m: Mount, userNs: bool, d: Diagnostics): void {
  const uid = m.uidMappings.length > 0;
  if (uid || m.gidMappings.length > 0) {
    if (!isBindMount(m)) d.error(E_CONFLICT, childPointer(m.pointer, uid ? "uidMappings" : "gidMappings"), "are only for bind mounts");
    return;
  }
  for (let k = 0; k < m.options.length; k++) {
    const o = m.options[k];
    if (o != "idmap" && o != "ridmap") continue;
    const op = indexPointer(childPointer(m.pointer, "options"), m.optionIndices[k]);
    if (!userNs) d.error(E_NEEDS_NAMESPACE, op, "\"" + o + "\" needs uidMappings and gidMappings on the mount or a user namespace in /linux/namespaces");
    if (!isBindMount(m)) d.error(E_CONFLICT, op, "\"" + o + "\" is only for bind mounts");
  }
}
