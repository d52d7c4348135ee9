// `run <id>`: create + start; in the foreground, wait for the container, forward signals to it,
// delete it (unless --keep) and exit with its status. --detach returns after start.
import type { Context } from "../context.ts";
import { createContainer, type CreateOptions } from "../create-container.ts";
import { createFlags, type CreateFlagValues } from "./create.ts";
import { releaseInit } from "./start.ts";
import { mark } from "../trace.ts";
import { closeContainer, type Container, type ContainerState, openContainer, removeContainer, statusOf } from "../store.ts";
import { destroyContainer } from "./delete.ts";
import { NotifySocket } from "../notify-socket.ts";
import { ownArgv, waitForeground } from "../foreground.ts";

// Signals a terminal or supervisor sends that the container should get instead of us.

type RunOptions = CreateFlagValues & { detach: boolean; keep: boolean };

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as RunOptions;
  const detach = opts.detach === true;
  const { container, pid, console } = await createContainer(ctx, id, { ...createFlags(opts), detach });
  // With a terminal, the pty takes our terminal's size before the process can look at it.
  const proxy = console !== undefined ? (await import("../console-proxy.ts")).proxyConsole(console) : undefined;
  // NOTIFY_SOCKET: the container's socket is bound before its process starts.
  let notify: NotifySocket | undefined;
  try {
    const host = process.env.NOTIFY_SOCKET;
    notify = host ? NotifySocket.listen(container.dir, host) : undefined;
    releaseInit(container as Container & { state: ContainerState });
  } catch (err) {
    notify?.close();
    // Our child, not reaped: the pid is still the init's.
    try { process.kill(pid, "SIGKILL"); } catch {}
    await destroyContainer(container as Container & { state: ContainerState }, "stopped", (line) => ctx.log.warn(line)).catch(() => removeContainer(container));
    throw err;
  }
  closeContainer(container);
  mark("run: started");
  // runc: --detach returns once the service is ready, telling systemd its pid; in the
  // foreground, systemd is told ours (we stay the service's main process). Either way a
  // failure to notify is not the container's: it is logged, not the exit status.
  const ready = notify?.forward(pid, detach ? pid : process.pid, ctx.log).catch((err) => ctx.log.warn(String(err?.message ?? err)));
  if (detach) {
    await ready;
    return;
  }

  // Should the waiter program take over the wait, it runs the delete below itself.
  const finish = opts.keep ? [] : [...ownArgv(ctx), "delete", "--force", id];
  ctx.exitCode = await waitForeground(pid, { proxy, first: ready, finish });
  mark("run: exited");
  ctx.log.debug(`run ${id}: exited with ${ctx.exitCode}`);
  if (opts.keep) return;
  const c = openContainer(ctx.root, id, { lock: true });
  if (c?.state) await destroyContainer(c as Container & { state: ContainerState }, statusOf(c), (line) => ctx.log.warn(line));
  else if (c) removeContainer(c);
  mark("run: deleted");
}
