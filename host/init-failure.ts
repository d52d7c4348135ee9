// Turns an init failure (op index, errno) into one line naming the config field:
// `/mounts/4: mount "tmpfs" on "/run": no such device`.
import { disassemble } from "./plan/disassemble";
import { OP_FIND_EXEC, OP_USERNS_MAPS } from "./plan/ops.gen";

const ENOENT = 2;
const EPERM = 1;

export function describeInitFailure(plan: Uint8Array, op: number, errno: number, strerror: (e: number) => string): string {
  const text = strerror(errno);
  const reason = text.charAt(0).toLowerCase() + text.slice(1);
  const h = disassemble(plan).ops[op];
  if (!h) return `container init failed: ${reason}`;
  // Podman maps "executable file not found in" to exit status 127, as with runc.
  let why = h.opcode === OP_FIND_EXEC && errno === ENOENT && !h.what.includes("/") ? "executable file not found in $PATH" : reason;
  // The maps the plan gives to newuidmap/newgidmap (a non-root caller's, other than its own id).
  if (h.opcode === OP_USERNS_MAPS && errno === ENOENT) why = "newuidmap or newgidmap is not in $PATH (package uidmap): a non-root user needs them to map ids other than its own";
  if (h.opcode === OP_USERNS_MAPS && errno === EPERM) why += ": the caller may map only ids it owns (a non-root user: its own, and through newuidmap/newgidmap the ranges /etc/subuid and /etc/subgid give it)";
  return `${h.source || "init"}: ${h.what}: ${why}`;
}
