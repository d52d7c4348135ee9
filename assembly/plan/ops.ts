// The only source of plan opcodes. scripts/gen-ops.mjs turns the lines below into
// addon/src/ops.gen.h and host/plan/ops.gen.ts; test/unit/core/interface.test.ts fails if they drift.
// Line format (parsed by the generator):
//   export const OP_NAME: u16 = N; // args: kind name, kind name, ...
// Arg kinds: str (u64 offset into the string table), u64, list (u64 count n, then n u64 words;
// "list str" = n string offsets, "list u64" = n values of at most 32 bits, "list word" = n raw
// 64-bit words). Paths marked "in root" are resolved inside the container's
// root (openat2 RESOLVE_IN_ROOT on the rootfs fd before pivot_root, on "/" after).

// The byte layout (little-endian), generated for the addon and the host too. Header: magic "OCIP"
// (0x5049434f as a u32), version, op count, first op's offset, string table offset and length,
// clone flags. Each op: opcode (u16), argc (u16), source and what (string offsets, u32), then
// argc u64 words.
export const PLAN_MAGIC: u32 = 0x5049434f;
export const PLAN_VERSION: u32 = 1;
export const PLAN_HEADER_SIZE: u32 = 32;
export const PLAN_VERSION_AT: u32 = 4;
export const PLAN_COUNT_AT: u32 = 8;
export const PLAN_FIRST_OP_AT: u32 = 12;
export const PLAN_STRINGS_AT: u32 = 16;
export const PLAN_STRINGS_LEN_AT: u32 = 20;
export const PLAN_CLONE_FLAGS_AT: u32 = 24;
export const PLAN_OP_HEADER_SIZE: u32 = 16;
export const PLAN_OP_ARGC_AT: u32 = 2;
export const PLAN_OP_SOURCE_AT: u32 = 4;
export const PLAN_OP_WHAT_AT: u32 = 8;

