// What `create` and `run` share: read the bundle, ask the core for the plan, make the state
// dir, spawn the init through the addon, store the state, and let the init wait for start.
// On any failure everything this call made is removed again, and only that.
import { closeSync, constants, openSync, readFileSync, statSync } from "./files.ts";
import { join, resolve } from "node:path";
import type { Context } from "./context.ts";
import { OciError, describeError } from "./errors.ts";
import { askCore, coreCompiled } from "./core/load.ts";
import { formatDiagnostic, type ContainerInfo, type HostFacts, type Verdict } from "./core/protocol.ts";
import { hostFacts, mapTools } from "./facts.ts";
import { addon } from "./addon.ts";
import { describeInitFailure } from "./init-failure.ts";
import { pidInOwnNamespace, startTimeOf } from "./proc.ts";
import { hasHooks, hookState, parseHooksSection, writeStoredHooks, type HookContainer, type Hooks } from "./hooks/hooks.ts";
import { runHooks, runHooksWarning } from "./hooks/run-hooks.ts";
import { mark } from "./trace.ts";
import { makeNotifyDir, notifySocketPath } from "./notify-socket.ts";
import type { CgroupManager, CgroupSection } from "./cgroups/manager.ts";
import type { SystemdBus } from "./cgroups/systemd-bus.ts";
import { O_CLOEXEC } from "./open-flags.ts";
import {
  containerDir, createContainerDir, execFifoPath, removeContainer, validateId, writeCgroupRecord, writePidFile, writeState,
  writeInitPlan, writeStoredConfig, nowRfc3339Nano, type Container,
} from "./store.ts";

/** The config size is capped before it is read or parsed (the core checks it again). */
export const MAX_CONFIG_BYTES = 4 << 20;

export interface CreateOptions {
  bundle?: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: string;
  /** run without --detach: the runtime stays the parent and copies no console. */
  detach: boolean;
}

/** console: the pty master, kept only by a foreground `run` of a terminal container. */
export interface Created { container: Container; pid: number; console?: number }

export function readBundleConfig(bundleArg: string | undefined): { bundle: string; config: Uint8Array } {
  const bundle = resolve(bundleArg ?? ".");
  let size: number;
  try {
    if (!statSync(bundle).isDirectory()) throw new OciError(`bundle ${bundle}: not a directory`);
    size = statSync(join(bundle, "config.json")).size;
  } catch (err) {
    if (err instanceof OciError) throw err;
    throw new OciError(`bundle ${bundle}: ${describeError(err)}`);
  }
  if (size > MAX_CONFIG_BYTES) throw new OciError(`config.json is ${size} bytes; the limit is ${MAX_CONFIG_BYTES}`);
  try {
    return { bundle, config: readFileSync(join(bundle, "config.json")) };
  } catch (err) {
    throw new OciError(describeError(err));
  }
}

export function planOrThrow(ctx: Context, facts: HostFacts, config: Uint8Array): Verdict {
  const verdict = askCore("plan", facts, config);
  for (const d of verdict.diagnostics) if (d.severity === "warning") ctx.log.warn(formatDiagnostic(d));
  const errors = verdict.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  if (!verdict.ok || !verdict.init || !verdict.container) throw new OciError(errors.join("; ") || "invalid config.json");
  return verdict;
}

/** errno a spawnInit callback answers with when its work failed (a hook, handing over a
 * listener): the op fails with it, and the caller reports the reason it kept. */
const ECANCELED = 125;

/** OP_CREATE_HOOKS, while the init waits before pivot_root: prestart and createRuntime here,
 * createContainer placed in the init's namespaces, each with the state "creating" and the pid
 * as it sees it. failed gets the first failure's line. */
function createHooksRunner(hooks: Hooks, container: HookContainer, failed: (line: string) => void): ((pid: number) => number) | undefined {
  if (!hasHooks(hooks, "prestart", "createRuntime", "createContainer")) return undefined;
  return (pid: number) => {
    try {
      const here = { cwd: container.bundle };
      runHooks(hooks.prestart, hookState(container, "creating", pid), here);
      runHooks(hooks.createRuntime, hookState(container, "creating", pid), here);
      runHooks(hooks.createContainer, hookState(container, "creating", pidInOwnNamespace(pid)), { ...here, nsPid: pid });
      return 0;
    } catch (err) {
      failed(err instanceof Error ? err.message : String(err));
      return ECANCELED;
    }
  };
}

