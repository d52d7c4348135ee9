// `start <id>`: release a created container's init, which waits in a read on exec.fifo: write
// one byte to the fifo, then remove it (its absence is what makes the status "running").
import { closeSync, constants, openSync, unlinkSync, writeSync } from "node:fs";
import type { ProgramDef } from "../command-def.ts";
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { closeContainer, execFifoPath, mustOpenContainer, statusOf } from "../store.ts";

export function register(program: ProgramDef, ctx: Context): void {
  program
    .command("start")
    .description("execute the user process in a created container")
    .argument("<container-id>", "the container's id")
    .action(async (id: string) => {
      const c = mustOpenContainer(ctx.root, id, { lock: true });
      let notify: import("../notify-socket.ts").NotifySocket | undefined;
      try {
        const status = statusOf(c);
        if (status !== "created") throw new OciError(`cannot start a container that is not created: ${status}`);
        if (!c.state.hasProcess) throw new OciError("/process: cannot start a container that has no process");
        // NOTIFY_SOCKET (runc's start): bind the container's socket, release, then wait for
        // READY= and pass it on. Without it nothing more is loaded.
        const host = process.env.NOTIFY_SOCKET;
        if (host) notify = (await import("../notify-socket.ts")).NotifySocket.listen(c.dir, host);
        releaseInit(id, execFifoPath(c.dir));
        ctx.log.debug(`start ${id}: released pid ${c.state.pid}`);
      } catch (err) {
        notify?.close();
        throw err;
      } finally {
        // Not held while waiting: kill and delete must still work on a container never ready.
        closeContainer(c);
      }
      await notify?.forward(c.state.pid, c.state.pid, ctx.log);
    });
}

/** Let a created container's init go on to execve (also used by `run`). */
export function releaseInit(id: string, fifo: string): void {
  let fd: number;
  try {
    // Non-blocking: if no process holds the fifo open for reading, open fails with ENXIO at
    // once instead of waiting forever for an init that is gone.
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENXIO") throw new OciError(`cannot start container "${id}": its init process is gone`);
    if (code === "ENOENT") throw new OciError("cannot start a container that is not created: running");
    throw err;
  }
  try {
    writeSync(fd, "0");
  } finally {
    closeSync(fd);
  }
  unlinkSync(fifo);
}
