// A foreground `run` of a terminal container: our terminal in raw mode, bytes copied both
// ways between it and the pty master, and the pty kept at our terminal's size.
import { closeSync } from "node:fs";
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
  input.on("data", (chunk: Buffer) => writeAll(master, chunk));
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
    output.on("data", (chunk: Buffer) => writeAll(1, chunk));
    output.on("error", () => done());
    output.on("end", () => done());
    output.on("close", () => done());
  });

  return {
    async finish() {
      await Promise.race([drained, new Promise((r) => setTimeout(r, 200))]);
      process.off("SIGWINCH", resize);
      if (raw) input.setRawMode(false);
      input.pause();
      input.removeAllListeners("data");
      output.destroy();
      try { closeSync(master); } catch {}
    },
  };
}
