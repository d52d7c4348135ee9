// Where the container's cgroup is in each hierarchy, by runc's rules for linux.cgroupsPath
// (cgroupfs driver): an absolute path is under the hierarchy's root; a relative one, and the
// container id when there is none, under the runtime's own cgroup: in each v1 hierarchy that
// cgroup itself, on v2 its parent (the runtime's own cgroup has processes, so no controllers
// can be enabled below it). A hybrid host's cgroup2 hierarchy (unified) has the container's
// cgroup for bookkeeping only, at the path taken from its root, as runc puts it there.
import { Config } from "../config/model";
import { Request } from "../request";
import { cleanPath } from "../paths";
import { systemdUnit } from "./systemd-unit";

/** One hierarchy's directory for the container: `hierarchy` is the mount's directory under
 * /sys/fs/cgroup ("" on v2, where the mount is /sys/fs/cgroup itself). */
export class CgroupDir {
  constructor(public hierarchy: string, public path: string) {}

  /** The directory on the host. */
  full(): string {
    const root = this.hierarchy.length > 0 ? "/sys/fs/cgroup/" + this.hierarchy : "/sys/fs/cgroup";
    return this.path == "/" ? root : root + this.path;
  }
}

/** The cgroup2 hierarchy of a hybrid host, as its directory under /sys/fs/cgroup. */
export const UNIFIED_DIR = "unified";

/** linux.cgroupsPath cleaned, or the id; "" when neither says anything. A relative path keeps
 * no leading "..": it can never climb above where it is put. */
export function innerPath(c: Config, req: Request): string {
  const given = c.linux.cgroupsPath;
  if (given.length == 0) return req.id.length > 0 ? req.id : "";
  if (given.startsWith("/")) return cleanPath(given);
  const clean = cleanPath("/" + given);
  return clean == "/" ? "" : clean.substring(1);
}

/** `inner` placed under `base` unless it is absolute. */
function place(base: string, inner: string): string {
  return inner.startsWith("/") ? inner : cleanPath(base + "/" + inner);
}

/** The parent directory of an absolute path ("/" for "/"). */
function parentOf(path: string): string {
  const clean = cleanPath(path);
  const slash = clean.lastIndexOf("/");
  return slash <= 0 ? "/" : clean.substring(0, slash);
}

/** The container's cgroup in every hierarchy it joins: on v2 one; on v1 every mounted
 * hierarchy, named ones too (as runc joins name=systemd); on hybrid also unified. None when
 * there is no path at all (a plan without a container id). */
export function cgroupDirs(c: Config, req: Request): CgroupDir[] {
  const out: CgroupDir[] = [];
  if (req.cgroupDriver == "systemd") return systemdDirs(c, req);
  const inner = innerPath(c, req);
  if (inner.length == 0) return out;
  // Rootless: only in a cgroup v2 subtree delegated to the caller (cgroups/plan.ts).
  if (req.euid != 0 && !(req.cgroup == "v2" && req.cgroupDelegated)) return out;
  if (req.cgroup == "v2") {
    out.push(new CgroupDir("", place(parentOf(req.ownCgroup), inner)));
    return out;
  }
  for (let i = 0; i < req.cgroupV1.length; i++) {
    const h = req.cgroupV1[i];
    out.push(new CgroupDir(h.dir, place(h.own, inner)));
  }
  if (req.cgroup == "hybrid") out.push(new CgroupDir(UNIFIED_DIR, place("/", inner)));
  return out;
}

/** --systemd-cgroup: the unit's cgroup, the same path below every hierarchy's root (runc's
 * systemd driver; a rootless caller gets none: cgroups/plan.ts refuses it). */
function systemdDirs(c: Config, req: Request): CgroupDir[] {
  const out: CgroupDir[] = [];
  const unit = systemdUnit(c, req, null);
  if (unit === null || req.euid != 0) return out;
  if (req.cgroup == "v2") {
    out.push(new CgroupDir("", unit.path));
    return out;
  }
  for (let i = 0; i < req.cgroupV1.length; i++) out.push(new CgroupDir(req.cgroupV1[i].dir, unit.path));
  if (req.cgroup == "hybrid") out.push(new CgroupDir(UNIFIED_DIR, unit.path));
  return out;
}

/** The directory of `hierarchy` among dirs; null when the container has none there. */
export function dirOf(dirs: CgroupDir[], hierarchy: string): CgroupDir | null {
  for (let i = 0; i < dirs.length; i++) if (dirs[i].hierarchy == hierarchy) return dirs[i];
  return null;
}

/** Where the runtime itself is, in each hierarchy: the cgroups a container that joins none of
 * its own (a rootless one without a delegated cgroup) stays in. */
export function ownDirs(req: Request): CgroupDir[] {
  const out: CgroupDir[] = [];
  if (req.cgroup == "v2") out.push(new CgroupDir("", cleanPath(req.ownCgroup)));
  for (let i = 0; req.cgroup != "v2" && i < req.cgroupV1.length; i++) out.push(new CgroupDir(req.cgroupV1[i].dir, cleanPath(req.cgroupV1[i].own)));
  return out;
}
