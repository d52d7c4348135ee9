// Host facts the core needs: cgroup mode and v1 hierarchies, euid and egid, the LSMs enabled.
// Read once per create. And where the id-map helpers are, for the executor.
import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from "./files.ts";
import { join } from "node:path";
import type { MapTools } from "./addon.ts";
import type { CgroupMode, HostFacts } from "./core/protocol";

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** The host's cgroup mode and v1 hierarchies, and where this process is in each (a relative
 * cgroupsPath goes there): /proc/self/cgroup, made relative to each mount's root (a runtime in a
 * container sees its cgroupfs from there). */
export function cgroupFacts(): Pick<HostFacts, "cgroup" | "cgroupV1" | "ownCgroup"> {
  let mode: CgroupMode = "none";
  const own = ownCgroups();
  try {
    if (statfsSync("/sys/fs/cgroup").type === CGROUP2_SUPER_MAGIC) return { cgroup: "v2", cgroupV1: [], ownCgroup: underRoot(own.get("") ?? "/", "/") };
  } catch {
    return { cgroup: "none", cgroupV1: [] };
  }
  const cgroupV1: { dir: string; options: string; own: string }[] = [];
  let unified = false;
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const [fstype, , superOptions] = line.slice(sep + 3).split(" ");
    const mountPoint = left[4];
    if (!mountPoint?.startsWith("/sys/fs/cgroup/")) continue;
    if (fstype === "cgroup2") unified = true;
    if (fstype !== "cgroup") continue;
    const options = superOptions.split(",").filter((o) => o !== "rw" && o !== "ro").join(",");
    const controllers = options.split(",").filter((o) => !V1_FLAG_OPTIONS.has(o) && !o.startsWith("release_agent=")).sort().join(",");
    cgroupV1.push({ dir: mountPoint.slice("/sys/fs/cgroup/".length), options, own: underRoot(own.get(controllers) ?? "/", left[3]) });
  }
  if (cgroupV1.length > 0) mode = unified ? "hybrid" : "v1";
  return { cgroup: mode, cgroupV1 };
}

/** v1 mount options that are not a controller or a hierarchy's name. */
const V1_FLAG_OPTIONS = new Set(["none", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods", "nofavordynmods"]);

/** /proc/self/cgroup: sorted controller list ("" for cgroup2) -> this process's cgroup. */
function ownCgroups(): Map<string, string> {
  const out = new Map<string, string>();
  let text = "";
  try {
    text = readFileSync("/proc/self/cgroup", "latin1");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const a = line.indexOf(":");
    const b = line.indexOf(":", a + 1);
    if (a < 0 || b < 0) continue;
    out.set(line.slice(a + 1, b).split(",").sort().join(","), line.slice(b + 1));
  }
  return out;
}

/** path as seen from a mount of the hierarchy whose root is `root`. */
function underRoot(path: string, root: string): string {
  if (root === "/" || root === "") return path;
  if (path === root) return "/";
  return path.startsWith(root + "/") ? path.slice(root.length) : "/";
}

/** Which LSMs can take a label: a few stat calls, no policy read. */
export function lsmFacts(): Pick<HostFacts, "apparmor" | "selinux"> {
  let apparmor: boolean;
  try {
    apparmor = readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y";
  } catch {
    // No module parameter (an older kernel): the securityfs directory tells.
    apparmor = existsSync("/sys/kernel/security/apparmor");
  }
  return { apparmor, selinux: existsSync("/sys/fs/selinux/enforce") };
}

/** The seccomp filter's native arch: the host's. */
export function hostArch(): "x86_64" | "aarch64" {
  return process.arch === "arm64" ? "aarch64" : "x86_64";
}

/** What every request says about this host and caller; without cgroup facts (`cgroup none`). */
export function callerFacts(bundle: string, noPivot: boolean, id: string, newKeyring: boolean): HostFacts {
  return {
    bundle, euid: process.geteuid?.() ?? 0, egid: process.getegid?.() ?? 0, noPivot, id, newKeyring, arch: hostArch(),
    cgroup: "none", cgroupV1: [], ...lsmFacts(),
  };
}

export function hostFacts(bundle: string, noPivot: boolean, id: string, newKeyring: boolean): HostFacts {
  const facts = { ...callerFacts(bundle, noPivot, id, newKeyring), ...cgroupFacts() };
  if (facts.euid !== 0 && facts.cgroup === "v2") facts.cgroupDelegated = delegated(facts.ownCgroup ?? "/");
  return facts;
}

/** A non-root caller can make a cgroup where runc's rootless rules put one (below the parent of
 * its own cgroup) and move its processes there: systemd delegates a user's subtree so. */
function delegated(own: string): boolean {
  const parent = join("/sys/fs/cgroup", own, "..");
  try {
    accessSync(parent, constants.W_OK);
    accessSync(join(parent, "cgroup.procs"), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Shadow's newuidmap and newgidmap in $PATH, as runc looks them up (exec.LookPath) for a
 * non-root caller; root writes every map itself and needs neither. */
export function mapTools(euid: number): MapTools {
  if (euid === 0) return {};
  const find = (name: string) => {
    for (const dir of (process.env.PATH ?? "").split(":")) {
      if (!dir.startsWith("/")) continue; // a relative entry would depend on the cwd
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        if (statSync(path).isFile()) return path;
      } catch {
        // not here
      }
    }
    return undefined;
  };
  return { newuidmap: find("newuidmap"), newgidmap: find("newgidmap") };
}
