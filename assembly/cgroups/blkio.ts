// linux.resources.blockIO: the blkio.* files on v1, io.* on v2.
import { Resources } from "../config/model";
import { Diagnostics, W_IGNORED } from "../diagnostics";
import { CgroupMode, CgroupWrite, write, deviceNumber } from "./write";

// In THROTTLE_FIELDS order (config/resources.ts).
const THROTTLE_V1: string[] = ["blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"];
const THROTTLE_V2: string[] = ["rbps", "wbps", "riops", "wiops"];

/** crun's and runc's linear map of blkio weight [10, 1000] onto io.weight [1, 10000]. */
export function ioWeight(weight: i64): i64 {
  return 1 + ((weight - 10) * 9999) / 990;
}

// Weights are optional writes: which of the files exist depends on the kernel and the I/O
// scheduler (cfq's blkio.weight, bfq's *.bfq.weight, iocost's io.weight), as runc and crun probe.
export function blkioWrites(res: Resources, mode: CgroupMode, d: Diagnostics): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const b = res.blockIO;
  if (!b) return out;
  const weight = b.weight;
  const leaf = b.leafWeight;
  if (mode == CgroupMode.V2) {
    if (weight) {
      write(out, mode, "", "io.bfq.weight", weight.value.toString(), weight.pointer, true);
      write(out, mode, "", "io.weight", ioWeight(weight.value).toString(), weight.pointer, true);
    }
    if (leaf) d.warn(W_IGNORED, leaf.pointer, "cgroup v2 has no leaf weight: ignored");
    for (let i = 0; i < b.weightDevice.length; i++) {
      const wd = b.weightDevice[i];
      const dev = deviceNumber(wd.major, wd.minor);
      const w = wd.value;
      if (w) {
        write(out, mode, "", "io.bfq.weight", dev + " " + w.value.toString(), w.pointer, true);
        write(out, mode, "", "io.weight", dev + " " + ioWeight(w.value).toString(), w.pointer, true);
      }
      const wl = wd.leafWeight;
      if (wl) d.warn(W_IGNORED, wl.pointer, "cgroup v2 has no leaf weight: ignored");
    }
    for (let k = 0; k < 4; k++) {
      const list = b.throttle[k];
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        // A rate of 0 removes the limit on v1; v2 says "max".
        const rate = t.value!.value;
        write(out, mode, "", "io.max", deviceNumber(t.major, t.minor) + " " + THROTTLE_V2[k] + "=" + (rate == 0 ? "max" : rate.toString()), t.pointer);
      }
    }
    return out;
  }
  if (weight) {
    write(out, mode, "blkio", "blkio.weight", weight.value.toString(), weight.pointer, true);
    write(out, mode, "blkio", "blkio.bfq.weight", weight.value.toString(), weight.pointer, true);
  }
  if (leaf) write(out, mode, "blkio", "blkio.leaf_weight", leaf.value.toString(), leaf.pointer, true);
  for (let i = 0; i < b.weightDevice.length; i++) {
    const wd = b.weightDevice[i];
    const dev = deviceNumber(wd.major, wd.minor);
    const w = wd.value;
    if (w) {
      write(out, mode, "blkio", "blkio.weight_device", dev + " " + w.value.toString(), w.pointer, true);
      write(out, mode, "blkio", "blkio.bfq.weight_device", dev + " " + w.value.toString(), w.pointer, true);
    }
    const wl = wd.leafWeight;
    if (wl) write(out, mode, "blkio", "blkio.leaf_weight_device", dev + " " + wl.value.toString(), wl.pointer, true);
  }
  for (let k = 0; k < 4; k++) {
    const list = b.throttle[k];
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      write(out, mode, "blkio", THROTTLE_V1[k], deviceNumber(t.major, t.minor) + " " + t.value!.value.toString(), t.pointer);
    }
  }
  return out;
}
