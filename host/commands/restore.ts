// `restore <id>`: a container again from a checkpoint's images, as runc's restore: runc's checks
// (host/criu-flags.ts), the bundle planned as for create (its cgroups made and limited), then one
// restore through `criu swrk` (host/criu/swrk.ts) into a bind of the rootfs, with the external
// mounts bound from the sources config.json names. The restored init is our child (CRIU's
// rst_sibling); it goes in the state store as a running container. In the foreground (no
// --detach) we wait for it, forwarding signals, and delete it after, as `run` does.
import { closeSync, constants, mkdirSync, openSync, rmdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Context } from "../context.ts";
import { describeError, OciError } from "../errors.ts";
import { checkCriuFlags, commonCriuOptions, imagePathOf, withCriuDirs, type CriuCommonOptions } from "../criu-flags.ts";
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
  // runc's rule: the restored terminal's master goes to the console socket, which needs a detached restore.
  if (opts.consoleSocket && !opts.detach) throw new OciError("cannot use console socket if ocirun will not detach");
  const [cc, { hostFacts }, { coreCompiled }, { criuSection }, { criuCall, REQ }, { addon }, { startTimeOf }, hooksApi, { runHooks }] = await Promise.all([
    import("../create-container.ts"), import("../facts.ts"), import("../core/load.ts"), import("../criu/section.ts"),
    import("../criu/swrk.ts"), import("../addon.ts"), import("../proc.ts"), import("../hooks/hooks.ts"), import("../hooks/run-hooks.ts"),
  ]);
  const { bundle, config } = cc.readBundleConfig(opts.bundle);
  await coreCompiled();
  const facts = hostFacts(bundle, opts.noPivot, id, true);
  const verdict = cc.planOrThrow(ctx, facts, config);
  const info = verdict.container!;
  const container = createContainerDir(ctx.root, id);
  const cgroups = await cc.plannedCgroups(facts, verdict, undefined).catch((err) => { removeContainer(container); throw err; });
  // CRIU restores into a bind of the rootfs (runc's criu-root), unmounted again afterwards.
  const criuRoot = join(container.dir, "criu-root");
  let bound = false;
  let pid = 0;
  // Before anything removes the state dir: it must never reach into the rootfs through the bind,
  // so a bind that would not come off keeps the state dir where it is.
  const unbind = () => {
    if (bound && addon().unmount(criuRoot) !== 0) throw new OciError(`unmount ${criuRoot}: the state dir is left in place`);
    bound = false;
  };
  try {
    if (cgroups) await cc.setUpCgroups(cgroups, verdict, container);
    mkdirSync(criuRoot);
    const err = addon().bindMount(info.rootfs, criuRoot);
    if (err !== 0) throw new OciError(`bind ${info.rootfs} on ${criuRoot}: ${addon().strerror(err).toLowerCase()}`);
    bound = true;
    const cgroupDir = cgroups?.state.paths[""];
    const criu = criuSection(verdict);
    const req: Record<string, unknown> = {
      rstSibling: true,
      evasiveDevices: true,
      extMnt: criu.externalMounts.map((m) => ({ key: m.destination, val: m.cgroup ? join("/sys/fs/cgroup", cgroupDir ?? "") : m.source! })),
      ...(criu.configFile ? { configFile: criu.configFile } : {}),
      ...(opts.lsmProfile ? { lsmProfile: opts.lsmProfile } : {}),
      ...(opts.lsmMountContext ? { lsmMountContext: opts.lsmMountContext } : {}),
      ...(cgroups ? { cgRoot: cgroupRoots(cgroups.state.paths) } : {}),
    };
    // The namespaces joined by path, handed to criu (its fds 4, 5...) under their keys.
    const nsFds = criu.externalNamespaces.map((ns) => openSync(ns.path, constants.O_RDONLY));
    req.inheritFd = criu.externalNamespaces.map((ns, i) => ({ key: ns.key, fd: 4 + i }));
    try {
      // CRIU passes a restored terminal's master with the orphan-pts-master notification.
      let consoleError: OciError | undefined;
      const hooks = hooksApi.parseHooksSection(verdict.sections?.hooks);
      const hookContainer = { ociVersion: info.ociVersion, id, bundle, annotations: info.annotations };
      const onNotify = (script: string, restoredPid: number, fd: number) => {
        // runc's restore: once the namespaces are made, the prestart and createRuntime hooks run
        // with the restored init's pid (a failure throws: CRIU is dropped and the restore fails).
        if (script === "setup-namespaces") {
          const state = hooksApi.hookState(hookContainer, "creating", restoredPid);
          runHooks(hooks.prestart, state, { cwd: bundle });
          runHooks(hooks.createRuntime, state, { cwd: bundle });
        }
        if (fd < 0) return;
        if (script === "orphan-pts-master" && opts.consoleSocket) {
          const err = addon().sendFd(resolve(opts.consoleSocket), fd, "/dev/ptmx");
          if (err !== 0) consoleError = new OciError(`--console-socket ${opts.consoleSocket}: ${addon().strerror(err).toLowerCase()}`);
        }
        closeSync(fd);
      };
      const result = await withCriuDirs(imagePathOf(opts), opts, (dirs) =>
        criuCall(REQ.RESTORE, { ...req, ...commonCriuOptions(opts, dirs, criuRoot, "restore.log") }, join(dirs.workPath, "restore.log"), onNotify, nsFds));
      if (consoleError) {
        if (result.pid) try { process.kill(result.pid, "SIGKILL"); } catch {}
        throw consoleError;
      }
      pid = result.pid ?? 0;
    } finally {
      for (const fd of nsFds) closeSync(fd);
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
  if (opts.detach) return;
  const [{ ownArgv, waitForeground }, { destroyContainer }, store] = await Promise.all([import("../foreground.ts"), import("./delete.ts"), import("../store.ts")]);
  // As run: the waiter program, should it take over the wait, runs the delete itself.
  ctx.exitCode = await waitForeground(pid, { finish: [...ownArgv(ctx), "delete", "--force", id] });
  const c = store.openContainer(ctx.root, id, { lock: true });
  if (c?.state) await destroyContainer(c as typeof c & { state: NonNullable<typeof c.state> }, store.statusOf(c), (line) => ctx.log.warn(line));
  else if (c) removeContainer(c);
}

/** CRIU's cg_root: the restored tasks' cgroups go under this container's, not under the ones
 * recorded at dump (another container's, when restored under a new id), as runc's restore roots
 * them in its new cgroups. One root for all when every hierarchy has the same path. */
function cgroupRoots(paths: Record<string, string>): { ctrl?: string; path: string }[] {
  const distinct = [...new Set(Object.values(paths))];
  if (distinct.length === 1) return [{ path: distinct[0] }];
  return Object.entries(paths).map(([hierarchy, path]) => (hierarchy ? { ctrl: hierarchy, path } : { path }));
}