export const OP_SETNS: u16 = 1; // args: str path, u64:clone nstype
export const OP_UNSHARE: u16 = 2; // args: u64:clone flags
export const OP_FORK_INIT: u16 = 3; // args:
// ROOTFS comes after the rootfs is bound onto itself: an fd taken before would sit under that bind.
export const OP_ROOTFS: u16 = 4; // args: str path
export const OP_MOUNT: u16 = 5; // args: str source, str target, str fstype, u64:mount flags, str data, u64:where where
export const OP_MKTARGET: u16 = 6; // args: str target, u64 kind, str source
export const OP_MKNOD: u16 = 7; // args: str target, u64:octal mode, u64 major, u64 minor, u64 uid, u64 gid
export const OP_SYMLINK: u16 = 8; // args: str linktarget, str linkpath
export const OP_PIVOT_ROOT: u16 = 9; // args: str rootfs
export const OP_MOVE_ROOT: u16 = 10; // args: str rootfs
// missing_ok: a path the rootfs lacks is skipped (runc's reading of maskedPaths and
// readonlyPaths), else it fails the op with ENOENT.
export const OP_MASK_PATH: u16 = 11; // args: str path, u64 missing_ok
export const OP_READONLY_PATH: u16 = 12; // args: str path, u64 missing_ok
export const OP_SETHOSTNAME: u16 = 13; // args: str name
export const OP_SETDOMAINNAME: u16 = 14; // args: str name
export const OP_SETRLIMIT: u16 = 15; // args: u64:named resource, u64 soft, u64 hard
export const OP_CAP_BOUNDING: u16 = 16; // args: u64:caps keep
// keep_groups: setgroups(2) is not called (the user namespace's setgroups is "deny", as a
// rootless caller's own-gid map makes it, and no groups are asked for): the groups stay.
export const OP_USER: u16 = 17; // args: u64 uid, u64 gid, list u64 groups, u64 keep_groups
export const OP_CAPS: u16 = 18; // args: u64:caps effective, u64:caps permitted, u64:caps inheritable, u64:caps ambient
export const OP_NO_NEW_PRIVS: u16 = 19; // args:
export const OP_UMASK: u16 = 20; // args: u64:octal mask
export const OP_CHDIR: u16 = 21; // args: str path
export const OP_FIND_EXEC: u16 = 22; // args: list str candidates
export const OP_WAIT_START: u16 = 23; // args:
export const OP_EXEC: u16 = 24; // args: list str argv, list str envp
export const OP_SESSION_KEYRING: u16 = 25; // args: str name
// Right after the user namespace is made: the host writes these as /proc/<pid>/{uid,gid}_map,
// then the init becomes root in the namespace. how (USERNS_* bits, the core's choice from the
// euid/egid facts): write "deny" to /proc/<pid>/setgroups first, and run newuidmap/newgidmap
// with the map instead of writing it (a non-root caller may write only a map of its own id).
export const OP_USERNS_MAPS: u16 = 26; // args: str uidmap, str gidmap, u64:named how
// process.terminal: open a pty in the container's devpts, bind its peer over /dev/console, send
// the master to the host, make the peer the controlling terminal and stdio.
export const OP_CONSOLE: u16 = 27; // args: u64 rows, u64 cols
// The /proc writes go through a procfs the executor verified (fstatfs PROC_SUPER_MAGIC), then
// openat2 beneath it without crossing mounts: SYSCTL uses the container's /proc (in root, after
// the pivot), TIME_OFFSETS the /proc the init starts with. path is relative to it.
export const OP_SYSCTL: u16 = 28; // args: str path, str value
// Before CLONE_INIT: done by the executor on itself around the clone (the child inherits it):
// lowering it needs CAP_SYS_RESOURCE in the host's user namespace. A failure is reported
// against this op.
export const OP_OOM_SCORE_ADJ: u16 = 29; // args: str value
// sched_setattr(2) on the init; nice is a two's-complement i32 in the word.
export const OP_SCHEDULER: u16 = 30; // args: u64:named policy, u64:named flags, u64:named nice, u64 priority, u64 runtime, u64 deadline, u64 period
export const OP_IOPRIO: u16 = 31; // args: u64:named ioprio
export const OP_PERSONALITY: u16 = 32; // args: u64:named persona
// After unshare(CLONE_NEWTIME), before any process enters it (FORK_INIT): /proc/self/timens_offsets.
export const OP_TIME_OFFSETS: u16 = 33; // args: str offsets
// set_mempolicy(2): mode with its MPOL_F_* flags; the node mask in 32-bit words, lowest first.
export const OP_MEMORY_POLICY: u16 = 34; // args: u64:named mode, list u64 nodemask
// mount_setattr(2) with AT_RECURSIVE on the mount at target (the r* options), after its
// mount and propagation ops. The core picks the MOUNT_ATTR_* bits; propagation stays 0.
export const OP_MOUNT_SETATTR: u16 = 35; // args: str target, u64:named attr_set, u64:named attr_clr, u64 propagation
// An idmapped bind. The init asks the host (sync IDMAP_TREE), which clones the source tree in
// the init's mount namespace (open_tree), idmaps it to a user namespace made with uidmap and
// gidmap, or to the init's own when both are "" (idmap/ridmap without maps of the mount's),
// and sends it back; the init moves it onto target. Only the host's root may idmap a mount.
export const OP_MOUNT_IDMAP: u16 = 36; // args: str source, str target, u64 recursive, str uidmap, str gidmap
// Labels that take effect at execve, written through the container's verified procfs (as
// SYSCTL): APPARMOR writes "exec <profile>" to thread-self/attr/apparmor/exec (attr/exec on
// kernels without it), SELINUX_EXEC_LABEL the label to thread-self/attr/exec.
export const OP_APPARMOR: u16 = 37; // args: str profile
export const OP_SELINUX_EXEC_LABEL: u16 = 38; // args: str label
// seccomp(SECCOMP_SET_MODE_FILTER, flags) with the core's cBPF program, one struct sock_filter
// per word (code | jt << 16 | jf << 24 | k << 32). notify 1: flags has NEW_LISTENER, and the
// listener goes to the host (sync SECCOMP_LISTENER) for the agent at listenerPath: only its fd
// number, in one write(2) (never notified: the core refuses NOTIFY on write); the host takes the
// fd with pidfd_getfd and hands it to the agent before it reads anything else from us, and we
// neither wait nor close it (close-on-exec), so no syscall of ours can wait on an agent that has
// no listener yet. A rootless host may take it too: after EXEC_SEALED our memory belongs to the
// container's user namespace, which that host owns (the ptrace check pidfd_getfd makes).
export const OP_SECCOMP: u16 = 39; // args: u64 flags, list word program, u64 notify
// After setns into a user namespace (runc's nsexec does the same): setgroups(0) where the
// namespace allows it, then setresgid and setresuid to 0, so the init is root there (its ids
// stay the host's, unmapped, until then). After the time offsets, whose /proc/self file still
// belongs to the host's root, as USERNS_MAPS.
export const OP_BECOME_ROOT: u16 = 40; // args:
// linux.netDevices: the init asks the host (sync NET_DEVICE), which moves the host interface
// hostName into the init's network namespace as containerName (one RTM_NEWLINK from the host's
// namespace), puts back its permanent global addresses and brings it up there. After the
// namespaces (and FORK_INIT): only the host's root, in the host's namespace, may move it.
export const OP_NET_DEVICE: u16 = 41; // args: str hostName, str containerName
// A tmpfs mount with the tmpcopyup option, in place of its MOUNT: open the directory target
// (in root), mount the tmpfs on it, then copy what the directory held (files, directories,
// symlinks as symlinks, device nodes, fifos; owners and modes) into the tmpfs, through the fd
// opened before the mount. flags never has MS_RDONLY: a read-only one is remounted after it.
export const OP_TMPCOPYUP: u16 = 42; // args: str source, str target, u64:mount flags, str data
// exec -t: a pty in the container's devpts (in root) as for CONSOLE, its master sent to the host
// (sync CONSOLE), the peer made the controlling terminal and stdio; no /dev/console bind.
export const OP_EXEC_CONSOLE: u16 = 43; // args: u64 rows, u64 cols
// process.execCPUAffinity, exec only: sched_setaffinity(0) with the mask in 32-bit words,
// lowest first (as MEMORY_POLICY's nodemask). EINVAL: none of its CPUs is online.
export const OP_CPU_AFFINITY: u16 = 44; // args: list u64 mask
// The container's cgroups, joined before anything else (so a new cgroup namespace made after it
// is rooted there, and every process the init makes is counted): the init sends sync CGROUP and
// waits; the host writes the sender's pid to each procs file ("<dir>/cgroup.procs") and answers
// CGROUP_DONE with 0 or the errno. Nothing to do when CLONE_INIT's clone_into put the process
// there already. busy_fallback (exec on v2, as runc): the procs file to write instead when the
// kernel refuses the join with EBUSY (the container's cgroup delegates domain controllers to
// sub-cgroups of its own, so it may hold no process): the init's cgroup.
export const OP_CGROUP_JOIN: u16 = 45; // args: list str procs, str busy_fallback
// The create-time hook point (prestart, createRuntime, createContainer), after the mounts and
// before pivot_root: the init sends sync HOOKS and waits; the host runs the hooks (those in the
// container's namespaces from a process it places there) and answers HOOKS_DONE with 0, or an
// errno that fails the op (the host then reports the hook that failed).
export const OP_CREATE_HOOKS: u16 = 46; // args:
// One startContainer hook, run by the init itself after start (so with the container process's
// namespaces, root, credentials and filter, as runc): fork, execve path with exactly argv and
// envp, the state JSON on stdin (state_head, the init's pid as it sees it, state_tail); wait,
// killing it after timeout seconds (0: none). A failure is written to exec.fifo for `start`.
export const OP_START_HOOK: u16 = 47; // args: str path, list str argv, list str envp, u64 timeout, str state_head, str state_tail, u64 index
// stdio (a terminal's pty, or the caller's pipes) made the user's, before the uid change: fds
// 0-2 that are not /dev/null and not owned by uid yet are fchown'ed to it (group unchanged),
// EINVAL and EPERM ignored, as runc's fixStdioPermissions.
export const OP_CHOWN_STDIO: u16 = 48; // args: u64 uid
// The mount that holds path (the nearest mount point at or above it) made private, as runc's
// rootfsParentMountPrivate: the rootfs's bind on itself is then a private mount, and pivot_root
// accepts it whatever propagation "/" was given (the kernel refuses a shared parent).
export const OP_PRIVATE_PARENT: u16 = 49; // args: str path
// exec: setns(2) on the pidfd of the container's init with one CLONE_NEW* type (Linux 5.8). The
// host opened the pidfd and then checked the process's start time against the state, so a pid
// reused since can never be joined: setns fails with ESRCH once that init has exited.
export const OP_SETNS_PIDFD: u16 = 50; // args: u64 pidfd, u64:clone nstype
// setsid(2): the process leads a session of its own, as runc's init and exec'd processes do
// (so a checkpoint's process tree has its session leader inside the container). EPERM means it
// leads one already (CONSOLE made it): nothing to do.
export const OP_SETSID: u16 = 53; // args:

