// `delete <id>`: remove what create made. A stopped container is removed; a created one is
// killed and removed (as runc and crun do, and containerd relies on; see docs/compat.md); a
// running one only with --force. A missing id with --force is success: podman and containerd
// send `delete --force` after the container is already gone.
import type { ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { containerNotExist, OciError } from "../errors.ts";
import { signalProcess, waitGone } from "../proc.ts";
import { closeContainer, type ContainerState, openContainer, removeContainer, statusOf } from "../store.ts";

const SIGKILL = 9;
const KILL_TIMEOUT_MS = 10_000; // runc polls for 10 s too

export function register(program: ProgramDef, ctx: Context): void {
  program
    .command("delete")
    .description("delete any resources held by the container")
    .argument("<container-id>", "the container's id")
    .option("-f, --force", "kill the container first if it is running (SIGKILL)")
    .action(async (id: string, opts: { force?: boolean }) => {
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
          return removeContainer(c);
        }
        const status = statusOf(c);
        ctx.log.debug(() => `delete ${id}: status ${status}`);
        if (status === "running" && !opts.force) {
          throw new OciError(`cannot delete container "${id}" that is not stopped: running`);
        }
        if (status !== "stopped") await killInit(c.state);
        removeContainer(c);
      } finally {
        closeContainer(c);
      }
    });
}

/** SIGKILL the init and wait until it is gone or a zombie (its parent reaps it, not us). */
async function killInit(s: ContainerState): Promise<void> {
  signalProcess(s.pid, s.pidStartTime, SIGKILL);
  if (!(await waitGone(s.pid, s.pidStartTime, KILL_TIMEOUT_MS))) {
    throw new OciError(`container init (pid ${s.pid}) still exists 10s after SIGKILL`);
  }
}
