// Turns an init failure (op index, errno) into one line naming the config field:
// `/mounts/4: mount "tmpfs" on "/run": no such device`.
import { opHeader } from "./plan/decode";
import { OP_FIND_EXEC } from "./plan/ops.gen";

const ENOENT = 2;

export function describeInitFailure(plan: Uint8Array, op: number, errno: number, strerror: (e: number) => string): string {
  const text = strerror(errno);
  const reason = text.charAt(0).toLowerCase() + text.slice(1);
  const h = opHeader(plan, op);
  if (!h) return `container init failed: ${reason}`;
  // Podman maps "executable file not found in" to exit status 127, as with runc.
  const why = h.opcode === OP_FIND_EXEC && errno === ENOENT && !h.what.includes("/") ? "executable file not found in $PATH" : reason;
  return `${h.source || "init"}: ${h.what}: ${why}`;
}
