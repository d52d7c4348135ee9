// The N-API syscall layer (addon/): its surface, and how it is found under Bun and Node.
// The addon is loaded only by commands that need a syscall Node/Bun lack (flock, mkfifo, clone).

/** console: the pty master when the plan has a CONSOLE op (process.terminal). */
export interface InitReady { pid: number; sync: number; console?: number; listener?: number }
export interface InitFailure { op: number; errno: number }
/** Called while spawnInit runs; each returns 0 or the errno to fail the op with. onHooks: at
 * OP_CREATE_HOOKS, with the init's pid. onListener: a NOTIFY filter's listener (the callee's to
 * close), taken from the process (pid) that loaded it, which goes on at once: hand it to the
 * agent now (a failure kills that process, which could wait on the agent forever). */
export interface SpawnCallbacks { onHooks?: (pid: number) => number; onListener?: (fd: number, pid: number) => number }
/** What the init wrote to exec.fifo when it failed after start: a startContainer hook (hook:
 * op is its index among them) or a plan op (op is its index in the plan). */
export interface StartFailure { hook: boolean; op: number; errno: number; code: number; signal: number; stdout: Uint8Array; stderr: Uint8Array }
/** Absolute paths of shadow's newuidmap/newgidmap, for the id maps the plan says a non-root
 * caller cannot write itself (USERNS_MAPS "how"); a missing one fails that op with ENOENT. */
export interface MapTools { newuidmap?: string; newgidmap?: string }
export interface NativeCoreFailure { status: number; stderr: Uint8Array; trap?: string }
export interface NotifyForwarded { ready: string | null; errno: number; step: string; barrierTimeout: boolean }

/** Plain file syscalls for host/files.ts: each returns its result or -errno. */
export interface FileCalls {
  open(path: string, flags: number, mode: number): number;
  close(fd: number): number;
  read(fd: number, buf: Uint8Array, offset: number, length: number): number;
  write(fd: number, buf: Uint8Array, offset: number, length: number): number;
  /** [mode, nlink, uid, gid, size, ino, dev, mtime ms]; a number (fd) is fstat'd, follow: stat, else lstat. */
  stat(pathOrFd: string | number, follow: boolean): number[] | number;
  mkdir(path: string, mode: number): number;
  rmdir(path: string): number;
  unlink(path: string): number;
  rename(from: string, to: string): number;
  chmod(path: string, mode: number): number;
  /** The names but "." and ".." (onlyDirs: of directories, symlinks not followed). */
  readdir(path: string, onlyDirs: boolean): string[] | number;
  /** access(2): 0 or -errno. */
  access(path: string, mode: number): number;
  /** statfs(2): the file system's magic number (f_type), or -errno. */
  statfs(path: string): number;
  /** ["ENOENT", "No such file or directory"] */
  errnoName(errno: number): [string, string];
  constants: Record<"O_RDONLY" | "O_WRONLY" | "O_RDWR" | "O_CREAT" | "O_EXCL" | "O_TRUNC" | "O_APPEND" | "O_NONBLOCK" | "O_NOCTTY" | "O_DIRECTORY" | "O_NOFOLLOW" | "S_IFMT" | "S_IFDIR" | "S_IFREG" | "S_IFLNK" | "S_IFIFO" | "F_OK" | "R_OK" | "W_OK" | "X_OK", number>;
}

