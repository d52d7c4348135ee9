// The init's first op: into the container's cgroups, before it makes anything the cgroups
// should count or a cgroup namespace that should be rooted there.
import { Config } from "../config/model";
import { Request } from "../request";
import { PlanWriter } from "./writer";
import { CgroupDir } from "../cgroups/path";
import { emitCgroupJoin, emitCloneInit } from "./emit.gen";

/** busyFallback: the procs file to join instead when the kernel refuses with EBUSY ("" none). */
export function planCgroupJoin(c: Config, dirs: CgroupDir[], w: PlanWriter, busyFallback: string = ""): void {
  const procs: string[] = [];
  for (let i = 0; i < dirs.length; i++) procs.push(dirs[i].full() + "/cgroup.procs");
  const source = c.linux.cgroupsPath.length > 0 ? "/linux/cgroupsPath" : "";
  emitCgroupJoin(w, source, "join the container's cgroups", procs, busyFallback);
}

/** CLONE_INIT: where the process is cloned. bornThere: it may be cloned into its cgroup (nothing
 * must run before the join); then with one cgroup2 directory the kernel puts it there at birth. */
export function planCloneInit(req: Request, dirs: CgroupDir[], w: PlanWriter, bornThere: bool): void {
  const cloneInto = bornThere && req.cgroup == "v2" && dirs.length == 1 ? dirs[0].full() : "";
  emitCloneInit(w, "", cloneInto.length > 0 ? "clone the process into \"" + cloneInto + "\"" : "clone the process",
    cloneInto);
}
