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

#include "ops.gen.h"
#include "raw.h"
#include "console.h"
#include "exec_trampoline.h"
#include "mount_attr_ops.h"
#include "net_device.h"
#include "proc_title.h"
#include "process_ops.h"
#include "rootfs_ops.h"
#include "seccomp_ops.h"
#include "start_hook.h"
#include "sync_msg.h"
#include "tmpcopyup.h"

namespace {

struct Child {
  const PreparedPlan* plan;
  ChildSetup setup;
  int sync;                   // -1 once released: errors then go to fd 2
  int root = -1;              // the container root for in-root resolution (OP_ROOTFS)
  const char* exe = nullptr;  // chosen by OP_FIND_EXEC
  bool setgroups_denied = false;  // OP_USERNS_MAPS had USERNS_DENY_SETGROUPS
  int trampoline = -1;            // prepare_exec's sealed trampoline; 0 or more once prepared
};

[[noreturn]] void fail(Child& c, int index, int err) {
  if (c.sync >= 0) {
    sync_send(c.sync, SYNC_ERROR, index, err, 0);
    raw_exit(1);
  }
  // After start nobody reads the sync socket: `start` reads exec.fifo until the init execs or
  // exits (a hook's own record is written already), and the container's stderr says it too.
  if (c.setup.fifo >= 0) {
    if (err == ECANCELED) raw_exit(1);  // a startContainer hook: its record says it all
    SyncMsg m = {SYNC_ERROR, index, err, 0};
    rsys(SYS_write, c.setup.fifo, &m, sizeof m);
  }
  char i[24], e[24];
  unsigned code = index >= 0 ? c.plan->ops[index].code : 0;
  const char* parts[] = {"ocirun: plan op ", raw_itoa(index, i), " (", op_name(code), "): errno ",
                         raw_itoa(err, e), "\n", nullptr};
  raw_write_parts(2, parts);
  raw_exit(1);
}

void set_name(const char* name) { syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0); }

int op_cap_bounding(Child& c, uint64_t keep) {
  for (int cap = 0; cap <= c.setup.cap_last_cap && cap < 64; cap++) {
    if (keep >> cap & 1) continue;
    long r = rsys(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
    if (r < 0) return err_of(r);
  }
  return 0;
}

int op_user(Child& c, const PlanOp& op) {
  uint64_t uid = op.arg[0].num, gid = op.arg[1].num;
  long r = rsys(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0);
  // Where setgroups is denied (a rootless map) the groups cannot be dropped: runc skips it too.
  bool keep_groups = c.setgroups_denied && op.arg[2].num == 0;
  if (r >= 0 && !keep_groups) r = rsys(SYS_setgroups, op.arg[2].num, op.arg[2].ids);
  if (r >= 0) r = rsys(SYS_setresgid, gid, gid, gid);
  if (r >= 0) r = rsys(SYS_setresuid, uid, uid, uid);
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0);
  // A credential change clears PDEATHSIG and may reset dumpable: re-arm both until start.
  if (r >= 0 && c.sync >= 0) r = rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  return err_of(r);
}

int op_caps(const PlanOp& op) {
  uint64_t eff = op.arg[0].num, perm = op.arg[1].num, inh = op.arg[2].num, amb = op.arg[3].num;
  struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)eff, (uint32_t)perm, (uint32_t)inh},
      {(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32)}};
  long r = rsys(SYS_capset, &head, data);
  if (r >= 0) r = rsys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; r >= 0 && cap < 64; cap++)
    if (amb >> cap & 1) r = rsys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
  return err_of(r);
}

// CVE-2024-21626: a cwd outside the root (through a leaked fd) reads "(unreachable)/...".
int op_chdir(const char* path) {
  char cwd[PATH_MAX];
  long r = rsys(SYS_chdir, path);
  if (r >= 0) r = rsys(SYS_getcwd, cwd, sizeof cwd);
  if (r < 0) return err_of(r);
  return cwd[0] == '/' ? 0 : EPERM;
}

int op_find_exec(Child& c, const char* const* candidates) {
  int err = ENOENT;
  for (; *candidates; candidates++) {
    struct stat st;
    if (rsys(SYS_newfstatat, AT_FDCWD, *candidates, &st, 0) < 0) continue;
    if (S_ISREG(st.st_mode) && rsys(SYS_faccessat, AT_FDCWD, *candidates, X_OK) == 0) {
      c.exe = *candidates;
      // A plan without WAIT_START (exec): the process must outlive `exec -d`, which returns once
      // it runs. Disarmed here, before a late seccomp filter that might not allow prctl.
      if (c.plan->wait_index < 0) syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
      return 0;
    }
    err = EACCES;
  }
  return err;
}

