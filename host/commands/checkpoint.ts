// `checkpoint <id>`: CRIU dumps a running (or paused) container, as runc's checkpoint: the
// checks runc makes first (host/criu-flags.ts), then one dump (or pre-dump) through `criu swrk`
// (host/criu/swrk.ts) with the mounts the core says are external. Unless --leave-running or
// --pre-dump, the container is gone afterwards (CRIU killed it) and is deleted.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { checkCriuFlags, commonCriuOptions, pageServer, prepareImagePaths, withCriuDirs, type CriuCommonOptions } from "../criu-flags.ts";
import { closeContainer, mustOpenContainer, readStoredConfig, statusOf } from "../store.ts";

interface CheckpointOptions extends CriuCommonOptions {
  leaveRunning: boolean;
  preDump: boolean;
  pageServer?: string;
  statusFd?: string;
}

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as CheckpointOptions;
  checkCriuFlags(opts);
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  try {
    const status = statusOf(c);
    if (status === "created" || status === "stopped") throw new OciError(`Container cannot be checkpointed in ${status} state`);
    const { imagePath, parentPath } = prepareImagePaths(opts);
    const [{ planOrThrow }, { hostFacts }, { coreCompiled }, { criuSection }, { criuCall, REQ }] = await Promise.all([
      import("../create-container.ts"), import("../facts.ts"), import("../core/load.ts"), import("../criu/section.ts"), import("../criu/swrk.ts"),
    ]);
    await coreCompiled();
    // What CRIU is told about the mounts: the core's choice, from the config create stored.
    const verdict = planOrThrow(ctx, hostFacts(c.state.bundle, false, id, true), readStoredConfig(c));
    const criu = criuSection(verdict);
    const external = criu.externalMounts;
    const logFile = opts.preDump ? "pre-dump.log" : "dump.log";
    const req: Record<string, unknown> = {
      pid: c.state.pid,
      leaveRunning: opts.leaveRunning || opts.preDump,
      extMnt: external.map((m) => ({ key: m.destination, val: m.destination })),
      // A namespace joined by path, by its inode: net[4026532008]:extRootNetNS.
      external: criu.externalNamespaces.map((ns) => `${ns.type === "network" ? "net" : ns.type}[${statSync(ns.path).ino}]:${ns.key}`),
      ...(criu.configFile ? { configFile: criu.configFile } : {}),
      ...(parentPath ? { parentImg: parentPath } : {}),
      ...(opts.preDump ? { trackMem: true } : {}),
      ...(opts.statusFd && opts.statusFd !== "-1" ? { statusFd: Number(opts.statusFd) } : {}),
    };
    if (opts.pageServer) req.ps = pageServer(opts.pageServer);
    await withCriuDirs(imagePath, opts, (dirs) =>
      criuCall(opts.preDump ? REQ.PRE_DUMP : REQ.DUMP, { ...req, ...commonCriuOptions(opts, dirs, c.state.rootfs, logFile) }, join(dirs.workPath, logFile)));
    ctx.log.debug(`checkpoint ${id}: images in ${imagePath}`);
    if (opts.leaveRunning || opts.preDump) return;
    // CRIU killed the container's processes: what is left goes as with delete.
    const { destroyContainer } = await import("./delete.ts");
    await destroyContainer(c as typeof c & { state: NonNullable<typeof c.state> }, statusOf(c), (line) => ctx.log.warn(line));
  } finally {
    closeContainer(c);
  }
}
