// planExecProcess: the recipe of a process `exec` starts in a running container (runc's setns
// process). It joins each namespace config.json gives the container, through the pidfd the host
// took of the init (or, without one, its /proc/<pid>/ns/<type>), in runc's order (user first); in a user namespace it becomes root there,
// and a pid namespace needs one more fork. The mount namespace's root is the container's root
// filesystem (the init's pivot_root or MS_MOVE put it there), so from then on "/" and every
// path, the cwd included, are resolved inside the container. No mounts, no hostname, no sysctls,
// no WAIT_START: then the same process ops as the init's (process.ts), the seccomp filter where
// runc's setns init loads it, and execve. process.execCPUAffinity brackets it all (initial
// first, final before the filter and execve), and the container's cgroups are joined after the
// initial list.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED } from "../diagnostics";
import { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER } from "../config/linux";
import { PlanWriter } from "./writer";
import { OP_SETNS, OP_SETNS_PIDFD, OP_BECOME_ROOT, OP_FORK_INIT, OP_SESSION_KEYRING, OP_ROOTFS, OP_EXEC_CONSOLE } from "./ops";
import { JOIN_ORDER } from "./namespaces";
import { planProcessSetup, planExec } from "./process";
import { planSeccomp, seccompPlace, SeccompPlace } from "./seccomp";
import { planOomScoreAdj, planCpuAffinity } from "./process-settings";
import { checkLabels } from "./labels";
import { planCgroupJoin, planCloneInit } from "./cgroup-join";
import { execCgroupJoin } from "../cgroups/exec-join";

/** The name of a namespace type's file under /proc/<pid>/ns. */
function nsFile(type: string): string {
  if (type == "network") return "net";
  if (type == "mount") return "mnt";
  return type;
}

export function planExecProcess(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  checkLabels(c, req, d);
  // Before the clone, as runc's nsexec writes it: lowering it needs the host's CAP_SYS_RESOURCE.
  planOomScoreAdj(c, w);
  const join = execCgroupJoin(req, d);
  // Not born in the container's cgroup with an initial CPU list, which it runs on first.
  planCloneInit(req, join.dirs, w, c.process.execCPUAffinityInitial.length == 0);
  // execCPUAffinity's initial list first, as runc's nsexec sets it before anything else.
  planCpuAffinity(c, "initial", w);
  // The container's cgroups (after the initial CPUs: the process may not be born there then).
  if (join.dirs.length > 0) planCgroupJoin(c, join.dirs, w, join.busyFallback);

  const nss = c.linux.namespaces;
  const proc = "/proc/" + req.initPid.toString() + "/ns/";
  let mountNs = false;
  let userNs = "";
  let pidNs = "";
  for (let k = 0; k < JOIN_ORDER.length; k++) {
    for (let i = 0; i < nss.length; i++) {
      const ns = nss[i];
      if (ns.type != JOIN_ORDER[k]) continue;
      if (req.initPidfd >= 0) {
        w.op(OP_SETNS_PIDFD, "SETNS_PIDFD", ns.pointer, "join the container's " + ns.type + " namespace through the init's pidfd")
          .n("pidfd", <u64>req.initPidfd).cloneFlags_("nstype", ns.flag);
      } else {
        const path = proc + nsFile(ns.type);
        w.op(OP_SETNS, "SETNS", ns.pointer, "join the container's " + ns.type + " namespace " + path)
          .s("path", path).cloneFlags_("nstype", ns.flag);
      }
      if (ns.flag == CLONE_NEWNS) mountNs = true;
      if (ns.flag == CLONE_NEWUSER) userNs = ns.pointer;
      if (ns.flag == CLONE_NEWPID) pidNs = ns.pointer;
    }
  }
  // Without one, "/" would be the host's: the process would not be in the container at all.
  if (!mountNs && c.linux.namespacesValid) {
    d.error(E_UNSUPPORTED, c.linux.namespacesPointer, "a mount namespace is required in /linux/namespaces: without one an exec'd process would run in the host's root");
  }
  // Its ids are the host's, unmapped in the joined namespace, until then.
  if (userNs.length > 0) w.op(OP_BECOME_ROOT, "BECOME_ROOT", userNs, "become root in the container's user namespace");
  if (pidNs.length > 0) w.op(OP_FORK_INIT, "FORK_INIT", pidNs, "fork into the container's pid namespace");
  // runc's setns init joins the container's session keyring (the name create gave it).
  if (req.newKeyring) w.op(OP_SESSION_KEYRING, "SESSION_KEYRING", "", "join the session keyring").s("name", "_ses." + req.id);
  w.op(OP_ROOTFS, "ROOTFS", "/root/path", "open the container's root \"/\"").s("path", "/");

  const p = c.process;
  if (!p.present || p.args.length == 0) return; // already an error: nothing to run
  if (p.terminal) w.op(OP_EXEC_CONSOLE, "EXEC_CONSOLE", "/process/terminal", "set up the terminal").n("rows", p.consoleHeight).n("cols", p.consoleWidth);
  planProcessSetup(c, req, w, d);
  // The final list, once in the container's cgroup: last before the seccomp filter and execve.
  planCpuAffinity(c, "final", w);
  // With noNewPrivileges, right before execve (planProcessSetup placed it otherwise): there is
  // no start to wait for, so a NOTIFY filter goes there too.
  if (c.linux.seccomp && seccompPlace(c) != SeccompPlace.BeforeCapabilities) planSeccomp(c, req, w, d);
  planExec(c, req, w);
}
