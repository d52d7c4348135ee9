// The state store: one directory per container, <root>/<id>/ (mode 0700), holding state.json
// and, between create and start, exec.fifo. Status is never stored; it is derived from the
// recorded init (pid + start time) and the fifo, so a crash cannot leave a stale status behind.
//
// Locking: create makes the directory with an exclusive mkdir and holds an exclusive flock on it
// until state.json is written; start, kill and delete take the same flock, and after getting it
// check that the directory still exists (a failed create or a concurrent delete removes it).
// Readers (state, list) take no lock: state.json is only ever replaced by rename.
import {
  closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readdirSync,
  readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync,
} from "./files.ts";
import { basename, dirname, join } from "node:path";
import { addon } from "./addon.ts";
import { containerNotExist, OciError } from "./errors.ts";
import { isLive } from "./proc.ts";
import type { CgroupState } from "./cgroups/manager.ts";
import { isPaused } from "./cgroups/freezer-state.ts";

export interface ContainerState {
  version: 1;
  ociVersion: string;
  id: string;
  /** The init's pid as the host sees it. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat at create, to tell our init from a reused pid. */
  pidStartTime: string;
  bundle: string;
  rootfs: string;
  /** RFC 3339 with nanoseconds (Go's RFC3339Nano), set at create. */
  created: string;
  owner: "";
  annotations: Record<string, string>;
  /** config.json had a `process`; start refuses a container without one. */
  hasProcess: boolean;
  /** The container's own cgroups; absent when it has none (a host without cgroups, rootless). */
  cgroup?: CgroupState;
}

export type Status = "created" | "running" | "paused" | "stopped";

export interface Container {
  id: string;
  dir: string;
  /** The locked directory fd, or -1 when opened without the lock. */
  fd: number;
  /** null: the directory has no (readable) state.json, a half-created container. */
  state: ContainerState | null;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** Checked before any path is built from the id, so "../x" or "a/b" never reach the filesystem. */
export function validateId(id: string): void {
  if (id === "") throw new OciError("container id cannot be empty");
  if (id.length > 1024 || !ID_RE.test(id)) throw new OciError(`invalid container id format: "${id}"`);
}

export function containerDir(root: string, id: string): string {
  validateId(id);
  return join(root, id);
}

export function execFifoPath(dir: string): string {
  return join(dir, "exec.fifo");
}

/** Open a container; null if its directory does not exist. With `lock`, the directory flock is
 * held until closeContainer. */
export function openContainer(root: string, id: string, opts: { lock?: boolean } = {}): Container | null {
  const dir = containerDir(root, id);
  if (!opts.lock) return isDir(dir) ? { id, dir, fd: -1, state: readState(dir) } : null;
  // A directory removed while we waited for its lock may already have been created again.
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (err) {
      if (isCode(err, "ENOENT", "ENOTDIR")) return null;
      throw err;
    }
    try {
      lockDir(fd, dir);
      if (fstatSync(fd).nlink > 0) return { id, dir, fd, state: readState(dir) };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    closeSync(fd);
  }
  return null;
}

/** openContainer that throws `container "<id>" does not exist` for a missing or half-created one. */
export function mustOpenContainer(root: string, id: string, opts: { lock?: boolean } = {}): Container & { state: ContainerState } {
  const c = openContainer(root, id, opts);
  if (c?.state) return c as Container & { state: ContainerState };
  if (c) closeContainer(c);
  throw containerNotExist(id);
}

/** create: make <root>/<id> exclusively (an existing container is left untouched) and lock it. */
export function createContainerDir(root: string, id: string): Container {
  const dir = containerDir(root, id);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if (isCode(err, "EEXIST")) throw new OciError(`container with id "${id}" already exists`);
    throw err;
  }
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    lockDir(fd, dir);
    // `delete --force` may have removed the new, stateless directory before we locked it.
    if (fstatSync(fd).nlink === 0) throw new OciError(`container "${id}" was deleted while being created`);
  } catch (err) {
    closeSync(fd);
    // The exclusive mkdir made this directory ours: remove it, and only it.
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { id, dir, fd, state: null };
}

export function closeContainer(c: Container): void {
  if (c.fd >= 0) closeSync(c.fd);
  c.fd = -1;
}

/** All of text; a failure (ENOSPC on a full state disk) names the file. No fsync: the temp
 * file and rename(2) keep a reader and a killed runtime from seeing a partial file, and what
 * fsync adds, surviving a crash of the kernel, is worth nothing for containers that did not
 * survive it (runc does not sync either; one fsync cost up to 50 ms on a disk here). */
function writeNamed(fd: number, text: string | Uint8Array, path: string): void {
  try {
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
  } catch (err) {
    if (err instanceof Error) (err as NodeJS.ErrnoException).path ??= path;
    throw err;
  }
}

/** Replace state.json atomically: write a temp file, rename it over the old one. */
export function writeState(c: Container, state: ContainerState): void {
  replaceFile(c.dir, "state.json", JSON.stringify(state));
  c.state = state;
}

function replaceFile(dir: string, name: string, text: string | Uint8Array): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    writeNamed(fd, text, tmp);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
}

/** The init's plan as create ran it: `start` names the op (and its field) that fails after it. */
export function writeInitPlan(c: Container, plan: Uint8Array): void {
  replaceFile(c.dir, "init.plan", plan);
}

export function readInitPlan(dir: string): Uint8Array {
  try {
    return readFileSync(join(dir, "init.plan"));
  } catch {
    return new Uint8Array();
  }
}

/** The container's config.json as create planned it (`update` changes its resources): what every
 * later command reads instead of the bundle, which may have changed since. */
