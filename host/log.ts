// The logger: runc's logrus behaviour, which clients parse.
// - Records go to --log F (opened O_WRONLY|O_APPEND|O_CREAT, 0644, on the first record) or to stderr.
//   json: {"level":"error","msg":"...","time":"<RFC3339>"} one per line; text: time="..." level=error msg="...".
// - An error is also printed to stderr as the bare message when the records go to a file.
// - At the default level a failing command writes exactly one record: podman json-parses the
//   whole oci-log file as one object, go-runc takes the last "error" record of log.json.
import { constants, openSync } from "./files.ts";
import { writeAll } from "./stdio.ts";

export type LogFormat = "text" | "json";
export type Level = "error" | "warning" | "info" | "debug";

export interface LoggerOptions {
  file?: string;
  format: LogFormat;
  debug: boolean;
}

export class Logger {
  private fd = -1;

  constructor(readonly opts: LoggerOptions) {}

  error(msg: string): void {
    this.record("error", msg);
    if (this.opts.file) writeAll(2, oneLine(msg) + "\n");
  }

  warn(msg: string): void {
    // With --log, a warning goes to the file only with --debug: podman parses the file as one
    // object, and under containerd our stderr is the container's own stderr.
    if (!this.opts.file || this.opts.debug) this.record("warning", msg);
  }

  debug(msg: string | (() => string)): void {
    if (this.opts.debug) this.record("debug", typeof msg === "function" ? msg() : msg);
  }

  private record(level: Level, msg: string): void {
    const line = formatRecord(this.opts.format, level, msg, new Date()) + "\n";
    if (!this.opts.file) {
      writeAll(2, line);
      return;
    }
    try {
      if (this.fd < 0) this.fd = openSync(this.opts.file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o644);
      writeAll(this.fd, line);
    } catch {
      writeAll(2, line); // an unwritable --log must not hide the error itself
    }
  }
}

/** RFC 3339 in UTC without fractions, as logrus' default TimestampFormat prints it. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

export function formatRecord(format: LogFormat, level: Level, msg: string, at: Date): string {
  const time = rfc3339(at);
  // Key order is logrus': JSONFormatter sorts keys (level, msg, time).
  if (format === "json") return JSON.stringify({ level, msg, time });
  return `time=${quote(time)} level=${level} msg=${quote(msg)}`;
}

/** logrus' TextFormatter quotes a value only when it has characters outside [A-Za-z0-9-._/@^+]. */
function quote(s: string): string {
  return /^[A-Za-z0-9\-._/@^+]+$/.test(s) ? s : JSON.stringify(s);
}

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, "\\n");
}
