// cgroupfs files and directories, with errors that keep the kernel's errno. Shared by the v1
// and v2 managers; nothing here knows a controller.
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmdirSync, statSync, subdirectoriesSync, writeSync } from "../files.ts";
import { dirname, join } from "node:path";
import { O_CLOEXEC } from "../open-flags.ts";

export const CGROUP_ROOT = "/sys/fs/cgroup";

/** The errno name of a Node/Bun fs error ("EBUSY"), "" for anything else. */
export function errnoCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === "string" ? code : "";
}

/** The kernel's words for a Node/Bun fs error: "device or resource busy". */
export function errnoText(err: unknown): string {
  const m = /^[A-Z0-9_]+: ([^,]*)/.exec((err as Error)?.message ?? "");
  return (m ? m[1] : String((err as Error)?.message ?? err)).toLowerCase();
}

/** One write(2) of value to an existing cgroup file (O_WRONLY, never O_CREAT or O_TRUNC: kernfs
 * has no other way). Throws the fs error; its code is the kernel's errno. */
export function writeCgroupFile(path: string, value: string): void {
  const fd = openSync(path, constants.O_WRONLY | O_CLOEXEC);
  try {
    writeSync(fd, value);
  } finally {
    closeSync(fd);
  }
}

/** A cgroup file's text, or null when it does not exist. */
export function readCgroupFile(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENODEV") return null;
    throw err;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The directories between root (which exists) and dir that do not exist yet, outermost first. */
export function missingDirs(root: string, dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; d !== root && d.startsWith(root + "/") && !exists(d); d = dirname(d)) missing.unshift(d);
  return missing;
}

/** mkdir -p below `root` (which exists); the directories made, outermost first. `made` calls
 * back after each one (cpuset copies its parent's CPUs and nodes there). A directory removed
 * meanwhile by another container's delete is made again. */
export function makeDirs(root: string, dir: string, made?: (dir: string) => void): string[] {
  const created: string[] = [];
  const missing = missingDirs(root, dir);
  for (let i = 0; i < missing.length; i++) {
    try {
      mkdirSync(missing[i], { mode: 0o755 });
    } catch (err) {
      if (errnoCode(err) === "EEXIST") continue;
      // An ancestor made by another container and removed by its delete meanwhile: again.
      if (errnoCode(err) === "ENOENT" && i > 0) return created.concat(makeDirs(root, dir, made));
      throw err;
    }
    created.push(missing[i]);
    made?.(missing[i]);
  }
  return created;
}

/** Every pid in dir's cgroup.procs and those of its sub-cgroups. A tree removed meanwhile
 * counts as empty. */
export function treePids(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string) => {
    const procs = readCgroupFile(join(d, "cgroup.procs"));
    if (procs === null) return;
    for (const line of procs.split("\n")) if (line) pids.push(Number(line));
    let dirs: string[];
    try {
      dirs = subdirectoriesSync(d);
    } catch {
      return;
    }
    for (const name of dirs) walk(join(d, name));
  };
  walk(dir);
  return pids;
}

/** rmdir of dir and every cgroup below it, deepest first; a missing one is removed already.
 * Returns the error of the first one that stays (EBUSY: still has processes), or null. */
export function removeTree(dir: string): unknown {
  try {
    rmdirSync(dir);
    return null;
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    if (errnoCode(err) !== "EBUSY" && errnoCode(err) !== "ENOTEMPTY") return err;
  }
  let dirs: string[] = [];
  try {
    dirs = subdirectoriesSync(dir);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
  }
  for (const name of dirs) {
    const err = removeTree(join(dir, name));
    if (err) return err;
  }
  try {
    rmdirSync(dir);
    return null;
  } catch (err) {
    return errnoCode(err) === "ENOENT" ? null : err;
  }
}

/** Sub-cgroups of dir removed, dir itself kept (a cgroup the container found, not made). */
export function removeChildren(dir: string): unknown {
  let dirs: string[] = [];
  try {
    dirs = subdirectoriesSync(dir);
  } catch {
    return null;
  }
  for (const name of dirs) {
    const err = removeTree(join(dir, name));
    if (err) return err;
  }
  return null;
}

/** Busy-waits ms milliseconds (the commands are synchronous and short-lived). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
