// The runtime-spec features document (features.md, features-linux.md) for op features, indented
// as `runc features` prints it. It claims only what ocirun does today: each false says where it
// turns true, and fields left out mean "not known", which is honest for what ocirun ignores.
import { quote } from "./json/write";
import { HOOK_PHASES } from "./config/hooks";
import { OPTIONS, OPTION_UNSUPPORTED } from "./plan/mount-flags";
import { capabilityName, capabilityCount } from "./config/capabilities";
import { SCMP_ACT, SECCOMP_ACTIONS, SCMP_CMP, SECCOMP_OPERATORS, SCMP_ARCH, SECCOMP_FILTER_FLAG, SECCOMP_FLAGS } from "./config/seccomp";

// Keep in step with host/version.ts (a unit test compares them).
export const OCIRUN_VERSION = "0.1.0";

const NAMESPACES: string[] = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];

// The SCMP_ARCH_* names with a syscall table (seccomp/syscalls.gen.ts).
const FILTER_ARCHES: string[] = ["X86", "X86_64", "X32", "ARM", "AARCH64"];

function prefixed(prefix: string, names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) out.push(prefix + names[i]);
  return out;
}

/** Go's json.MarshalIndent layout with four spaces, written field by field. */
class Doc {
  out: string = "{";
  depth: i32 = 1;
  first: bool = true;

  private key(k: string): void {
    this.out += (this.first ? "\n" : ",\n") + "    ".repeat(this.depth) + quote(k) + ": ";
    this.first = false;
  }

  str(k: string, v: string): Doc { this.key(k); this.out += quote(v); return this; }
  bool(k: string, v: bool): Doc { this.key(k); this.out += v ? "true" : "false"; return this; }

  strings(k: string, list: string[]): Doc {
    this.key(k);
    if (list.length == 0) { this.out += "[]"; return this; }
    const pad = "    ".repeat(this.depth + 1);
    this.out += "[";
    for (let i = 0; i < list.length; i++) this.out += (i > 0 ? ",\n" : "\n") + pad + quote(list[i]);
    this.out += "\n" + "    ".repeat(this.depth) + "]";
    return this;
  }

  open(k: string): Doc { this.key(k); this.out += "{"; this.depth++; this.first = true; return this; }

  close(): Doc {
    this.depth--;
    this.out += (this.first ? "" : "\n" + "    ".repeat(this.depth)) + "}";
    this.first = false;
    return this;
  }

  /** "k": {"enabled": v} */
  enabled(k: string, v: bool): Doc { return this.open(k).bool("enabled", v).close(); }
}

export function featuresJson(): string {
  const mountOptions: string[] = [];
  for (let i = 0; i < OPTIONS.length; i++) if (OPTIONS[i].kind != OPTION_UNSUPPORTED) mountOptions.push(OPTIONS[i].name);
  const caps: string[] = [];
  for (let i = 0; i < capabilityCount(); i++) caps.push(capabilityName(i));

  const doc = new Doc()
    .str("ociVersionMin", "1.0.0")
    .str("ociVersionMax", "1.3.0")
    // All six run (the create-time ones at OP_CREATE_HOOKS, startContainer in the init).
    .strings("hooks", HOOK_PHASES)
    .strings("mountOptions", mountOptions)
    .open("linux")
    .strings("namespaces", NAMESPACES)
    .strings("capabilities", caps)
    // cgroupfs on v1 (and hybrid) and v2 hosts, rdma.max included, and the systemd driver
    // (--systemd-cgroup) for root; not systemd --user.
    .open("cgroup").bool("v1", true).bool("v2", true).bool("systemd", true).bool("systemdUser", false).bool("rdma", true).close()
    // Every action and operator compiles (seccomp/compile.ts); the archs are those with a
    // syscall table; flags go to seccomp(2) as they are, so the kernel decides (6.x has all).
    .open("seccomp").bool("enabled", true)
    .strings("actions", prefixed(SCMP_ACT, SECCOMP_ACTIONS))
    .strings("operators", prefixed(SCMP_CMP, SECCOMP_OPERATORS))
    .strings("archs", prefixed(SCMP_ARCH, FILTER_ARCHES))
    .strings("knownFlags", prefixed(SECCOMP_FILTER_FLAG, SECCOMP_FLAGS))
    .strings("supportedFlags", prefixed(SECCOMP_FILTER_FLAG, SECCOMP_FLAGS))
    .close()
    // What the runtime can apply, as runc reports it; whether this host can is decided at create.
    .enabled("apparmor", true)
    .enabled("selinux", true)
    .enabled("intelRdt", false)
    // mounts[].uidMappings/gidMappings, idmap and ridmap, with or without a user namespace (the
    // host builds the idmapped tree). containerd turns on user-namespaced pods on this flag.
    .open("mountExtensions").enabled("idmap", true).close()
    // linux.netDevices: moved into the network namespace, renamed, addresses kept, up (runc 1.3).
    .enabled("netDevices", true)
    .close()
    .open("annotations").str("io.github.ocirun.version", OCIRUN_VERSION).close()
    // ocirun acts on no annotation of config.json.
    .strings("potentiallyUnsafeConfigAnnotations", []);
  return doc.out + "\n}\n";
}
