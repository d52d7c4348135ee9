// The child between clone and execve (DESIGN.md, "The process model"): no allocation,
// no exceptions, no locks, no stdio, no glibc set*id wrappers. One case per op.
#include "exec_plan.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "op_args.gen.h"
#include "ops.gen.h"
#include "raw.h"
#include "console.h"
#include "init_program.h"
#include "mount_attr_ops.h"
#include "net_device.h"
#include "proc_title.h"
#include "process_ops.h"
#include "rootfs_ops.h"
#include "sync_msg.h"
#include "tmpcopyup.h"

namespace {

struct Child {
  const PreparedPlan* plan;
  ChildSetup setup;
  int sync;                   // -1 once released: errors then go to fd 2
  int root = -1;              // the container root for in-root resolution (OP_ROOTFS)
};

[[noreturn]] void fail(Child& c, int index, int err) {
  if (c.sync >= 0) {
    sync_send(c.sync, SYNC_ERROR, index, err, 0);
    raw_exit(1);
  }
  char i[24], e[24];
  unsigned code = index >= 0 ? c.plan->ops[index].code : 0;
  const char* parts[] = {"ocirun: plan op ", raw_itoa(index, i), " (", op_name(code), "): errno ",
                         raw_itoa(err, e), "\n", nullptr};
  raw_write_parts(2, parts);
  raw_exit(1);
}

void set_name(const char* name) { syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0); }

// CVE-2024-21626: a cwd outside the root (through a leaked fd) reads "(unreachable)/...".
int op_chdir(const char* path) {
  char cwd[PATH_MAX];
  long r = rsys(SYS_chdir, path);
  if (r >= 0) r = rsys(SYS_getcwd, cwd, sizeof cwd);
  if (r < 0) return err_of(r);
  return cwd[0] == '/' ? 0 : EPERM;
}

// The host runs the create-time hooks while we wait (it places those that run in our
// namespaces); a failed hook fails this op with the errno it answers.
// Dumpable meanwhile, as for USERNS_MAPS: a rootless host may then open our /proc/<pid>/ns
// files to place a createContainer hook (they belong to root while we are not dumpable); no
// process of the container exists yet.
int op_create_hooks(Child& c, int index) {
  if (long r = rsys(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0); r < 0) return err_of(r);
  if (int r = sync_send(c.sync, SYNC_HOOKS, index, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(c.sync, &m) <= 0 || m.kind != SYNC_HOOKS_DONE) raw_exit(1);  // host gone
  if (long r = rsys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0); r < 0) return err_of(r);
  return m.err;
}

// Only stdio and fds 3..3+n-1 cross into the container (CVE-2016-9962, CVE-2024-21626).
// runc's fixStdioPermissions: the user's process may then reopen its own terminal.
int op_chown_stdio(uint64_t uid) {
  struct stat null_dev;
  bool have_null = rsys(SYS_newfstatat, AT_FDCWD, "/dev/null", &null_dev, 0) == 0;
  for (int fd = 0; fd < 3; fd++) {
    struct stat st;
    if (rsys(SYS_fstat, fd, &st) < 0) continue;  // a closed stdio fd
    if (st.st_uid == uid || (have_null && S_ISCHR(st.st_mode) && st.st_rdev == null_dev.st_rdev)) continue;
    long r = rsys(SYS_fchown, fd, uid, (uint32_t)-1);
    if (r < 0 && r != -EINVAL && r != -EPERM) return err_of(r);
  }
  return 0;
}

// The end of the runtime's binary (ops.ts, OP_EXEC_SEALED): only stdio, the preserved fds, sync,
// the fifo and the plan cross the execve into the sealed init program, which runs the ops
// after index.
int op_exec_sealed(Child& c, int index) {
  raw_close(c.root);
  c.root = -1;
  int keep_end = 3 + c.setup.preserve_fds;
  long r = rsys(SYS_close_range, keep_end, ~0U, CLOSE_RANGE_CLOEXEC);
  if (r < 0) return err_of(r);
  // 0-2 too: Node marks its stdio close-on-exec at start-up (uv_disable_stdio_inheritance).
  for (int fd = 0; fd < keep_end; fd++) syscall(SYS_fcntl, fd, F_SETFD, 0);
  long program = sealed_init_program();
  if (program < 0) return err_of(program);
  long plan = sealed_memfd("ocirun-plan", c.plan->data, c.plan->size);
  if (plan < 0) {
    raw_close((int)program);
    return err_of(plan);
  }
  const int handed[] = {c.sync, c.setup.fifo, (int)plan};
  for (int fd : handed)
    if (fd >= 0) syscall(SYS_fcntl, fd, F_SETFD, 0);
  // addon/init/init_main.cc: "sync,fifo,plan,first,preserve_fds,cap_last_cap".
  char arg[6 * 24], num[24];
  const long fields[] = {c.sync, c.setup.fifo, plan, index + 1, c.setup.preserve_fds, c.setup.cap_last_cap};
  size_t n = 0;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    if (i) arg[n++] = ',';
    for (const char* p = raw_itoa(fields[i], num); *p; p++) arg[n++] = *p;
  }
  arg[n] = 0;
  const char* argv[] = {"ocirun", "init", arg, nullptr};
  const char* envp[] = {nullptr};
  r = rsys(SYS_execveat, program, "", argv, envp, AT_EMPTY_PATH);
  raw_close((int)program);
  raw_close((int)plan);
  return err_of(r);
}

