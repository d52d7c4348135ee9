// The core's request and verdict formats (docs/formats.md §1-2). Pure: no Node or Bun APIs,
// so the same code serves the CLI, the `ocirun/core` entry point and browsers.

export type CoreOp = "validate" | "plan" | "features" | "exec" | "update";
export type CgroupMode = "v1" | "hybrid" | "v2" | "none";

export interface HostFacts {
  bundle: string;
  euid: number;
  /** The caller's effective gid (absent: 0); a non-root caller writes a gid map of only this id itself. */
  egid?: number;
  cgroup: CgroupMode;
  noPivot: boolean;
  /** The container id, and whether it gets a new session keyring (not --no-new-keyring). */
  id?: string;
  newKeyring?: boolean;
  /** cgroup v1 hierarchies: directory under /sys/fs/cgroup, its mount options, and the
   * runtime's own cgroup there (absent: "/"), where a relative cgroupsPath goes. */
  cgroupV1: { dir: string; options: string; own?: string }[];
  /** The runtime's own cgroup in the cgroup2 hierarchy (absent: "/"). */
  ownCgroup?: string;
  /** A non-root caller may make cgroups below the parent of its own (a delegated v2 subtree). */
  cgroupDelegated?: boolean;
  /** --systemd-cgroup: "systemd" (absent: "cgroupfs"); cgroupsPath is "slice:prefix:name". */
  cgroupDriver?: "cgroupfs" | "systemd";
  /** The systemd the unit is made by: its major version (absent or 0: unknown). */
  systemdVersion?: number;
  /** The kernel has AppArmor / SELinux enabled (absent: not). */
  apparmor?: boolean;
  selinux?: boolean;
  /** The host's architecture, the seccomp filter's native one (absent: x86_64). */
  arch?: "x86_64" | "aarch64";
  /** Socket activation: n fds from systemd (LISTEN_FDS) go to the container as fds 3..3+n-1. */
  listenFds?: number;
  /** sd_notify: the socket the host serves for the container (its directory is bound in). */
  notifySocket?: string;
  /** op exec: the container's init pid as the host sees it. */
  initPid?: number;
  /** exec: a pidfd for initPid, opened and then checked against the state's start time. */
  initPidfd?: number;
  /** op exec: `exec --process`'s file, which replaces config.json's process (JSON text). */
  process?: string;
  /** op exec: the command line's changes to config.json's process (docs/formats.md §1). */
  execFlags?: ExecFlags;
  /** op exec: the container's cgroups as create stored them, and `--cgroup`'s sub-cgroups. */
  execCgroups?: { paths: Record<string, string>; sub: string[] };
  /** op exec on v2: the init's cgroup now, joined when the container's refuses the process. */
  initCgroup?: string;
  /** op update: `update -r`'s resources (a file or stdin), JSON text. */
  updateResources?: string;
  /** op update: the flags as given, raw strings by flag name without dashes ({"memory": "512m"}). */
  updateFlags?: Record<string, string>;
  /** op update: the host's Intel RDT features (resctrl mounted with L3 allocation, memory bandwidth). */
  intelRdt?: Array<"l3" | "mba">;
}

/** What `exec`'s flags change in config.json's process; absent: left as it is. */
export interface ExecFlags {
  args?: string[];
  cwd?: string;
  /** Appended; a name given again takes the last value. */
  env?: string[];
  uid?: number;
  gid?: number;
  /** Appended. */
  additionalGids?: number[];
  /** Added to bounding, effective and permitted (and ambient when inheritable is set). */
  caps?: string[];
  terminal?: boolean;
  /** The size the pty gets before the process starts (a foreground exec -t: the caller's terminal's). */
  consoleSize?: { height: number; width: number };
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  selinuxLabel?: string;
}

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  pointer: string;
  message: string;
}

export interface ContainerInfo {
  ociVersion: string;
  rootfs: string;
  annotations: Record<string, string>;
  hasProcess: boolean;
  terminal: boolean;
  /** With an SCMP_ACT_NOTIFY filter: where the listener goes (linux.seccomp.listenerPath). */
  seccompListener?: { path: string; metadata: string };
}

/** One cgroup write (the `cgroup` section's form, docs/formats.md §2). */
export interface PlannedWrite {
  controller: string;
  file: string;
  value: string;
  pointer: string;
  optional?: boolean;
}

/** op update's section (docs/formats.md §2). */
export interface UpdateSection {
  writes: PlannedWrite[];
  /** The stored values' writes: what the host writes back when one of `writes` is refused. */
  restore: PlannedWrite[];
  /** cgroup v2 `checkBeforeUpdate`: refuse when the usage (the files' sum) reaches the limit. */
  checks: { controller: string; files: string[]; limit: string; what: string; pointer: string }[];
  /** The merged linux.resources. */
  resources: unknown;
  /** --systemd-cgroup: the unit's properties for the merged resources, set before the writes. */
  systemd?: [name: string, signature: string, value: unknown][];
}

