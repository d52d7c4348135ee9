// `pause <id>`: freeze every process of a created or running container (v1 freezer, v2
// cgroup.freeze); `state` then says "paused". runc's rules and words: anything else is
// "container not running".
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { closeContainer, mustOpenContainer, statusOf } from "../store.ts";
import { cgroupManager } from "../cgroups/open-manager.ts";

export async function run(ctx: Context, args: unknown[], _options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  try {
    const status = statusOf(c);
    if (status !== "running" && status !== "created") throw new OciError("container not running");
    if (!c.state.cgroup) throw new OciError("container has no cgroup of its own to freeze (rootless without a delegated cgroup)");
    await (await cgroupManager(c.state.cgroup)).freeze();
    ctx.log.debug(`pause ${id}: frozen`);
  } finally {
    closeContainer(c);
  }
}
