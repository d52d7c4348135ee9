// `update [flags] <id>`: change a created, running or paused container's resources, as runc's
// update does. The core parses the flags (or -r's LinuxResources, from a file or stdin), merges
// them with the config.json create stored, and plans the writes (docs/formats.md, op update);
// here they are carried out, and the merged config stored for the commands after this one. A
// write the kernel refuses fails the update, naming its flag or field, after the stored values
// are written back (runc's Set does the same). Nothing is printed on success.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { flagKey } from "../argv.ts";
import { UPDATE_RESOURCE_FLAGS } from "../update-flags.ts";
import type { Context } from "../context.ts";
import { OciError, describeError } from "../errors.ts";
import type { HostFacts, UpdateSection } from "../core/protocol.ts";
import { closeContainer, mustOpenContainer, readStoredConfig, statusOf, writeStoredConfig, type ContainerState } from "../store.ts";
import type { CgroupManager, CgroupState, CgroupWrite } from "../cgroups/manager.ts";

const MAX_RESOURCES_BYTES = 4 << 20;

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as Record<string, string | undefined>;
  // runc's resource flags (command-table.ts), passed to the core by name, as typed.
  const flags: Record<string, string> = {};
  for (const [name] of UPDATE_RESOURCE_FLAGS) {
    const v = opts[flagKey(name)];
    if (v !== undefined) flags[name] = v;
  }
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  try {
    if (statusOf(c) === "stopped") throw new OciError("container not running");
    const resources = opts.resources !== undefined ? readResources(opts.resources) : undefined;
    const cgroup = c.state.cgroup;
    if (!cgroup) throw new OciError("the container has no cgroup of its own to update (rootless without a delegated cgroup)");
    const systemdVersion = cgroup.driver === "systemd" ? await systemdVersionNow() : undefined;
    const plan = await planUpdate(ctx, c.state, cgroup, readStoredConfig(c), resources, flags, systemdVersion);
    const { cgroupManager } = await import("../cgroups/open-manager.ts");
    const cgroups = await cgroupManager(cgroup);
    await checkUsage(cgroup, plan.update.checks);
    try {
      // systemd's properties first, then the files (runc's Set does both, in that order).
      if (plan.update.systemd) await cgroups.setProperties?.(plan.update.systemd);
      cgroups.apply(plan.update.writes);
    } catch (err) {
      throw restore(cgroups, plan.update.restore, err);
    }
    writeStoredConfig(c, plan.config);
    ctx.log.debug(() => `update ${id}: ${plan.update.writes.length} writes`);
  } finally {
    closeContainer(c);
  }
}

/** -r FILE, or -r - (stdin), as text. */
function readResources(path: string): string {
  try {
    const text = readFileSync(path === "-" ? 0 : path, "utf8");
    if (text.length > MAX_RESOURCES_BYTES) throw new OciError(`--resources ${path}: ${text.length} bytes; the limit is ${MAX_RESOURCES_BYTES}`);
    return text;
  } catch (err) {
    throw err instanceof OciError ? err : new OciError(describeError(err));
  }
}

/** The core's update for the stored config, the resources or flags, and the container's cgroup mode. */
async function planUpdate(ctx: Context, state: ContainerState, cgroup: CgroupState, stored: Uint8Array, resources: string | undefined, flags: Record<string, string>, systemdVersion: number | undefined) {
  const { askCore, coreCompiled } = await import("../core/load.ts");
  const { callerFacts, cgroupFacts } = await import("../facts.ts");
  const { formatDiagnostic } = await import("../core/protocol.ts");
  await coreCompiled();
  const facts: HostFacts = {
    ...callerFacts(state.bundle || "/", false, state.id, false), cgroupV1: cgroupFacts().cgroupV1, cgroup: cgroup.mode,
    updateResources: resources, updateFlags: flags,
    ...(systemdVersion !== undefined ? { cgroupDriver: "systemd" as const, systemdVersion } : {}),
  };
  if (flags["l3-cache-schema"] || flags["mem-bw-schema"]) facts.intelRdt = intelRdtFacts();
  const verdict = askCore("update", facts, stored);
  for (const d of verdict.diagnostics) if (d.severity === "warning") ctx.log.warn(formatDiagnostic(d));
  const errors = verdict.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  if (!verdict.ok || !verdict.update || !verdict.config) throw new OciError(errors.join("; ") || "update: the core gave no plan");
  return { update: verdict.update as UpdateSection, config: verdict.config };
}

/** --systemd-cgroup's container: the version of the systemd that runs its unit (the properties
 * it knows depend on it). */
async function systemdVersionNow(): Promise<number> {
  const { SystemdBus } = await import("../cgroups/systemd-bus.ts");
  const bus = await SystemdBus.connect();
  try {
    return bus.version;
  } finally {
    bus.close();
  }
}

/** runc's intelrdt.IsCATEnabled / IsMBAEnabled: resctrl mounted, with L3 or MB allocation. */
function intelRdtFacts(): Array<"l3" | "mba"> {
  const out: Array<"l3" | "mba"> = [];
  if (existsSync("/sys/fs/resctrl/info/L3")) out.push("l3");
  if (existsSync("/sys/fs/resctrl/info/MB")) out.push("mba");
  return out;
}

/** checkBeforeUpdate (cgroup v2): refused when the usage already reaches the new limit. */
async function checkUsage(cgroup: CgroupState, checks: UpdateSection["checks"]): Promise<void> {
  if (checks.length === 0) return;
  const { hierarchyPath } = await import("../cgroups/manager.ts");
  const { readCgroupFile } = await import("../cgroups/fs.ts");
  for (const check of checks) {
    const dir = hierarchyPath(check.controller, cgroup.paths[check.controller] ?? "/");
    let usage = 0n;
    for (const file of check.files) {
      const text = readCgroupFile(join(dir, file));
      if (text === null || !/^\d+\s*$/.test(text)) throw new OciError(`${check.pointer}: checkBeforeUpdate: cannot read ${join(dir, file)}`);
      usage += BigInt(text.trim());
    }
    if (usage >= BigInt(check.limit)) throw new OciError(`${check.pointer}: rejecting ${check.what} ${check.limit} <= usage ${usage}`);
  }
}

/** After a refused write: the stored values written back, each one tried; the error to throw
 * (one line: a failed command leaves one log record) says when that failed too. */
function restore(cgroups: CgroupManager, writes: CgroupWrite[], err: unknown): OciError {
  const failed: string[] = [];
  for (const w of writes) {
    try {
      cgroups.apply([w]);
    } catch (e) {
      failed.push(e instanceof Error ? e.message : String(e));
    }
  }
  const message = err instanceof OciError ? err.message : describeError(err);
  if (failed.length === 0) return err instanceof OciError ? err : new OciError(message);
  return new OciError(`${message} (setting back the old values failed too, so the stored config and the cgroup may disagree: ${failed.join("; ")})`);
}