export interface Verdict {
  ok: boolean;
  diagnostics: Diagnostic[];
  container?: ContainerInfo;
  init?: Uint8Array;
  /** op exec: the exec plan (the init plan's format). */
  exec?: Uint8Array;
  text?: string;
  features?: unknown;
  /** op update: the writes, the restore writes, the checks and the merged resources. */
  update?: UpdateSection;
  /** op update: the stored config.json with the merged linux.resources, to store as it is. */
  config?: Uint8Array;
  /** Every section's raw bytes, in verdict order, the ones this host does not decode too. */
  sections: Record<string, Uint8Array>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** text: also return the plan's disassembly (op plan). */
export function encodeRequest(op: CoreOp, facts: HostFacts, config: Uint8Array, opts: { text?: boolean } = {}): Uint8Array {
  const lines = ["ocirun-request 1", `op ${op}`, `bundle ${facts.bundle}`, `euid ${facts.euid}`, `cgroup ${facts.cgroup}`, `nopivot ${facts.noPivot ? 1 : 0}`];
  if (facts.egid !== undefined) lines.push(`egid ${facts.egid}`);
  if (facts.id !== undefined) lines.push(`id ${facts.id}`);
  if (facts.newKeyring) lines.push("keyring 1");
  if (opts.text) lines.push("text 1");
  if (facts.apparmor !== undefined) lines.push(`apparmor ${facts.apparmor ? 1 : 0}`);
  if (facts.selinux !== undefined) lines.push(`selinux ${facts.selinux ? 1 : 0}`);
  for (const h of facts.cgroupV1) lines.push(`cgroup-v1 ${h.dir} ${h.options}` + (h.own !== undefined ? ` ${h.own}` : ""));
  if (facts.ownCgroup !== undefined) lines.push(`own-cgroup ${facts.ownCgroup}`);
  if (facts.cgroupDelegated) lines.push("cgroup-delegated 1");
  if (facts.cgroupDriver !== undefined) lines.push(`cgroup-driver ${facts.cgroupDriver}`);
  if (facts.systemdVersion) lines.push(`systemd-version ${facts.systemdVersion}`);
  if (facts.arch !== undefined) lines.push(`arch ${facts.arch}`);
  if (facts.listenFds) lines.push(`listen-fds ${facts.listenFds}`);
  if (facts.notifySocket !== undefined) lines.push(`notify-socket ${facts.notifySocket}`);
  if (facts.initPid !== undefined) lines.push(`init-pid ${facts.initPid}`);
  if (facts.initPidfd !== undefined) lines.push(`init-pidfd ${facts.initPidfd}`);
  // One line each: JSON's line breaks outside strings are spaces, and none can be inside one.
  if (facts.process !== undefined) lines.push(`process ${facts.process.replace(/[\r\n]/g, " ")}`);
  if (facts.execFlags !== undefined) lines.push(`exec-flags ${JSON.stringify(facts.execFlags)}`);
  if (facts.execCgroups !== undefined) lines.push(`exec-cgroups ${JSON.stringify(facts.execCgroups)}`);
  if (facts.initCgroup !== undefined) lines.push(`init-cgroup ${facts.initCgroup}`);
  if (facts.updateResources !== undefined) lines.push(`update-resources ${facts.updateResources.replace(/[\r\n]/g, " ")}`);
  if (facts.updateFlags !== undefined) lines.push(`update-flags ${JSON.stringify(facts.updateFlags)}`);
  if (facts.intelRdt !== undefined) lines.push(`intel-rdt ${facts.intelRdt.join(",") || "none"}`);
  const header = encoder.encode(lines.join("\n") + "\n\n");
  const out = new Uint8Array(header.length + config.length);
  out.set(header);
  out.set(config, header.length);
  return out;
}

export function decodeVerdict(bytes: Uint8Array): Verdict {
  let pos = bytes.indexOf(0x0a);
  const status = decoder.decode(bytes.subarray(0, pos));
  const m = /^ocirun-verdict 1 (ok|invalid)$/.exec(status);
  if (!m) throw new Error(`core: not a verdict: ${JSON.stringify(status.slice(0, 80))}`);
  const v: Verdict = { ok: m[1] === "ok", diagnostics: [], sections: {} };
  pos++;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(0x0a, pos);
    const [name, len] = decoder.decode(bytes.subarray(pos, nl)).split(" ");
    const start = nl + 1;
    const body = bytes.subarray(start, start + Number(len));
    pos = start + Number(len) + 1;
    v.sections[name] = body;
    if (name === "diagnostics") v.diagnostics = JSON.parse(decoder.decode(body));
    else if (name === "container") v.container = JSON.parse(decoder.decode(body));
    else if (name === "init") v.init = body;
    else if (name === "exec") v.exec = body;
    else if (name === "text") v.text = decoder.decode(body);
    else if (name === "features") v.features = JSON.parse(decoder.decode(body));
    else if (name === "update") v.update = JSON.parse(decoder.decode(body));
    else if (name === "config") v.config = body;
  }
  return v;
}

/** "pointer: message" lines, errors first. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.pointer || "config.json"}: ${d.message}`;
}
