// The checks checkpoint and restore make on their flags before anything else, with runc's words
// (checkpoint.go, restore.go, utils_linux.go's criuOptions): a bad flag is refused before CRIU
// is ever started, and nothing is left behind.
import { closeSync, constants, mkdirSync, openSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { OciError } from "./errors.ts";

// runc's namespaceMapping: the namespace types --empty-ns may name.
const NAMESPACES = new Set(["pid", "network", "mount", "ipc", "uts", "user", "cgroup"]);

export interface CriuFlagValues {
  imagePath?: string;
  workPath?: string;
  manageCgroupsMode?: string;
  emptyNs: string[];
  pageServer?: string;
  statusFd?: string;
  parentPath?: string;
}

/** The flags both commands share, and checkpoint's page server and status fd. */
export function checkCriuFlags(opts: CriuFlagValues): void {
  const mode = opts.manageCgroupsMode ?? "";
  if (!["", "soft", "full", "strict"].includes(mode)) throw new OciError("Invalid manage cgroups mode");
  for (const ns of opts.emptyNs) if (!NAMESPACES.has(ns)) throw new OciError(`namespace ${JSON.stringify(ns)} is not supported`);
  if (opts.pageServer !== undefined && opts.pageServer !== "") pageServer(opts.pageServer);
  if (opts.statusFd !== undefined && !/^-?\d+$/.test(opts.statusFd)) throw new OciError(`invalid value ${JSON.stringify(opts.statusFd)} for flag -status-fd: parse error`);
}

/** --page-server ADDRESS:PORT as net.SplitHostPort reads it (host:port, or [v6]:port), as
 * criu_page_server_info wants it; runc's words for a bad one. */
export function pageServer(value: string): { address: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):([^:]*)$/.exec(value);
  const address = m?.[1] ?? m?.[2] ?? "";
  if (!m || address === "" || m[3] === "") throw new OciError("Use --page-server ADDRESS:PORT to specify page server");
  if (!/^\d+$/.test(m[3])) throw new OciError("Invalid port number");
  return { address, port: Number(m[3]) };
}

/** --image-path, or runc's default: ./checkpoint. */
export const imagePathOf = (opts: CriuFlagValues): string => resolve(opts.imagePath || join(process.cwd(), "checkpoint"));

/** The image and work directories (--work-path, made if missing; default: the image path)
 * opened for CRIU, which reads them through /proc/<our pid>/fd, for the length of fn. */
export async function withCriuDirs<T>(imagePath: string, opts: CriuFlagValues, fn: (dirs: { imageFd: number; workFd: number; workPath: string }) => Promise<T>): Promise<T> {
  const workPath = resolve(opts.workPath || imagePath);
  mkdirSync(workPath, { recursive: true, mode: 0o700 });
  const imageFd = openSync(imagePath, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const workFd = openSync(workPath, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      return await fn({ imageFd, workFd, workPath });
    } finally {
      closeSync(workFd);
    }
  } finally {
    closeSync(imageFd);
  }
}

/** runc's prepareImagePaths: the image path (default ./checkpoint), made if missing, and the
 * parent path, which must be relative to it and name a directory there. */
export function prepareImagePaths(opts: CriuFlagValues): { imagePath: string; parentPath: string } {
  const imagePath = imagePathOf(opts);
  mkdirSync(imagePath, { recursive: true, mode: 0o700 });
  const parentPath = opts.parentPath ?? "";
  if (parentPath === "") return { imagePath, parentPath };
  if (isAbsolute(parentPath)) throw new OciError("--parent-path must be relative");
  const real = join(imagePath, parentPath);
  let dir: boolean;
  try {
    dir = statSync(real).isDirectory();
  } catch {
    throw new OciError(`invalid --parent-path: stat ${real}: no such file or directory`);
  }
  if (!dir) throw new OciError(`invalid --parent-path: ${real}: not a directory`);
  return { imagePath, parentPath };
}

// criu_cg_mode by --manage-cgroups-mode (runc: soft when not given).
const CG_MODES: Record<string, number> = { "": 3, soft: 3, full: 4, strict: 5 };
// CLONE_NEW* by namespace type, for --empty-ns (criu_opts.empty_ns is their sum).
const CLONE_FLAGS: Record<string, number> = {
  mount: 0x20000, uts: 0x4000000, ipc: 0x8000000, user: 0x10000000, pid: 0x20000000, network: 0x40000000, cgroup: 0x2000000,
};

export interface CriuCommonOptions extends CriuFlagValues {
  tcpEstablished: boolean;
  extUnixSk: boolean;
  shellJob: boolean;
  fileLocks: boolean;
  autoDedup: boolean;
  lazyPages: boolean;
}

/** criu_opts both requests share, runc's way: the image and work directories as our open fds,
 * full logs, cgroups managed, action scripts notified, a terminal's master kept as an orphan. */
export function commonCriuOptions(opts: CriuCommonOptions, dirs: { imageFd: number; workFd: number }, root: string, logFile: string): Record<string, unknown> {
  return {
    imagesDirFd: dirs.imageFd, workDirFd: dirs.workFd, logLevel: 4, logFile, root,
    manageCgroups: true, manageCgroupsMode: CG_MODES[opts.manageCgroupsMode ?? ""], notifyScripts: true, orphanPtsMaster: true,
    shellJob: opts.shellJob, tcpEstablished: opts.tcpEstablished, extUnixSk: opts.extUnixSk, fileLocks: opts.fileLocks,
    autoDedup: opts.autoDedup, lazyPages: opts.lazyPages,
    emptyNs: opts.emptyNs.reduce((sum, ns) => sum | CLONE_FLAGS[ns], 0),
  };
}
