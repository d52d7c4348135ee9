// `kill <id> [signal]`: signal the container's init, or with --all every process in its cgroups.
// Only a created, running or paused container can be signalled; anything else is "container not
// running", which containerd string-matches.
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { signalProcess } from "../proc.ts";
import { parseSignal } from "../signals.ts";
import { closeContainer, mustOpenContainer, statusOf } from "../store.ts";
import { cgroupManager } from "../cgroups/open-manager.ts";

const SIGKILL = 9;

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id, signal] = args as [string, string];
  const opts = options as { all?: boolean };
  const sig = parseSignal(signal);
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  try {
    const status = statusOf(c);
    ctx.log.debug(() => `kill ${id}: status ${status}, pid ${c.state.pid}, signal ${sig}`);
    // The cgroup manager loads only when needed: loading a module costs a start about 10 ms
    // (Bun starts its threads for it), more than the rest of a kill.
    const cgroups = async () => (c.state.cgroup ? await cgroupManager(c.state.cgroup) : undefined);
    if (opts.all && status !== "stopped" && c.state.cgroup) return await (await cgroups())!.signalAll(sig);
    // signalProcess re-reads the start time right before kill(2): the pid may be reused.
    if (status !== "stopped" && signalProcess(c.state.pid, c.state.pidStartTime, sig)) {
      // A frozen process takes a SIGKILL only once thawed (cgroup v1), as runc thaws it.
      if (status === "paused" && sig === SIGKILL) (await cgroups())?.thaw();
      return;
    }
    if (!opts.all) throw new OciError("container not running");
  } finally {
    closeContainer(c);
  }
}
