// The container's cgroups, as the host carries out what the core planned: one small interface
// (create, apply the writes, attach the device program, freeze/thaw, pids, signal, destroy) and
// an implementation per kind of host: cgroupfs-v1.ts (v1 and hybrid), cgroupfs-v2.ts, and
// systemd.ts over either. No file name or value is decided here: the core's verdict has them.
import { OciError } from "../errors.ts";
import { errnoText } from "./fs.ts";
import type { UnitProperty } from "./systemd-bus.ts";

/** One write of the core's cgroup section (docs/formats.md §2). */
export interface CgroupWrite {
  controller: string;
  file: string;
  value: string;
  pointer: string;
  optional?: boolean;
}

/** The core's plan for the unit (docs/formats.md §2, the cgroup section's `systemd`). */
export interface SystemdUnitPlan {
  unit: string;
  slice: string;
  properties: UnitProperty[];
  resources: UnitProperty[];
}

/** The core's cgroup section. */
export interface CgroupSection {
  /** hierarchy directory under /sys/fs/cgroup ("" on v2) -> the container's cgroup there. */
  paths: Record<string, string>;
  writes: CgroupWrite[];
  /** base64 of the v2 device program, or null. */
  deviceProgram: string | null;
  /** --systemd-cgroup: the unit and its properties. */
  systemd?: SystemdUnitPlan;
}

/** What state.json keeps of the container's cgroups, so that every later command finds them. */
export interface CgroupState {
  driver: "cgroupfs" | "systemd";
  mode: "v1" | "hybrid" | "v2";
  /** As the core's section: hierarchy directory -> the container's cgroup there. */
  paths: Record<string, string>;
  /** The directories create made (full paths, outermost first); delete removes these and the
   * cgroups below them, never a cgroup the container was given. */
  created: string[];
  /** systemd: the transient unit. */
  unit?: string;
}

export interface CgroupManager {
  readonly state: CgroupState;
  /** Refuses a cgroup that already has processes or is frozen (runc's rules): not the
   * container's to set up, nor to clean up. */
  refuseInUse(): void;
  /** Makes what is missing. record gets the state with `created` filled in before any directory
   * is made, so a create killed half-way leaves a record that delete follows. */
  create(record: (state: CgroupState) => void): void | Promise<void>;
  /** systemd: the cgroup exists only while a process is in it, so create puts a holder there
   * and the limits go on once the init joined (runc's order: Apply, then Set); cgroupfs: the
   * cgroups are limited before the init exists. */
  readonly limitsAfterJoin?: boolean;
  /** The init is in the cgroups: what kept them for it goes (systemd's holder). */
  joined?(): Promise<void>;
  /** systemd: the resources as the unit's properties (SetUnitProperties), before the writes. */
  setProperties?(props: UnitProperty[]): Promise<void>;
  /** The core's writes, in order; one the kernel refuses throws, naming its config field. */
  apply(writes: CgroupWrite[]): void;
  /** v2: attach the core's device program to the container's cgroup. */
  attachDevices(program: Uint8Array): void;
  /** Stops every process of the container (pause); resolves once the kernel says frozen. */
  freeze(): Promise<void>;
  thaw(): void;
  /** Frozen by pause (not by a frozen ancestor). */
  frozen(): boolean;
  /** Every process of the container, sub-cgroups included, as the host sees their pids. */
  pids(): number[];
  /** Sends signal to every process of the container. */
  signalAll(signal: number): Promise<void>;
  /** Kills what is left (thawing first), then removes what create made and everything below. */
  destroy(): Promise<void>;
}

/** The full directory of the container's cgroup in hierarchy `h`. */
export function hierarchyPath(h: string, path: string): string {
  const root = h ? `/sys/fs/cgroup/${h}` : "/sys/fs/cgroup";
  return path === "/" ? root : root + path;
}

/** v1: the container's directory in the hierarchy that holds controller ("cpu" is in a
 * "cpu,cpuacct" one), if it has one. */
export function controllerDir(state: CgroupState, controller: string): string | undefined {
  const h = Object.keys(state.paths).find((k) => k.split(",").includes(controller));
  return h === undefined ? undefined : hierarchyPath(h, state.paths[h]);
}

/** A refused write, in one line naming the field it came from. */
export function writeError(w: CgroupWrite, err: unknown): OciError {
  const where = w.pointer || "/linux/resources/devices"; // the runtime's own device rules
  return new OciError(`${where}: write ${JSON.stringify(w.value)} to ${w.file}: ${errnoText(err)}`);
}
