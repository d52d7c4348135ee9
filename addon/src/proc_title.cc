// Until execve the child is a copy of the runtime, so /proc/<pid>/cmdline of a waiting init
// would read "bun …/host/cli.ts --root <state dir> create --bundle <path> <id>", which any
// process in the container's pid namespace may read, and /proc/<pid>/environ the runtime's
// environment (that one needs ptrace access, which non-dumpable guards). runc's init reads
// "runc init" (it re-executes itself); ocirun's child points its argv at "ocirun\0init\0" and
// its environ at nothing, and zeroes the old strings in its copy of the memory.
#include "proc_title.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>  // with linux/prctl.h: PR_SET_MM_MAP, struct prctl_mm_map

#include "raw.h"

namespace {

// /proc/self/stat fields by their number in proc(5): 26 startcode, 27 endcode, 28 startstack,
// 45 start_data, 46 end_data, 47 start_brk, 48 arg_start, 49 arg_end, 50 env_start, 51 env_end.
constexpr int kFields = 52;

bool read_stat(unsigned long* f) {
  char buf[1024];
  long fd = rsys(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  long n = rsys(SYS_read, fd, buf, sizeof buf - 1);
  raw_close((int)fd);
  if (n <= 0) return false;
  buf[n] = 0;
  // comm (field 2) may hold spaces and parentheses: field 3 starts after the last ')'.
  const char* p = nullptr;
  for (const char* q = buf; *q; q++)
    if (*q == ')') p = q;
  if (!p || p[1] != ' ') return false;
  p += 2;
  int field = 3;
  for (; *p && field < kFields; field++) {
    unsigned long v = 0;  // the fields read here are unsigned; the others may read 0
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long)(*p++ - '0');
    f[field] = v;
    while (*p && *p != ' ') p++;
    if (*p == ' ') p++;
  }
  return field == kFields;
}

void zero(unsigned long start, unsigned long end) {
  if (start == 0 || end <= start) return;
  for (volatile char* p = (volatile char*)start; p < (volatile char*)end; p++) *p = 0;
}

constexpr char kTitle[] = "ocirun\0init";  // sizeof: "ocirun\0init\0"

}  // namespace

void hide_runtime_cmdline() {
  unsigned long f[kFields] = {0};
  if (!read_stat(f) || f[49] < f[48] || f[51] < f[50]) return;
  zero(f[48], f[49]);
  zero(f[50], f[51]);
  // PR_SET_MM_MAP needs no capability unless it changes the exe file, so it works in a new user
  // namespace too (PR_SET_MM_ARG_START needs CAP_SYS_RESOURCE in the initial one). The title
  // lives in an anonymous page: /proc reads argv only from anonymous memory.
  long page = rsys(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page >= 0) {
    char* title = (char*)page;
    for (size_t i = 0; i < sizeof kTitle; i++) title[i] = kTitle[i];
    struct prctl_mm_map m = {};
    m.start_code = f[26];
    m.end_code = f[27];
    m.start_stack = f[28];
    m.start_data = f[45];
    m.end_data = f[46];
    m.start_brk = f[47];
    m.brk = (uint64_t)syscall(SYS_brk, 0);
    m.arg_start = (uint64_t)page;
    m.arg_end = m.env_start = m.env_end = (uint64_t)page + sizeof kTitle;
    m.exe_fd = (uint32_t)-1;
    if (rsys(SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, &m, sizeof m, 0) == 0) return;
    syscall(SYS_munmap, page, 4096);
  }
  // A kernel without CONFIG_CHECKPOINT_RESTORE: the title in the old, zeroed argv area (the
  // cmdline then ends with its zeroes).
  if (f[49] - f[48] >= sizeof kTitle)
    for (size_t i = 0; i < sizeof kTitle; i++) ((volatile char*)f[48])[i] = kTitle[i];
}
