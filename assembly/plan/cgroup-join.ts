// The init's first op: into the container's cgroups, before it makes anything the cgroups
// should count or a cgroup namespace that should be rooted there.
import { Config } from "../config/model";
import { Request } from "../request";
import { PlanWriter } from "./writer";
import { OP_CGROUP_JOIN } from "./ops";
import { CgroupDir } from "../cgroups/path";

/** bornThere: the process may be cloned into the cgroup (nothing must run before the join).
 * busyFallback: the procs file to join instead when the kernel refuses with EBUSY ("" none). */
export function planCgroupJoin(c: Config, req: Request, dirs: CgroupDir[], w: PlanWriter, bornThere: bool = true, busyFallback: string = ""): void {
  const procs: string[] = [];
  for (let i = 0; i < dirs.length; i++) procs.push(dirs[i].full() + "/cgroup.procs");
  // One cgroup2 directory: the kernel can put the process there as it is born.
  const cloneInto = bornThere && req.cgroup == "v2" && dirs.length == 1 ? dirs[0].full() : "";
  const source = c.linux.cgroupsPath.length > 0 ? "/linux/cgroupsPath" : "";
  w.op(OP_CGROUP_JOIN, "CGROUP_JOIN", source, "join the container's cgroups").strList("procs", procs).s("clone_into", cloneInto)
    .s("busy_fallback", busyFallback);
}
