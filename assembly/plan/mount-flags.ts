// mount(8) options: which set or clear an MS_* flag, which change propagation, and which
// are passed to the filesystem as data. The numbers are linux/mount.h's.

export const MS_RDONLY: u64 = 1;
export const MS_NOSUID: u64 = 2;
export const MS_NODEV: u64 = 4;
export const MS_NOEXEC: u64 = 8;
export const MS_SYNCHRONOUS: u64 = 16;
export const MS_REMOUNT: u64 = 32;
export const MS_MANDLOCK: u64 = 64;
export const MS_DIRSYNC: u64 = 128;
export const MS_NOSYMFOLLOW: u64 = 256;
export const MS_NOATIME: u64 = 1024;
export const MS_NODIRATIME: u64 = 2048;
export const MS_BIND: u64 = 4096;
export const MS_MOVE: u64 = 8192;
export const MS_REC: u64 = 16384;
export const MS_SILENT: u64 = 32768;
export const MS_UNBINDABLE: u64 = 1 << 17;
export const MS_PRIVATE: u64 = 1 << 18;
export const MS_SLAVE: u64 = 1 << 19;
export const MS_SHARED: u64 = 1 << 20;
export const MS_RELATIME: u64 = 1 << 21;
export const MS_I_VERSION: u64 = 1 << 23;
export const MS_STRICTATIME: u64 = 1 << 24;
export const MS_LAZYTIME: u64 = 1 << 25;

export const OPTION_SET: i32 = 1;
export const OPTION_CLEAR: i32 = 2;
export const OPTION_PROPAGATION: i32 = 3;
export const OPTION_UNSUPPORTED: i32 = 4;
export const OPTION_NONE: i32 = 5;
export const OPTION_RECURSIVE_SET: i32 = 6;
export const OPTION_RECURSIVE_CLEAR: i32 = 7;
export const OPTION_RECURSIVE_ATIME: i32 = 8;
export const OPTION_IDMAP: i32 = 9;
export const OPTION_TMPCOPYUP: i32 = 10;

// struct mount_attr bits (linux/mount.h), for mount_setattr(2).
export const MOUNT_ATTR_RDONLY: u64 = 0x1;
export const MOUNT_ATTR_NOSUID: u64 = 0x2;
export const MOUNT_ATTR_NODEV: u64 = 0x4;
export const MOUNT_ATTR_NOEXEC: u64 = 0x8;
export const MOUNT_ATTR__ATIME: u64 = 0x70;
export const MOUNT_ATTR_RELATIME: u64 = 0;
export const MOUNT_ATTR_NOATIME: u64 = 0x10;
export const MOUNT_ATTR_STRICTATIME: u64 = 0x20;
export const MOUNT_ATTR_NODIRATIME: u64 = 0x80;
export const MOUNT_ATTR_NOSYMFOLLOW: u64 = 0x200000;

export class MountOption {
  constructor(public name: string, public kind: i32, public flag: u64) {}
}

