// linux.resources.hugepageLimits: hugetlb.<size>.limit_in_bytes on v1, hugetlb.<size>.max on v2,
// and the reservation counters (.rsvd.) where the kernel has them (5.7+), as runc writes both.
import { Resources } from "../config/model";
import { CgroupMode, CgroupWrite, write } from "./write";

export function hugetlbWrites(res: Resources, mode: CgroupMode): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const suffix = mode == CgroupMode.V2 ? "max" : "limit_in_bytes";
  for (let i = 0; i < res.hugepageLimits.length; i++) {
    const h = res.hugepageLimits[i];
    const base = "hugetlb." + h.pageSize + ".";
    write(out, mode, "hugetlb", base + suffix, h.limit.toString(), h.pointer);
    write(out, mode, "hugetlb", base + "rsvd." + suffix, h.limit.toString(), h.pointer, true);
  }
  return out;
}
