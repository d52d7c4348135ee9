// What every command gets: the global options (parsed by cli.ts before the subcommand) and the
// logger. See docs/host-commands.md for the module shape.
import type { LogFormat, Logger } from "./log.ts";

export interface GlobalOptions {
  /** Absolute state directory (--root), never "/". */
  root: string;
  /** --log path, or undefined for stderr. */
  logFile?: string;
  logFormat: LogFormat;
  debug: boolean;
  /** --systemd-cgroup: cgroupsPath is "slice:prefix:name". */
  systemdCgroup: boolean;
  /** --rootless true|false|auto, as given (runc's default "auto"). */
  rootless: string;
}

export interface Context extends GlobalOptions {
  log: Logger;
  /** Write to stdout synchronously (never process.stdout: see stdio.ts); false when the reader
   * has gone (EPIPE), which a stream (`events`) takes as its end. */
  out(text: string): boolean;
  /** The process exit status after a successful action (run sets the container's status). */
  exitCode: number;
}
