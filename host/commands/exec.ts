// `exec <id> <command...>` or `exec --process FILE <id>`: start another process in a created or
// running container, as runc does. The core builds its plan from the config.json create stored and
// the flags (or the process file): it joins the init's namespaces and gets the process's user,
// capabilities, rlimits, seccomp filter, labels and cwd (docs/formats.md §1). In the foreground
// exec waits and exits with the process's status (a signal: 128+n); with --detach it returns once
// the process runs. Failures exit 255 with "exec failed: …", as in runc.
import { closeSync, readFileSync, statSync } from "../files.ts";
import { resolve } from "node:path";
import type { Context } from "../context.ts";
import { OciError, describeError } from "../errors.ts";
import type { ExecFlags, Verdict } from "../core/protocol.ts";
import { MAX_CONFIG_BYTES, listenerHandoff, parsePreserveFds, sendSeccompListener } from "../create-container.ts";
import { closeContainer, mustOpenContainer, readStoredConfig, statusOf, writePidFile, type Container, type ContainerState } from "../store.ts";
import { isLive } from "../proc.ts";

interface ExecOptions {
  consoleSocket?: string;
  pidfdSocket?: string;
  cwd?: string;
  env: string[];
  tty?: boolean;
  user?: string;
  additionalGids: string[];
  process?: string;
  detach?: boolean;
  pidFile?: string;
  processLabel?: string;
  apparmor?: string;
  /** --no-new-privs gives false. */
  noNewPrivs?: boolean;
  cap: string[];
  preserveFds?: string;
  cgroup: string[];
  ignorePaused?: boolean;
}


export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id, command] = args as [string, string[]];
  const opts = options as ExecOptions;
  try {
    await execProcess(ctx, id, command, opts);
  } catch (err) {
    // runc: fatalWithCode(fmt.Errorf("exec failed: %w", err), 255).
    throw new OciError(`exec failed: ${err instanceof OciError ? err.message : describeError(err)}`, 255);
  }
}

async function execProcess(ctx: Context, id: string, command: string[], opts: ExecOptions): Promise<void> {
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  let pid = 0;
  let master: number | undefined; // the pty master (-t)
  let listener: number | undefined; // a NOTIFY filter's listener
  let initPidfd: number | undefined;
  try {
    const status = statusOf(c);
    if (status === "stopped") throw new OciError("cannot exec in a stopped container");
    if (status === "paused" && !opts.ignorePaused) throw new OciError("cannot exec in a paused container (use --ignore-paused to override)");
    if (!opts.process && command.length === 0) throw new OciError("process args cannot be empty");
    if (opts.cgroup.length > 0 && !c.state.cgroup) throw new OciError("--cgroup: the container has no cgroups of its own");
    if (opts.pidfdSocket) throw new OciError("--pidfd-socket is not supported yet");
    const preserveFds = parsePreserveFds(opts.preserveFds);
    initPidfd = await pinInit(c.state);
    const verdict = await planExec(ctx, c, command, opts, initPidfd);
    const info = verdict.container!;
    // runc's checkTerminal.
    const detach = opts.detach === true;
    if (detach && info.terminal && !opts.consoleSocket) throw new OciError("cannot allocate tty if ocirun will detach without setting console socket");
    if ((!detach || !info.terminal) && opts.consoleSocket) throw new OciError("cannot use console socket if ocirun will not detach or allocate tty");

    const { addon } = await import("../addon.ts");
    const handoff = listenerHandoff((fd) => sendSeccompListener(info, id, c.state.bundle, c.state.pid, fd, status));
    const result = addon().spawnInit(verdict.exec!, -1, preserveFds, undefined, { onListener: handoff.onListener }, initPidfd);
    handoff.rethrow();
    if ("errno" in result) {
      const { describeInitFailure } = await import("../init-failure.ts");
      throw new OciError(describeInitFailure(verdict.exec!, result.op, result.errno, addon().strerror));
    }
    pid = result.pid;
    master = result.console;
    listener = result.listener;
    // Without a pidfd the namespaces were joined by /proc/<pid>/ns paths: if the init is not the
    // same live process now, the pid may have named another one meanwhile.
    if (initPidfd === undefined && !isLive(c.state.pid, c.state.pidStartTime)) throw new OciError("cannot exec in a stopped container");
    if (listener !== undefined) {
      const fd = listener;
      listener = undefined; // closed by sendSeccompListener, sent or not
      sendSeccompListener(info, id, c.state.bundle, c.state.pid, fd, status);
    }
    if (master !== undefined && opts.consoleSocket) {
      const err = addon().sendFd(resolve(opts.consoleSocket), master, "/dev/ptmx");
      closeSync(master);
      master = undefined;
      if (err !== 0) throw new OciError(`--console-socket ${opts.consoleSocket}: ${addon().strerror(err).toLowerCase()}`);
    }
    if (opts.pidFile) writePidFile(resolve(opts.pidFile), pid);
  } catch (err) {
    if (master !== undefined) closeSync(master);
    if (listener !== undefined) closeSync(listener);
    if (pid > 0) {
      try { process.kill(pid, "SIGKILL"); } catch {}
      await (await import("../addon.ts")).addon().waitExit(pid).catch(() => {});
    }
    throw err;
  } finally {
    if (initPidfd !== undefined) closeSync(initPidfd);
    // Not held while the process runs: kill and delete must still work.
    closeContainer(c);
  }
  ctx.log.debug(() => `exec ${id}: pid ${pid}`);
  if (opts.detach) return;
  await execForeground(ctx, pid, master);
}

