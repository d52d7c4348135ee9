// The one internal form of config.json: what the planner reads. Every item keeps the JSON
// pointer it came from so a plan op (and a failure in the init) can name its field.

export class User {
  uid: u32 = 0;
  gid: u32 = 0;
  umask: i32 = -1; // -1: not set
  additionalGids: u32[] = [];
}

export class Rlimit {
  constructor(public pointer: string, public resource: i32, public soft: u64, public hard: u64) {}
}

export class Capabilities {
  present: bool = false;
  bounding: u64 = 0;
  effective: u64 = 0;
  permitted: u64 = 0;
  inheritable: u64 = 0;
  ambient: u64 = 0;
}

export class Process {
  present: bool = false;
  terminal: bool = false;
  /** process.consoleSize; 0 = leave the pty's size alone. */
  consoleHeight: u32 = 0;
  consoleWidth: u32 = 0;
  user: User = new User();
  args: string[] = [];
  env: string[] = [];
  cwd: string = "/";
  capabilities: Capabilities = new Capabilities();
  rlimits: Rlimit[] = [];
  noNewPrivileges: bool = false;
  /** process.oomScoreAdj; hasOomScoreAdj false: leave it as inherited. */
  hasOomScoreAdj: bool = false;
  oomScoreAdj: i32 = 0;
  apparmorProfile: string = "";
  selinuxLabel: string = "";
  scheduler: Scheduler | null = null;
  ioPriority: IoPriority | null = null;
  /** process.execCPUAffinity: for exec'd processes only (the host's business). */
  execCPUAffinityInitial: string = "";
  execCPUAffinityFinal: string = "";
}

export class Mount {
  pointer: string = "";
  destination: string = "";
  source: string = "";
  type: string = "";
  options: string[] = [];
  /** Each option's index in the config's array (non-strings are skipped from options). */
  optionIndices: i32[] = [];
  /** mounts[].uidMappings / gidMappings: an idmapped mount. */
  uidMappings: IdMapping[] = [];
  gidMappings: IdMapping[] = [];
}

export class Namespace {
  constructor(public pointer: string, public type: string, public flag: u32, public path: string) {}
}

export class Device {
  pointer: string = "";
  path: string = "";
  type: string = "";
  major: i64 = 0;
  minor: i64 = 0;
  fileMode: u32 = 0o666;
  uid: u32 = 0;
  gid: u32 = 0;
}

export class IdMapping {
  constructor(public containerID: u32, public hostID: u32, public size: u32) {}
}

export class Linux {
  uidMappings: IdMapping[] = [];
  gidMappings: IdMapping[] = [];
  namespaces: Namespace[] = [];
  /** False when /linux/namespaces is present but not an array: checks that need it are skipped. */
  namespacesValid: bool = true;
  /** Where /linux/namespaces would be reported when it lacks something: the deepest field present. */
  namespacesPointer: string = "";
  devices: Device[] = [];
  maskedPaths: string[] = [];
  readonlyPaths: string[] = [];
  rootfsPropagation: string = "";
  sysctl: Sysctl[] = [];
  timeOffsets: TimeOffset[] = [];
  /** linux.personality.domain as the personality(2) persona; -1: not set. */
  personality: i32 = -1;
  memoryPolicy: MemoryPolicy | null = null;
  netDevices: NetDevice[] = [];
  mountLabel: string = "";
  cgroupsPath: string = "";
  resources: Resources = new Resources();
  hasIntelRdt: bool = false;
  seccomp: Seccomp | null = null;
}

/** One /hooks entry; phase is its key under /hooks. timeout 0: not set. */
export class Hook {
  constructor(public pointer: string, public phase: string, public path: string, public args: string[], public env: string[], public timeout: i32) {}
}

/** /linux/seccomp. Actions, operators and architectures are indexes into config/seccomp.ts's tables. */
export class SeccompArg {
  constructor(public index: u32, public value: u64, public valueTwo: u64, public op: i32) {}
}

export class SeccompRule {
  pointer: string = "";
  names: string[] = [];
  /** Where each of names sits in /names (invalid entries are left out of names). */
  nameIndexes: i32[] = [];
  action: i32 = -1;
  errnoRet: i32 = -1; // -1: not set (EPERM)
  args: SeccompArg[] = [];
}

export class Seccomp {
  defaultAction: i32 = -1;
  defaultErrnoRet: i32 = -1;
  architectures: i32[] = [];
  flags: i32[] = [];
  listenerPath: string = "";
  listenerMetadata: string = "";
  syscalls: SeccompRule[] = [];
}

