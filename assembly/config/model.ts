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
  user: User = new User();
  args: string[] = [];
  env: string[] = [];
  cwd: string = "/";
  capabilities: Capabilities = new Capabilities();
  rlimits: Rlimit[] = [];
  noNewPrivileges: bool = false;
}

export class Mount {
  pointer: string = "";
  destination: string = "";
  source: string = "";
  type: string = "";
  options: string[] = [];
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
  devices: Device[] = [];
  maskedPaths: string[] = [];
  readonlyPaths: string[] = [];
  rootfsPropagation: string = "";
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
}