export function writeStoredConfig(c: Container, config: Uint8Array | string): void {
  replaceFile(c.dir, "config.json", config);
}

export function readStoredConfig(c: Container): Uint8Array {
  return readFileSync(join(c.dir, "config.json"));
}

/** create, before it makes the container's cgroups: what they will be, for a `delete --force` of
 * a create that died before state.json (which then holds the same). */
export function writeCgroupRecord(c: Container, cgroup: CgroupState): void {
  replaceFile(c.dir, "cgroup.json", JSON.stringify(cgroup));
}

/** The cgroups a half-created container made (cgroup.json), if it got that far. */
export function readCgroupRecord(dir: string): CgroupState | undefined {
  try {
    const o = JSON.parse(readFileSync(join(dir, "cgroup.json"), "utf8"));
    return isCgroupState(o) ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Read state.json; null when it is missing or unreadable. Unknown fields are ignored and
 * missing ones get defaults, so an older or newer ocirun's file still reads. */
export function readState(dir: string): ContainerState | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  } catch {
    return null;
  }
  if (typeof o !== "object" || o === null) return null;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const ann = o.annotations;
  return {
    version: 1,
    ociVersion: str(o.ociVersion),
    id: str(o.id) || basename(dir),
    pid: typeof o.pid === "number" ? o.pid : 0,
    pidStartTime: str(o.pidStartTime),
    bundle: str(o.bundle),
    rootfs: str(o.rootfs),
    created: str(o.created),
    owner: "",
    annotations: typeof ann === "object" && ann !== null && !Array.isArray(ann) ? (ann as Record<string, string>) : {},
    hasProcess: o.hasProcess !== false,
    ...(isCgroupState(o.cgroup) ? { cgroup: o.cgroup } : {}),
  };
}

function isCgroupState(v: unknown): v is CgroupState {
  const c = v as CgroupState;
  return typeof c === "object" && c !== null && typeof c.paths === "object" && c.paths !== null && Array.isArray(c.created) &&
    (c.mode === "v1" || c.mode === "hybrid" || c.mode === "v2") && (c.driver === "cgroupfs" || c.driver === "systemd");
}

/** paused while its cgroup is frozen (checked first, as runc does), created while the init
 * waits on exec.fifo, running once start removed it, stopped when the recorded init is gone, a
 * zombie, or its pid now belongs to another process. */
export function statusOf(c: Container): Status {
  const s = c.state;
  if (s && isPaused(s.cgroup)) return "paused";
  if (!s || !isLive(s.pid, s.pidStartTime)) return "stopped";
  return existsSync(execFifoPath(c.dir)) ? "created" : "running";
}

/** The state object in runc's field order (runc's containerState struct), as `state` prints it
 * and `list -f json` lists it. A stopped container reports pid 0. */
export function ociState(c: Container & { state: ContainerState }, status: Status, owner = "") {
  const s = c.state;
  return {
    ociVersion: s.ociVersion,
    id: s.id,
    pid: status === "stopped" ? 0 : s.pid,
    status,
    bundle: s.bundle,
    rootfs: s.rootfs,
    created: s.created,
    ...(Object.keys(s.annotations).length > 0 ? { annotations: s.annotations } : {}),
    owner,
  };
}

/** Remove what create made (for now the state directory), then release the lock. */
export function removeContainer(c: Container): void {
  rmSync(c.dir, { recursive: true, force: true });
  closeContainer(c);
}

/** Every container with a state.json under root, sorted by id; half-created ones are skipped.
 * `uid` is the owner of the state directory. A missing root lists nothing (and is not created). */
export function listContainers(root: string): Array<Container & { state: ContainerState; uid: number }> {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch (err) {
    if (isCode(err, "ENOENT")) return [];
    throw err;
  }
  const out: Array<Container & { state: ContainerState; uid: number }> = [];
  for (const id of names) {
    if (id.length > 1024 || !ID_RE.test(id)) continue;
    const dir = join(root, id);
    let uid: number;
    try {
      const st = statSync(dir);
      if (!st.isDirectory()) continue;
      uid = st.uid;
    } catch {
      continue; // deleted while we listed
    }
    const state = readState(dir);
    if (state) out.push({ id, dir, fd: -1, state, uid });
  }
  return out;
}

/** Write --pid-file as runc does: the decimal pid, no newline, through a temp file in the same
 * directory and rename(2), so a reader never sees a partial file and a symlink planted at the
 * final path is replaced, never written through. */
export function writePidFile(path: string, pid: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(tmp, flags, 0o644);
  } catch (err) {
    if (!isCode(err, "EEXIST")) throw err;
    unlinkSync(tmp); // left by a crashed writer; unlink removes a symlink itself, not its target
    fd = openSync(tmp, flags, 0o644);
  }
  try {
    writeNamed(fd, String(pid), tmp);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Now as Go's RFC3339Nano: UTC, up to 9 fraction digits with trailing zeros dropped. */
export function nowRfc3339Nano(): string {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  const nanos = (whole % 1000) * 1e6 + Math.min(999999, Math.round((ms - whole) * 1e6));
  const base = new Date(whole).toISOString().slice(0, 19);
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

function lockDir(fd: number, dir: string): void {
  for (;;) {
    const errno = addon().flock(fd, true, true);
    if (errno === 0) return;
    if (errno !== 4 /* EINTR */) throw new OciError(`lock ${dir}: ${addon().strerror(errno)}`);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isCode(err: unknown, ...codes: string[]): boolean {
  return codes.includes((err as NodeJS.ErrnoException)?.code ?? "");
}
