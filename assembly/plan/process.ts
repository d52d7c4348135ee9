// The container process: rlimits, user and groups, capabilities in the order the kernel
// needs, no_new_privs, umask, cwd, the executable looked up on the container's PATH, argv, env.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics } from "../diagnostics";
import { PlanWriter } from "./writer";
import { planSeccomp, seccompPlace, SeccompPlace } from "./seccomp";
import {
  OP_SETRLIMIT, OP_CAP_BOUNDING, OP_USER, OP_CAPS, OP_NO_NEW_PRIVS, OP_UMASK, OP_CHDIR, OP_CHOWN_STDIO, OP_FIND_EXEC, OP_EXEC, OP_EXEC_SEALED, USERNS_DENY_SETGROUPS,
} from "./ops";
import { rlimitName } from "../config/rlimits";
import { cleanPath } from "../paths";
import { planSchedulingSettings, planPersonality } from "./process-settings";
import { planAppArmor, planSelinuxExecLabel } from "./labels";
import { idMapsHow } from "./rootless";
import { inUserNamespace } from "./namespaces";
import { systemdEnv } from "./systemd";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEFAULT_UMASK: u64 = 0o022;

export function planProcessSetup(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  const p = c.process;
  for (let i = 0; i < p.rlimits.length; i++) {
    const r = p.rlimits[i];
    w.op(OP_SETRLIMIT, "SETRLIMIT", r.pointer, "set " + rlimitName(r.resource))
      .named("resource", <u64>r.resource, rlimitName(r.resource)).n("soft", r.soft).n("hard", r.hard);
  }
  planSchedulingSettings(c, w);
  // The cwd is entered as root, before the uid change, like runc; the executor checks it is
  // inside the root afterwards.
  w.op(OP_CHDIR, "CHDIR", "/process/cwd", "change directory to \"" + p.cwd + "\"").s("path", p.cwd);
  // Its terminal (or stdio) is the user's, while root may still chown it.
  if (p.user.uid != 0) w.op(OP_CHOWN_STDIO, "CHOWN_STDIO", "/process/user/uid", "give stdio to uid " + p.user.uid.toString()).n("uid", p.user.uid);
  planExecSealed(w);
  // Labels the next execve takes: the user's, now that the sealed program's is done.
  planAppArmor(c, w);
  planSelinuxExecLabel(c, w);
  if (c.linux.seccomp && seccompPlace(c) == SeccompPlace.BeforeCapabilities) planSeccomp(c, req, w, d);
  const caps = p.capabilities;
  // Dropping from the bounding set needs CAP_SETPCAP, so it comes before the uid change.
  if (caps.present) w.op(OP_CAP_BOUNDING, "CAP_BOUNDING", "/process/capabilities/bounding", "limit the capability bounding set").caps("keep", caps.bounding);
  w.op(OP_USER, "USER", "/process/user", "set user " + p.user.uid.toString() + ":" + p.user.gid.toString())
    .n("uid", p.user.uid).n("gid", p.user.gid).numList("groups", p.user.additionalGids)
    .n("keep_groups", keepsGroups(c, req) ? <u64>1 : <u64>0);
  if (caps.present) {
    w.op(OP_CAPS, "CAPS", "/process/capabilities", "set capabilities")
      .caps("effective", caps.effective).caps("permitted", caps.permitted).caps("inheritable", caps.inheritable).caps("ambient", caps.ambient);
  }
  if (p.noNewPrivileges) w.op(OP_NO_NEW_PRIVS, "NO_NEW_PRIVS", "/process/noNewPrivileges", "set no_new_privs");
  const umask: u64 = p.user.umask >= 0 ? <u64>p.user.umask : DEFAULT_UMASK;
  w.op(OP_UMASK, "UMASK", p.user.umask >= 0 ? "/process/user/umask" : "", "set umask").octal("mask", umask);
  w.op(OP_FIND_EXEC, "FIND_EXEC", "/process/args/0", "exec: \"" + p.args[0] + "\"").strList("candidates", executableCandidates(p.args[0], p.env, p.cwd));
  planPersonality(c, w);
}

export function planExec(c: Config, req: Request, w: PlanWriter): void {
  w.op(OP_EXEC, "EXEC", "/process/args", "exec \"" + c.process.args[0] + "\"").strList("argv", c.process.args).strList("envp", systemdEnv(c.process.env, req));
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
  w.op(OP_EXEC_SEALED, "EXEC_SEALED", "", "exec the sealed init program, which runs the rest of the plan");
}

/** USER's keep_groups: where the user namespace's setgroups is "deny" (idMapsHow) setgroups(2)
 * fails, so with no groups asked for the process keeps its own, as runc does. */
function keepsGroups(c: Config, req: Request): bool {
  return inUserNamespace(c) && (idMapsHow(c, req) & USERNS_DENY_SETGROUPS) != 0 && c.process.user.additionalGids.length == 0;
}