/** A pidfd for the container's init, taken and then checked to name the process create started
 * (its start time), so that the namespaces joined through it can never be a reused pid's.
 * undefined: the kernel has no pidfd_open (before 5.3); the /proc paths are used then. */
async function pinInit(state: ContainerState): Promise<number | undefined> {
  const { addon } = await import("../addon.ts");
  const fd = addon().pidfdOpen(state.pid);
  if (fd === -38 /* ENOSYS */) return undefined;
  if (fd < 0 && fd !== -3 /* ESRCH */) throw new OciError(`pidfd_open ${state.pid}: ${addon().strerror(-fd).toLowerCase()}`);
  if (fd >= 0 && isLive(state.pid, state.pidStartTime)) return fd;
  if (fd >= 0) closeSync(fd);
  throw new OciError("cannot exec in a stopped container");
}

/** The core's exec plan for the config.json create stored and the flags, or the --process file. */
async function planExec(ctx: Context, c: Container & { state: ContainerState }, command: string[], opts: ExecOptions, initPidfd: number | undefined): Promise<Verdict> {
  const state = c.state;
  const execFlags = opts.process ? undefined : flagsOf(command, opts);
  const processJson = opts.process ? readProcessFile(opts.process) : undefined;
  // The container as it was created: never the bundle again, which may have changed since.
  const config = readStoredConfig(c);
  const { askCore, coreCompiled } = await import("../core/load.ts");
  await coreCompiled();
  const { callerFacts, cgroupFacts } = await import("../facts.ts");
  const { formatDiagnostic } = await import("../core/protocol.ts");
  // The process joins the container's cgroups (or --cgroup's sub-cgroups of them).
  const cgroup = state.cgroup ? { ...cgroupFacts(), execCgroups: { paths: state.cgroup.paths, sub: opts.cgroup }, initCgroup: initCgroupV2(state) } : {};
  const verdict = askCore("exec", { ...callerFacts(state.bundle, false, state.id, true), ...cgroup, initPid: state.pid, initPidfd, process: processJson, execFlags }, config);
  // create said the config's warnings already.
  for (const d of verdict.diagnostics) if (d.severity === "warning") ctx.log.debug(() => formatDiagnostic(d));
  const errors = verdict.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  if (!verdict.ok || !verdict.exec || !verdict.container) throw new OciError(errors.join("; ") || "invalid config.json");
  return verdict;
}

/** Where the init is in the cgroup2 hierarchy now (v2 hosts), for the join's EBUSY fallback. */
function initCgroupV2(state: ContainerState): string | undefined {
  if (state.cgroup?.mode !== "v2") return undefined;
  try {
    return /^0::(\/.*)$/m.exec(readFileSync(`/proc/${state.pid}/cgroup`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/** runc's getProcess for the flags: what they change in config.json's process. */
function flagsOf(command: string[], opts: ExecOptions): ExecFlags {
  const f: ExecFlags = { args: command, terminal: opts.tty === true };
  // A foreground terminal: the pty starts at our terminal's size (the process runs at once).
  if (f.terminal && !opts.detach && process.stdout.isTTY) f.consoleSize = { height: process.stdout.rows, width: process.stdout.columns };
  if (opts.cwd) f.cwd = opts.cwd;
  if (opts.apparmor) f.apparmorProfile = opts.apparmor;
  if (opts.processLabel) f.selinuxLabel = opts.processLabel;
  if (opts.cap.length > 0) f.caps = opts.cap;
  if (opts.env.length > 0) f.env = opts.env;
  if (opts.noNewPrivs) f.noNewPrivileges = true;
  if (opts.user) {
    const colon = opts.user.indexOf(":");
    if (colon >= 0) f.gid = parseId(opts.user.slice(colon + 1), "gid");
    f.uid = parseId(colon >= 0 ? opts.user.slice(0, colon) : opts.user, "uid");
  }
  if (opts.additionalGids.length > 0) {
    f.additionalGids = opts.additionalGids.map((g) => {
      if (!/^[+-]?[0-9]+$/.test(g)) throw new OciError(`invalid value "${g}" for flag -additional-gids: parse error`);
      const n = Number(g);
      if (n < 0) throw new OciError(`additional-gids must be a positive number ${n}`);
      if (n > 0xffffffff) throw new OciError(`additional-gids: ${g} is out of range`);
      return n;
    });
  }
  return f;
}

/** A uid or gid of --user, in runc's words when it is not one. */
function parseId(text: string, what: "uid" | "gid"): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new OciError(`parsing ${text} as int for ${what} failed: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const n = Number(text);
  if (n < 0 || n > 0xffffffff) throw new OciError(`parsing ${text} as int for ${what} failed: ${what} must be 0 to 4294967295`);
  return n;
}

function readProcessFile(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) throw new OciError(`--process ${path}: ${size} bytes; the limit is ${MAX_CONFIG_BYTES}`);
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof OciError) throw err;
    throw new OciError(describeError(err));
  }
}

/** Waits for the process (with a terminal, copying it): its status is ours. */
async function execForeground(ctx: Context, pid: number, master: number | undefined): Promise<void> {
  const proxy = master !== undefined ? (await import("../console-proxy.ts")).proxyConsole(master) : undefined;
  ctx.exitCode = await (await import("../foreground.ts")).waitForeground(pid, { proxy });
}
