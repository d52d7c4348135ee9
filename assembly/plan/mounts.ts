// /mounts in config order: each option becomes a flag to set or clear, a propagation change,
// a recursive attribute or filesystem data; binds are remounted for their flags (or idmapped);
// cgroup mounts follow the host mode.
import { Config, Mount } from "../config/model";
import { isBindMount } from "../config/mounts";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED, E_REQUIRED, E_CONFLICT } from "../diagnostics";
import { childPointer, indexPointer } from "../json/value";
import { PlanWriter } from "./writer";
import {
  WHERE_TARGET_IN_ROOT, WHERE_PROPAGATION, WHERE_REAL_DIR, MKTARGET_DIR, MKTARGET_REAL_DIR,
  MKTARGET_LIKE_SOURCE, IDMAP_TREE, IDMAP_RECURSIVE, IDMAP_PLAIN, IDMAP_MAKE_TARGET,
} from "./ops";
import {
  mountOption, mountAttrNames, OPTION_SET, OPTION_CLEAR, OPTION_PROPAGATION, OPTION_UNSUPPORTED, OPTION_RECURSIVE_SET,
  OPTION_RECURSIVE_CLEAR, OPTION_RECURSIVE_ATIME, OPTION_IDMAP, OPTION_TMPCOPYUP, MOUNT_ATTR__ATIME,
  MS_BIND, MS_REC, MS_REMOUNT, MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC,
} from "./mount-flags";
import { mapText } from "./namespaces";
import { cleanPath, resolvePath, joinPath } from "../paths";
import { withMountLabel } from "./labels";
import { inUserNamespace, createsNamespace } from "./namespaces";
import { CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWCGROUP } from "../config/linux";
import { CgroupDir, dirOf, ownDirs } from "../cgroups/path";
import { notifyMount } from "./systemd";
import {
  emitMktarget, emitMount, emitMountIdmap, emitMountSetattr, emitSymlink, emitTmpcopyup,
} from "./emit.gen";

class ResolvedOptions {
  flags: u64 = 0;
  propagation: u64[] = [];
  data: string[] = [];
  /** The r* options: MOUNT_ATTR_* bits to set and clear, later options winning. */
  recursive: bool = false;
  attrSet: u64 = 0;
  attrClr: u64 = 0;
  /** idmap 0, ridmap 1, neither -1. */
  idmap: i32 = -1;
  /** The index in options of tmpcopyup, or -1. */
  tmpcopyup: i32 = -1;
}

function resolveOptions(m: Mount, d: Diagnostics): ResolvedOptions {
  const r = new ResolvedOptions();
  const optPtr = childPointer(m.pointer, "options");
  for (let i = 0; i < m.options.length; i++) {
    const name = m.options[i];
    const opt = mountOption(name);
    if (!opt) { r.data.push(name); continue; }
    if (opt.kind == OPTION_SET) r.flags |= opt.flag;
    else if (opt.kind == OPTION_CLEAR) r.flags &= ~opt.flag;
    else if (opt.kind == OPTION_PROPAGATION) r.propagation.push(opt.flag);
    else if (opt.kind == OPTION_RECURSIVE_SET) { r.recursive = true; r.attrSet |= opt.flag; r.attrClr &= ~opt.flag; }
    else if (opt.kind == OPTION_RECURSIVE_CLEAR) { r.recursive = true; r.attrClr |= opt.flag; r.attrSet &= ~opt.flag; }
    // An atime mode is set by clearing the whole field too (mount_setattr(2)).
    else if (opt.kind == OPTION_RECURSIVE_ATIME) { r.recursive = true; r.attrSet = (r.attrSet & ~MOUNT_ATTR__ATIME) | opt.flag; r.attrClr |= MOUNT_ATTR__ATIME; }
    else if (opt.kind == OPTION_IDMAP) r.idmap = <i32>opt.flag;
    else if (opt.kind == OPTION_TMPCOPYUP) r.tmpcopyup = i;
    else if (opt.kind == OPTION_UNSUPPORTED) d.error(E_UNSUPPORTED, indexPointer(optPtr, m.optionIndices[i]), "mount option \"" + name + "\" is not supported yet");
  }
  return r;
}

