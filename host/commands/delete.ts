// `delete <id>`: remove what create made. A stopped container is removed; a created one is
// killed and removed (as runc and crun do, and containerd relies on; see docs/compat.md); a
// running or paused one only with --force. Its cgroups go too, after whatever is still in them
// (a container without its own pid namespace leaves processes when its init dies). A missing
// id with --force is success: podman and containerd send `delete --force` after the container
// is already gone.
import type { Context } from "../context.ts";
import { containerNotExist, OciError } from "../errors.ts";
import { signalProcess, waitGone } from "../proc.ts";
import {
  closeContainer, type Container, type ContainerState, openContainer, readCgroupRecord, removeContainer, type Status, statusOf,
} from "../store.ts";
import { cgroupManager } from "../cgroups/open-manager.ts";
import { hookContainerOf, hookState, readStoredHooks } from "../hooks/hooks.ts";

const SIGKILL = 9;
const KILL_TIMEOUT_MS = 10_000; // runc polls for 10 s too

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as { force?: boolean };
  const c = openContainer(ctx.root, id, { lock: true });
  if (!c) {
    if (opts.force) return;
    throw containerNotExist(id);
  }
  try {
    if (!c.state) {
      // No state.json while we hold the lock: a create died half-way. Only --force cleans up.
      if (!opts.force) throw containerNotExist(id);
      ctx.log.debug(`delete ${id}: removing a half-created container`);
      const record = readCgroupRecord(c.dir);
      if (record) await (await cgroupManager(record)).destroy();
      return removeContainer(c);
    }
    const status = statusOf(c);
    ctx.log.debug(() => `delete ${id}: status ${status}`);
    if ((status === "running" || status === "paused") && !opts.force) {
      throw new OciError(`cannot delete container "${id}" that is not stopped: ${status}`);
    }
    await destroyContainer(c as Container & { state: ContainerState }, status, (line) => ctx.log.warn(line));
  } finally {
    closeContainer(c);
  }
}

/** Everything create made goes: the init (and, with its cgroups, every other process of the
 * container), the cgroups, the state directory. Also `run`'s end. */
export async function destroyContainer(c: Container & { state: ContainerState }, status: Status, warn: (line: string) => void): Promise<void> {
  const cgroups = c.state.cgroup ? await cgroupManager(c.state.cgroup) : undefined;
  // A frozen init would not die of the SIGKILL until thawed (cgroup v1).
  if (status === "paused") cgroups?.thaw();
  if (status !== "stopped") await killInit(c.state);
  await cgroups?.destroy();
  const hooks = readStoredHooks(c.dir);
  removeContainer(c);
  // After the container is gone, before delete returns; a failure is only a warning.
  if (hooks.poststop?.length) {
    const { runHooksWarning } = await import("../hooks/run-hooks.ts");
    runHooksWarning(hooks.poststop, hookState(hookContainerOf(c.state), "stopped"), { cwd: c.state.bundle }, warn);
  }
}

/** SIGKILL the init and wait until it is gone or a zombie (its parent reaps it, not us). */
async function killInit(s: ContainerState): Promise<void> {
  signalProcess(s.pid, s.pidStartTime, SIGKILL);
  if (!(await waitGone(s.pid, s.pidStartTime, KILL_TIMEOUT_MS))) {
    throw new OciError(`container init (pid ${s.pid}) still exists 10s after SIGKILL`);
  }
}
