// `run <id>`: create + start; in the foreground, wait for the container, forward signals to it,
// delete it (unless --keep) and exit with its status. --detach returns after start.
import type { Command } from "commander";
import type { Context } from "../context.ts";
import { createContainer, type CreateOptions } from "../create-container.ts";
import { addCreateOptions, createFlags } from "./create.ts";
import { releaseInit } from "./start.ts";
import { addon } from "../addon.ts";
import { mark } from "../trace.ts";
import { closeContainer, execFifoPath, openContainer, removeContainer } from "../store.ts";

// Signals a terminal or supervisor sends that the container should get instead of us.
const FORWARDED: NodeJS.Signals[] = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCONT"];

type RunOptions = CreateOptions & { pivot?: boolean; newKeyring?: boolean; keep?: boolean; subreaper?: boolean };

export function register(program: Command, ctx: Context): void {
  addCreateOptions(program.command("run").description("create and start a container"))
    .option("-d, --detach", "detach from the container's process")
    .option("--keep", "do not delete the container after it exits")
    .option("--no-subreaper", "accepted for runc compatibility; the init is always our child")
    .action(async (id: string, opts: RunOptions) => {
      const detach = opts.detach === true;
      const { container, pid, console } = createContainer(ctx, id, { ...createFlags(opts), detach });
      // With a terminal, the pty takes our terminal's size before the process can look at it.
      const proxy = console !== undefined ? (await import("../console-proxy.ts")).proxyConsole(console) : undefined;
      try {
        releaseInit(id, execFifoPath(container.dir));
      } catch (err) {
        removeContainer(container);
        throw err;
      }
      closeContainer(container);
      mark("run: started");
      if (detach) return;

      // With a terminal, the pty carries ^C and friends; SIGWINCH resizes it instead.
      const forward = (signal: NodeJS.Signals) => { try { process.kill(pid, signal); } catch {} };
      const forwarded = proxy ? FORWARDED.filter((s) => s !== "SIGWINCH") : FORWARDED;
      for (const s of forwarded) process.on(s, forward);
      const status = await addon().waitExit(pid);
      mark("run: exited");
      for (const s of forwarded) process.off(s, forward);
      await proxy?.finish();
      ctx.exitCode = status.signal ? 128 + status.signal : status.code;
      ctx.log.debug(`run ${id}: exited with ${ctx.exitCode}`);
      if (opts.keep) return;
      const c = openContainer(ctx.root, id, { lock: true });
      if (c) removeContainer(c);
      mark("run: deleted");
    });
}
