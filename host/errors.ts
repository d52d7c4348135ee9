// The one error type commands throw. cli.ts turns it into one log line and an exit status, so a
// command never prints its own failure (podman and containerd read exactly one error record).

export class OciError extends Error {
  /** exitCode: 1 for runc's ordinary failures; `exec` uses 255. */
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "OciError";
  }
}

/** A command line that does not fit: an unknown command or flag, a bad flag value, a wrong
 * number of arguments (cli.ts has then already printed runc's "Incorrect Usage." help). */
export class UsageError extends OciError {
  constructor(message: string) {
    super(message, 1);
    this.name = "UsageError";
  }
}

export function containerNotExist(id: string): OciError {
  // containerd and CRI-O string-match "does not exist".
  return new OciError(`container "${id}" does not exist`);
}

/** Node's "ENOENT: no such file or directory, open '/x'" in Go's form "open /x: no such file or
 * directory", which is what clients match on (podman: /no such file or directory/ → 127). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === "string" && typeof e.syscall === "string") {
      const m = /^[A-Z0-9_]+: ([^,]*)/.exec(e.message);
      const text = (m ? m[1] : e.code).toLowerCase();
      return e.path ? `${e.syscall} ${e.path}: ${text}` : `${e.syscall}: ${text}`;
    }
    return e.message;
  }
  return String(err);
}
