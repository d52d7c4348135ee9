// `kill <id> [signal]`: signal the container's init. Only a created or running container can be
// signalled; anything else is "container not running", which containerd string-matches.
import type { ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { signalProcess } from "../proc.ts";
import { parseSignal } from "../signals.ts";
import { closeContainer, mustOpenContainer, statusOf } from "../store.ts";

export function register(program: ProgramDef, ctx: Context): void {
  program
    .command("kill")
    .description("send a signal (default: SIGTERM) to the container's init process")
    .argument("<container-id>", "the container's id")
    .argument("[signal]", "a number, or a name with or without SIG (KILL, SIGKILL)", "SIGTERM")
    // Obsolete in runc; its one remaining effect is that a stopped container is not an error.
    .option("-a, --all", "do not fail when the container is not running")
    .action((id: string, signal: string, opts: { all?: boolean }) => {
      const sig = parseSignal(signal);
      const c = mustOpenContainer(ctx.root, id, { lock: true });
      try {
        const status = statusOf(c);
        ctx.log.debug(() => `kill ${id}: status ${status}, pid ${c.state.pid}, signal ${sig}`);
        // signalProcess re-reads the start time right before kill(2): the pid may be reused.
        if (status !== "stopped" && signalProcess(c.state.pid, c.state.pidStartTime, sig)) return;
        if (!opts.all) throw new OciError("container not running");
      } finally {
        closeContainer(c);
      }
    });
}
