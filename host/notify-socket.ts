// sd_notify through the container, as runc does it (notify_socket.go). With NOTIFY_SOCKET in
// the runtime's environment, create asks the core for the bind of <state dir>/notify on
// /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock in the process's env; `run`, or `start`
// after create, binds the socket, releases the init, waits for a READY= line or the init's exit,
// and sends that line, MAINPID and BARRIER=1 to the runtime's own NOTIFY_SOCKET. So `run -d` and
// `start` return once the service is ready. Loaded only when NOTIFY_SOCKET is set.
import { closeSync, existsSync, mkdirSync } from "./files.ts";
import { dirname, join } from "node:path";
import { addon } from "./addon.ts";
import type { Logger } from "./log.ts";
import { OciError } from "./errors.ts";

/** How long systemd gets to answer BARRIER=1 (runc's 30 s); then a warning, not an error. */
const BARRIER_MS = 30_000;

/** The socket served for the container; its directory is what the core binds in. */
export function notifySocketPath(containerDir: string): string {
  return join(containerDir, "notify", "notify.sock");
}

/** At create, before the init runs its mounts: the directory the plan binds on /run/notify. */
export function makeNotifyDir(containerDir: string): void {
  mkdirSync(dirname(notifySocketPath(containerDir)), { mode: 0o755 });
}

export class NotifySocket {
  private constructor(private fd: number, private readonly host: string) {}

  /** Binds the container's socket; undefined when it was created without NOTIFY_SOCKET (no
   * directory, so nothing in the container could reach a socket). */
  static listen(containerDir: string, host: string): NotifySocket | undefined {
    const path = notifySocketPath(containerDir);
    if (!existsSync(dirname(path))) return undefined;
    const fd = addon().notifyListen(path);
    if (fd < 0) throw new OciError(`notify socket ${path}: bind: ${addon().strerror(-fd).toLowerCase()}`);
    return new NotifySocket(fd, host);
  }

  /** Waits for the container's READY= (or the exit of pid) and tells the host, naming mainPid. */
  async forward(pid: number, mainPid: number, log: Logger): Promise<void> {
    try {
      const r = await addon().notifyForward(this.fd, pid, this.host, mainPid, BARRIER_MS);
      if (r.errno !== 0) throw new OciError(`NOTIFY_SOCKET ${this.host}: ${r.step}: ${describe(r.step, r.errno)}`);
      if (r.barrierTimeout) log.warn(`timeout after waiting ${BARRIER_MS / 1000}s for barrier, ignored`);
      log.debug(r.ready === null ? `notify: pid ${pid} exited without READY=` : `notify: forwarded ${r.ready}, MAINPID=${mainPid}`);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function describe(step: string, errno: number): string {
  // runc's words for a barrier pipe that carried data instead of being closed.
  if (step === "barrier" && errno === 71 /* EPROTO */) return "unexpected read from synchronization pipe";
  return addon().strerror(errno).toLowerCase();
}