/** cgroups: the container's cgroup directories (a cgroup mount shows them as its root). */
export function planMounts(c: Config, req: Request, cgroups: CgroupDir[], w: PlanWriter, d: Diagnostics): void {
  for (let i = 0; i < c.mounts.length; i++) {
    if (c.mounts[i].destination.length > 0) planMount(c.mounts[i], c, req, cgroups, w, d);
  }
  // After the config's, as runc appends it to the spec's mounts.
  if (req.notifySocket.length > 0) planMount(notifyMount(req), c, req, cgroups, w, d);
}

function planMount(m: Mount, c: Config, req: Request, cgroups: CgroupDir[], w: PlanWriter, d: Diagnostics): void {
  const dest = cleanPath(m.destination);
  const opts = resolveOptions(m, d);
  const data = opts.data.join(",");
  const hostPath = userNamespaceBindSource(m, c, req);
  const tmpcopyup = opts.tmpcopyup >= 0 && m.type == "tmpfs" && !isBindMount(m);
  if (opts.tmpcopyup >= 0 && !tmpcopyup) {
    d.error(E_CONFLICT, indexPointer(childPointer(m.pointer, "options"), m.optionIndices[opts.tmpcopyup]), "\"tmpcopyup\" is only for tmpfs mounts");
  }
  if (hostPath.length > 0) {
    opts.flags |= MS_BIND | MS_REC;
    planBind(m, dest, hostPath, opts, c, req, w, d);
  } else if (isBindMount(m)) planBind(m, dest, m.source, opts, c, req, w, d);
  else if (m.type == "cgroup" || m.type == "cgroup2") planCgroupMount(m, dest, opts, c, req, cgroups, w);
  else {
    if (m.type.length == 0) d.error(E_REQUIRED, childPointer(m.pointer, "type"), "is required for a mount that is not a bind mount");
    emitMktarget(w, m.pointer, "create mount point " + dest,
      dest, realDir(m) ? MKTARGET_REAL_DIR : MKTARGET_DIR, "");
    if (tmpcopyup) planTmpcopyup(m, dest, opts.flags, withMountLabel(c, req, m, data), w);
    else {
      // A read-only /dev is made read-only last (planDevReadonly): what goes under it comes first.
      const flags = isReadonlyDev(m, dest, opts.flags) ? opts.flags & ~MS_RDONLY : opts.flags;
      emitMount(w, m.pointer, "mount \"" + m.type + "\" on \"" + dest + "\"",
        m.source.length > 0 ? m.source : m.type, dest, m.type, flags, withMountLabel(c, req, m, data), WHERE_TARGET_IN_ROOT | realDir(m));
    }
  }
  for (let k = 0; k < opts.propagation.length; k++) {
    emitMount(w, m.pointer, "set propagation of \"" + dest + "\"",
      "", dest, "", opts.propagation[k], "", WHERE_TARGET_IN_ROOT | WHERE_PROPAGATION);
  }
  if (opts.recursive) {
    emitMountSetattr(w, m.pointer, "set recursive attributes of \"" + dest + "\"",
      dest, opts.attrSet, mountAttrNames(opts.attrSet), opts.attrClr, mountAttrNames(opts.attrClr), 0);
  }
}

function isReadonlyDev(m: Mount, dest: string, flags: u64): bool {
  return dest == "/dev" && !isBindMount(m) && (flags & MS_RDONLY) != 0;
}

/** A read-only /dev (`"ro"` on its tmpfs): remounted read-only once the mounts under it, the
 * default devices and the console are made, as runc's finalizeRootfs does. The last mount on
 * /dev is the one the container sees. */
export function planDevReadonly(c: Config, w: PlanWriter): void {
  for (let i = c.mounts.length - 1; i >= 0; i--) {
    const m = c.mounts[i];
    if (cleanPath(m.destination) != "/dev") continue;
    const opts = resolveOptions(m, new Diagnostics());
    if (!isReadonlyDev(m, "/dev", opts.flags)) return;
    emitMount(w, m.pointer, "remount \"/dev\" read-only",
      "", "/dev", "", MS_REMOUNT | opts.flags, "", WHERE_TARGET_IN_ROOT);
    return;
  }
}

/** proc and sysfs go on a directory, never through a symlink the rootfs put there: LSM rules
 * and masks keyed on /proc would miss a procfs mounted elsewhere (runc's check since
 * CVE-2019-16884). */
function realDir(m: Mount): u64 {
  return m.type == "proc" || m.type == "sysfs" ? WHERE_REAL_DIR : 0;
}