export class Config {
  ociVersion: string = "";
  rootPath: string = "";
  rootReadonly: bool = false;
  mounts: Mount[] = [];
  process: Process = new Process();
  hostname: string = "";
  hasHostname: bool = false;
  domainname: string = "";
  hasDomainname: bool = false;
  linux: Linux = new Linux();
  /** Annotations as JSON text, keys sorted, for the state. */
  annotationsJson: string = "{}";
  // The org.criu.config annotation (checkpoint and restore), when the config has it.
  criuConfig: string = "";
  hasCriuConfig: bool = false;
  /** /hooks entries in lifecycle order. */
  hooks: Hook[] = [];
}

/** process.scheduler, as sched_setattr(2) takes it. */
export class Scheduler {
  policy: u32 = 0;
  flags: u64 = 0;
  nice: i32 = 0;
  priority: u32 = 0;
  runtime: u64 = 0;
  deadline: u64 = 0;
  period: u64 = 0;
}

/** process.ioPriority, as ioprio_set(2) takes it. */
export class IoPriority {
  constructor(public ioClass: u32, public priority: u32) {}
}

/** One linux.sysctl entry; key in dotted form. */
export class Sysctl {
  constructor(public pointer: string, public key: string, public value: string) {}
}

/** One linux.timeOffsets entry: clock is "monotonic" or "boottime". */
export class TimeOffset {
  constructor(public clock: string, public secs: i64, public nanosecs: u32) {}
}

/** linux.memoryPolicy, as set_mempolicy(2) takes it: mode with its flags, nodes as a bitmask. */
export class MemoryPolicy {
  mode: u32 = 0;
  nodes: string = "";
  nodeMask: u32[] = [];
}

/** One linux.netDevices entry: the host interface and its name in the container. */
export class NetDevice {
  constructor(public pointer: string, public hostName: string, public name: string) {}
}

// linux.resources (assembly/config/resources.ts reads it; assembly/cgroups/*.ts turn it into
// cgroup writes). A field the config leaves out is null; each value keeps its JSON pointer.

export class Num {
  constructor(public pointer: string, public value: i64) {}
}

export class Str {
  constructor(public pointer: string, public value: string) {}
}

/** linux.resources.devices[]: type "a", "c" or "b"; major/minor -1 = any. */
export class DeviceRule {
  constructor(public pointer: string, public allow: bool, public type: string, public major: i64, public minor: i64, public access: string) {}
}

export class MemoryResources {
  pointer: string = "";
  limit: Num | null = null;
  reservation: Num | null = null;
  swap: Num | null = null;
  swappiness: Num | null = null;
  disableOOMKiller: Num | null = null;
}

export class CpuResources {
  pointer: string = "";
  shares: Num | null = null;
  quota: Num | null = null;
  burst: Num | null = null;
  period: Num | null = null;
  realtimeRuntime: Num | null = null;
  realtimePeriod: Num | null = null;
  idle: Num | null = null;
  cpus: Str | null = null;
  mems: Str | null = null;
}

/** A blockIO weightDevice (value = weight) or throttle (value = rate) entry. */
export class BlkioDevice {
  constructor(public pointer: string, public major: i64, public minor: i64, public value: Num | null, public leafWeight: Num | null) {}
}

export class BlockIOResources {
  pointer: string = "";
  weight: Num | null = null;
  leafWeight: Num | null = null;
  weightDevice: BlkioDevice[] = [];
  /** In THROTTLE_FIELDS order (config/resources.ts). */
  throttle: BlkioDevice[][] = [[], [], [], []];
}

export class HugepageLimit {
  constructor(public pointer: string, public pageSize: string, public limit: i64) {}
}

export class RdmaLimit {
  constructor(public pointer: string, public device: string, public hcaHandles: Num | null, public hcaObjects: Num | null) {}
}

/** A linux.resources.unified entry: a cgroup v2 file and the value to write. */
export class UnifiedFile {
  constructor(public pointer: string, public file: string, public value: string) {}
}

export class NetPriority {
  constructor(public pointer: string, public name: string, public priority: i64) {}
}

export class NetworkResources {
  pointer: string = "";
  classID: Num | null = null;
  priorities: NetPriority[] = [];
}

export class Resources {
  /** "" when linux.resources.devices is absent. */
  devicesPointer: string = "";
  devices: DeviceRule[] = [];
  memory: MemoryResources | null = null;
  cpu: CpuResources | null = null;
  blockIO: BlockIOResources | null = null;
  hugepageLimits: HugepageLimit[] = [];
  network: NetworkResources | null = null;
  pids: Num | null = null;
  rdma: RdmaLimit[] = [];
  /** "" when linux.resources.unified is absent. */
  unifiedPointer: string = "";
  unified: UnifiedFile[] = [];
}
