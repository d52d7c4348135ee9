// The file calls of every command's start and of the commands clients call most (state, kill,
// start, delete): node:fs's names, signatures and errors, over the addon's plain syscalls.
// Importing node:fs costs the Bun executable about 4 ms per start, more than `state`'s own work;
// the addon loads in about 1 ms (docs/startup.md). Errors carry code, errno, syscall and path,
// with node:fs's message shape, so describeError and `code === "ENOENT"` checks work unchanged.
import { addon, type FileCalls } from "./addon.ts";
import { nodeFileCalls } from "./files-node.ts";

let calls: FileCalls | undefined;

function sys(): FileCalls {
  if (!calls) {
    try {
      calls = addon().files;
    } catch {
      calls = nodeFileCalls(); // the addon cannot load here: the same calls over node:fs
    }
  }
  return calls;
}

export class FileError extends Error {
  constructor(readonly errno: number, readonly code: string, readonly syscall: string, readonly path?: string, text = "") {
    super(`${code}: ${text.toLowerCase()}, ${syscall}${path === undefined ? "" : ` '${path}'`}`);
  }
}

/** Returns r, or throws the node:fs-shaped error for -errno. */
function check<T>(r: T | number, syscall: string, path?: string): T {
  if (typeof r === "number" && r < 0) {
    const [code, text] = sys().errnoName(-r);
    throw new FileError(-r, code, syscall, path, text);
  }
  return r as T;
}

/** open(2) flags and st_mode bits, as <fcntl.h> and <sys/stat.h> define them here. */
export const constants = new Proxy({} as FileCalls["constants"], { get: (_, k: string) => sys().constants[k as keyof FileCalls["constants"]] });

export function openSync(path: string, flags: number, mode = 0o666): number {
  return check(sys().open(path, flags, mode), "open", path);
}

export function closeSync(fd: number): void {
  check(sys().close(fd), "close");
}

export function readSync(fd: number, buf: Uint8Array, offset = 0, length = buf.length - offset): number {
  return check(sys().read(fd, buf, offset, length), "read");
}

export function writeSync(fd: number, data: Uint8Array | string, offset = 0, length?: number): number {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  return check(sys().write(fd, buf, offset, length ?? buf.length - offset), "write");
}

/** The whole file; sizes are not trusted (procfs and kernfs report 0). */
export function readFileSync(path: string): Buffer;
export function readFileSync(path: string, encoding: "utf8" | "latin1"): string;
export function readFileSync(path: string, encoding?: "utf8" | "latin1"): Buffer | string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY);
  let buf = Buffer.allocUnsafe(4096);
  let n = 0;
  try {
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = check(sys().read(fd, buf, n, buf.length - n), "read", path);
      if (got === 0) break;
      n += got;
    }
  } finally {
    sys().close(fd);
  }
  const out = buf.subarray(0, n);
  return encoding ? out.toString(encoding) : out;
}

/** Creates or truncates path (mode 0o666 before the umask, as node:fs) and writes all of data. */
export function writeFileSync(path: string, data: Uint8Array | string): void {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC);
  try {
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
  } finally {
    sys().close(fd);
  }
}

export interface Stats {
  mode: number; nlink: number; uid: number; gid: number; size: number; ino: number; dev: number; mtimeMs: number;
  isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean;
}

function toStats(f: number[]): Stats {
  const [mode, nlink, uid, gid, size, ino, dev, mtimeMs] = f;
  const type = (t: number) => () => (mode & constants.S_IFMT) === t;
  return {
    mode, nlink, uid, gid, size, ino, dev, mtimeMs,
    isDirectory: type(constants.S_IFDIR), isFile: type(constants.S_IFREG),
    isSymbolicLink: type(constants.S_IFLNK), isFIFO: type(constants.S_IFIFO),
  };
}

export function statSync(path: string): Stats {
  return toStats(check(sys().stat(path, true), "stat", path));
}

export function lstatSync(path: string): Stats {
  return toStats(check(sys().stat(path, false), "lstat", path));
}

export function fstatSync(fd: number): Stats {
  return toStats(check(sys().stat(fd, false), "fstat"));
}

function isDirectory(path: string): boolean {
  const st = sys().stat(path, true);
  return typeof st !== "number" && (st[0] & constants.S_IFMT) === constants.S_IFDIR;
}

export function existsSync(path: string): boolean {
  return typeof sys().stat(path, true) !== "number";
}

/** mkdir(2); recursive: the missing parents too, and no error when it exists (as node:fs). */
export function mkdirSync(path: string, opts: { recursive?: boolean; mode?: number } = {}): void {
  const mode = opts.mode ?? 0o777;
  const r = sys().mkdir(path, mode);
  if (r === 0 || !opts.recursive) return void check(r, "mkdir", path);
  if (r === -17 /* EEXIST */ && isDirectory(path)) return; // node:fs: EEXIST for a file there
  if (r !== -2 /* ENOENT */) return void check(r, "mkdir", path);
  const parent = path.slice(0, path.replace(/\/+$/, "").lastIndexOf("/"));
  if (parent) mkdirSync(parent, { recursive: true, mode });
  const again = sys().mkdir(path, mode);
  if (again !== -17) check(again, "mkdir", path);
}

export function rmdirSync(path: string): void {
  check(sys().rmdir(path), "rmdir", path);
}

export function unlinkSync(path: string): void {
  check(sys().unlink(path), "unlink", path);
}

export function renameSync(from: string, to: string): void {
  check(sys().rename(from, to), "rename", from);
}

export function chmodSync(path: string, mode: number): void {
  check(sys().chmod(path, mode), "chmod", path);
}

export function accessSync(path: string, mode: number = constants.F_OK): void {
  check(sys().access(path, mode), "access", path);
}

/** statfs(2); type is the file system's magic number. */
export function statfsSync(path: string): { type: number } {
  return { type: check(sys().statfs(path), "statfs", path) };
}

export function readdirSync(path: string): string[] {
  return check(sys().readdir(path, false), "scandir", path);
}

/** The names of the directories in path (symlinks not followed). */
export function subdirectoriesSync(path: string): string[] {
  return check(sys().readdir(path, true), "scandir", path);
}

/** rm -r: a symlink is removed, never followed; force: a missing path is not an error. */
export function rmSync(path: string, opts: { recursive?: boolean; force?: boolean } = {}): void {
  const st = sys().stat(path, false);
  if (typeof st === "number") {
    if (st === -2 && opts.force) return;
    check(st, "lstat", path);
    return;
  }
  if ((st[0] & constants.S_IFMT) !== constants.S_IFDIR) return unlinkSync(path);
  if (!opts.recursive) throw new FileError(21, "EISDIR", "rm", path, "is a directory");
  for (const name of readdirSync(path)) rmSync(`${path}/${name}`, { recursive: true, force: opts.force });
  const r = sys().rmdir(path);
  if (!(r === -2 && opts.force)) check(r, "rmdir", path);
}