// Root in the user namespace we are in, as runc's nsexec. The capabilities stay: the kernel
// clears them when no uid is the namespace's root any more, and here all three become it.
int become_root() {
  long r = rsys(SYS_setresgid, 0, 0, 0);
  if (r >= 0) r = rsys(SYS_setresuid, 0, 0, 0);
  // A credential change clears PDEATHSIG and dumpable: re-arm both.
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  return err_of(r);
}

// New user namespace: the host writes our id maps (only it may), then we become root in it.
// Dumpable meanwhile, as runc's nsexec makes itself for this: the /proc/<pid> files of a
// non-dumpable process belong to root, and a non-root host could not open uid_map.
// become_root() makes us non-dumpable again.
int op_userns_maps(Child& c, int index) {
  if (long r = rsys(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0); r < 0) return err_of(r);
  if (int r = sync_send(c.sync, SYNC_MAPS, index, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(c.sync, &m) <= 0 || m.kind != SYNC_MAPS_DONE) raw_exit(1);  // host gone
  if (m.err) return m.err;
  return become_root();
}

// Joined user namespace: it has its maps. Drop the host's supplementary groups first where the
// namespace allows it (EPERM: its setgroups file says "deny"; we hold CAP_SETGID there).
int op_become_root() {
  long r = rsys(SYS_setgroups, 0, 0);
  if (r < 0 && r != -EPERM) return err_of(r);
  return become_root();
}

// The host writes our pid into the container's cgroups (only it may, and it knows our pid as it
// sees it); nothing to do when the clone put us there already.
int op_cgroup_join(Child& c, int index) {
  if (c.setup.born_in_cgroup) return 0;
  if (int r = sync_send(c.sync, SYNC_CGROUP, index, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(c.sync, &m) <= 0 || m.kind != SYNC_CGROUP_DONE) raw_exit(1);  // host gone
  return m.err;
}

// The intermediate reports the init's pid and leaves; the init is the runtime's child.
int op_fork_init(Child& c, int index) {
  long pid = rsys(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return err_of(pid);
  if (pid > 0) raw_exit(sync_send(c.sync, SYNC_PID, index, 0, (int32_t)pid) ? 1 : 0);
  set_name("ocirun:[2:INIT]");
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  // not inherited across clone
  return 0;
}

int run_op(Child& c, int index, const PlanOp& op) {
  switch (op.code) {
    case OP_SETNS: {
      SetnsArgs a = setns_args(op);
      long fd = rsys(SYS_openat, AT_FDCWD, a.path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) return err_of(fd);
      long r = rsys(SYS_setns, fd, a.nstype);
      raw_close((int)fd);
      return err_of(r);
    }
    case OP_SETNS_PIDFD: return err_of(rsys(SYS_setns, setns_pidfd_args(op).pidfd, setns_pidfd_args(op).nstype));
    case OP_SETSID: {
      long r = rsys(SYS_setsid);
      return r == -EPERM ? 0 : err_of(r);
    }
    case OP_UNSHARE: return err_of(rsys(SYS_unshare, unshare_args(op).flags));
    case OP_CGROUP_JOIN: return op_cgroup_join(c, index);
    case OP_CREATE_HOOKS: return op_create_hooks(c, index);
    case OP_CHOWN_STDIO: return op_chown_stdio(chown_stdio_args(op).uid);
    case OP_FORK_INIT: return op_fork_init(c, index);
    case OP_USERNS_MAPS: return op_userns_maps(c, index);
    case OP_BECOME_ROOT: return op_become_root();
    case OP_NET_DEVICE: return op_net_device(c.sync, index);
    case OP_CONSOLE: return op_console(c.root, c.sync, index, console_args(op).rows, console_args(op).cols);
    case OP_EXEC_CONSOLE: return op_exec_console(c.root, c.sync, index, exec_console_args(op).rows, exec_console_args(op).cols);
    case OP_ROOTFS: {
      long fd = rsys(SYS_openat, AT_FDCWD, rootfs_args(op).path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return err_of(fd);
      raw_close(c.root);
      c.root = (int)fd;
      return 0;
    }
    case OP_MOUNT: return op_mount(c.root, op);
    case OP_PRIVATE_PARENT: return op_private_parent(private_parent_args(op).path);
    case OP_MKTARGET: return op_mktarget(c.root, op);
    case OP_MOUNT_SETATTR: return op_mount_setattr(c.root, op);
    case OP_TMPCOPYUP: return op_tmpcopyup(c.root, op);
    case OP_MOUNT_IDMAP: return op_mount_idmap(c.root, c.sync, index, op);
    case OP_MKNOD: return op_mknod(c.root, op);
    case OP_SYMLINK: return op_symlink(c.root, op);
    case OP_PIVOT_ROOT: return op_pivot_root(&c.root, pivot_root_args(op).rootfs);
    case OP_MOVE_ROOT: return op_move_root(&c.root, move_root_args(op).rootfs);
    case OP_MASK_PATH: return op_mask_path(c.root, mask_path_args(op).path, mask_path_args(op).missing_ok != 0);
    case OP_READONLY_PATH: return op_readonly_path(c.root, readonly_path_args(op).path, readonly_path_args(op).missing_ok != 0);
    case OP_SESSION_KEYRING: {
      // KEYCTL_JOIN_SESSION_KEYRING; a kernel without keys (ENOSYS) has nothing to isolate.
      long r = rsys(SYS_keyctl, 1, (long)session_keyring_args(op).name, 0, 0, 0);
      return r == -ENOSYS ? 0 : err_of(r);
    }
    case OP_SETHOSTNAME: {
      const char* name = sethostname_args(op).name;
      return err_of(rsys(SYS_sethostname, name, raw_strlen(name)));
    }
    case OP_SETDOMAINNAME: {
      const char* name = setdomainname_args(op).name;
      return err_of(rsys(SYS_setdomainname, name, raw_strlen(name)));
    }
    case OP_SETRLIMIT: {
      SetrlimitArgs a = setrlimit_args(op);
      struct rlimit64 lim = {a.soft, a.hard};
      return err_of(rsys(SYS_prlimit64, 0, a.resource, &lim, 0));
    }
    case OP_CHDIR: return op_chdir(chdir_args(op).path);
    case OP_SYSCTL: return op_sysctl(c.root, op);
    case OP_EXEC_SEALED: return op_exec_sealed(c, index);
    case OP_TIME_OFFSETS: return op_time_offsets(op);
    case OP_SCHEDULER: return op_scheduler(op);
    case OP_IOPRIO: return op_ioprio(op);
    case OP_MEMORY_POLICY: return op_memory_policy(op);
    case OP_CPU_AFFINITY: return op_cpu_affinity(op);
    default: return ENOSYS;  // unreachable: the reader rejects unknown opcodes, and those after EXEC_SEALED
  }
}

// A clean slate: Node ignores SIGPIPE and the calling thread may block signals; neither
// may leak into the container.
void reset_signals() {
  struct { void* handler; unsigned long flags; void* restorer; uint64_t mask; } dfl = {};
  uint64_t empty = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, sizeof empty);
  for (int sig = 1; sig < 65; sig++) syscall(SYS_rt_sigaction, sig, &dfl, 0, sizeof empty);
}

// The child starts with a copy of every fd of the JS process (its state-dir lock, files,
// epoll...). Keep only stdio, the preserved fds, sync, the fifo and the init's pidfd, so the
// waiting init holds no host file or lock and nothing else can cross into the container.
void close_all_but(int keep_end, int a, int b, int c) {
  int keeps[3] = {a, b, c};
  for (int i = 0; i < 3; i++)  // sorted ascending
    for (int j = i + 1; j < 3; j++)
      if (keeps[j] < keeps[i]) {
        int t = keeps[i];
        keeps[i] = keeps[j];
        keeps[j] = t;
      }
  int from = keep_end;
  for (int keep : keeps) {
    if (keep < from) continue;
    if (keep > from) syscall(SYS_close_range, from, keep - 1, 0);
    from = keep + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0);
}

}  // namespace

void run_init_child(const PreparedPlan& plan, const ChildSetup& setup) {
  Child c{&plan, setup, setup.sync};
  raw_close(setup.host_end);
  close_all_but(3 + setup.preserve_fds, setup.sync, setup.fifo, setup.init_pidfd);
  reset_signals();
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  // Before anything can join its namespaces: its cmdline would show the runtime's argv.
  hide_runtime_cmdline();
  set_name(plan.fork_index >= 0 ? "ocirun:[1:CHLD]" : "ocirun:[2:INIT]");
  syscall(SYS_umask, 0);  // OP_UMASK sets the container's
  // The ops before CLONE_INIT were the runtime's own, done around the clone.
  for (size_t i = (size_t)(plan.clone_index + 1); i < plan.ops.size(); i++) {
    if (int err = run_op(c, (int)i, plan.ops[i])) fail(c, (int)i, err);
  }
  raw_exit(0);  // create without a process: nothing to exec after start
}
