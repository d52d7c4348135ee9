// `create <id>`: build the container; its init waits for `start`. Exits once the init is ready.
import type { CommandDef, ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { createContainer, type CreateOptions } from "../create-container.ts";
import { closeContainer } from "../store.ts";

export function addCreateOptions(cmd: CommandDef): CommandDef {
  return cmd
    .argument("<container-id>", "the container's id")
    .option("-b, --bundle <path>", "path to the bundle directory (default: the current directory)")
    .option("--console-socket <path>", "AF_UNIX socket that receives the pty master of a terminal container")
    .option("--pid-file <path>", "file to write the init's pid to")
    .option("--no-pivot", "do not use pivot_root (for a rootfs on a ramdisk)")
    .option("--no-new-keyring", "do not create a new session keyring")
    .option("--preserve-fds <n>", "pass N more file descriptors (3 to 3+N-1) to the container");
}

export function register(program: ProgramDef, ctx: Context): void {
  addCreateOptions(program.command("create").description("create a container"))
    .action(async (id: string, opts: CreateOptions & { pivot?: boolean; newKeyring?: boolean }) => {
      const created = await createContainer(ctx, id, { ...createFlags(opts), detach: true });
      closeContainer(created.container);
    });
}

/** commander turns --no-pivot into pivot=false; the create options use runc's names. */
export function createFlags(opts: CreateOptions & { pivot?: boolean; newKeyring?: boolean }): Omit<CreateOptions, "detach"> {
  return {
    bundle: opts.bundle, pidFile: opts.pidFile, consoleSocket: opts.consoleSocket,
    noPivot: opts.pivot === false, noNewKeyring: opts.newKeyring === false, preserveFds: opts.preserveFds,
  };
}
