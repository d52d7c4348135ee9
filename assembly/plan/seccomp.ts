// /linux/seccomp in the plan: the compiled filter, placed where runc applies it. Without
// no_new_privs loading a filter needs CAP_SYS_ADMIN, so it comes before the capabilities are
// dropped; with it, as late as possible: after the start signal, right before execve. A
// NOTIFY filter is loaded before the start signal, while `create` is there to hand its
// listener to the agent.
import { Config, Seccomp } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_TOO_LARGE, W_UNKNOWN_SYSCALL } from "../diagnostics";
import { ACT_NOTIFY } from "../config/seccomp";
import { PlanWriter } from "./writer";
import { compileSeccomp } from "../seccomp/compile";
import { BPF_MAXINSNS } from "../seccomp/bpf";
import { ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_AARCH64, ARCH_ARM } from "../seccomp/syscall-table";
import { emitSeccomp } from "./emit.gen";

// SECCOMP_FILTER_FLAG_* by flag index (config/seccomp.ts SECCOMP_FLAGS). TSYNC is not passed:
// the init has one thread, and with NEW_LISTENER the kernel refuses it (EINVAL) unless
// TSYNC_ESRCH comes too; runc drops it as well.
const FLAG_BITS: u64[] = [0, 2, 4, 32];
const FLAG_NEW_LISTENER: u64 = 8;
const FLAG_WAIT_KILLABLE_RECV: u64 = 32;

// The syscall table's arch for each of config/seccomp.ts SECCOMP_ARCHES (-1: no table).
const TABLE_ARCH: i32[] = [ARCH_X86, ARCH_X86_64, ARCH_X32, ARCH_ARM, ARCH_AARCH64];

export const enum SeccompPlace { BeforeCapabilities, BeforeStart, BeforeExec }

export function seccompPlace(c: Config): SeccompPlace {
  const s = c.linux.seccomp!;
  if (!c.process.noNewPrivileges) return SeccompPlace.BeforeCapabilities;
  return usesNotify(s) ? SeccompPlace.BeforeStart : SeccompPlace.BeforeExec;
}

export function usesNotify(s: Seccomp): bool {
  if (s.defaultAction == ACT_NOTIFY) return true;
  for (let i = 0; i < s.syscalls.length; i++) if (s.syscalls[i].action == ACT_NOTIFY) return true;
  return false;
}

/** The native arch first, then the profile's, each once; arches without a table are left out. */
export function filterArches(s: Seccomp, req: Request): i32[] {
  const out: i32[] = [req.arch == "aarch64" ? ARCH_AARCH64 : ARCH_X86_64];
  for (let i = 0; i < s.architectures.length; i++) {
    const a = s.architectures[i];
    if (a < 0 || a >= TABLE_ARCH.length) continue;
    if (!out.includes(TABLE_ARCH[a])) out.push(TABLE_ARCH[a]);
  }
  return out;
}

export function planSeccomp(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  const s = c.linux.seccomp!;
  // An action that did not parse is already an error; there is nothing to compile.
  if (s.defaultAction < 0) return;
  for (let i = 0; i < s.syscalls.length; i++) if (s.syscalls[i].action < 0) return;
  const f = compileSeccomp(s, filterArches(s, req));
  if (f.words.length > BPF_MAXINSNS) {
    d.error(E_TOO_LARGE, "/linux/seccomp", "compiles to " + f.words.length.toString() + " BPF instructions; the kernel takes at most " + BPF_MAXINSNS.toString());
  }
  // Names no arch knows are skipped, as runc skips them; said by `validate` only (runc says it
  // at debug level: profiles name syscalls of arches and kernels other than this one).
  if (req.op == "validate") warnUnknownNames(s, f.unknownNames, d);
  let flags: u64 = 0;
  for (let i = 0; i < s.flags.length; i++) if (s.flags[i] >= 0) flags |= FLAG_BITS[s.flags[i]];
  const notify = usesNotify(s);
  if (notify) flags |= FLAG_NEW_LISTENER;
  // WAIT_KILLABLE_RECV is about the listener: without one the kernel refuses it.
  else flags &= ~FLAG_WAIT_KILLABLE_RECV;
  emitSeccomp(w, "/linux/seccomp", "load the seccomp filter", flags, f.words, notify ? 1 : 0);
}

function warnUnknownNames(s: Seccomp, unknown: string[], d: Diagnostics): void {
  if (unknown.length == 0) return;
  for (let r = 0; r < s.syscalls.length; r++) {
    const rule = s.syscalls[r];
    for (let n = 0; n < rule.names.length; n++) {
      if (!unknown.includes(rule.names[n])) continue;
      d.warn(W_UNKNOWN_SYSCALL, rule.pointer + "/names/" + rule.nameIndexes[n].toString(),
        "\"" + rule.names[n] + "\" is not a syscall of x86_64, x86, x32, aarch64 or arm: skipped, as runc skips it");
    }
  }
}
