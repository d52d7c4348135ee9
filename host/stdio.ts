// Synchronous writes to fd 1 and 2. Never process.stdout/stderr: creating those streams costs
// about 8 ms per start in a Bun binary, more than the rest of `ocirun state`.
import { writeSync } from "./files.ts";

/** Writes all of text; false when the reader has gone (EPIPE), which is not an error. */
export function writeAll(fd: number, text: string | Uint8Array): boolean {
  const buf = typeof text === "string" ? Buffer.from(text) : text;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A non-blocking pipe from the caller (conmon, the shim) may be full for a moment.
      if (code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
      if (code === "EPIPE") return false; // the reader went away; nothing left to tell it
      throw err;
    }
  }
  return true;
}