/** Also read by features.ts, which lists the options that are not OPTION_UNSUPPORTED. */
export const OPTIONS: MountOption[] = [
  new MountOption("defaults", OPTION_NONE, 0),
  new MountOption("ro", OPTION_SET, MS_RDONLY),
  new MountOption("rw", OPTION_CLEAR, MS_RDONLY),
  new MountOption("nosuid", OPTION_SET, MS_NOSUID),
  new MountOption("suid", OPTION_CLEAR, MS_NOSUID),
  new MountOption("nodev", OPTION_SET, MS_NODEV),
  new MountOption("dev", OPTION_CLEAR, MS_NODEV),
  new MountOption("noexec", OPTION_SET, MS_NOEXEC),
  new MountOption("exec", OPTION_CLEAR, MS_NOEXEC),
  new MountOption("sync", OPTION_SET, MS_SYNCHRONOUS),
  new MountOption("async", OPTION_CLEAR, MS_SYNCHRONOUS),
  new MountOption("remount", OPTION_SET, MS_REMOUNT),
  new MountOption("mand", OPTION_SET, MS_MANDLOCK),
  new MountOption("nomand", OPTION_CLEAR, MS_MANDLOCK),
  new MountOption("dirsync", OPTION_SET, MS_DIRSYNC),
  new MountOption("nosymfollow", OPTION_SET, MS_NOSYMFOLLOW),
  new MountOption("symfollow", OPTION_CLEAR, MS_NOSYMFOLLOW),
  new MountOption("noatime", OPTION_SET, MS_NOATIME),
  new MountOption("atime", OPTION_CLEAR, MS_NOATIME),
  new MountOption("nodiratime", OPTION_SET, MS_NODIRATIME),
  new MountOption("diratime", OPTION_CLEAR, MS_NODIRATIME),
  new MountOption("bind", OPTION_SET, MS_BIND),
  new MountOption("rbind", OPTION_SET, MS_BIND | MS_REC),
  new MountOption("silent", OPTION_SET, MS_SILENT),
  new MountOption("loud", OPTION_CLEAR, MS_SILENT),
  new MountOption("relatime", OPTION_SET, MS_RELATIME),
  new MountOption("norelatime", OPTION_CLEAR, MS_RELATIME),
  new MountOption("strictatime", OPTION_SET, MS_STRICTATIME),
  new MountOption("nostrictatime", OPTION_CLEAR, MS_STRICTATIME),
  new MountOption("lazytime", OPTION_SET, MS_LAZYTIME),
  new MountOption("nolazytime", OPTION_CLEAR, MS_LAZYTIME),
  new MountOption("iversion", OPTION_SET, MS_I_VERSION),
  new MountOption("noiversion", OPTION_CLEAR, MS_I_VERSION),
  new MountOption("shared", OPTION_PROPAGATION, MS_SHARED),
  new MountOption("rshared", OPTION_PROPAGATION, MS_SHARED | MS_REC),
  new MountOption("slave", OPTION_PROPAGATION, MS_SLAVE),
  new MountOption("rslave", OPTION_PROPAGATION, MS_SLAVE | MS_REC),
  new MountOption("private", OPTION_PROPAGATION, MS_PRIVATE),
  new MountOption("rprivate", OPTION_PROPAGATION, MS_PRIVATE | MS_REC),
  new MountOption("unbindable", OPTION_PROPAGATION, MS_UNBINDABLE),
  new MountOption("runbindable", OPTION_PROPAGATION, MS_UNBINDABLE | MS_REC),
  // Recursive attributes: mount_setattr(2) with AT_RECURSIVE after the mount (MOUNT_SETATTR).
  new MountOption("rro", OPTION_RECURSIVE_SET, MOUNT_ATTR_RDONLY),
  new MountOption("rrw", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_RDONLY),
  new MountOption("rnosuid", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOSUID),
  new MountOption("rsuid", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOSUID),
  new MountOption("rnodev", OPTION_RECURSIVE_SET, MOUNT_ATTR_NODEV),
  new MountOption("rdev", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NODEV),
  new MountOption("rnoexec", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOEXEC),
  new MountOption("rexec", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOEXEC),
  new MountOption("rnodiratime", OPTION_RECURSIVE_SET, MOUNT_ATTR_NODIRATIME),
  new MountOption("rdiratime", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NODIRATIME),
  new MountOption("rnosymfollow", OPTION_RECURSIVE_SET, MOUNT_ATTR_NOSYMFOLLOW),
  new MountOption("rsymfollow", OPTION_RECURSIVE_CLEAR, MOUNT_ATTR_NOSYMFOLLOW),
  // The atime modes are one field, not bits: each option picks a mode. Turning a mode off
  // gives the kernel's default (relatime), except norelatime: every access updates atime.
  new MountOption("rnoatime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_NOATIME),
  new MountOption("ratime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_RELATIME),
  new MountOption("rrelatime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_RELATIME),
  new MountOption("rnorelatime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_STRICTATIME),
  new MountOption("rstrictatime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_STRICTATIME),
  new MountOption("rnostrictatime", OPTION_RECURSIVE_ATIME, MOUNT_ATTR_RELATIME),
  // Idmapped binds (MOUNT_IDMAP); the flag says whether the idmap covers the submounts.
  new MountOption("idmap", OPTION_IDMAP, 0),
  new MountOption("ridmap", OPTION_IDMAP, 1),
  // A tmpfs that starts with the contents of the directory it covers (TMPCOPYUP).
  new MountOption("tmpcopyup", OPTION_TMPCOPYUP, 0),
];

/** The option's table entry, or null: an unknown option is filesystem data ("mode=755"). */
export function mountOption(name: string): MountOption | null {
  // Built on first use: a linear search per option was a visible share of planning 50 mounts.
  let byName = optionsByName;
  if (!byName) {
    byName = new Map<string, MountOption>();
    for (let i = 0; i < OPTIONS.length; i++) byName.set(OPTIONS[i].name, OPTIONS[i]);
    optionsByName = byName;
  }
  return byName.has(name) ? byName.get(name) : null;
}

let optionsByName: Map<string, MountOption> | null = null;

const FLAG_BITS: u64[] = [MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC,
  MS_NOSYMFOLLOW, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC, MS_SILENT, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE,
  MS_SHARED, MS_RELATIME, MS_I_VERSION, MS_STRICTATIME, MS_LAZYTIME];
const FLAG_NAMES: string[] = ["MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS", "MS_REMOUNT", "MS_MANDLOCK",
  "MS_DIRSYNC", "MS_NOSYMFOLLOW", "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_MOVE", "MS_REC", "MS_SILENT",
  "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME", "MS_I_VERSION", "MS_STRICTATIME", "MS_LAZYTIME"];

const ATTR_BITS: u64[] = [MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR__ATIME,
  MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_NODIRATIME, MOUNT_ATTR_NOSYMFOLLOW];
const ATTR_NAMES: string[] = ["RDONLY", "NOSUID", "NODEV", "NOEXEC", "_ATIME", "NOATIME", "STRICTATIME", "NODIRATIME", "NOSYMFOLLOW"];

/** MOUNT_ATTR_* names for the disassembly; _ATIME as a whole before its modes. */
export function mountAttrNames(attrs: u64): string {
  if (attrs == 0) return "0";
  let out = "";
  let rest = attrs;
  for (let i = 0; i < ATTR_BITS.length; i++) {
    if ((rest & ATTR_BITS[i]) == ATTR_BITS[i]) { out += (out.length > 0 ? "|" : "") + "MOUNT_ATTR_" + ATTR_NAMES[i]; rest &= ~ATTR_BITS[i]; }
  }
  if (rest != 0) out += (out.length > 0 ? "|" : "") + "0x" + rest.toString(16);
  return out;
}

export function mountFlagNames(flags: u64): string {
  if (flags == 0) return "0";
  let out = "";
  let rest = flags;
  for (let i = 0; i < FLAG_BITS.length; i++) {
    if (flags & FLAG_BITS[i]) { out += (out.length > 0 ? "|" : "") + FLAG_NAMES[i]; rest &= ~FLAG_BITS[i]; }
  }
  if (rest != 0) out += (out.length > 0 ? "|" : "") + "0x" + rest.toString(16);
  return out;
}
