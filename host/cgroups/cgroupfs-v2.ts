// cgroup v2 through cgroupfs: one directory. Its ancestors delegate every controller the root
// has (cgroup.subtree_control), so the container's files exist; devices are a BPF program;
// cgroup.freeze pauses, cgroup.kill kills.
import { join } from "node:path";
import { addon } from "../addon.ts";
import { OciError } from "../errors.ts";
import { CGROUP_ROOT, errnoCode, errnoText, exists, makeDirs, missingDirs, readCgroupFile, treePids, writeCgroupFile } from "./fs.ts";
import { type CgroupManager, type CgroupState, type CgroupWrite, hierarchyPath, writeError } from "./manager.ts";
import { killAll, refuseIfInUse, removeCreated, signalWhileFrozen } from "./teardown.ts";
import { frozenV2 } from "./freezer-state.ts";

const FREEZE_TIMEOUT_MS = 10_000;

export class CgroupfsV2 implements CgroupManager {
  readonly dir: string;

  constructor(readonly state: CgroupState) {
    this.dir = hierarchyPath("", state.paths[""] ?? "/");
  }

  refuseInUse(): void {
    if (exists(this.dir)) refuseIfInUse(this.dir, this.frozen() ? this.dir : undefined);
  }

  create(record: (state: CgroupState) => void): void {
    this.state.created.push(...missingDirs(CGROUP_ROOT, this.dir));
    record(this.state);
    try {
      makeDirs(CGROUP_ROOT, this.dir);
    } catch (err) {
      throw new OciError(`/linux/cgroupsPath: mkdir ${this.dir}: ${errnoText(err)}`);
    }
    delegateControllers(this.dir);
  }

  apply(writes: CgroupWrite[]): void {
    for (const w of writes) {
      try {
        writeCgroupFile(join(this.dir, w.file), w.value);
      } catch (err) {
        if (w.optional && errnoCode(err) === "ENOENT") continue;
        throw writeError(w, err);
      }
    }
  }

  attachDevices(program: Uint8Array): void {
    const r = addon().attachDeviceProgram(this.dir, program);
    if (r.errno === 0) return;
    const why = addon().strerror(r.errno).toLowerCase() + (r.log ? ` (the verifier: ${r.log.trim().split("\n").slice(-3).join("; ")})` : "");
    throw new OciError(`/linux/resources/devices: ${r.step} the device program for ${this.dir}: ${why}`);
  }

  async freeze(): Promise<void> {
    const file = join(this.dir, "cgroup.freeze");
    try {
      writeCgroupFile(file, "1");
    } catch (err) {
      throw new OciError(errnoCode(err) === "ENOENT" ? "the kernel has no cgroup freezer (cgroup.freeze, Linux 5.2)" : `freeze ${this.dir}: ${errnoText(err)}`);
    }
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    for (let delay = 1; !/^frozen 1$/m.test(readCgroupFile(join(this.dir, "cgroup.events")) ?? ""); delay = Math.min(delay * 2, 10)) {
      if (Date.now() > deadline) {
        this.thaw();
        throw new OciError("timeout of 10s reached waiting for the cgroup to freeze");
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  thaw(): void {
    try {
      writeCgroupFile(join(this.dir, "cgroup.freeze"), "0");
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err; // no freezer: nothing is frozen
    }
  }

  frozen(): boolean {
    return frozenV2(this.dir);
  }

  pids(): number[] {
    return treePids(this.dir);
  }

  async signalAll(signal: number): Promise<void> {
    // SIGKILL in one write where the kernel has cgroup.kill (5.14): no process can escape by forking.
    if (signal === 9) {
      try {
        writeCgroupFile(join(this.dir, "cgroup.kill"), "1");
        return;
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw new OciError(`kill ${this.dir}: ${errnoText(err)}`);
      }
    }
    return signalWhileFrozen(this, signal, true);
  }

  async destroy(): Promise<void> {
    if (this.frozen()) this.thaw();
    await killAll(this);
    removeCreated(this.dir, this.state.created);
  }
}

/** Every controller of the root enabled in each ancestor's cgroup.subtree_control, so the
 * container's cgroup has their files. A controller an ancestor cannot delegate (it has
 * processes, or lacks it) is left out silently, as runc leaves it: the write that needs it
 * fails later, naming its field. */
function delegateControllers(dir: string): void {
  const all = (readCgroupFile(join(CGROUP_ROOT, "cgroup.controllers")) ?? "").trim().split(/\s+/).filter(Boolean);
  if (all.length === 0) return;
  for (let d = CGROUP_ROOT; d !== dir; d = join(d, dir.slice(d.length + 1).split("/")[0])) {
    const enabled = new Set((readCgroupFile(join(d, "cgroup.subtree_control")) ?? "").trim().split(/\s+/));
    const missing = all.filter((c) => !enabled.has(c));
    if (missing.length === 0) continue;
    try {
      writeCgroupFile(join(d, "cgroup.subtree_control"), missing.map((c) => "+" + c).join(" "));
    } catch {
      for (const c of missing) {
        try { writeCgroupFile(join(d, "cgroup.subtree_control"), "+" + c); } catch {}
      }
    }
  }
}
