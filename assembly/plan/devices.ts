// The devices every container gets (runtime-spec config-linux.md "Default Devices"), the
// /dev symlinks, and linux.devices.
import { Config } from "../config/model";
import { PlanWriter } from "./writer";
import { MKTARGET_DIR, MKTARGET_FILE, WHERE_TARGET_IN_ROOT } from "./ops";
import { MS_BIND } from "./mount-flags";
import { cleanPath } from "../paths";
import { emitMknod, emitMktarget, emitMount, emitSymlink } from "./emit.gen";

const S_IFCHR: u64 = 0o020000;
const S_IFBLK: u64 = 0o060000;
const S_IFIFO: u64 = 0o010000;

const DEFAULT_NAMES: string[] = ["null", "zero", "full", "random", "urandom", "tty"];
const DEFAULT_MAJOR: u64[] = [1, 1, 1, 1, 1, 5];
const DEFAULT_MINOR: u64[] = [3, 5, 7, 8, 9, 0];

const LINK_TARGETS: string[] = ["/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "pts/ptmx"];
const LINK_PATHS: string[] = ["/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/ptmx"];

/** A device node: mknod, or in a user namespace (where mknod is refused) a bind of the host's node. */
function planNode(w: PlanWriter, pointer: string, path: string, mode: u64, major: u64, minor: u64, uid: u32, gid: u32, bind: bool): void {
  if (bind) {
    emitMktarget(w, pointer, "create mount point " + path, path, MKTARGET_FILE, "");
    emitMount(w, pointer, "bind device \"" + path + "\"", path, path, "", MS_BIND, "", WHERE_TARGET_IN_ROOT);
    return;
  }
  emitMknod(w, pointer, "create device " + path, path, mode, major, minor, uid, gid);
}

export function planDevices(c: Config, w: PlanWriter, inUserNs: bool): void {
  const configured = c.linux.devices;
  for (let i = 0; i < DEFAULT_NAMES.length; i++) {
    const path = "/dev/" + DEFAULT_NAMES[i];
    // A device the config lists itself wins over the default of the same path.
    let listed = false;
    for (let k = 0; k < configured.length; k++) if (cleanPath(configured[k].path) == path) listed = true;
    if (listed) continue;
    planNode(w, "", path, S_IFCHR | 0o666, DEFAULT_MAJOR[i], DEFAULT_MINOR[i], 0, 0, inUserNs);
  }
  for (let i = 0; i < configured.length; i++) {
    const d = configured[i];
    const path = cleanPath(d.path);
    const parent = path.substring(0, path.lastIndexOf("/"));
    if (parent.length > 0 && parent != "/dev") {
      emitMktarget(w, d.pointer, "create directory " + parent, parent, MKTARGET_DIR, "");
    }
    const type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
    planNode(w, d.pointer, path, type | <u64>(d.fileMode & 0o7777), <u64>d.major, <u64>d.minor, d.uid, d.gid, inUserNs);
  }
  for (let i = 0; i < LINK_PATHS.length; i++) {
    emitSymlink(w, "", "create symlink " + LINK_PATHS[i], LINK_TARGETS[i], LINK_PATHS[i]);
  }
}
