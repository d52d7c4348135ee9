// linux.resources.unified: raw cgroup v2 files, written last so they win over the converted
// values. There is no v1 spelling of them.
import { Resources } from "../config/model";
import { Diagnostics, E_UNSUPPORTED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write } from "./write";

export function unifiedWrites(res: Resources, mode: CgroupMode, d: Diagnostics): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  if (res.unifiedPointer.length == 0) return out;
  if (mode != CgroupMode.V2) {
    if (res.unified.length > 0) d.error(E_UNSUPPORTED, res.unifiedPointer, "needs cgroup v2, and this host's cgroup controllers are v1");
    return out;
  }
  for (let i = 0; i < res.unified.length; i++) {
    const u = res.unified[i];
    write(out, mode, "", u.file, u.value, u.pointer);
  }
  return out;
}

