// linux.sysctl: keys in sysctl(8)'s dotted form (or sysctl.d's slash form), string values.
// Only namespaced sysctls are allowed, each needing the container's own namespace of its
// kind; any other one would change the host (runc refuses them too).
import { JsonValue, JsonKind, childPointer } from "../json/value";
import { Diagnostics, E_TYPE, E_RANGE, E_UNSUPPORTED, E_CONFLICT, E_NEEDS_NAMESPACE } from "../diagnostics";
import { Sysctl, Config } from "./model";
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWUTS } from "./linux";

const IPC_KEYS: string[] = [
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
  "kernel.shmmni", "kernel.shm_rmid_forced",
];

export function parseSysctl(v: JsonValue, ptr: string, d: Diagnostics): Sysctl[] {
  const out: Sysctl[] = [];
  for (let i = 0; i < v.keys.length; i++) {
    const key = v.keys[i];
    if (v.get(key) !== v.items[i]) continue; // a repeated key: the last one wins
    const kp = childPointer(ptr, key);
    const item = v.items[i];
    if (item.kind != JsonKind.String) { d.error(E_TYPE, kp, "must be a string"); continue; }
    if (item.str.indexOf("\0") >= 0) { d.error(E_RANGE, kp, "must not contain a NUL character"); continue; }
    const dotted = dottedKey(key);
    if (sysctlPath(dotted).length == 0) { d.error(E_RANGE, kp, "\"" + key + "\" is not a sysctl name such as \"net.ipv4.ip_forward\""); continue; }
    out.push(new Sysctl(kp, dotted, item.str));
  }
  return out;
}

/** sysctl.d allows "/" as the separator when the first separator is one; "." then stands
 * for a literal dot in a name ("net/ipv4/conf/eno2.100/rp_filter"). */
function dottedKey(key: string): string {
  let first = -1;
  for (let i = 0; i < key.length && first < 0; i++) if (key.charCodeAt(i) == 0x2e || key.charCodeAt(i) == 0x2f) first = i;
  if (first < 0 || key.charCodeAt(first) == 0x2e) return key;
  return swapDotsAndSlashes(key);
}

function swapDotsAndSlashes(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    out += c == "." ? "/" : c == "/" ? "." : c;
  }
  return out;
}

/** The file under /proc for a dotted key ("sys/net/ipv4/ip_forward"); "" if a part is empty, ".", ".." or has a NUL. */
export function sysctlPath(dotted: string): string {
  const parts = swapDotsAndSlashes(dotted).split("/");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0 || p == "." || p == ".." || p.indexOf("\0") >= 0) return "";
  }
  return "sys/" + parts.join("/");
}

/** The namespace a sysctl belongs to: a CLONE_NEW* flag, or 0 if it is not namespaced. */
function sysctlNamespace(key: string): u32 {
  if (IPC_KEYS.includes(key) || key.startsWith("fs.mqueue.")) return CLONE_NEWIPC;
  if (key.startsWith("net.")) return CLONE_NEWNET;
  if (key == "kernel.domainname" || key == "kernel.hostname") return CLONE_NEWUTS;
  return 0;
}

const KINDS: string[] = ["an ipc", "a network", "a uts"];
const FLAGS: u32[] = [CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWUTS];

/** Each sysctl needs the container's own namespace of its kind (`has` = CLONE_NEW* flags of
 * the namespaces the config lists, new or joined). */
export function checkSysctlNamespaces(c: Config, has: u32, d: Diagnostics): void {
  const list = c.linux.sysctl;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const ns = sysctlNamespace(s.key);
    if (ns == 0) { d.error(E_UNSUPPORTED, s.pointer, "\"" + s.key + "\" is not namespaced: setting it would change the host"); continue; }
    if (s.key == "kernel.hostname") { d.error(E_CONFLICT, s.pointer, "conflicts with /hostname: set the hostname there"); continue; }
    if ((has & ns) == 0) d.error(E_NEEDS_NAMESPACE, s.pointer, "needs " + KINDS[FLAGS.indexOf(ns)] + " namespace in /linux/namespaces");
  }
}