// The runtime's own binary ends here (CVE-2019-5736): the executor execs the sealed init
// program (a small static executable it writes to a sealed memfd) with the plan in another
// sealed memfd, and that program runs every op after this one. Those ops (and only they) are
// the process's last steps: SECCOMP, CAP_BOUNDING, USER, CAPS, NO_NEW_PRIVS, UMASK,
// FIND_EXEC, PERSONALITY, CPU_AFFINITY, APPARMOR, SELINUX_EXEC_LABEL, WAIT_START,
// START_HOOK and EXEC. So the waiting init's /proc/<pid>/exe is that sealed copy, never a
// writable host file, and the runtime's heap is gone from every waiting container.
export const OP_EXEC_SEALED: u16 = 51; // args:
// Where the executor clones the process that runs the rest of the plan. The ops before it are
// the runtime's own, done on itself around the clone so that the clone inherits them (only
// OOM_SCORE_ADJ, then restored). clone_into: the cgroup2 directory to clone it into (clone3
// CLONE_INTO_CGROUP, so it is born in the container's cgroup; "": none); on a kernel without
// it, the CGROUP_JOIN that follows joins it through the host. A plan without CLONE_INIT is
// cloned before its first op.
export const OP_CLONE_INIT: u16 = 52; // args: str clone_into

