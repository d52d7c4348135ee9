// The core's request (docs/formats.md §1): a versioned header of host facts, then config.json.

export class CgroupHierarchy {
  /** own: the runtime's own cgroup in this hierarchy (/proc/self/cgroup), where a relative
   * cgroupsPath goes. */
  constructor(public dir: string, public options: string, public own: string = "/") {}
}

export class Request {
  op: string = "";
  bundle: string = "/";
  euid: u32 = 0;
  /** The caller's effective gid: with a non-zero euid, a gid map of only this id is written directly. */
  egid: u32 = 0;
  cgroup: string = "v2";
  noPivot: bool = false;
  /** The container id (names the session keyring). */
  id: string = "";
  /** Join a new session keyring (runc's default; `create --no-new-keyring` turns it off). */
  newKeyring: bool = false;
  /** Add the plan's disassembly (the `text` section). */
  text: bool = false;
  /** The host's kernel has AppArmor / SELinux enabled: labels can be applied. */
  apparmor: bool = false;
  selinux: bool = false;
  /** cgroup v1 hierarchies on the host: directory under /sys/fs/cgroup and mount options. */
  cgroupV1: CgroupHierarchy[] = [];
  /** The runtime's own cgroup in the cgroup2 hierarchy (the "0::" line of /proc/self/cgroup). */
  ownCgroup: string = "/";
  /** A non-root caller may make cgroups below its own cgroup's parent (a delegated v2 subtree). */
  cgroupDelegated: bool = false;
  /** --systemd-cgroup: "systemd" (cgroupsPath is "slice:prefix:name", a transient scope), else "cgroupfs". */
  cgroupDriver: string = "cgroupfs";
  /** The host's systemd major version (0: unknown): properties newer than it are not planned. */
  systemdVersion: u32 = 0;
  /** The host's architecture: the seccomp filter's native one (x86_64 or aarch64). */
  arch: string = "x86_64";
  /** Socket activation: the runtime got n fds from systemd (LISTEN_FDS), passed as fds 3..3+n-1. */
  listenFds: u32 = 0;
  /** sd_notify: the host's socket the container's NOTIFY_SOCKET reaches ("" for none). */
  notifySocket: string = "";
  /** op exec: the container's init, as the host sees it (its /proc/<pid>/ns/* are joined). */
  initPid: u32 = 0;
  // exec: the host's pidfd for that init, opened and checked against its start time (-1: none).
  initPidfd: i32 = -1;
  /** op exec: `exec --process`'s file (one line of JSON), which replaces config.json's process. */
  process: string = "";
  /** op exec: the command line's changes to config.json's process (one line of JSON). */
  execFlags: string = "";
  /** op exec: the container's cgroups and `exec --cgroup`'s sub-cgroups (one line of JSON). */
  execCgroups: string = "";
  /** op exec on v2: the init's cgroup now (its /proc/<pid>/cgroup), joined when the container's refuses. */
  initCgroup: string = "";
  /** op update: `update -r`'s resources (one line of JSON). */
  updateResources: string = "";
  hasUpdateResources: bool = false;
  /** op update: the flags as given, raw strings by flag name (one line of JSON). */
  updateFlags: string = "";
  /** op update: the host's Intel RDT features: resctrl with L3 cache allocation, with memory bandwidth allocation. */
  rdtL3: bool = false;
  rdtMba: bool = false;
  config: Uint8Array = new Uint8Array(0);
  error: string = "";
}

