// The container process: rlimits, user and groups, capabilities in the order the kernel
// needs, no_new_privs, umask, cwd, the executable looked up on the container's PATH, argv, env.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics } from "../diagnostics";
import { PlanWriter } from "./writer";
import { planSeccomp, seccompPlace, SeccompPlace } from "./seccomp";
import { USERNS_DENY_SETGROUPS } from "./ops";
import { rlimitName } from "../config/rlimits";
import { cleanPath } from "../paths";
import { planSchedulingSettings, planPersonality } from "./process-settings";
import { planAppArmor, planSelinuxExecLabel } from "./labels";
import { idMapsHow } from "./rootless";
import { inUserNamespace } from "./namespaces";
import { systemdEnv } from "./systemd";
import {
  emitCapBounding, emitCaps, emitChdir, emitChownStdio, emitExec, emitExecSealed, emitFindExec,
  emitNoNewPrivs, emitSetrlimit, emitSetsid, emitUmask, emitUser,
} from "./emit.gen";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEFAULT_UMASK: u64 = 0o022;

export function planProcessSetup(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  const p = c.process;
  for (let i = 0; i < p.rlimits.length; i++) {
    const r = p.rlimits[i];
    emitSetrlimit(w, r.pointer, "set " + rlimitName(r.resource),
      <u64>r.resource, rlimitName(r.resource), r.soft, r.hard);
  }
  planSchedulingSettings(c, w);
  emitSetsid(w, "", "lead a session of its own");
  // The cwd is entered as root, before the uid change, like runc; the executor checks it is
  // inside the root afterwards.
  emitChdir(w, "/process/cwd", "change directory to \"" + p.cwd + "\"", p.cwd);
  // Its terminal (or stdio) is the user's, while root may still chown it.
  if (p.user.uid != 0) emitChownStdio(w, "/process/user/uid", "give stdio to uid " + p.user.uid.toString(),
    p.user.uid);
  planExecSealed(w);
  // Labels the next execve takes: the user's, now that the sealed program's is done.
  planAppArmor(c, w);
  planSelinuxExecLabel(c, w);
  if (c.linux.seccomp && seccompPlace(c) == SeccompPlace.BeforeCapabilities) planSeccomp(c, req, w, d);
  const caps = p.capabilities;
  // Dropping from the bounding set needs CAP_SETPCAP, so it comes before the uid change.
  if (caps.present) emitCapBounding(w, "/process/capabilities/bounding", "limit the capability bounding set",
    caps.bounding);
  emitUser(w, "/process/user", "set user " + p.user.uid.toString() + ":" + p.user.gid.toString(),
    p.user.uid, p.user.gid, p.user.additionalGids, keepsGroups(c, req) ? <u64>1 : <u64>0);
  if (caps.present) {
    emitCaps(w, "/process/capabilities", "set capabilities",
      caps.effective, caps.permitted, caps.inheritable, caps.ambient);
  }
  if (p.noNewPrivileges) emitNoNewPrivs(w, "/process/noNewPrivileges", "set no_new_privs");
  const umask: u64 = p.user.umask >= 0 ? <u64>p.user.umask : DEFAULT_UMASK;
  emitUmask(w, p.user.umask >= 0 ? "/process/user/umask" : "", "set umask", umask);
  emitFindExec(w, "/process/args/0", "exec: \"" + p.args[0] + "\"",
    executableCandidates(p.args[0], p.env, p.cwd));
  planPersonality(c, w);
}

export function planExec(c: Config, req: Request, w: PlanWriter): void {
  emitExec(w, "/process/args", "exec \"" + c.process.args[0] + "\"",
    c.process.args, systemdEnv(c.process.env, req));
}

/** Where execvp would look for `arg0`: itself if it has a "/", else each $PATH entry. */
export function executableCandidates(arg0: string, env: string[], cwd: string): string[] {
  if (arg0.indexOf("/") >= 0) return [arg0.startsWith("/") ? arg0 : cleanPath(cwd + "/" + arg0)];
  let path = DEFAULT_PATH;
  for (let i = 0; i < env.length; i++) if (env[i].startsWith("PATH=")) path = env[i].substring(5);
  const dirs = path.split(":");
  const out: string[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i].length == 0 ? cwd : dirs[i];
    const full = dir.startsWith("/") ? cleanPath(dir + "/" + arg0) : cleanPath(cwd + "/" + dir + "/" + arg0);
    if (!out.includes(full)) out.push(full);
  }
  return out;
}

/** From here on the sealed init program runs the plan, not the runtime's binary (ops.ts). */
export function planExecSealed(w: PlanWriter): void {
  emitExecSealed(w, "", "exec the sealed init program, which runs the rest of the plan");
}

/** USER's keep_groups: where the user namespace's setgroups is "deny" (idMapsHow) setgroups(2)
 * fails, so with no groups asked for the process keeps its own, as runc does. */
function keepsGroups(c: Config, req: Request): bool {
  return inUserNamespace(c) && (idMapsHow(c, req) & USERNS_DENY_SETGROUPS) != 0 && c.process.user.additionalGids.length == 0;
}