export function parsePreserveFds(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new OciError(`invalid value "${text}" for flag --preserve-fds`);
  return n;
}

/** Socket activation, as go-systemd's activation.Files that runc calls: LISTEN_FDS counts the
 * fds from 3 on, if LISTEN_PID names this process (else they were meant for another). */
export function listenFds(env: NodeJS.ProcessEnv, pid: number): number {
  const isInt = (v: string | undefined) => v !== undefined && /^[+-]?[0-9]+$/.test(v);
  if (!isInt(env.LISTEN_PID) || Number(env.LISTEN_PID) !== pid || !isInt(env.LISTEN_FDS)) return 0;
  return Math.max(0, Number(env.LISTEN_FDS));
}

/** The systemd facts the core plans with: the activation fds and the notify socket to serve. */
function systemdFacts(dir: string): Pick<HostFacts, "listenFds" | "notifySocket"> {
  const facts: Pick<HostFacts, "listenFds" | "notifySocket"> = {};
  const n = listenFds(process.env, process.pid);
  if (n > 0) facts.listenFds = n;
  if (process.env.NOTIFY_SOCKET) facts.notifySocket = notifySocketPath(dir);
  return facts;
}

export async function createContainer(ctx: Context, id: string, opts: CreateOptions): Promise<Created> {
  validateId(id);
  const preserveFds = parsePreserveFds(opts.preserveFds);
  // --systemd-cgroup: systemd is asked while the bundle is read and the core compiles; without
  // it create fails here, before anything is made (runc's check comes as early).
  const bus = ctx.systemdCgroup ? import("./cgroups/systemd-bus.ts").then((m) => m.SystemdBus.connect()) : undefined;
  bus?.catch(() => {}); // awaited below; no unhandled rejection meanwhile
  try {
    return await createWith(ctx, id, opts, preserveFds, bus);
  } finally {
    (await bus?.catch(() => undefined))?.close();
  }
}

