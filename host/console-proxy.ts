// A foreground `run` of a terminal container: our terminal in raw mode, bytes copied both
// ways between it and the pty master, and the pty kept at our terminal's size.
import tty from "node:tty";
import { addon } from "./addon.ts";
import { writeAll } from "./stdio.ts";

export interface ConsoleProxy {
  /** After the container exited: copy what is left in the pty, restore our terminal. */
  finish(): Promise<void>;
}

export function proxyConsole(master: number): ConsoleProxy {
  const input = process.stdin;
  const raw = input.isTTY === true;
  if (raw) input.setRawMode(true);
  // The read stream below owns the master and closes it at its end (EIO once no process holds
  // the pty): what we type after that goes nowhere, it does not write to a closed fd.
  let open = true;
  input.on("data", (chunk: Buffer) => {
    if (!open) return;
    try {
      writeAll(master, chunk);
    } catch {
      open = false; // the pty is gone
    }
  });
  input.resume();

  const resize = () => {
    const out = process.stdout;
    if (out.isTTY && out.rows && out.columns) addon().setWinsize(master, out.rows, out.columns);
  };
  resize();
  process.on("SIGWINCH", resize);

  const output = new tty.ReadStream(master);
  // Reading the master fails with EIO once no process holds the pty: that is its end.
  const drained = new Promise<void>((done) => {
    const end = () => {
      open = false;
      done();
    };
    output.on("data", (chunk: Buffer) => writeAll(1, chunk));
    output.on("error", end);
    output.on("end", end);
    output.on("close", end);
  });

  return {
    async finish() {
      await Promise.race([drained, new Promise((r) => setTimeout(r, 200))]);
      process.off("SIGWINCH", resize);
      if (raw) input.setRawMode(false);
      input.pause();
      input.removeAllListeners("data");
      // destroy() closes the master (the stream owns it), once.
      open = false;
      output.destroy();
    },
  };
}
