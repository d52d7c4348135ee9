// The addon's file calls (FileCalls) over node:fs, for host/files.ts when the addon cannot load:
// an executable copied alone where Bun cannot unpack its embedded addon (no writable /tmp).
// Slower (node:fs loads on first use, about 4 ms), but `--version`, `help` and error messages
// still work there.
import type * as Fs from "node:fs";
import type * as Os from "node:os";
import type { FileCalls } from "./addon.ts";

let loaded: typeof Fs | undefined;
const nodeFs = (): typeof Fs => (loaded ??= require("node:fs") as typeof Fs);

const texts = new Map<number, string>();

/** -errno for a node:fs error, remembering its text for errnoName. */
function fail(err: unknown): number {
  const e = err as NodeJS.ErrnoException;
  const errno = Math.abs(e.errno ?? 5);
  texts.set(errno, /^[A-Z0-9_]+: ([^,]*)/.exec(e.message)?.[1] ?? e.message);
  return -errno;
}

function attempt<T>(f: () => T): T | number {
  try {
    return f();
  } catch (err) {
    return fail(err);
  }
}

const statFields = (s: Fs.Stats): number[] => [s.mode, s.nlink, s.uid, s.gid, s.size, s.ino, s.dev, s.mtimeMs];

export function nodeFileCalls(): FileCalls {
  const fs = nodeFs();
  return {
    open: (path, flags, mode) => attempt(() => fs.openSync(path, flags, mode)),
    close: (fd) => attempt(() => (fs.closeSync(fd), 0)),
    read: (fd, buf, offset, length) => attempt(() => fs.readSync(fd, buf, offset, length, null)),
    write: (fd, buf, offset, length) => attempt(() => fs.writeSync(fd, buf, offset, length)),
    stat: (p, follow) => attempt(() => statFields(typeof p === "number" ? fs.fstatSync(p) : follow ? fs.statSync(p) : fs.lstatSync(p))),
    mkdir: (path, mode) => attempt(() => (fs.mkdirSync(path, { mode }), 0)),
    rmdir: (path) => attempt(() => (fs.rmdirSync(path), 0)),
    unlink: (path) => attempt(() => (fs.unlinkSync(path), 0)),
    rename: (from, to) => attempt(() => (fs.renameSync(from, to), 0)),
    chmod: (path, mode) => attempt(() => (fs.chmodSync(path, mode), 0)),
    readdir: (path, onlyDirs) => attempt(() => fs.readdirSync(path, { withFileTypes: true }).filter((d) => !onlyDirs || d.isDirectory()).map((d) => d.name)),
    access: (path, mode) => attempt(() => (fs.accessSync(path, mode), 0)),
    statfs: (path) => attempt(() => fs.statfsSync(path).type),
    errnoName: (errno) => {
      const osConstants = (require("node:os") as typeof Os).constants;
      const name = Object.entries(osConstants.errno).find(([, n]) => n === errno)?.[0] ?? `Unknown system error ${errno}`;
      return [name, texts.get(errno) ?? name];
    },
    constants: {
      O_RDONLY: fs.constants.O_RDONLY, O_WRONLY: fs.constants.O_WRONLY, O_RDWR: fs.constants.O_RDWR,
      O_CREAT: fs.constants.O_CREAT, O_EXCL: fs.constants.O_EXCL, O_TRUNC: fs.constants.O_TRUNC,
      O_APPEND: fs.constants.O_APPEND, O_NONBLOCK: fs.constants.O_NONBLOCK, O_NOCTTY: fs.constants.O_NOCTTY,
      O_DIRECTORY: fs.constants.O_DIRECTORY, O_NOFOLLOW: fs.constants.O_NOFOLLOW,
      S_IFMT: fs.constants.S_IFMT, S_IFDIR: fs.constants.S_IFDIR, S_IFREG: fs.constants.S_IFREG,
      S_IFLNK: fs.constants.S_IFLNK, S_IFIFO: fs.constants.S_IFIFO,
      F_OK: fs.constants.F_OK, R_OK: fs.constants.R_OK, W_OK: fs.constants.W_OK, X_OK: fs.constants.X_OK,
    },
  };
}
