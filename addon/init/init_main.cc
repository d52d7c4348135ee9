// The sealed init program (assembly/plan/ops.ts, OP_EXEC_SEALED): the executor execs it from a
// sealed memfd with the plan in another, and it runs the plan's last ops: the process's
// credentials and filter, the wait for start, the startContainer hooks and the user's execve.
// So no waiting init, and nothing a container can reach through /proc/<pid>/exe, is ever the
// runtime's binary on a host filesystem (CVE-2019-5736), and a waiting init holds a few pages
// instead of the runtime's heap. No C library (freestanding.cc): raw syscalls, no allocation
// but one anonymous mapping.
//
// argv: "ocirun", "init", "sync,fifo,plan,first,preserve_fds,cap_last_cap": the sync socket
// (-1: none), exec.fifo (-1: none), the plan's memfd, the index of the first op to run, and two
// facts the executor read. All three fds arrive without close-on-exec and get it back here, so
// that the user's execve closes them.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "../src/ops.gen.h"
#include "../src/plan_format.h"
#include "../src/proc_title.h"
#include "../src/raw.h"
#include "init_ops.h"

namespace {

// Bump allocation from one anonymous mapping: the decoded ops and their lists.
struct Arena {
  char* base = nullptr;
  size_t used = 0, cap = 0;
  void* take(size_t n) {
    n = (n + 7) & ~(size_t)7;
    if (n > cap - used) return nullptr;
    void* p = base + used;
    used += n;
    return p;
  }
};

bool parse_fields(const char* s, long* out, int n) {
  for (int i = 0; i < n; i++) {
    long sign = 1, v = 0;
    if (*s == '-') sign = -1, s++;
    if (*s < '0' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    out[i] = sign * v;
    if (i + 1 < n && *s++ != ',') return false;
  }
  return *s == 0;
}

// Decodes ops [first, count) of the plan the executor validated before the clone; still
// bounded by its length, so a bad plan fails (EINVAL) rather than reads past it.
int decode(const uint8_t* data, size_t len, uint32_t first, Arena& arena, InitState& st) {
  if (len < kPlanHeaderSize) return EINVAL;
  uint32_t count = plan_u32(data + kPlanCountAt);
  size_t pos = plan_u32(data + kPlanFirstOpAt);
  size_t str_off = plan_u32(data + kPlanStringsAt), str_len = plan_u32(data + kPlanStringsLenAt);
  if (first > count || str_off > len || str_len > len - str_off || str_len == 0 || data[str_off + str_len - 1] != 0) return EINVAL;
  const char* strings = (const char*)data + str_off;
  auto* ops = (PlanOp*)arena.take(sizeof(PlanOp) * (count - first));
  if (!ops && count > first) return ENOMEM;
  for (uint32_t i = 0; i < count; i++) {
    if (pos > len || len - pos < kOpHeaderSize) return EINVAL;
    const uint8_t* p = data + pos;
    uint16_t code = plan_u16(p);
    uint64_t argc = plan_u16(p + kOpArgcAt);
    if ((len - pos - kOpHeaderSize) / 8 < argc) return EINVAL;
    pos += kOpHeaderSize + 8 * argc;
    if (i < first) continue;
    PlanOp& op = ops[i - first];
    op = PlanOp{};
    op.code = code;
    const char* kinds = op_arg_kinds(code);
    if (!kinds) return EINVAL;
    const uint8_t* words = p + kOpHeaderSize;
    uint64_t w = 0;
    for (int a = 0; kinds[a] && a < kMaxArgs; a++) {
      if (w >= argc) return EINVAL;
      uint64_t v = plan_u64(words + 8 * w++);
      char k = kinds[a];
      if (k == 'u') { op.arg[a].num = v; continue; }
      if (k == 's') {
        if (v >= str_len) return EINVAL;
        op.arg[a].str = strings + v;
        continue;
      }
      if (v > argc - w) return EINVAL;
      op.arg[a].num = v;
      if (k == 'S') {
        auto* list = (const char**)arena.take(sizeof(char*) * (v + 1));
        if (!list) return ENOMEM;
        for (uint64_t e = 0; e < v; e++) {
          uint64_t x = plan_u64(words + 8 * w++);
          if (x >= str_len) return EINVAL;
          list[e] = strings + x;
        }
        list[v] = nullptr;
        op.arg[a].strs = list;
      } else if (k == 'U') {
        auto* ids = (uint32_t*)arena.take(sizeof(uint32_t) * v);
        if (!ids && v) return ENOMEM;
        for (uint64_t e = 0; e < v; e++) ids[e] = (uint32_t)plan_u64(words + 8 * w++);
        op.arg[a].ids = ids;
      } else {
        auto* out = (uint64_t*)arena.take(sizeof(uint64_t) * v);
        if (!out && v) return ENOMEM;
        for (uint64_t e = 0; e < v; e++) out[e] = plan_u64(words + 8 * w++);
        op.arg[a].words = out;
      }
    }
  }
  st.ops = ops;
  st.first = first;
  st.count = count - first;
  return 0;
}

}  // namespace

extern "C" [[noreturn]] void program_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  long f[6];
  if (argc < 3 || !parse_fields(argv[2], f, 6)) raw_exit(1);
  InitState st;
  st.sync = (int)f[0];
  st.fifo = (int)f[1];
  int plan_fd = (int)f[2];
  st.preserve_fds = (int)f[4];
  st.cap_last_cap = (int)f[5];
  // The execve made us dumpable again and named us after the memfd; our cmdline reads
  // "ocirun init", as the executor's child did, once the numbers are read.
  syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  syscall(SYS_prctl, PR_SET_NAME, "ocirun:[2:INIT]", 0, 0, 0);
  hide_runtime_cmdline();
  const int handed[] = {st.sync, st.fifo, plan_fd};
  for (int fd : handed)
    if (fd >= 0) syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
  // Everything that needs memory or files happens here, before any filter is loaded.
  struct stat plan_st;
  int err = err_of(rsys(SYS_fstat, plan_fd, &plan_st));
  long data = err ? -EBADF : rsys(SYS_mmap, 0, plan_st.st_size, PROT_READ, MAP_PRIVATE, plan_fd, 0);
  raw_close(plan_fd);
  Arena arena;
  // Enough for any plan of this size: a decoded op per 16 bytes of plan (an op header's size),
  // and a list entry (8 bytes) per 8-byte word. Untouched pages cost nothing.
  arena.cap = (size_t)plan_st.st_size / kOpHeaderSize * sizeof(PlanOp) + (size_t)plan_st.st_size * 2 + 4096;
  long mem = rsys(SYS_mmap, 0, arena.cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!err && (data < 0 && data > -4096)) err = err_of(data);
  if (!err && (mem < 0 && mem > -4096)) err = err_of(mem);
  arena.base = (char*)mem;
  if (!err) err = decode((const uint8_t*)data, (size_t)plan_st.st_size, (uint32_t)f[3], arena, st);
  // The first op's errno names the program's own failure.
  if (err) init_fail(st, (int)f[3], err);
  init_run(st);
}
