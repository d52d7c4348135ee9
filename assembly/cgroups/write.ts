// One cgroup file write for the host to make. Writers name the v1 controller ("" on v2); the
// planner (cgroups/plan.ts) turns it into the directory of the host's v1 hierarchy.

export const enum CgroupMode { V1, V2 }

export class CgroupWrite {
  constructor(
    public controller: string,
    public file: string,
    public value: string,
    /** The config field the write comes from; "" for the runtime's own defaults. */
    public pointer: string,
    /** The host skips the write when the file does not exist (a kernel or scheduler feature). */
    public optional: bool,
  ) {}
}

/** Appends a write; `controller` is dropped on v2, where every file is in the one directory. */
export function write(out: CgroupWrite[], mode: CgroupMode, controller: string, file: string, value: string, pointer: string, optional: bool = false): void {
  out.push(new CgroupWrite(mode == CgroupMode.V2 ? "" : controller, file, value, pointer, optional));
}

/** A limit where -1 means none: v1 files take "-1", v2 files "max". */
export function limitText(value: i64, mode: CgroupMode): string {
  return value < 0 ? (mode == CgroupMode.V2 ? "max" : "-1") : value.toString();
}

/** "major:minor", as blkio and io files name a device. */
export function deviceNumber(major: i64, minor: i64): string {
  return major.toString() + ":" + minor.toString();
}
