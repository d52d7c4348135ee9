// Processes and cgroups of the engine tests' own (test/clients): finding what a private
// dockerd or podman left behind, by its unique directory or its cgroup parent, and removing it.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { sleepSync } from "../util/wait.ts";
import { join } from "node:path";

export function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    // A zombie (not yet reaped) counts as gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {}
}

/** Pids whose command line contains `text` (a unique directory or a container id). */
export function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (cmdline.includes(text) && alive(Number(name))) out.push(Number(name));
    } catch {}
  }
  return out;
}

/** Every cgroup hierarchy's directory for `parent` (v2: one; v1: one per mounted hierarchy). */
export function cgroupDirs(parent: string): string[] {
  const base = "/sys/fs/cgroup";
  const hierarchies = existsSync(join(base, "cgroup.controllers")) ? [base] : readdirSync(base).map((d) => join(base, d));
  return hierarchies.map((h) => join(h, parent)).filter((d) => existsSync(d));
}

/** `dir` and the directories below it, deepest first. */
export function subtree(dir: string): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) out.push(...subtree(p));
    } catch {}
  }
  out.push(dir);
  return out;
}

/** The live processes in any cgroup under `parent`. */
export function processesInCgroups(parent: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(parent))
    for (const d of subtree(dir)) {
      try {
        for (const line of readFileSync(join(d, "cgroup.procs"), "utf8").split("\n")) if (line && alive(Number(line))) pids.add(Number(line));
      } catch {}
    }
  return [...pids];
}

export function thawCgroups(parent: string): void {
  for (const dir of cgroupDirs(parent))
    for (const d of subtree(dir)) {
      for (const [file, value] of [["freezer.state", "THAWED"], ["cgroup.freeze", "0"]]) {
        try {
          if (existsSync(join(d, file))) writeFileSync(join(d, file), value);
        } catch {}
      }
    }
}

/** rmdir, deepest first, of `parent` in every cgroup hierarchy (empty ones only: a cgroup with a
 * process in it refuses, and stays). */
export function removeCgroups(parent: string): void {
  for (const dir of cgroupDirs(parent))
    for (const d of subtree(dir)) {
      try {
        rmdirSync(d);
      } catch {}
    }
}

/** The cgroup directories under `parent`, in any hierarchy, whose name contains `id`. */
export function cgroupsNaming(parent: string, id: string): string[] {
  return cgroupDirs(parent).flatMap((dir) => subtree(dir)).filter((d) => d.split("/").pop()!.includes(id));
}

/** Waits (at most 5 s) for a child we started to exit: its exit event reaps it (this machine's
 * pid 1 does not reap orphans). */
export async function reaped(exited: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, 5000)))]);
  clearTimeout(timer);
}

/** An engine's leftovers: every process whose command line names its private directory (TERM,
 * then KILL), the cgroups under its parent, then the directory itself, unless keepEnv=1 says to
 * keep it for reading its logs. */
export function removeLeftovers(dir: string, cgroupParent: string, keepEnv: string, what: string): void {
  for (let round = 0; round < 2; round++) {
    const left = processesMentioning(dir);
    for (const pid of left) signal(pid, round === 0 ? "SIGTERM" : "SIGKILL");
    if (left.length === 0 || waitUntil(() => processesMentioning(dir).length === 0, 5000)) break;
  }
  removeCgroups(cgroupParent);
  if (process.env[keepEnv] === "1") {
    console.log(`  ${what}'s directory kept: ${dir}`);
    return;
  }
  // Its namespace's mounts went with it: what is left is plain files.
  for (let i = 0; i < 5 && existsSync(dir); i++) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      sleepSync(500);
    }
  }
}

function waitUntil(cond: () => boolean, ms: number): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    sleepSync(100);
  }
  return cond();
}

/** A cgroup v1 or v2 file of a process, read on the host. */
export function cgroupFileOf(pid: number, controller: string, file: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n").map((l) => l.split(":"));
  const v1 = lines.find(([, ctrls]) => ctrls.split(",").includes(controller));
  const path = v1 ? `/sys/fs/cgroup/${controller}${v1[2]}/${file}` : `/sys/fs/cgroup${lines.find(([h]) => h === "0")![2]}/${file}`;
  return readFileSync(path, "utf8").trim();
}

