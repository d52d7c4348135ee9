// `pause <id>`: freeze every process of a created or running container (v1 freezer, v2
// cgroup.freeze); `state` then says "paused". runc's rules and words: anything else is
// "container not running".
import type { ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { closeContainer, mustOpenContainer, statusOf } from "../store.ts";
import { cgroupManager } from "../cgroups/open-manager.ts";

export function register(program: ProgramDef, ctx: Context): void {
  program
    .command("pause")
    .description("suspend all processes inside the container")
    .argument("<container-id>", "the container's id")
    .action(async (id: string) => {
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
    });
}
