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
import { JOIN_ORDER } from "./namespaces";
import { planProcessSetup, planExec } from "./process";
import { planSeccomp, seccompPlace, SeccompPlace } from "./seccomp";
import { planOomScoreAdj, planCpuAffinity } from "./process-settings";
import { checkLabels } from "./labels";
import { planCgroupJoin, planCloneInit } from "./cgroup-join";
import { execCgroupJoin } from "../cgroups/exec-join";
import {
  emitBecomeRoot, emitExecConsole, emitForkInit, emitRootfs, emitSessionKeyring, emitSetns,
  emitSetnsPidfd,
} from "./emit.gen";

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
        emitSetnsPidfd(w, ns.pointer, "join the container's " + ns.type + " namespace through the init's pidfd",
          <u64>req.initPidfd, ns.flag);
      } else {
        const path = proc + nsFile(ns.type);
        emitSetns(w, ns.pointer, "join the container's " + ns.type + " namespace " + path, path, ns.flag);
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
  if (userNs.length > 0) emitBecomeRoot(w, userNs, "become root in the container's user namespace");
  if (pidNs.length > 0) emitForkInit(w, pidNs, "fork into the container's pid namespace");
  // runc's setns init joins the container's session keyring (the name create gave it).
  if (req.newKeyring) emitSessionKeyring(w, "", "join the session keyring", "_ses." + req.id);
  emitRootfs(w, "/root/path", "open the container's root \"/\"", "/");

  const p = c.process;
  if (!p.present || p.args.length == 0) return; // already an error: nothing to run
  if (p.terminal) emitExecConsole(w, "/process/terminal", "set up the terminal",
    p.consoleHeight, p.consoleWidth);
  planProcessSetup(c, req, w, d);
  // The final list, once in the container's cgroup: last before the seccomp filter and execve.
  planCpuAffinity(c, "final", w);
  // With noNewPrivileges, right before execve (planProcessSetup placed it otherwise): there is
  // no start to wait for, so a NOTIFY filter goes there too.
  if (c.linux.seccomp && seccompPlace(c) != SeccompPlace.BeforeCapabilities) planSeccomp(c, req, w, d);
  planExec(c, req, w);
}
