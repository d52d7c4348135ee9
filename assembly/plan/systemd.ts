// systemd's two protocols across the container boundary, as runc passes them (utils_linux.go,
// notify_socket.go). Socket activation: the host passes the runtime's LISTEN_FDS fds on as fds
// 3..3+n-1, and the process is told LISTEN_FDS=n, LISTEN_PID=1. Readiness: the host's socket's
// directory is bound read-only on /run/notify, and NOTIFY_SOCKET names the socket there; the
// host serves the socket and forwards READY=1 to its own NOTIFY_SOCKET.
import { Mount } from "../config/model";
import { Request } from "../request";

/** Where the directory of the host's notify socket appears in the container (runc's path). */
export const NOTIFY_DIR = "/run/notify";

/** The bind of the notify socket's directory, planned like a config mount with runc's options. */
export function notifyMount(req: Request): Mount {
  const path = req.notifySocket;
  const m = new Mount();
  m.destination = NOTIFY_DIR;
  m.source = path.substring(0, path.lastIndexOf("/"));
  m.type = "bind";
  m.options = ["bind", "nosuid", "noexec", "nodev", "ro"];
  m.optionIndices = [0, 1, 2, 3, 4];
  return m;
}

/** process.env with runc's additions, in its order: NOTIFY_SOCKET, then LISTEN_FDS and
 * LISTEN_PID. runc appends them and its init sets the variables one by one, so a name the
 * config already has keeps its place and takes the new value; the same here. */
export function systemdEnv(env: string[], req: Request): string[] {
  if (req.notifySocket.length == 0 && req.listenFds == 0) return env;
  const out = env.slice(0);
  if (req.notifySocket.length > 0) {
    const name = req.notifySocket.substring(req.notifySocket.lastIndexOf("/") + 1);
    setEnv(out, "NOTIFY_SOCKET", NOTIFY_DIR + "/" + name);
  }
  if (req.listenFds > 0) {
    setEnv(out, "LISTEN_FDS", req.listenFds.toString());
    setEnv(out, "LISTEN_PID", "1");
  }
  return out;
}

function setEnv(env: string[], name: string, value: string): void {
  const prefix = name + "=";
  for (let i = 0; i < env.length; i++) {
    if (env[i].startsWith(prefix)) { env[i] = prefix + value; return; }
  }
  env.push(prefix + value);
}
