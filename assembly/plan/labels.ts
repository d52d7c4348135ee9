// The LSM labels: process.apparmorProfile and process.selinuxLabel become ops that take effect at
// execve, linux.mountLabel a context= in the data of the mounts that take one. Each needs its LSM
// enabled on the host (request keys apparmor, selinux).
import { Config, Mount } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED, W_IGNORED } from "../diagnostics";
import { PlanWriter } from "./writer";
import { emitApparmor, emitSelinuxExecLabel } from "./emit.gen";

/** Refuses a label the host cannot apply, rather than run the container unconfined. */
export function checkLabels(c: Config, req: Request, d: Diagnostics): void {
  if (c.process.present && c.process.apparmorProfile.length > 0 && !req.apparmor) {
    d.error(E_UNSUPPORTED, "/process/apparmorProfile", "apparmor is not enabled on this host");
  }
  if (c.process.present && c.process.selinuxLabel.length > 0 && !req.selinux) {
    d.error(E_UNSUPPORTED, "/process/selinuxLabel", "selinux is not enabled on this host");
  }
  // Files get the host's default label instead; runc ignores it the same way.
  if (c.linux.mountLabel.length > 0 && !req.selinux) {
    d.warn(W_IGNORED, "/linux/mountLabel", "is ignored: selinux is not enabled on this host, so mounts get no selinux context");
  }
}

/** After EXEC_SEALED (the profile is taken at the next execve, which must be the user's) and
 * before no_new_privs, which forbids AppArmor profile changes. runc writes it before the
 * readonlyPaths: a readonlyPaths entry covering /proc/thread-self/attr now makes it fail. */
export function planAppArmor(c: Config, w: PlanWriter): void {
  if (!c.process.present || c.process.apparmorProfile.length == 0) return;
  const p = c.process.apparmorProfile;
  emitApparmor(w, "/process/apparmorProfile", "set apparmor profile \"" + p + "\" for exec", p);
}

/** After EXEC_SEALED, as APPARMOR, and before the uid and capability changes, like runc. */
export function planSelinuxExecLabel(c: Config, w: PlanWriter): void {
  if (c.process.selinuxLabel.length == 0) return;
  const l = c.process.selinuxLabel;
  emitSelinuxExecLabel(w, "/process/selinuxLabel", "set selinux label \"" + l + "\" for exec", l);
}

/** data with context="<mountLabel>" added, for a filesystem mount that takes it: not proc or
 * sysfs (the kernel labels them itself) nor mqueue (older kernels refuse it), as runc does. */
export function withMountLabel(c: Config, req: Request, m: Mount, data: string): string {
  const label = c.linux.mountLabel;
  if (label.length == 0 || !req.selinux) return data;
  if (m.type == "proc" || m.type == "sysfs" || m.type == "mqueue") return data;
  // Quoted: MCS categories hold commas ("s0:c1,c2").
  const context = "context=\"" + label + "\"";
  return data.length > 0 ? data + "," + context : context;
}
