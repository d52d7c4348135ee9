// The host's cgroups as integration tests read them: the mode, where a process is in each
// hierarchy, a container's files there, and cgroup directories left behind. Works on hybrid
// hosts (this machine) and on pure cgroup v2 (the VM, test/vm/).
import { readdirSync, readFileSync, statfsSync } from "node:fs";
import { join } from "node:path";

export type HostMode = "v1" | "hybrid" | "v2";

const CGROUP2_SUPER_MAGIC = 0x63677270;

export function hostCgroupMode(): HostMode {
  if (statfsSync("/sys/fs/cgroup").type === CGROUP2_SUPER_MAGIC) return "v2";
  try {
    return statfsSync("/sys/fs/cgroup/unified").type === CGROUP2_SUPER_MAGIC ? "hybrid" : "v1";
  } catch {
    return "v1";
  }
}

/** /proc/<pid>/cgroup: controllers ("" for cgroup2) -> the process's cgroup. */
export function cgroupsOf(pid: number | "self"): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** The v1 hierarchy directory under /sys/fs/cgroup that holds controller (cpu -> "cpu" or "cpu,cpuacct"). */
export function v1Dir(controller: string): string {
  const name = readdirSync("/sys/fs/cgroup").find((d) => d.split(",").includes(controller) || d === controller.replace(/^name=/, ""));
  if (!name) throw new Error(`no v1 hierarchy for ${controller}`);
  return name;
}

/** The host path of a file of pid's cgroup: v1 in controller's hierarchy, v2 in the one. */
export function cgroupFileOf(pid: number, controller: string, file: string): string {
  const cg = cgroupsOf(pid);
  if (hostCgroupMode() === "v2") return join("/sys/fs/cgroup", cg.get("")!, file);
  const dir = v1Dir(controller);
  const key = [...cg.keys()].find((k) => k.split(",").includes(controller) || k === `name=${controller}`)!;
  return join("/sys/fs/cgroup", dir, cg.get(key)!, file);
}

export function readTrim(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/** Every cgroup directory under /sys/fs/cgroup whose name is `name` (left behind by a container). */
export function cgroupDirsNamed(name: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (e.name === name) found.push(path);
      if (depth < 8) walk(path, depth + 1);
    }
  };
  walk("/sys/fs/cgroup", 0);
  return found;
}

/** v1 file name and v2 file name of the same setting, for the host's mode. */
export function byMode<T>(v1: T, v2: T): T {
  return hostCgroupMode() === "v2" ? v2 : v1;
}
