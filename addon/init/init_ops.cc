// See init_ops.h. One case per op; every op here comes after EXEC_SEALED in the plan.
#include "init_ops.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "../src/op_args.gen.h"
#include "../src/ops.gen.h"
#include "../src/process_ops.h"
#include "../src/raw.h"
#include "../src/seccomp_ops.h"
#include "../src/start_hook.h"
#include "../src/sync_msg.h"

extern "C" void init_sigreturn();

namespace {

int op_cap_bounding(InitState& st, uint64_t keep) {
  for (int cap = 0; cap <= st.cap_last_cap && cap < 64; cap++) {
    if (keep >> cap & 1) continue;
    long r = rsys(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
    if (r < 0) return err_of(r);
  }
  return 0;
}

int op_user(InitState& st, const PlanOp& op) {
  UserArgs a = user_args(op);
  uint64_t uid = a.uid, gid = a.gid;
  long r = rsys(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0);
  if (r >= 0 && !a.keep_groups) r = rsys(SYS_setgroups, a.groups_count, a.groups);
  if (r >= 0) r = rsys(SYS_setresgid, gid, gid, gid);
  if (r >= 0) r = rsys(SYS_setresuid, uid, uid, uid);
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0);
  // A credential change clears PDEATHSIG and may reset dumpable: re-arm both until start.
  if (r >= 0 && st.sync >= 0) r = rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (r >= 0) r = rsys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  return err_of(r);
}

int op_caps(const PlanOp& op) {
  CapsArgs a = caps_args(op);
  uint64_t eff = a.effective, perm = a.permitted, inh = a.inheritable, amb = a.ambient;
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

bool waits_for_start(const InitState& st) {
  for (size_t i = 0; i < st.count; i++)
    if (st.ops[i].code == OP_WAIT_START) return true;
  return false;
}

int op_find_exec(InitState& st, const char* const* candidates) {
  int err = ENOENT;
  for (; *candidates; candidates++) {
    struct stat s;
    if (rsys(SYS_newfstatat, AT_FDCWD, *candidates, &s, 0) < 0) continue;
    if (S_ISREG(s.st_mode) && raw_exec_access(*candidates) == 0) {
      st.exe = *candidates;
      // A plan without WAIT_START (exec): the process must outlive `exec -d`, which returns once
      // it runs. Disarmed here, before a late seccomp filter that might not allow prctl.
      if (!waits_for_start(st)) syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
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
  struct { void (*handler)(int); unsigned long flags; void (*restorer)(); uint64_t mask; } sa = {};
  sa.handler = on_signal_exit;
  sa.flags = 0x04000000;  // SA_RESTORER: x86_64 delivers no signal without one
  sa.restorer = init_sigreturn;
  for (int sig = 1; sig < 65; sig++) {
    // SIGKILL/SIGSTOP cannot be caught; the default-ignore ones stay ignored.
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH) continue;
    syscall(SYS_rt_sigaction, sig, &sa, 0, sizeof sa.mask);
  }
}

// READY, wait for ACK (state stored), then block on exec.fifo until `start` writes a byte.
int op_wait_start(InitState& st) {
  if (int r = sync_send(st.sync, SYNC_READY, 0, 0, 0)) return -r;
  SyncMsg m;
  if (sync_recv(st.sync, &m) <= 0 || m.kind != SYNC_ACK) raw_exit(1);  // host gone
  syscall(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
  raw_close(st.sync);
  st.sync = -1;
  catch_signals();
  char byte;
  long r;
  do r = rsys(SYS_read, st.fifo, &byte, 1);
  while (r == -EINTR);
  if (r != 1) return r < 0 ? err_of(r) : EPIPE;
  // Kept open until the execve closes it: `start` learns of a failure after this through it.
  return 0;
}

// The user's execve. Before start (exec) a failure goes to the host on sync; after it, to
// `start` through exec.fifo, and to the container's stderr, with a shell's status.
int op_exec(InitState& st, int index, const PlanOp& op) {
  ExecArgs a = exec_args(op);
  long r = rsys(SYS_execve, st.exe, a.argv, a.envp);
  if (st.sync >= 0) return err_of(r);
  SyncMsg m = {SYNC_ERROR, index, err_of(r), 0};
  if (st.fifo >= 0) rsys(SYS_write, st.fifo, &m, sizeof m);
  char e[24];
  const char* parts[] = {"ocirun: exec ", st.exe, ": errno ", raw_itoa(-r, e), "\n", nullptr};
  raw_write_parts(2, parts);
  raw_exit(r == -ENOENT ? 127 : 126);
}

int run_op(InitState& st, int index, const PlanOp& op) {
  switch (op.code) {
    case OP_SECCOMP: return op_seccomp(st.sync, index, op);
    case OP_CAP_BOUNDING: return op_cap_bounding(st, cap_bounding_args(op).keep);
    case OP_USER: return op_user(st, op);
    case OP_CAPS: return op_caps(op);
    case OP_NO_NEW_PRIVS: return err_of(rsys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    case OP_UMASK:
      syscall(SYS_umask, umask_args(op).mask & 0777);  // cannot fail
      return 0;
    case OP_FIND_EXEC: return op_find_exec(st, find_exec_args(op).candidates);
    case OP_PERSONALITY: return op_personality(op);
    case OP_CPU_AFFINITY: return op_cpu_affinity(op);
    case OP_APPARMOR: return op_apparmor(st.root, op);
    case OP_SELINUX_EXEC_LABEL: return op_selinux_exec_label(st.root, op);
    case OP_WAIT_START: return op_wait_start(st);
    case OP_START_HOOK: return run_start_hook(op, st.fifo);
    case OP_EXEC: return op_exec(st, index, op);
    default: return ENOSYS;  // the addon's reader allows no other op after EXEC_SEALED
  }
}

}  // namespace

void init_fail(InitState& st, int index, int err) {
  if (st.sync >= 0) {
    sync_send(st.sync, SYNC_ERROR, index, err, 0);
    raw_exit(1);
  }
  // After start nobody reads the sync socket: `start` reads exec.fifo until the init execs or
  // exits (a hook's own record is written already), and the container's stderr says it too.
  if (st.fifo >= 0) {
    if (err == ECANCELED) raw_exit(1);  // a startContainer hook: its record says it all
    SyncMsg m = {SYNC_ERROR, index, err, 0};
    rsys(SYS_write, st.fifo, &m, sizeof m);
  }
  char i[24], e[24];
  size_t at = (size_t)index - st.first;
  unsigned code = st.ops && index >= (int)st.first && at < st.count ? st.ops[at].code : 0;
  const char* parts[] = {"ocirun: plan op ", raw_itoa(index, i), " (", op_name(code), "): errno ",
                         raw_itoa(err, e), "\n", nullptr};
  raw_write_parts(2, parts);
  raw_exit(1);
}

void init_run(InitState& st) {
  // Only for the LSM labels, and opened before any filter is loaded.
  for (size_t i = 0; i < st.count && st.root < 0; i++)
    if (st.ops[i].code == OP_APPARMOR || st.ops[i].code == OP_SELINUX_EXEC_LABEL)
      st.root = (int)rsys(SYS_openat, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (size_t i = 0; i < st.count; i++) {
    int index = (int)(st.first + i);
    if (int err = run_op(st, index, st.ops[i])) init_fail(st, index, err);
  }
  raw_exit(0);  // create without a process: nothing to exec after start
}
