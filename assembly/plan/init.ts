// planInit: the init's ordered recipe, from namespaces to execve.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED } from "../diagnostics";
import { PlanWriter } from "./writer";
import { WHERE_PROPAGATION } from "./ops";
import { MS_BIND, MS_REC, MS_SLAVE, MS_REMOUNT, MS_RDONLY } from "./mount-flags";
import { CLONE_NEWNS, propagationFlag } from "../config/linux";
import { planNamespaces, inUserNamespace } from "./namespaces";
import { checkRootless } from "./rootless";
import { planNetDevices } from "./net-devices";
import { planMounts, planDevReadonly } from "./mounts";
import { isBindMount } from "../config/mounts";
import { planDevices } from "./devices";
import { planProcessSetup, planExec, planExecSealed } from "./process";
import { planSeccomp, seccompPlace, SeccompPlace } from "./seccomp";
import { planOomScoreAdj, planSysctl } from "./process-settings";
import { checkLabels } from "./labels";
import { resolvePath, cleanPath } from "../paths";
import { CgroupDir, cgroupDirs } from "../cgroups/path";
import { planCreateHooks, planStartHooks } from "./hooks";
import { planCloneInit } from "./cgroup-join";
import {
  emitConsole, emitMaskPath, emitMount, emitMoveRoot, emitPivotRoot, emitPrivateParent,
  emitReadonlyPath, emitRootfs, emitSessionKeyring, emitSetdomainname, emitSethostname,
  emitWaitStart,
} from "./emit.gen";

export function rootfsPath(c: Config, req: Request): string {
  return resolvePath(req.bundle, c.rootPath);
}

export function planInit(c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {

  const nss = c.linux.namespaces;
  let hasMountNs = false;
  for (let i = 0; i < nss.length; i++) {
    if (nss[i].flag == CLONE_NEWNS) hasMountNs = true;
  }
  // Without a mount namespace every mount below would land on the host.
  if (!hasMountNs && c.linux.namespacesValid) {
    d.error(E_UNSUPPORTED, c.linux.namespacesPointer, "a mount namespace is required in /linux/namespaces: without one the container's mounts would change the host");
  }
  checkLabels(c, req, d);
  planOomScoreAdj(c, w);
  checkRootless(c, req, d);
  // No cgroups without the host's facts about them (validate, `cgroup none`).
  const cgroups: CgroupDir[] = req.cgroup == "none" ? [] : cgroupDirs(c, req);
  planCloneInit(req, cgroups, w, true);
  planNamespaces(c, req, cgroups, w);
  planNetDevices(c, req, w, d);
  // A session keyring of its own, as runc makes unless --no-new-keyring: keys are not shared
  // with the caller's session.
  if (req.newKeyring) emitSessionKeyring(w, "", "join a new session keyring", "_ses." + req.id);

  const rootfs = rootfsPath(c, req);
  // The container's mounts must not propagate back to the host: recursively slave by default;
  // a rootfsPropagation is applied as given (runc's prepareRoot), and again to the new root.
  const given = c.linux.rootfsPropagation.length > 0;
  const rootProp: u64 = given ? <u64>propagationFlag(c.linux.rootfsPropagation) : MS_SLAVE | MS_REC;
  emitMount(w, given ? "/linux/rootfsPropagation" : "", "set propagation of \"/\"",
    "", "/", "", rootProp, "", WHERE_PROPAGATION);
  emitPrivateParent(w, "/root/path", "make the mount holding \"" + rootfs + "\" private", rootfs);
  // pivot_root needs the rootfs to be a mount point.
  emitMount(w, "/root/path", "bind \"" + rootfs + "\" on itself", rootfs, rootfs, "", MS_BIND | MS_REC, "", 0);
  emitRootfs(w, "/root/path", "open the root filesystem \"" + rootfs + "\"", rootfs);

  planMounts(c, req, cgroups, w, d);
  if (!devBoundFromHost(c)) planDevices(c, w, inUserNamespace(c));

  // The environment is built, the root not yet entered: where runc runs these hooks too.
  planCreateHooks(c, w);
  if (req.noPivot) emitMoveRoot(w, "/root/path", "detach the host's proc and sysfs, move \"" + rootfs + "\" to / (--no-pivot)",
    rootfs);
  else emitPivotRoot(w, "/root/path", "pivot_root to \"" + rootfs + "\"", rootfs);

  // On the new root (runc's prepareRootfs end); private is what PRIVATE_PARENT made it already.
  if (given && c.linux.rootfsPropagation != "private") {
    emitMount(w, "/linux/rootfsPropagation", "set propagation of the new \"/\"",
      "", "/", "", rootProp, "", WHERE_PROPAGATION);
  }
  // The console comes from the container's own devpts, so after the pivot; /dev/console is
  // bound before the root turns read-only.
  if (c.process.present && c.process.terminal) {
    emitConsole(w, "/process/terminal", "set up the console", c.process.consoleHeight, c.process.consoleWidth);
  }
  planDevReadonly(c, w);
  if (c.rootReadonly) {
    emitMount(w, "/root/readonly", "remount \"/\" read-only",
      "", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY, "", 0);
  }
  // Before readonlyPaths, which usually covers /proc/sys.
  planSysctl(c, w);
  for (let i = 0; i < c.linux.readonlyPaths.length; i++) {
    const p = cleanPath(c.linux.readonlyPaths[i]);
    emitReadonlyPath(w, "/linux/readonlyPaths/" + i.toString(), "make \"" + p + "\" read-only", p, <u64>1);
  }
  for (let i = 0; i < c.linux.maskedPaths.length; i++) {
    const p = cleanPath(c.linux.maskedPaths[i]);
    emitMaskPath(w, "/linux/maskedPaths/" + i.toString(), "mask \"" + p + "\"", p, <u64>1);
  }
  if (c.hasHostname) emitSethostname(w, "/hostname", "set hostname \"" + c.hostname + "\"", c.hostname);
  if (c.hasDomainname) emitSetdomainname(w, "/domainname", "set domainname \"" + c.domainname + "\"",
    c.domainname);

  const hasProcess = c.process.present && c.process.args.length > 0;
  const filter = hasProcess && c.linux.seccomp ? seccompPlace(c) : SeccompPlace.BeforeCapabilities;
  if (hasProcess) planProcessSetup(c, req, w, d);
  if (hasProcess && filter == SeccompPlace.BeforeStart) planSeccomp(c, req, w, d);
  // Without a process there is still a wait for start, and no runtime binary should wait.
  if (!hasProcess) planExecSealed(w);
  emitWaitStart(w, "", "wait for start");
  if (hasProcess && filter == SeccompPlace.BeforeExec) planSeccomp(c, req, w, d);
  // Under the container's credentials and filter, as the user's process will be.
  if (hasProcess) planStartHooks(c, req, w);
  if (hasProcess) planExec(c, req, w);
}

function devBoundFromHost(c: Config): bool {
  for (let i = 0; i < c.mounts.length; i++) {
    if (cleanPath(c.mounts[i].destination) == "/dev" && isBindMount(c.mounts[i])) return true;
  }
  return false;
}
