// The cgroup manager for a container's recorded cgroup state: cgroupfs v1 or v2, under systemd's
// driver when the container was made with --systemd-cgroup. The implementations load on demand.
import type { CgroupManager, CgroupState, SystemdUnitPlan } from "./manager.ts";
import type { SystemdBus } from "./systemd-bus.ts";

/** systemd: create's connection and the core's unit plan (later commands need neither). */
export async function cgroupManager(state: CgroupState, systemd?: { bus: SystemdBus; plan?: SystemdUnitPlan }): Promise<CgroupManager> {
  const files = state.mode === "v2"
    ? new (await import("./cgroupfs-v2.ts")).CgroupfsV2(state)
    : new (await import("./cgroupfs-v1.ts")).CgroupfsV1(state);
  if (state.driver !== "systemd") return files;
  return new (await import("./systemd.ts")).SystemdCgroups(state, files, systemd?.bus, systemd?.plan);
}
