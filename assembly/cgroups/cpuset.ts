// linux.resources.cpu.cpus and .mems: cpuset.cpus and cpuset.mems, the same on v1 and v2.
import { Resources } from "../config/model";
import { CgroupMode, CgroupWrite, write } from "./write";

export function cpusetWrites(res: Resources, mode: CgroupMode): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const c = res.cpu;
  if (!c) return out;
  const cpus = c.cpus;
  const mems = c.mems;
  if (cpus) write(out, mode, "cpuset", "cpuset.cpus", cpus.value, cpus.pointer);
  if (mems) write(out, mode, "cpuset", "cpuset.mems", mems.value, mems.pointer);
  return out;
}
