#include "device_program.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace {

long bpf(int cmd, union bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

uint64_t ptr(const void* p) { return (uint64_t)(uintptr_t)p; }

// The programs attached to the cgroup now (the kernel's ids), to detach once ours is in place.
std::vector<uint32_t> attached(int cgroup) {
  std::vector<uint32_t> ids(64);
  union bpf_attr q;
  memset(&q, 0, sizeof q);
  q.query.target_fd = cgroup;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = ptr(ids.data());
  q.query.prog_cnt = ids.size();
  if (bpf(BPF_PROG_QUERY, &q) < 0) return {};
  ids.resize(q.query.prog_cnt < ids.size() ? q.query.prog_cnt : ids.size());
  return ids;
}

int load(const uint8_t* insns, size_t len, std::string* log) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = ptr(insns);
  a.insn_cnt = (uint32_t)(len / 8);
  a.license = ptr("Apache");
  int fd = (int)bpf(BPF_PROG_LOAD, &a);
  if (fd >= 0 || (errno != EINVAL && errno != EACCES)) return fd;
  // Refused by the verifier: load again with its log, for the message.
  int err = errno;
  std::vector<char> buf(16384, 0);
  a.log_level = 1;
  a.log_buf = ptr(buf.data());
  a.log_size = buf.size();
  int again = (int)bpf(BPF_PROG_LOAD, &a);
  if (again >= 0) return again;
  log->assign(buf.data());
  errno = err;
  return -1;
}

}  // namespace

DeviceProgramResult attach_device_program(const char* cgroup_dir, const uint8_t* insns, size_t len) {
  DeviceProgramResult r;
  int cgroup = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup < 0) return {errno, "open", ""};
  std::vector<uint32_t> old = attached(cgroup);
  int prog = load(insns, len, &r.log);
  if (prog < 0) {
    r.err = errno;
    r.step = "load";
    close(cgroup);
    return r;
  }
  union bpf_attr t;
  memset(&t, 0, sizeof t);
  t.target_fd = cgroup;
  t.attach_bpf_fd = prog;
  t.attach_type = BPF_CGROUP_DEVICE;
  t.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &t) < 0) {
    r.err = errno;
    r.step = "attach";
  }
  // Ours is in: the others go, so that only the container's rules decide (ALLOW_MULTI runs all).
  for (uint32_t id : old) {
    if (r.err) break;
    union bpf_attr g;
    memset(&g, 0, sizeof g);
    g.prog_id = id;
    int fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (fd < 0) continue;  // gone meanwhile
    union bpf_attr d;
    memset(&d, 0, sizeof d);
    d.target_fd = cgroup;
    d.attach_bpf_fd = fd;
    d.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT) {
      r.err = errno;
      r.step = "detach";
    }
    close(fd);
  }
  close(prog);
  close(cgroup);
  return r;
}
