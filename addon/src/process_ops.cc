// See process_ops.h. A /proc write opens a procfs directory, checks with fstatfs that it
// really is procfs (security.md §2, 14: a rootfs may plant a symlink or another filesystem
// at /proc), then opens the file beneath it without crossing a mount, so nothing can send
// the write to a host file.
#include "process_ops.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>

#include "in_root.h"
#include "op_args.gen.h"
#include "raw.h"

namespace {

int write_all(int fd, const char* s) {
  size_t left = raw_strlen(s);
  // One write: a sysctl or timens_offsets takes the whole value at once.
  long w = rsys(SYS_write, fd, s, left);
  if (w < 0) return err_of(w);
  return (size_t)w == left ? 0 : EIO;
}

// Writes value to rel beneath the procfs directory fd proc (O_PATH is fine).
int proc_write(int proc, const char* rel, const char* value, uint64_t resolve) {
  struct statfs st;
  long r = rsys(SYS_fstatfs, proc, &st);
  if (r < 0) return err_of(r);
  if (st.f_type != PROC_SUPER_MAGIC) return ENODEV;
  struct open_how how = {};
  how.flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | resolve;
  long fd = rsys(SYS_openat2, proc, rel, &how, sizeof how);
  if (fd < 0) return err_of(fd);
  int err = write_all((int)fd, value);
  raw_close((int)fd);
  return err;
}

// The /proc the init started with (the host's, or the joined mount namespace's).
int self_proc_write(const char* rel, const char* value) {
  long proc = rsys(SYS_openat, AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (proc < 0) return err_of(proc);
  // "self" is a plain procfs symlink (not a magic link): it may be followed beneath /proc.
  int err = proc_write((int)proc, rel, value, 0);
  raw_close((int)proc);
  return err;
}

// linux/sched/types.h, SCHED_ATTR_SIZE_VER1: the util clamps stay 0.
struct SchedAttr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};
static_assert(sizeof(SchedAttr) == 56, "sched_attr VER1 is 56 bytes");

}  // namespace

int op_sysctl(int root, const PlanOp& op) {
  SysctlArgs args = sysctl_args(op);
  RootPath proc;
  // /proc itself must not be a symlink in the rootfs; /proc/sys has none either.
  if (int err = root_open(root, "/proc", O_DIRECTORY, RESOLVE_NO_SYMLINKS, &proc)) return err;
  return proc_write(proc.fd, args.path, args.value, RESOLVE_NO_SYMLINKS);
}

// The container's procfs, as for sysctls; "thread-self" is a plain procfs symlink (not a
// magic link), so it may be followed beneath it.
static int label_write(int root, const char* rel, const char* value) {
  RootPath proc;
  if (int err = root_open(root, "/proc", O_DIRECTORY, RESOLVE_NO_SYMLINKS, &proc)) return err;
  return proc_write(proc.fd, rel, value, 0);
}

int op_apparmor(int root, const PlanOp& op) {
  ApparmorArgs args = apparmor_args(op);
  // "exec " + profile, on the stack: no allocation in the child.
  char buf[4096];
  const char* prefix = "exec ";
  size_t n = raw_strlen(prefix), len = raw_strlen(args.profile);
  if (n + len >= sizeof buf) return ENAMETOOLONG;
  for (size_t i = 0; i < n; i++) buf[i] = prefix[i];
  for (size_t i = 0; i <= len; i++) buf[n + i] = args.profile[i];
  // The AppArmor-only file (Linux 5.8, for LSM stacking) first, then the shared one.
  int err = label_write(root, "thread-self/attr/apparmor/exec", buf);
  return err == ENOENT ? label_write(root, "thread-self/attr/exec", buf) : err;
}

int op_selinux_exec_label(int root, const PlanOp& op) {
  SelinuxExecLabelArgs args = selinux_exec_label_args(op);
  return label_write(root, "thread-self/attr/exec", args.label);
}

int op_time_offsets(const PlanOp& op) {
  TimeOffsetsArgs args = time_offsets_args(op);
  return self_proc_write("self/timens_offsets", args.offsets);
}

int op_scheduler(const PlanOp& op) {
  SchedulerArgs args = scheduler_args(op);
  SchedAttr a = {};
  a.size = sizeof a;
  a.policy = (uint32_t)args.policy;
  a.flags = args.flags;
  a.nice = (int32_t)(uint32_t)args.nice;
  a.priority = (uint32_t)args.priority;
  a.runtime = args.runtime;
  a.deadline = args.deadline;
  a.period = args.period;
  return err_of(rsys(SYS_sched_setattr, 0, &a, 0));
}

int op_ioprio(const PlanOp& op) {
  IoprioArgs args = ioprio_args(op);
  constexpr int kWhoProcess = 1;  // IOPRIO_WHO_PROCESS; who 0 = the caller
  return err_of(rsys(SYS_ioprio_set, kWhoProcess, 0, args.ioprio));
}

int op_personality(const PlanOp& op) {
  PersonalityArgs args = personality_args(op);
  return err_of(rsys(SYS_personality, args.persona));
}

int op_memory_policy(const PlanOp& op) {
  MemoryPolicyArgs args = memory_policy_args(op);
  constexpr size_t kWords = 1024 / 64;  // the kernel's largest MAX_NUMNODES
  unsigned long mask[kWords] = {};
  uint64_t n = args.nodemask_count;  // 32-bit words
  if (n > 2 * kWords) return EINVAL;
  for (uint64_t i = 0; i < n; i++) mask[i / 2] |= (unsigned long)args.nodemask[i] << (32 * (i % 2));
  // maxnode counts bits, plus one: the kernel has always dropped the last one.
  unsigned long maxnode = n ? (unsigned long)((n + 1) / 2) * 64 + 1 : 0;
  return err_of(rsys(SYS_set_mempolicy, args.mode, n ? mask : nullptr, maxnode));
}

int op_cpu_affinity(const PlanOp& op) {
  CpuAffinityArgs args = cpu_affinity_args(op);
  constexpr size_t kWords = 8192 / 64;  // the kernel's largest NR_CPUS
  unsigned long mask[kWords] = {};
  uint64_t n = args.mask_count;  // 32-bit words
  if (n == 0 || n > 2 * kWords) return EINVAL;
  for (uint64_t i = 0; i < n; i++) mask[i / 2] |= (unsigned long)args.mask[i] << (32 * (i % 2));
  // The length in bytes, whole longs: the kernel zero-fills up to its own size.
  return err_of(rsys(SYS_sched_setaffinity, 0, (n + 1) / 2 * sizeof(unsigned long), mask));
}
