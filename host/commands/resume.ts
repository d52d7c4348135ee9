// `resume <id>`: thaw a paused container. runc's rule and words: one that is not paused is
// "container not paused".
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { closeContainer, mustOpenContainer, statusOf } from "../store.ts";
import { cgroupManager } from "../cgroups/open-manager.ts";

export async function run(ctx: Context, args: unknown[], _options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const c = mustOpenContainer(ctx.root, id, { lock: true });
  try {
    if (statusOf(c) !== "paused" || !c.state.cgroup) throw new OciError("container not paused");
    (await cgroupManager(c.state.cgroup)).thaw();
    ctx.log.debug(`resume ${id}: thawed`);
  } finally {
    closeContainer(c);
  }
}
