// How the init gets its namespaces: born in new ones (clone flags), or joining some by path
// first (setns, user first), then unsharing the rest, then one more fork when the pid or
// time namespace is new or joined (both only apply to children).
import { Config } from "../config/model";
import { CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWTIME } from "../config/linux";
import { PlanWriter } from "./writer";
import { OP_SETNS, OP_UNSHARE, OP_FORK_INIT } from "./ops";

// runc's order for joining: user first (it grants the rights for the others), mount last.
const JOIN_ORDER: string[] = ["user", "ipc", "uts", "network", "pid", "time", "cgroup", "mount"];

export function planNamespaces(c: Config, w: PlanWriter): void {
  const nss = c.linux.namespaces;
  let newFlags: u32 = 0;
  let joins = 0;
  for (let i = 0; i < nss.length; i++) {
    if (nss[i].path.length > 0) joins++;
    else newFlags |= nss[i].flag;
  }
  // Fast path: nothing to join, no time namespace: one clone creates them all.
  if (joins == 0 && (newFlags & CLONE_NEWTIME) == 0) {
    w.cloneFlags = newFlags;
    return;
  }
  let needFork = (newFlags & (CLONE_NEWPID | CLONE_NEWTIME)) != 0;
  for (let k = 0; k < JOIN_ORDER.length; k++) {
    for (let i = 0; i < nss.length; i++) {
      const ns = nss[i];
      if (ns.type != JOIN_ORDER[k] || ns.path.length == 0) continue;
      w.op(OP_SETNS, "SETNS", ns.pointer, "join " + ns.type + " namespace " + ns.path)
        .s("path", ns.path).cloneFlags_("nstype", ns.flag);
      if (ns.flag == CLONE_NEWPID) needFork = true;
    }
  }
  if (newFlags != 0) {
    w.op(OP_UNSHARE, "UNSHARE", "/linux/namespaces", "create namespaces").cloneFlags_("flags", newFlags);
  }
  if ((newFlags & CLONE_NEWUSER) != 0) {
    // New user namespaces need their maps written by the parent (not yet supported).
  }
  if (needFork) w.op(OP_FORK_INIT, "FORK_INIT", "/linux/namespaces", "fork into the pid namespace");
}
