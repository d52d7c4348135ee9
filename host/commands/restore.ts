// `restore <id>`: a container again from a checkpoint's images, as runc's restore: runc's checks
// (host/criu-flags.ts), the bundle planned as for create (its cgroups made and limited), then one
// restore through `criu swrk` (host/criu/swrk.ts) into a bind of the rootfs, with the external
// mounts bound from the sources config.json names. The restored init is our child (CRIU's
// rst_sibling); it goes in the state store as a running container. Detached only for now.
import { closeSync, constants, mkdirSync, openSync, rmdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Context } from "../context.ts";
import { describeError, OciError } from "../errors.ts";
import { checkCriuFlags, commonCriuOptions, type CriuCommonOptions } from "../criu-flags.ts";
import { closeContainer, createContainerDir, nowRfc3339Nano, openContainer, removeContainer, validateId, writePidFile, writeState, writeStoredConfig } from "../store.ts";

interface RestoreOptions extends CriuCommonOptions {
  bundle?: string;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
  noPivot: boolean;
  lsmProfile?: string;
  lsmMountContext?: string;
}

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as RestoreOptions;
  checkCriuFlags(opts);
  validateId(id);
  const existing = openContainer(ctx.root, id);
  if (existing) {
    closeContainer(existing);
    throw new OciError(`container with id "${id}" already exists`);
  }
  if (!opts.detach) throw new OciError("restore without --detach is not supported yet");
  if (opts.consoleSocket) throw new OciError("restore --console-socket is not supported yet");
  const [cc, { hostFacts }, { coreCompiled }, { externalMounts }, { criuCall, REQ }, { addon }, { startTimeOf }] = await Promise.all([
    import("../create-container.ts"), import("../facts.ts"), import("../core/load.ts"), import("../criu/section.ts"),
    import("../criu/swrk.ts"), import("../addon.ts"), import("../proc.ts"),
  ]);
  const { bundle, config } = cc.readBundleConfig(opts.bundle);
  await coreCompiled();
  const facts = hostFacts(bundle, opts.noPivot, id, true);
  const verdict = cc.planOrThrow(ctx, facts, config);
  const info = verdict.container!;
  const imagePath = resolve(opts.imagePath || join(process.cwd(), "checkpoint"));
  const workPath = resolve(opts.workPath || imagePath);
  mkdirSync(workPath, { recursive: true, mode: 0o700 });
  const container = createContainerDir(ctx.root, id);
  const cgroups = await cc.plannedCgroups(facts, verdict, undefined).catch((err) => { removeContainer(container); throw err; });
  // CRIU restores into a bind of the rootfs (runc's criu-root), unmounted again afterwards.
  const criuRoot = join(container.dir, "criu-root");
  let bound = false;
  // Before anything removes the state dir: it must never reach into the rootfs through the bind.
  const unbind = () => {
    if (bound) addon().unmount(criuRoot);
    bound = false;
  };
  try {
    if (cgroups) await cc.setUpCgroups(cgroups, verdict, container);
    mkdirSync(criuRoot);
    const err = addon().bindMount(info.rootfs, criuRoot);
    if (err !== 0) throw new OciError(`bind ${info.rootfs} on ${criuRoot}: ${addon().strerror(err).toLowerCase()}`);
    bound = true;
    const cgroupDir = cgroups?.state.paths[""];
    const req = {
      rstSibling: true,
      evasiveDevices: true,
      extMnt: externalMounts(verdict).map((m) => ({ key: m.destination, val: m.cgroup ? join("/sys/fs/cgroup", cgroupDir ?? "") : m.source! })),
      ...(opts.lsmProfile ? { lsmProfile: opts.lsmProfile } : {}),
      ...(opts.lsmMountContext ? { lsmMountContext: opts.lsmMountContext } : {}),
    };
    const dir = (p: string) => openSync(p, constants.O_RDONLY | constants.O_DIRECTORY);
    const imageFd = dir(imagePath);
    const workFd = dir(workPath);
    let pid = 0;
    try {
      const result = await criuCall(REQ.RESTORE, { ...req, ...commonCriuOptions(opts, { imageFd, workFd }, criuRoot, "restore.log") }, join(workPath, "restore.log"));
      pid = result.pid ?? 0;
    } finally {
      closeSync(imageFd);
      closeSync(workFd);
    }
    const startTime = startTimeOf(pid);
    if (!pid || startTime === null) throw new OciError("criu restored no process");
    writeStoredConfig(container, config);
    writeState(container, {
      version: 1, ociVersion: info.ociVersion, id, pid, pidStartTime: startTime, bundle,
      rootfs: info.rootfs, created: nowRfc3339Nano(), owner: "", annotations: info.annotations, hasProcess: info.hasProcess,
      ...(cgroups ? { cgroup: cgroups.state } : {}),
    });
    if (opts.pidFile) writePidFile(resolve(opts.pidFile), pid);
    ctx.log.debug(`restore ${id}: pid ${pid}`);
  } catch (err) {
    unbind();
    await cgroups?.destroy().catch(() => {});
    removeContainer(container);
    throw err instanceof OciError ? err : new OciError(describeError(err));
  } finally {
    unbind();
    try { rmdirSync(criuRoot); } catch {}
    closeContainer(container);
  }
}