async function createWith(ctx: Context, id: string, opts: CreateOptions, preserveFds: number, busPromise: Promise<SystemdBus> | undefined): Promise<Created> {
  const systemd = systemdFacts(containerDir(ctx.root, id));
  mark("create: start");
  const { bundle, config } = readBundleConfig(opts.bundle);
  mark("create: config read");
  // Loaded while the core compiles (cli.ts started it).
  addon();
  mark("create: addon loaded");
  await coreCompiled();
  const bus = await busPromise;
  const facts: HostFacts = {
    ...hostFacts(bundle, opts.noPivot === true, id, opts.noNewKeyring !== true), ...systemd,
    ...(bus ? { cgroupDriver: "systemd" as const, systemdVersion: bus.version } : {}),
  };
  const verdict = planOrThrow(ctx, facts, config);
  mark("create: planned");
  const info = verdict.container!;
  // runc's rules: a detached terminal needs somewhere to send the pty master, and a console
  // socket needs a terminal to send.
  if (opts.detach && info.terminal && !opts.consoleSocket) throw new OciError("cannot allocate tty if ocirun will detach without setting console socket");
  if ((!opts.detach || !info.terminal) && opts.consoleSocket) throw new OciError("cannot use console socket if ocirun will not detach or allocate tty");

  const hooks = parseHooksSection(verdict.sections?.hooks);
  const hookContainer: HookContainer = { ociVersion: info.ociVersion, id, bundle, annotations: info.annotations };
  let hookFailure: string | undefined;
  const onHooks = createHooksRunner(hooks, hookContainer, (line) => { hookFailure = line; });
  const container = createContainerDir(ctx.root, id);
  const planned = await plannedCgroups(facts, verdict, bus).catch((err) => { removeContainer(container); throw err; });
  try {
    planned?.refuseInUse();
  } catch (err) {
    removeContainer(container); // the cgroup is someone else's: left as it is
    throw err;
  }
  let fifoFd = -1;
  let spawned: { pid: number; sync: number; console?: number; listener?: number } | undefined;
  let listenerSent = false;
  let cgroups: CgroupManager | undefined;
  try {
    // The cgroups exist, limited, before the init is born into them (its first op joins them);
    // systemd's are limited once the init is in (limitsAfterJoin).
    cgroups = planned;
    if (cgroups) await setUpCgroups(cgroups, verdict, container);
    mark("create: cgroups");
    if (systemd.notifySocket) makeNotifyDir(container.dir);
    const fifo = execFifoPath(container.dir);
    const errno = addon().mkfifo(fifo, 0o600);
    if (errno !== 0) throw new OciError(`mkfifo ${fifo}: ${addon().strerror(errno).toLowerCase()}`);
    // O_RDWR: the init blocks in read() until start writes a byte (the open itself never blocks).
    fifoFd = openSync(fifo, constants.O_RDWR | O_CLOEXEC);
    const handoff = listenerHandoff((fd, pid) => sendSeccompListener(info, id, bundle, pid, fd));
    // The activation fds come first (3..), then the --preserve-fds ones, as in runc.
    const result = addon().spawnInit(verdict.init!, fifoFd, (systemd.listenFds ?? 0) + preserveFds, mapTools(process.geteuid?.() ?? 0), { onHooks, onListener: handoff.onListener });
    mark("create: init ready");
    handoff.rethrow();
    if ("errno" in result) throw new OciError(hookFailure ?? describeInitFailure(verdict.init!, result.op, result.errno, addon().strerror));
    spawned = result;
    if (cgroups) await cgroupsJoined(cgroups, verdict);
    if (result.console !== undefined && opts.consoleSocket) {
      const err = addon().sendFd(resolve(opts.consoleSocket), result.console, "/dev/ptmx");
      closeSync(result.console);
      if (err !== 0) throw new OciError(`--console-socket ${opts.consoleSocket}: ${addon().strerror(err).toLowerCase()}`);
    }
    const startTime = startTimeOf(result.pid);
    if (startTime === null) throw new OciError("container init exited before it was ready");
    // The config as it was planned: update (and exec) read this, never the bundle again.
    writeStoredConfig(container, config);
    writeStoredHooks(container.dir, hooks);
    // The plan, for `start` to name the op (and its field) that fails after it released the init.
    writeInitPlan(container, verdict.init!);
    writeState(container, {
      version: 1, ociVersion: info.ociVersion, id, pid: result.pid, pidStartTime: startTime, bundle,
      rootfs: info.rootfs, created: nowRfc3339Nano(), owner: "", annotations: info.annotations, hasProcess: info.hasProcess,
      ...(cgroups ? { cgroup: cgroups.state } : {}),
    });
    if (result.listener !== undefined) {
      listenerSent = true; // closed by sendSeccompListener, sent or not
      sendSeccompListener(info, id, bundle, result.pid, result.listener);
    }
    if (opts.pidFile) writePidFile(resolve(opts.pidFile), result.pid);
    // The init dies with us (PDEATHSIG) until this ACK: a killed create leaves no orphan.
    addon().releaseInit(result.sync);
    mark("create: init released");
    ctx.log.debug(`create ${id}: init pid ${result.pid}`);
    return { container, pid: result.pid, console: opts.consoleSocket ? undefined : result.console };
  } catch (err) {
    if (spawned) {
      if (spawned.console !== undefined && !opts.consoleSocket) closeSync(spawned.console);
      if (spawned.listener !== undefined && !listenerSent) closeSync(spawned.listener);
      addon().abortInit(spawned.pid, spawned.sync);
    }
    // What is left in the cgroups (a container without its own pid namespace), then the cgroups.
    await cgroups?.destroy().catch((e) => ctx.log.warn(e instanceof Error ? e.message : String(e)));
    removeContainer(container);
    // The container is gone as if deleted: its poststop hooks run (runc's destroy does too).
    runHooksWarning(hooks.poststop, hookState(hookContainer, "stopped"), { cwd: bundle }, (line) => ctx.log.warn(line));
    throw err instanceof OciError ? err : new OciError(describeError(err));
  } finally {
    if (fifoFd >= 0) closeSync(fifoFd);
  }
}