export interface Addon {
  files: FileCalls;
  /** Clone the init and run the plan up to WAIT_START. fds 0-2 are inherited; fds
   * 3..3+preserveFds-1 cross into the container; fifoFd is the exec.fifo opened O_RDWR;
   * initPidfd (exec): the container init's pidfd, which the plan's SETNS_PIDFD ops name. */
  spawnInit(plan: Uint8Array, fifoFd: number, preserveFds: number, mapTools?: MapTools, callbacks?: SpawnCallbacks, initPidfd?: number): InitReady | InitFailure;
  /** Run one hook and wait for it (docs/formats.md §5): exactly args and env, stdin's text on
   * its stdin, in cwd; nsPid: placed in that process's namespaces first. errno and step: it did
   * not start ("setns", "fork", "exec", "pipe"); stdout and stderr: their last 64 KiB. */
  runHook(spec: { path: string; args: string[]; env: string[]; stdin: string; cwd: string; timeoutMs: number; nsPid?: number }): {
    errno: number; step: string; code: number; signal: number; timedOut: boolean; stdout: Uint8Array; stderr: Uint8Array;
  };
  /** start: write the start byte to exec.fifo, then wait until the init has exec'd the user's
   * process (or failed first: failure, from its record in the fifo). gone: it exited before it
   * read the byte; errno: the fifo could not be opened (ENOENT: none). */
  startInit(fifo: string): { errno: number; gone: boolean; failure?: StartFailure };
  /** Send ACK: the init clears PDEATHSIG and waits for start. Closes sync. */
  releaseInit(sync: number): void;
  /** SIGKILL the init, reap it, close sync (create failed after READY); sync -1: any child. */
  abortInit(pid: number, sync: number): void;
  /** A child that only waits to be killed (abortInit(pid, -1)): it keeps a new systemd scope
   * alive until the init is in its cgroup. Dies with this process; holds no fds. pid or -errno. */
  holdProcess(): number;
  /** mount(2) MS_BIND|MS_REC of source on target: 0 or the errno. */
  bindMount(source: string, target: string): number;
  /** umount2(2) MNT_DETACH: 0 or the errno. */
  unmount(target: string): number;
  /** A close-on-exec SOCK_SEQPACKET socketpair: [ours, the child's], or -errno. */
  seqpacketPair(): [number, number] | number;
  /** Sends one message; 0 or the errno. */
  seqpacketSend(fd: number, msg: Uint8Array): number;
  /** Waits for the next message: its bytes (empty: the peer is gone) and an fd passed with it
   * (close-on-exec; -1: none), or -errno. */
  seqpacketRecv(fd: number): { data: Uint8Array; fd: number } | number;
  /** pidfd_open(2): a close-on-exec pidfd for pid, or -errno. */
  pidfdOpen(pid: number): number;
  /** A child's end within ms (then reaped), null while it runs, or -errno (no pidfd). */
  waitExitFor(pid: number, ms: number): { code: number; signal: number } | null | number;
  /** Becomes the waiter program for pid (addon/waiter/), then finishArgv if not empty; returns
   * only on failure, the errno. */
  handOffWait(pid: number, finishArgv: string[]): number;
  /** Wait for a child of this process to exit, off the JS thread. */
  waitExit(pid: number): Promise<{ code: number; signal: number }>;
  /** flock(2); returns 0 or an errno. */
  flock(fd: number, exclusive: boolean, wait: boolean): number;
  /** mkfifo(2); returns 0 or an errno. */
  mkfifo(path: string, mode: number): number;
  /** Connect to an AF_UNIX stream socket and send fd with SCM_RIGHTS (--console-socket); 0 or errno. */
  sendFd(socketPath: string, fd: number, name: string): number;
  /** TIOCSWINSZ on a pty master; 0 or errno. */
  setWinsize(fd: number, rows: number, cols: number): number;
  /** Bind the AF_UNIX datagram socket a container's NOTIFY_SOCKET names (mode 0777): fd or -errno. */
  notifyListen(path: string): number;
  /** Connect to the host's NOTIFY_SOCKET (a path or "@abstract"), wait on listener until a
   * datagram has a line "READY=…" or pid exits, then send that line, MAINPID=mainPid and
   * BARRIER=1 (waiting barrierMs for its answer). ready: the line, or null if pid exited first;
   * errno and step ("connect", "wait", "send", "barrier") name a failure. */
  notifyForward(listener: number, pid: number, host: string, mainPid: number, barrierMs: number): Promise<NotifyForwarded>;
  /** cgroup v2: load the device program (8-byte bpf_insn words) and attach it to the cgroup at
   * dir in place of those it had. errno 0, or the errno of the failed step ("open", "load",
   * "attach", "detach"); log: the verifier's words when it refused the program. */
  attachDeviceProgram(dir: string, program: Uint8Array): { errno: number; step: string; log: string };
  /** strerror(3) text for errno. */
  strerror(errno: number): string;
  /** The policy core compiled in (core.wasm through wasm2c): the verdict for a request, or how
   * the run ended otherwise: proc_exit's status and the core's stderr, and a trap's kind. */
  runCore(request: Uint8Array): Uint8Array | NativeCoreFailure;
}

let loaded: Addon | undefined;

export function addon(): Addon {
  loaded ??= besideExecutable() ?? (require("../addon/build/Release/ocirun.node") as Addon);
  return loaded;
}

/** The executable's own build of the addon, from the file build:bin puts beside it (named by
 * its content hash, so another build's file is never taken); undefined: load the embedded copy
 * (the literal path above is what `bun build --compile` embeds). */
function besideExecutable(): Addon | undefined {
  if (typeof OCIRUN_ADDON_FILE !== "string") return undefined;
  const dir = process.execPath.slice(0, process.execPath.lastIndexOf("/"));
  const mod = { exports: {} as Addon };
  try {
    process.dlopen(mod, `${dir}/${OCIRUN_ADDON_FILE}`);
    return mod.exports;
  } catch {
    return undefined;
  }
}