/** tmpcopyup (runc's EXT_COPYUP): the tmpfs starts with a copy of what the directory held. The
 * copy needs it writable, so a read-only one is remounted read-only after it, as runc does. */
function planTmpcopyup(m: Mount, dest: string, flags: u64, data: string, w: PlanWriter): void {
  emitTmpcopyup(w, m.pointer, "mount \"tmpfs\" on \"" + dest + "\" with a copy of its contents (tmpcopyup)",
    m.source.length > 0 ? m.source : m.type, dest, flags & ~(MS_RDONLY | MS_REMOUNT), data);
  if (flags & MS_RDONLY) {
    emitMount(w, m.pointer, "remount \"" + dest + "\" read-only",
      "", dest, "", MS_BIND | MS_REMOUNT | (flags & ~MS_REMOUNT), "", WHERE_TARGET_IN_ROOT);
  }
}

/** In a user namespace the kernel refuses some mounts: sysfs or mqueue when their net or ipc
 * namespace is not the container's own. Like runc, bind the host's instead; "" when the mount
 * is fine as it is. (cgroup mounts bind the container's own cgroups: planCgroupMount.) */
function userNamespaceBindSource(m: Mount, c: Config, req: Request): string {
  if (!inUserNamespace(c) || isBindMount(m)) return "";
  if (m.type == "sysfs" && !createsNamespace(c, CLONE_NEWNET)) return "/sys";
  if (m.type == "mqueue" && !createsNamespace(c, CLONE_NEWIPC)) return "/dev/mqueue";
  return "";
}

function planBind(m: Mount, dest: string, sourceArg: string, opts: ResolvedOptions, c: Config, req: Request, w: PlanWriter, d: Diagnostics): void {
  if (sourceArg.length == 0) { d.error(E_REQUIRED, childPointer(m.pointer, "source"), "is required for a bind mount"); return; }
  // A relative bind source is relative to the bundle, as with runc (which runs in the bundle dir).
  const source = resolvePath(req.bundle, sourceArg);
  const bindFlags = opts.flags & (MS_BIND | MS_REC);
  const idmapped = m.uidMappings.length > 0 || opts.idmap >= 0;
  // In a user namespace the init resolves paths as the container's root, which may not reach
  // the source (a 0700 directory on the way): a root host clones it for the init, as runc opens
  // bind sources before the user namespace exists.
  if (!idmapped && req.euid == 0 && inUserNamespace(c)) {
    emitMountIdmap(w, m.pointer, "bind \"" + source + "\" on \"" + dest + "\", opened by the host",
      source, dest, ((bindFlags & MS_REC) != 0 ? IDMAP_TREE : 0) | IDMAP_PLAIN | IDMAP_MAKE_TARGET, "", "");
    remountBind(m, dest, opts, w);
    return;
  }
  emitMktarget(w, m.pointer, "create mount point " + dest, dest, MKTARGET_LIKE_SOURCE, source);
  if (idmapped) {
    // The host builds the tree, and only a root of the host's user namespace can (like runc).
    if (req.euid != 0) d.error(E_UNSUPPORTED, m.pointer, "idmapped mounts need ocirun to run as root: only the host's root may idmap a mount");
    // Without maps of its own the mount takes the container's user namespace ("" maps; the
    // config has one, config/namespace-needs.ts).
    const own = m.uidMappings.length > 0;
    const rec = ((bindFlags & MS_REC) != 0 ? IDMAP_TREE : 0) | (opts.idmap == 1 ? IDMAP_RECURSIVE : 0);
    emitMountIdmap(w, m.pointer, "idmapped bind \"" + source + "\" on \"" + dest + "\"" + (own ? "" : " with the container's user namespace"),
      source, dest, rec, own ? mapText(m.uidMappings) : "", own ? mapText(m.gidMappings) : "");
  } else {
    emitMount(w, m.pointer, "bind \"" + source + "\" on \"" + dest + "\"",
      source, dest, "", bindFlags | MS_BIND, "", WHERE_TARGET_IN_ROOT);
  }
  remountBind(m, dest, opts, w);
}

