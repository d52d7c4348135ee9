// linux.resources.rdma: rdma.max, one line per device, the same on v1 and v2.
import { Resources } from "../config/model";
import { CgroupMode, CgroupWrite, write } from "./write";

export function rdmaWrites(res: Resources, mode: CgroupMode): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  for (let i = 0; i < res.rdma.length; i++) {
    const r = res.rdma[i];
    const handles = r.hcaHandles;
    const objects = r.hcaObjects;
    if (!handles && !objects) continue;
    let value = r.device;
    if (handles) value += " hca_handle=" + handles.value.toString();
    if (objects) value += " hca_object=" + objects.value.toString();
    write(out, mode, "rdma", "rdma.max", value, r.pointer);
  }
  return out;
}