// OP_MOUNT "where" bits.
export const WHERE_TARGET_IN_ROOT: u64 = 1; // target is a path inside the container root
export const WHERE_SOURCE_IN_ROOT: u64 = 2; // source is a path inside the container root
export const WHERE_PROPAGATION: u64 = 4; // flags-only call (MS_SHARED/MS_SLAVE/...), source and fstype ignored
export const WHERE_REAL_DIR: u64 = 8; // the target itself must be a directory, not a symlink to one (proc, sysfs: CVE-2019-16884)

// OP_MKTARGET kinds. MKTARGET_LIKE_SOURCE stats a host path, so it only works before the pivot.
export const MKTARGET_DIR: u64 = 1;
export const MKTARGET_FILE: u64 = 2;
export const MKTARGET_LIKE_SOURCE: u64 = 3; // a file if the source is not a directory, else a directory
export const MKTARGET_REAL_DIR: u64 = 4; // a directory; an existing one must not be a symlink (WHERE_REAL_DIR's mounts)

// OP_MOUNT_IDMAP "recursive" bits.
export const IDMAP_TREE: u64 = 1; // rbind: the clone takes the submounts too
export const IDMAP_RECURSIVE: u64 = 2; // ridmap: the submounts are idmapped too
export const IDMAP_PLAIN: u64 = 4; // no idmapping: the host's clone of the source only (a bind whose source the container's user namespace may not reach, as runc's mount fds)
export const IDMAP_MAKE_TARGET: u64 = 8; // the init makes the mount point, a file or a directory as the tree is (no MKTARGET: it could not stat the source)

// OP_USERNS_MAPS "how" bits. None: the host writes both maps itself (it is root).
export const USERNS_NEWUIDMAP: u64 = 1; // run newuidmap <pid> <uidmap words> (shadow's setuid helper)
export const USERNS_NEWGIDMAP: u64 = 2; // run newgidmap <pid> <gidmap words>
export const USERNS_DENY_SETGROUPS: u64 = 4; // "deny" to setgroups before gid_map; the init never calls setgroups(2)
