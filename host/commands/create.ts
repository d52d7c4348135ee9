// `create <id>`: build the container; its init waits for `start`. Exits once the init is ready.
import type { Context } from "../context.ts";
import { createContainer, type CreateOptions } from "../create-container.ts";
import { closeContainer } from "../store.ts";

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const created = await createContainer(ctx, id, { ...createFlags(options as CreateFlagValues), detach: true });
  closeContainer(created.container);
}

/** create's flags as the options object has them (command-table.ts), which run has too. */
export interface CreateFlagValues { bundle?: string; pidFile?: string; consoleSocket?: string; noPivot: boolean; noNewKeyring: boolean; preserveFds?: string }

export function createFlags(opts: CreateFlagValues): Omit<CreateOptions, "detach"> {
  return {
    bundle: opts.bundle, pidFile: opts.pidFile, consoleSocket: opts.consoleSocket,
    noPivot: opts.noPivot, noNewKeyring: opts.noNewKeyring, preserveFds: opts.preserveFds,
  };
}