/** A bind ignores every other flag: they take effect by a remount of the bind. */
function remountBind(m: Mount, dest: string, opts: ResolvedOptions, w: PlanWriter): void {
  const rest = opts.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (rest != 0) {
    emitMount(w, m.pointer, "remount \"" + dest + "\"",
      "", dest, "", MS_BIND | MS_REMOUNT | rest, "", WHERE_TARGET_IN_ROOT);
  }
}

/** The container's own cgroups, never the host's tree. With a cgroup namespace (new or joined)
 * a fresh mount is rooted at the namespace's cgroup; without one, the container's directories
 * are bound, as runc binds them on v1 (a fresh mount would show the whole hierarchy). v2: one
 * cgroup2 mount. v1 and hybrid: a tmpfs with one mount per v1 hierarchy, and a symlink per
 * controller of a co-mounted one (cpu -> cpu,cpuacct). In a user namespace they are always bound
 * (the kernel may refuse a fresh mount there: v1, or cgroup2 on a host mounted with nsdelegate). */
function planCgroupMount(m: Mount, dest: string, opts: ResolvedOptions, c: Config, req: Request, joined: CgroupDir[], w: PlanWriter): void {
  // Without cgroups of its own (a plan without a container id; rootless) the container stays in ours.
  const cgroups = joined.length > 0 ? joined : ownDirs(req);
  const flags = opts.flags | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  const ownNs = hasNamespace(c, CLONE_NEWCGROUP);
  emitMktarget(w, m.pointer, "create mount point " + dest, dest, MKTARGET_DIR, "");
  if (req.cgroup == "v2" || req.cgroup == "none" || req.cgroupV1.length == 0) {
    const own = dirOf(cgroups, "");
    // In a user namespace the kernel may refuse a fresh cgroup2 mount (EBUSY under nsdelegate).
    if (own && (!ownNs || inUserNamespace(c))) planCgroupBind(m, own, dest, flags, w);
    else {
      emitMount(w, m.pointer, "mount \"cgroup2\" on \"" + dest + "\"",
        "cgroup2", dest, "cgroup2", flags, "", WHERE_TARGET_IN_ROOT);
    }
    return;
  }
  emitMount(w, m.pointer, "mount \"tmpfs\" on \"" + dest + "\"",
    "tmpfs", dest, "tmpfs", (flags & ~MS_RDONLY), "mode=755", WHERE_TARGET_IN_ROOT);
  const bind = !ownNs || inUserNamespace(c);
  for (let i = 0; i < req.cgroupV1.length; i++) {
    const h = req.cgroupV1[i];
    const sub = joinPath(dest, h.dir);
    emitMktarget(w, m.pointer, "create mount point " + sub, sub, MKTARGET_DIR, "");
    const own = dirOf(cgroups, h.dir);
    if (own && bind) planCgroupBind(m, own, sub, flags, w);
    else {
      emitMount(w, m.pointer, "mount \"cgroup\" (" + h.options + ") on \"" + sub + "\"",
        "cgroup", sub, "cgroup", flags, h.options, WHERE_TARGET_IN_ROOT);
    }
    const names = h.dir.split(",");
    for (let k = 0; names.length > 1 && k < names.length; k++) {
      emitSymlink(w, m.pointer, "symlink \"" + joinPath(dest, names[k]) + "\" -> \"" + h.dir + "\"",
        h.dir, joinPath(dest, names[k]));
    }
  }
  if (flags & MS_RDONLY) {
    emitMount(w, m.pointer, "remount \"" + dest + "\" read-only",
      "", dest, "", MS_REMOUNT | flags, "mode=755", WHERE_TARGET_IN_ROOT);
  }
}

/** A bind of the container's cgroup directory, then a remount for the mount's own flags. */
function planCgroupBind(m: Mount, own: CgroupDir, target: string, flags: u64, w: PlanWriter): void {
  const source = own.full();
  emitMount(w, m.pointer, "bind \"" + source + "\" on \"" + target + "\"",
    source, target, "", MS_BIND | MS_REC, "", WHERE_TARGET_IN_ROOT);
  emitMount(w, m.pointer, "remount \"" + target + "\"",
    "", target, "", MS_BIND | MS_REMOUNT | flags, "", WHERE_TARGET_IN_ROOT);
}

/** The config has a namespace of this type, new or joined. */
function hasNamespace(c: Config, flag: u32): bool {
  for (let i = 0; i < c.linux.namespaces.length; i++) if (c.linux.namespaces[i].flag == flag) return true;
  return false;
}
