// --systemd-cgroup: the container's cgroup is a transient systemd scope, made and stopped over
// D-Bus (systemd-bus.ts) as runc's systemd driver does; the unit's name, slice and properties
// are the core's (the verdict's cgroup.systemd). Everything on the files themselves (the
// cgroupfs writes runc makes after systemd's, the v2 device program, freeze, pids, signals,
// removing what is left) is the cgroupfs manager's of the host's mode, on the same paths.
//
// systemd makes a scope only with a process in it, and the init does not exist yet when its
// cgroup is made: create starts the scope with a holder (a child of the runtime that only waits,
// addon holdProcess), the init is born into the scope's cgroup by its CGROUP_JOIN op as with
// cgroupfs, then the holder goes (`joined`). The limits go on after that (`limitsAfterJoin`),
// as runc sets them after its init joined: the holder must not count against pids.max.
import { addon } from "../addon.ts";
import { OciError } from "../errors.ts";
import { type CgroupManager, type CgroupState, type CgroupWrite, type SystemdUnitPlan, hierarchyPath } from "./manager.ts";
import { killAll } from "./teardown.ts";
import { NO_SYSTEMD, SystemdBus, type UnitProperty } from "./systemd-bus.ts";

export class SystemdCgroups implements CgroupManager {
  readonly limitsAfterJoin = true;
  private holder = 0;
  /** Set by create: whether the unit is this create's (false: it failed before the unit was
   * started, and destroy must not stop a unit of that name that is someone else's). */
  private started: boolean | undefined;

  /** bus: the connection create opened before planning (it owns it); later commands connect
   * when they need systemd. plan: create's. */
  constructor(readonly state: CgroupState, private readonly fs: CgroupManager, private bus?: SystemdBus, private readonly plan?: SystemdUnitPlan) {}

  private get unit(): string {
    if (!this.state.unit) throw new OciError("the container's cgroup state names no systemd unit");
    return this.state.unit;
  }

  refuseInUse(): void {
    this.fs.refuseInUse();
  }

  async create(record: (state: CgroupState) => void): Promise<void> {
    if (!this.plan || !this.bus) throw new OciError("--systemd-cgroup: create needs the core's unit and a connection to systemd");
    this.started = false;
    const pid = addon().holdProcess();
    if (pid < 0) throw new OciError(`start the process that holds the scope ${this.unit}: ${addon().strerror(-pid).toLowerCase()}`);
    this.holder = pid;
    await this.bus.startTransientUnit(this.unit, [...this.plan.properties, ["PIDs", "au", [pid]]]);
    this.started = true;
    // Recorded once the unit is ours (until then a killed create leaves nothing: the holder dies
    // with it, and systemd stops the empty scope): the unit's directory in every hierarchy.
    for (const [h, path] of Object.entries(this.state.paths)) this.state.created.push(hierarchyPath(h, path));
    record(this.state);
    // v1: the hierarchies systemd does not manage (freezer, cpuset, ...) get their directories;
    // v2: the controllers below the root delegated down to the scope, as runc's CreateCgroupPath.
    await this.fs.create(record);
  }

  async joined(): Promise<void> {
    this.releaseHolder();
  }

  async setProperties(props: UnitProperty[]): Promise<void> {
    const bus = (await this.systemd())!;
    try {
      await bus.setUnitProperties(this.unit, props);
    } finally {
      if (bus !== this.bus) bus.close();
    }
  }

  apply(writes: CgroupWrite[]): void {
    this.fs.apply(writes);
  }

  attachDevices(program: Uint8Array): void {
    this.fs.attachDevices(program);
  }

  freeze(): Promise<void> {
    return this.fs.freeze();
  }

  thaw(): void {
    this.fs.thaw();
  }

  frozen(): boolean {
    return this.fs.frozen();
  }

  pids(): number[] {
    return this.fs.pids();
  }

  signalAll(signal: number): Promise<void> {
    return this.fs.signalAll(signal);
  }

  /** Kill what is left (a scope stopped with processes in it would get SIGTERM and 90 s), stop
   * the unit and wait for it, then remove the directories systemd leaves (runc's order). */
  async destroy(): Promise<void> {
    this.releaseHolder();
    if (this.started === false) return; // the unit of that name is not this container's
    if (this.fs.frozen()) this.fs.thaw();
    await killAll(this.fs);
    const bus = await this.systemd(true);
    if (bus) {
      try {
        await bus.stopUnit(this.unit);
      } finally {
        if (bus !== this.bus) bus.close();
      }
    }
    await this.fs.destroy();
  }

  /** The connection: create's, or a new one. optional: undefined when systemd does not run any
   * more (its scope went with it: what is left on the files is still removed). */
  private async systemd(optional = false): Promise<SystemdBus | undefined> {
    if (this.bus) return this.bus;
    try {
      return await SystemdBus.connect();
    } catch (err) {
      if (optional && err instanceof OciError && err.message === NO_SYSTEMD) return undefined;
      throw err;
    }
  }

  private releaseHolder(): void {
    if (this.holder <= 0) return;
    addon().abortInit(this.holder, -1); // SIGKILL and reap
    this.holder = 0;
  }
}
