// cgroup v1 through cgroupfs: a directory per hierarchy (and, on a hybrid host, one in the
// cgroup2 hierarchy at unified/, for bookkeeping only). The devices hierarchy holds every
// process of the container (the core refuses a host without it), so it is the one read for
// pids; the freezer pauses.
import { join } from "node:path";
import { OciError } from "../errors.ts";
import { errnoCode, errnoText, exists, makeDirs, missingDirs, readCgroupFile, treePids, writeCgroupFile } from "./fs.ts";
import { frozenV1 } from "./freezer-state.ts";
import { type CgroupManager, type CgroupState, type CgroupWrite, hierarchyPath, writeError } from "./manager.ts";
import { killAll, refuseIfInUse, removeCreated, signalWhileFrozen } from "./teardown.ts";

export class CgroupfsV1 implements CgroupManager {
  constructor(readonly state: CgroupState) {}

  private dir(hierarchy: string): string | undefined {
    const p = this.state.paths[hierarchy];
    return p === undefined ? undefined : hierarchyPath(hierarchy, p);
  }

  /** Where every process of the container is. */
  private processDir(): string | undefined {
    return this.dir("devices") ?? Object.keys(this.state.paths).map((h) => this.dir(h)).find((d) => d !== undefined);
  }

  refuseInUse(): void {
    const leaf = this.processDir();
    if (leaf && exists(leaf)) refuseIfInUse(leaf, this.frozen() ? this.dir("freezer")! : undefined);
  }

  create(record: (state: CgroupState) => void): void {
    const hierarchies = Object.keys(this.state.paths);
    for (const h of hierarchies) this.state.created.push(...missingDirs(hierarchyPath(h, "/"), this.dir(h)!));
    record(this.state);
    for (const h of hierarchies) {
      try {
        makeDirs(hierarchyPath(h, "/"), this.dir(h)!, copyCpusetOfParent);
      } catch (err) {
        throw new OciError(`/linux/cgroupsPath: mkdir ${this.dir(h)}: ${errnoText(err)}`);
      }
    }
  }

  apply(writes: CgroupWrite[]): void {
    for (const w of writes) {
      const dir = this.dir(w.controller);
      if (dir === undefined) throw new OciError(`${w.pointer}: the container has no cgroup in ${w.controller}`);
      try {
        writeCgroupFile(join(dir, w.file), w.value);
      } catch (err) {
        if (w.optional && errnoCode(err) === "ENOENT") continue;
        throw writeError(w, err);
      }
    }
  }

  attachDevices(): void {
    throw new OciError("/linux/resources/devices: a device program is for cgroup v2; v1 takes devices.allow and devices.deny");
  }

  async freeze(): Promise<void> {
    const dir = this.freezerDir();
    const file = join(dir, "freezer.state");
    // The kernel may stay FREEZING while a task is busy: write again, and now and then thaw and
    // let it run a moment (as runc does), before giving up.
    for (let i = 0; i < 1000; i++) {
      if (i % 50 === 49) {
        writeCgroupFile(file, "THAWED");
        await new Promise((r) => setTimeout(r, 10));
      }
      writeCgroupFile(file, "FROZEN");
      const state = (readCgroupFile(file) ?? "").trim();
      if (state === "FROZEN") return;
      if (state !== "FREEZING") {
        this.thaw();
        throw new OciError(`unexpected freezer state ${JSON.stringify(state)} while freezing`);
      }
    }
    this.thaw();
    throw new OciError("unable to freeze the container's cgroup");
  }

  thaw(): void {
    writeCgroupFile(join(this.freezerDir(), "freezer.state"), "THAWED");
  }

  frozen(): boolean {
    const dir = this.dir("freezer");
    return dir !== undefined && frozenV1(dir);
  }

  pids(): number[] {
    const dir = this.processDir();
    return dir ? treePids(dir) : [];
  }

  signalAll(signal: number): Promise<void> {
    return signalWhileFrozen(this, signal, this.dir("freezer") !== undefined);
  }

  async destroy(): Promise<void> {
    if (this.frozen()) this.thaw();
    await killAll(this);
    for (const h of Object.keys(this.state.paths)) removeCreated(this.dir(h)!, this.state.created);
  }

  private freezerDir(): string {
    const dir = this.dir("freezer");
    if (!dir) throw new OciError("the container has no freezer cgroup: this host does not mount the v1 freezer");
    return dir;
  }
}

/** A new cpuset cgroup has no CPUs and no memory nodes, and takes no process until it has: it
 * starts with its parent's, as runc gives it. */
function copyCpusetOfParent(dir: string): void {
  for (const file of ["cpuset.cpus", "cpuset.mems"]) {
    const own = readCgroupFile(join(dir, file));
    if (own === null || own.trim() !== "") continue;
    const parent = readCgroupFile(join(dir, "..", file));
    if (parent !== null && parent.trim() !== "") writeCgroupFile(join(dir, file), parent.trim());
  }
}
