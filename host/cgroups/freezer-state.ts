// Whether a container is paused: read from its freezer on every `state`, as runc derives it
// (never stored, so a crash cannot leave a stale "paused"). Cheap: one or two file reads.
import { join } from "node:path";
import { readCgroupFile, sleepMs } from "./fs.ts";
import { type CgroupState, hierarchyPath } from "./manager.ts";

/** v1: freezer.state FROZEN (FREEZING is waited out a moment), and not only because an
 * ancestor is frozen. */
export function frozenV1(dir: string): boolean {
  for (let i = 0; ; i++) {
    const state = (readCgroupFile(join(dir, "freezer.state")) ?? "").trim();
    if (state === "FREEZING" && i < 100) {
      sleepMs(1);
      continue;
    }
    if (state !== "FROZEN" && state !== "FREEZING") return false;
    return (readCgroupFile(join(dir, "freezer.self_freezing")) ?? "1").trim() !== "0";
  }
}

/** v2: cgroup.freeze is 1. */
export function frozenV2(dir: string): boolean {
  return (readCgroupFile(join(dir, "cgroup.freeze")) ?? "0").trim() === "1";
}

export function isPaused(cg: CgroupState | undefined): boolean {
  if (!cg) return false;
  if (cg.mode === "v2") return cg.paths[""] !== undefined && frozenV2(hierarchyPath("", cg.paths[""]));
  const freezer = cg.paths.freezer;
  return freezer !== undefined && frozenV1(hierarchyPath("freezer", freezer));
}