/** 1 to 999999: decimal digits, no sign, no leading zero. */
function isCount(value: string): bool {
  if (value.length == 0 || value.length > 6 || value.charCodeAt(0) == 48) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A pid: 1 to 4294967295, decimal digits, no sign, no leading zero. */
function isPid(value: string): bool {
  if (value.length == 0 || value.length > 10 || value.charCodeAt(0) == 48) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return value.length < 10 || value <= "4294967295";
}

export function parseRequest(input: Uint8Array): Request {
  const r = new Request();
  let pos = 0;
  let lineNo = 0;
  while (true) {
    let end = pos;
    while (end < input.length && input[end] != 0x0a) end++;
    if (end >= input.length) { r.error = "request header is not ended by an empty line"; return r; }
    const line = String.UTF8.decodeUnsafe(input.dataStart + pos, end - pos);
    pos = end + 1;
    lineNo++;
    if (line.length == 0) break;
    if (lineNo == 1) {
      if (line != "ocirun-request 1") { r.error = "not an ocirun-request 1: \"" + line + "\""; return r; }
      continue;
    }
    const sp = line.indexOf(" ");
    const key = sp < 0 ? line : line.substring(0, sp);
    const value = sp < 0 ? "" : line.substring(sp + 1);
    if (key == "op") r.op = value;
    else if (key == "bundle") r.bundle = value;
    else if (key == "euid") r.euid = <u32>parseInt(value);
    else if (key == "egid") r.egid = <u32>parseInt(value);
    else if (key == "cgroup") r.cgroup = value;
    else if (key == "nopivot") r.noPivot = value == "1";
    else if (key == "id") r.id = value;
    else if (key == "keyring") r.newKeyring = value == "1";
    else if (key == "text") r.text = value == "1";
    else if (key == "apparmor") r.apparmor = value == "1";
    else if (key == "selinux") r.selinux = value == "1";
    else if (key == "arch") r.arch = value;
    else if (key == "listen-fds") {
      if (!isCount(value)) { r.error = "listen-fds must be a positive integer: \"" + value + "\""; return r; }
      r.listenFds = <u32>parseInt(value);
    } else if (key == "notify-socket") {
      if (!value.startsWith("/") || value.endsWith("/")) { r.error = "notify-socket must be an absolute path to a socket: \"" + value + "\""; return r; }
      r.notifySocket = value;
    } else if (key == "init-pid") {
      if (!isPid(value)) { r.error = "init-pid must be a positive integer: \"" + value + "\""; return r; }
      r.initPid = <u32>parseInt(value);
    } else if (key == "init-pidfd") {
      if (!isCount(value)) { r.error = "init-pidfd must be a file descriptor number: \"" + value + "\""; return r; }
      r.initPidfd = <i32>parseInt(value);
    } else if (key == "process") r.process = value;
    else if (key == "exec-flags") r.execFlags = value;
    else if (key == "exec-cgroups") r.execCgroups = value;
    else if (key == "init-cgroup") r.initCgroup = value;
    else if (key == "update-resources") { r.updateResources = value; r.hasUpdateResources = true; }
    else if (key == "update-flags") r.updateFlags = value;
    else if (key == "intel-rdt") {
      const features = value.split(",");
      for (let i = 0; i < features.length; i++) {
        if (features[i] == "l3") r.rdtL3 = true;
        else if (features[i] == "mba") r.rdtMba = true;
        else if (features[i] != "none") { r.error = "intel-rdt: unknown feature \"" + features[i] + "\" (l3, mba or none)"; return r; }
      }
    }
    else if (key == "cgroup-v1") {
      // <dir> <options> [<own path>]; the path is the rest of the line (a cgroup name may hold spaces).
      const sp2 = value.indexOf(" ");
      const dir = sp2 < 0 ? value : value.substring(0, sp2);
      const rest = sp2 < 0 ? value : value.substring(sp2 + 1);
      const sp3 = rest.indexOf(" ");
      const own = sp3 < 0 ? "/" : rest.substring(sp3 + 1);
      if (!own.startsWith("/")) { r.error = "cgroup-v1 " + dir + ": the own cgroup must be an absolute path: \"" + own + "\""; return r; }
      r.cgroupV1.push(new CgroupHierarchy(dir, sp3 < 0 ? rest : rest.substring(0, sp3), own));
    } else if (key == "cgroup-delegated") r.cgroupDelegated = value == "1";
    else if (key == "cgroup-driver") {
      if (value != "cgroupfs" && value != "systemd") { r.error = "unknown cgroup driver \"" + value + "\""; return r; }
      r.cgroupDriver = value;
    } else if (key == "systemd-version") {
      if (!isCount(value)) { r.error = "systemd-version must be a positive integer: \"" + value + "\""; return r; }
      r.systemdVersion = <u32>parseInt(value);
    }
    else if (key == "own-cgroup") {
      if (!value.startsWith("/")) { r.error = "own-cgroup must be an absolute path: \"" + value + "\""; return r; }
      r.ownCgroup = value;
    } else { r.error = "unknown request key \"" + key + "\""; return r; }
  }
  if (r.op != "validate" && r.op != "plan" && r.op != "features" && r.op != "exec" && r.op != "update") { r.error = "unknown op \"" + r.op + "\""; return r; }
  if (r.op == "exec" && r.initPid == 0) { r.error = "op exec needs init-pid"; return r; }
  if (r.op != "exec" && (r.initPid != 0 || r.process.length > 0 || r.execFlags.length > 0 || r.execCgroups.length > 0)) { r.error = "init-pid, process, exec-flags and exec-cgroups are for op exec only"; return r; }
  if (r.op != "update" && (r.hasUpdateResources || r.updateFlags.length > 0)) { r.error = "update-resources and update-flags are for op update only"; return r; }
  if (r.process.length > 0 && r.execFlags.length > 0) { r.error = "process and exec-flags exclude each other"; return r; }
  if (!r.bundle.startsWith("/")) { r.error = "bundle must be an absolute path"; return r; }
  if (r.cgroup != "v1" && r.cgroup != "hybrid" && r.cgroup != "v2" && r.cgroup != "none") { r.error = "unknown cgroup mode \"" + r.cgroup + "\""; return r; }
  r.config = input.subarray(pos);
  return r;
}
