// linux.resources.pids.limit: pids.max on v1 and v2.
import { Resources } from "../config/model";
import { CgroupMode, CgroupWrite, write } from "./write";

export function pidsWrites(res: Resources, mode: CgroupMode): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const limit = res.pids;
  // Both hierarchies spell "no limit" as "max" here.
  if (limit) write(out, mode, "pids", "pids.max", limit.value < 0 ? "max" : limit.value.toString(), limit.pointer);
  return out;
}
