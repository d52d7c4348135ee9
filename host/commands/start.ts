// `start <id>`: release a created container's init, which waits in a read on exec.fifo, and
// wait until it has exec'd the user's process (its startContainer hooks ran in it first), then
// run the poststart hooks. The fifo is removed once read: its absence makes the status "running".
import { unlinkSync } from "../files.ts";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { addon } from "../addon.ts";
import { closeContainer, type Container, type ContainerState, execFifoPath, mustOpenContainer, readInitPlan, statusOf } from "../store.ts";
import { hookContainerOf, hookState, readStoredHooks, type Hook } from "../hooks/hooks.ts";
import { hookFailure, runHooks } from "../hooks/run-hooks.ts";
import { describeInitFailure } from "../init-failure.ts";

export async function run(ctx: Context, args: unknown[], _options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  let notify: import("../notify-socket.ts").NotifySocket | undefined;
  try {
    const status = statusOf(c);
    if (status !== "created") throw new OciError(`cannot start a container that is not created: ${status}`);
    if (!c.state.hasProcess) throw new OciError("/process: cannot start a container that has no process");
    // NOTIFY_SOCKET (runc's start): bind the container's socket, release, then wait for
    // READY= and pass it on. Without it nothing more is loaded.
    const host = process.env.NOTIFY_SOCKET;
    if (host) notify = (await import("../notify-socket.ts")).NotifySocket.listen(c.dir, host);
    releaseInit(c);
    ctx.log.debug(`start ${id}: released pid ${c.state.pid}`);
  } catch (err) {
    notify?.close();
    throw err;
  } finally {
    // Not held while waiting: kill and delete must still work on a container never ready.
    closeContainer(c);
  }
  await notify?.forward(c.state.pid, c.state.pid, ctx.log);
}

/** Let a created container's init go on to execve (also used by `run`); a failure on its way
 * there (a startContainer hook, a late op) or of a poststart hook fails start, and the
 * container is stopped. */
export function releaseInit(c: Container & { state: ContainerState }): void {
  const fifo = execFifoPath(c.dir);
  const r = addon().startInit(fifo);
  if (r.errno === 2) throw new OciError("cannot start a container that is not created: running");
  if (r.errno !== 0) throw new OciError(`open ${fifo}: ${addon().strerror(r.errno).toLowerCase()}`);
  if (r.gone) throw new OciError(`cannot start container "${c.state.id}": its init process is gone`);
  unlinkSync(fifo);
  const hooks = readStoredHooks(c.dir);
  if (r.failure) throw new OciError(startFailure(c.dir, r.failure, hooks.startContainer ?? []));
  if (!hooks.poststart?.length) return;
  const s = c.state;
  try {
    runHooks(hooks.poststart, hookState(hookContainerOf(s), "running", s.pid), { cwd: s.bundle });
  } catch (err) {
    // runtime-spec 1.3: a failed poststart hook stops the container.
    try { process.kill(s.pid, "SIGKILL"); } catch {}
    throw err;
  }
}

const ETIMEDOUT = 110; // a START_HOOK record's errno when the hook's timeout killed it

/** The init's record of what failed after start, as one line. */
function startFailure(dir: string, f: import("../addon.ts").StartFailure, startHooks: Hook[]): string {
  const hook = f.hook ? startHooks[f.op] : undefined;
  if (hook) {
    const timedOut = f.errno === ETIMEDOUT;
    return hookFailure(hook, { errno: timedOut ? 0 : f.errno, step: "exec", code: f.code, signal: f.signal, timedOut, stdout: f.stdout, stderr: f.stderr });
  }
  return describeInitFailure(readInitPlan(dir), f.op, f.errno, addon().strerror);
}