void on_signal_exit(int sig) { raw_exit(128 + sig); }

// While it waits for start the init may be pid 1 of a new pid namespace, which ignores
// signals left at SIG_DFL: catch them so `kill <created-id> TERM` still ends it.
void catch_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal_exit;
  for (int sig = 1; sig < 65; sig++) {
    // SIGKILL/SIGSTOP cannot be caught; the default-ignore ones stay ignored.
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH) continue;
    sigaction(sig, &sa, nullptr);
  }
}

// READY, wait for ACK (state stored), then block on exec.fifo until `start` writes a byte.
int op_wait_start(Child& c) {
  if (int r = sync_send(c.sync, SYNC_READY, 0, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(c.sync, &m) <= 0 || m.kind != SYNC_ACK) raw_exit(1);  // host gone
  syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
  raw_close(c.sync);
  c.sync = -1;
  catch_signals();
  char byte;
  long r;
  do r = rsys(SYS_read, c.setup.fifo, &byte, 1);
  while (r == -EINTR);
  if (r != 1) return r < 0 ? err_of(r) : EPIPE;
  // Kept open until the execve closes it: `start` learns of a failure after this through it.
  return 0;
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

// What the execve needs, done before a seccomp filter is loaded (OP_SECCOMP calls it when an
// EXEC follows), so that the filter need allow little more than execve, as runc's: every fd
// but stdio and the preserved ones close-on-exec, and the sealed trampoline made.
int prepare_exec(Child& c) {
  if (c.trampoline >= 0) return 0;
  int keep_end = 3 + c.setup.preserve_fds;
  long r = rsys(SYS_close_range, keep_end, ~0U, CLOSE_RANGE_CLOEXEC);
  if (r < 0) return err_of(r);
  // 0-2 too: Node marks its stdio close-on-exec at start-up (uv_disable_stdio_inheritance).
  for (int fd = 0; fd < keep_end; fd++) syscall(SYS_fcntl, fd, F_SETFD, 0);
  long t = sealed_trampoline();
  if (t < 0) return err_of(t);
  c.trampoline = (int)t;
  return 0;
}

bool exec_follows(const Child& c, int index) {
  for (size_t i = (size_t)index + 1; i < c.plan->ops.size(); i++) if (c.plan->ops[i].code == OP_EXEC) return true;
  return false;
}

int op_exec(Child& c, int index, const PlanOp& op) {
  raw_close(c.root);
  c.root = -1;
  if (int err = prepare_exec(c)) return err;
  // Whoever waits for the execve (the host on sync, or `start` on exec.fifo) hears of its
  // failure from the trampoline too; both fds are above the preserved range, and close at the
  // user's execve.
  long r = exec_via_trampoline(c.trampoline, c.exe, op.arg[0].strs, op.arg[0].num, op.arg[1].strs, c.sync >= 0 ? c.sync : c.setup.fifo, index);
  if (c.sync >= 0) return err_of(r);
  char e[24];
  const char* parts[] = {"ocirun: exec ", c.exe, ": errno ", raw_itoa(-r, e), "\n", nullptr};
  raw_write_parts(2, parts);
  raw_exit(r == -ENOENT ? 127 : 126);
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
  c.setgroups_denied = (c.plan->ops[index].arg[2].num & USERNS_DENY_SETGROUPS) != 0;
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
      long fd = rsys(SYS_openat, AT_FDCWD, op.arg[0].str, O_RDONLY | O_CLOEXEC);
      if (fd < 0) return err_of(fd);
      long r = rsys(SYS_setns, fd, op.arg[1].num);
      raw_close((int)fd);
      return err_of(r);
    }
    case OP_SETNS_PIDFD: return err_of(rsys(SYS_setns, op.arg[0].num, op.arg[1].num));
    case OP_UNSHARE: return err_of(rsys(SYS_unshare, op.arg[0].num));
    case OP_CGROUP_JOIN: return op_cgroup_join(c, index);
    case OP_CREATE_HOOKS: return op_create_hooks(c, index);
    case OP_CHOWN_STDIO: return op_chown_stdio(op.arg[0].num);
    case OP_START_HOOK: return run_start_hook(op, c.setup.fifo);
    case OP_FORK_INIT: return op_fork_init(c, index);
    case OP_USERNS_MAPS: return op_userns_maps(c, index);
    case OP_BECOME_ROOT: return op_become_root();
    case OP_NET_DEVICE: return op_net_device(c.sync, index);
    case OP_CONSOLE: return op_console(c.root, c.sync, index, op.arg[0].num, op.arg[1].num);
    case OP_EXEC_CONSOLE: return op_exec_console(c.root, c.sync, index, op.arg[0].num, op.arg[1].num);
    case OP_ROOTFS: {
      long fd = rsys(SYS_openat, AT_FDCWD, op.arg[0].str, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return err_of(fd);
      raw_close(c.root);
      c.root = (int)fd;
      return 0;
    }
    case OP_MOUNT: return op_mount(c.root, op);
    case OP_PRIVATE_PARENT: return op_private_parent(op.arg[0].str);
    case OP_MKTARGET: return op_mktarget(c.root, op);
    case OP_MOUNT_SETATTR: return op_mount_setattr(c.root, op);
    case OP_TMPCOPYUP: return op_tmpcopyup(c.root, op);
    case OP_MOUNT_IDMAP: return op_mount_idmap(c.root, c.sync, index, op);
    case OP_MKNOD: return op_mknod(c.root, op);
    case OP_SYMLINK: return op_symlink(c.root, op);
    case OP_PIVOT_ROOT: return op_pivot_root(&c.root, op.arg[0].str);
    case OP_MOVE_ROOT: return op_move_root(&c.root, op.arg[0].str);
    case OP_MASK_PATH: return op_mask_path(c.root, op.arg[0].str);
    case OP_READONLY_PATH: return op_readonly_path(c.root, op.arg[0].str);
    case OP_SESSION_KEYRING: {
      // KEYCTL_JOIN_SESSION_KEYRING; a kernel without keys (ENOSYS) has nothing to isolate.
      long r = rsys(SYS_keyctl, 1, (long)op.arg[0].str, 0, 0, 0);
      return r == -ENOSYS ? 0 : err_of(r);
    }
    case OP_SETHOSTNAME: return err_of(rsys(SYS_sethostname, op.arg[0].str, raw_strlen(op.arg[0].str)));
    case OP_SETDOMAINNAME: return err_of(rsys(SYS_setdomainname, op.arg[0].str, raw_strlen(op.arg[0].str)));
    case OP_SETRLIMIT: {
      struct rlimit64 lim = {op.arg[1].num, op.arg[2].num};
      return err_of(rsys(SYS_prlimit64, 0, op.arg[0].num, &lim, 0));
    }
    case OP_CAP_BOUNDING: return op_cap_bounding(c, op.arg[0].num);
    case OP_USER: return op_user(c, op);
    case OP_CAPS: return op_caps(op);
    case OP_NO_NEW_PRIVS: return err_of(rsys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    case OP_UMASK:
      syscall(SYS_umask, op.arg[0].num & 0777);  // cannot fail
      return 0;
    case OP_CHDIR: return op_chdir(op.arg[0].str);
    case OP_FIND_EXEC: return op_find_exec(c, op.arg[0].strs);
    case OP_WAIT_START: return op_wait_start(c);
    case OP_EXEC: return op_exec(c, index, op);
    case OP_SYSCTL: return op_sysctl(c.root, op);
    case OP_APPARMOR: return op_apparmor(c.root, op);
    case OP_SELINUX_EXEC_LABEL: return op_selinux_exec_label(c.root, op);
    case OP_OOM_SCORE_ADJ: return 0;  // done by the host around the clone (spawn_init.cc)
    case OP_TIME_OFFSETS: return op_time_offsets(op);
    case OP_SCHEDULER: return op_scheduler(op);
    case OP_IOPRIO: return op_ioprio(op);
    case OP_PERSONALITY: return op_personality(op);
    case OP_MEMORY_POLICY: return op_memory_policy(op);
    case OP_CPU_AFFINITY: return op_cpu_affinity(op);
    case OP_SECCOMP: {
      if (exec_follows(c, index))
        if (int err = prepare_exec(c)) return err;
      return op_seccomp(c.sync, index, op);
    }
    default: return ENOSYS;  // unreachable: the reader rejects unknown opcodes
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
  for (size_t i = 0; i < plan.ops.size(); i++) {
    if (int err = run_op(c, (int)i, plan.ops[i])) fail(c, (int)i, err);
  }
  raw_exit(0);  // create without a process: nothing to exec after start
}
