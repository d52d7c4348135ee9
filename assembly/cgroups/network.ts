// linux.resources.network: net_cls.classid and net_prio.ifpriomap, which exist on v1 only.
import { Resources } from "../config/model";
import { Diagnostics, W_IGNORED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write } from "./write";

export function networkWrites(res: Resources, mode: CgroupMode, d: Diagnostics): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const n = res.network;
  if (!n) return out;
  const classID = n.classID;
  if (mode == CgroupMode.V2) {
    // runc ignores these on v2 without a word; a warning at least says so.
    if ((classID && classID.value != 0) || n.priorities.length > 0) d.warn(W_IGNORED, n.pointer, "net_cls and net_prio do not exist on cgroup v2: ignored");
    return out;
  }
  // 0 is the kernel's "no class", as runc reads it.
  if (classID && classID.value != 0) write(out, mode, "net_cls", "net_cls.classid", classID.value.toString(), classID.pointer);
  for (let i = 0; i < n.priorities.length; i++) {
    const p = n.priorities[i];
    write(out, mode, "net_prio", "net_prio.ifpriomap", p.name + " " + p.priority.toString(), p.pointer);
  }
  return out;
}