/** The manager of the cgroups the core planned; none on a host without cgroups, or when the
 * container gets none of its own. bus: --systemd-cgroup's connection. */
export async function plannedCgroups(facts: HostFacts, verdict: Verdict, bus: SystemdBus | undefined): Promise<CgroupManager | undefined> {
  const section = cgroupSection(verdict);
  if (facts.cgroup === "none") {
    if (bus) throw new OciError("--systemd-cgroup: this host has no cgroup hierarchy mounted at /sys/fs/cgroup");
    return undefined;
  }
  if (!section || Object.keys(section.paths).length === 0) return undefined;
  const { cgroupManager } = await import("./cgroups/open-manager.ts");
  const state = { driver: bus ? "systemd" as const : "cgroupfs" as const, mode: facts.cgroup, paths: section.paths, created: [], unit: section.systemd?.unit };
  return cgroupManager(state, bus ? { bus, plan: section.systemd } : undefined);
}

/** Make the cgroups (recorded first in the state dir: a create killed half-way leaves them to
 * `delete --force`) and, unless the manager limits them once the init joined, write every
 * planned value; the first the kernel refuses fails create. */
export async function setUpCgroups(cgroups: CgroupManager, verdict: Verdict, container: Container): Promise<void> {
  await cgroups.create((state) => writeCgroupRecord(container, state));
  if (!cgroups.limitsAfterJoin) await limitCgroups(cgroups, cgroupSection(verdict)!);
}

/** The init is in its cgroups: what held them goes, and systemd's get their limits now. */
async function cgroupsJoined(cgroups: CgroupManager, verdict: Verdict): Promise<void> {
  await cgroups.joined?.();
  if (cgroups.limitsAfterJoin) await limitCgroups(cgroups, cgroupSection(verdict)!);
}

/** systemd's properties first, then the files (runc writes them after systemd too). */
async function limitCgroups(cgroups: CgroupManager, section: CgroupSection): Promise<void> {
  if (section.systemd) await cgroups.setProperties?.(section.systemd.resources);
  cgroups.apply(section.writes);
  if (section.deviceProgram) cgroups.attachDevices(Buffer.from(section.deviceProgram, "base64"));
}

function cgroupSection(verdict: Verdict): CgroupSection | undefined {
  const bytes = verdict.sections.cgroup;
  return bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
}

/** spawnInit's onListener: a NOTIFY filter's listener goes to the agent the moment it is taken
 * (ops.ts, OP_SECCOMP); a failure to send it fails the spawn, and rethrow() throws it after. */
export function listenerHandoff(send: (fd: number, pid: number) => void) {
  let failure: unknown;
  return {
    onListener(fd: number, pid: number): number {
      try {
        send(fd, pid);
        return 0;
      } catch (err) {
        failure = err;
        return ECANCELED;
      }
    },
    rethrow(): void {
      if (failure) throw failure;
    },
  };
}

/** SCMP_ACT_NOTIFY: the container process state (runtime-spec config-linux.md) with the
 * listener fd (SCM_RIGHTS) to the agent at listenerPath, once, as runc sends it (also for a
 * process `exec` starts, whose pid it names, with status "running"). */
export function sendSeccompListener(info: ContainerInfo, id: string, bundle: string, pid: number, listener: number, status = "creating"): void {
  const agent = info.seccompListener;
  try {
    if (!agent) throw new OciError("/linux/seccomp: the init sent a seccomp listener the plan did not announce");
    const state = {
      ociVersion: info.ociVersion, fds: ["seccompFd"], pid, metadata: agent.metadata,
      state: { ociVersion: info.ociVersion, id, status, pid, bundle, annotations: info.annotations },
    };
    const err = addon().sendFd(agent.path, listener, JSON.stringify(state));
    if (err !== 0) throw new OciError(`/linux/seccomp/listenerPath: send the seccomp listener to ${agent.path}: ${addon().strerror(err).toLowerCase()}`);
  } finally {
    closeSync(listener);
  }
}
