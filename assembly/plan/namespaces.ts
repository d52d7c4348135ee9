// How the init gets its namespaces: born in new ones (clone flags), or joining some by path
// first (setns, user first), then unsharing the rest, then one more fork when the pid
// namespace is new or joined or the time namespace new (both only apply to children; a joined
// time namespace applies at once). In a user namespace, new or joined, the init becomes root
// before that fork.
import { Config } from "../config/model";
import { CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWCGROUP } from "../config/linux";
import { PlanWriter } from "./writer";
import { IdMapping } from "../config/model";
import { Request } from "../request";
import { planTimeOffsets } from "./process-settings";
import { idMapsHow, idMapsHowLabel } from "./rootless";
import { CgroupDir } from "../cgroups/path";
import { planCgroupJoin } from "./cgroup-join";
import { emitBecomeRoot, emitForkInit, emitSetns, emitUnshare, emitUsernsMaps } from "./emit.gen";

/** The text of a uid_map or gid_map file. */
export function mapText(maps: IdMapping[]): string {
  let out = "";
  for (let i = 0; i < maps.length; i++) {
    out += maps[i].containerID.toString() + " " + maps[i].hostID.toString() + " " + maps[i].size.toString() + "\n";
  }
  return out;
}

function planIdMaps(c: Config, req: Request, w: PlanWriter): void {
  const how = idMapsHow(c, req);
  emitUsernsMaps(w, "/linux/uidMappings", "write the user namespace's id maps",
    mapText(c.linux.uidMappings), mapText(c.linux.gidMappings), how, idMapsHowLabel(how));
}

/** The container gets a user namespace (new or joined): mknod and some mounts are not allowed there. */
export function inUserNamespace(c: Config): bool {
  for (let i = 0; i < c.linux.namespaces.length; i++) if (c.linux.namespaces[i].flag == CLONE_NEWUSER) return true;
  return false;
}

/** The config creates (not joins) a namespace of this type. */
export function createsNamespace(c: Config, flag: u32): bool {
  for (let i = 0; i < c.linux.namespaces.length; i++) {
    const ns = c.linux.namespaces[i];
    if (ns.flag == flag && ns.path.length == 0) return true;
  }
  return false;
}

// runc's order for joining: user first (it grants the rights for the others), mount last.
export const JOIN_ORDER: string[] = ["user", "ipc", "uts", "network", "pid", "time", "cgroup", "mount"];

/** cgroups: the container's cgroup directories the init joins first (none: no cgroups). */
export function planNamespaces(c: Config, req: Request, cgroups: CgroupDir[], w: PlanWriter): void {
  const nss = c.linux.namespaces;
  let newFlags: u32 = 0;
  let joins = 0;
  for (let i = 0; i < nss.length; i++) {
    if (nss[i].path.length > 0) joins++;
    else newFlags |= nss[i].flag;
  }
  if (cgroups.length > 0) planCgroupJoin(c, cgroups, w);
  // Fast path: nothing to join, no time namespace: one clone creates them all. A new cgroup
  // namespace is rooted at the cgroup its maker is in, so it comes after the join.
  if (joins == 0 && (newFlags & CLONE_NEWTIME) == 0) {
    const lateCgroupNs = cgroups.length > 0 ? newFlags & CLONE_NEWCGROUP : 0;
    w.cloneFlags = newFlags & ~lateCgroupNs;
    if (lateCgroupNs) emitUnshare(w, "/linux/namespaces", "create the cgroup namespace", lateCgroupNs);
    if (newFlags & CLONE_NEWUSER) planIdMaps(c, req, w);
    return;
  }
  let needFork = (newFlags & (CLONE_NEWPID | CLONE_NEWTIME)) != 0;
  let joinedUser = "";
  for (let k = 0; k < JOIN_ORDER.length; k++) {
    for (let i = 0; i < nss.length; i++) {
      const ns = nss[i];
      if (ns.type != JOIN_ORDER[k] || ns.path.length == 0) continue;
      emitSetns(w, ns.pointer, "join " + ns.type + " namespace " + ns.path, ns.path, ns.flag);
      if (ns.flag == CLONE_NEWPID) needFork = true;
      if (ns.flag == CLONE_NEWUSER) joinedUser = ns.pointer;
    }
  }
  if (newFlags != 0) {
    emitUnshare(w, "/linux/namespaces", "create namespaces", newFlags);
  }
  // The offsets are frozen when the first process enters the time namespace (the fork below).
  // Before the id maps or BECOME_ROOT: the non-dumpable init's /proc/self files belong to the
  // host's root, which it still is until then.
  planTimeOffsets(c, w);
  if (newFlags & CLONE_NEWUSER) planIdMaps(c, req, w);
  // A joined namespace has its maps; the init's ids are the host's, unmapped there (an EOVERFLOW
  // at the first mkdir). Its capabilities there are full since the setns, and stay so.
  if (joinedUser.length > 0) emitBecomeRoot(w, joinedUser, "become root in the joined user namespace");
  if (needFork) emitForkInit(w, "/linux/namespaces", "fork into the pid namespace");
}
