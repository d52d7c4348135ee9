#include "exec_trampoline.h"

#include <fcntl.h>
#include <linux/memfd.h>

#include "exec_trampoline.gen.h"
#include "raw.h"

// Nothing can change it once sealed.
long sealed_trampoline() {
  long fd = rsys(SYS_memfd_create, "ocirun-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fd;
  size_t off = 0;
  while (off < sizeof kExecTrampoline) {
    long n = rsys(SYS_write, fd, kExecTrampoline + off, sizeof kExecTrampoline - off);
    if (n == -EINTR) continue;
    if (n <= 0) {
      raw_close((int)fd);
      return n < 0 ? n : -EIO;
    }
    off += (size_t)n;
  }
  long r = rsys(SYS_fcntl, fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  if (r < 0) {
    raw_close((int)fd);
    return r;
  }
  return fd;
}

long exec_via_trampoline(int trampoline, const char* exe, const char* const* argv, uint64_t argc, const char* const* envp, int report_fd, int op) {
  // [exe, "fd,op", argv..., NULL] goes on the stack (no allocation between clone and execve):
  // bound it. The kernel refuses far fewer strings anyway (ARG_MAX).
  if (argc > 65536) return -E2BIG;
  long fd = trampoline;
  char fd_text[24], op_text[24], report[52];
  raw_itoa(report_fd, fd_text);
  raw_itoa(op, op_text);
  size_t n = 0;
  for (const char* p = fd_text; *p; p++) report[n++] = *p;
  report[n++] = ',';
  for (const char* p = op_text; *p; p++) report[n++] = *p;
  report[n] = 0;
  const char* targv[argc + 3];
  targv[0] = exe;
  targv[1] = report;
  for (uint64_t i = 0; i < argc; i++) targv[i + 2] = argv[i];
  targv[argc + 2] = nullptr;
  // Inherited by the trampoline, which closes it at its own execve.
  if (report_fd >= 0) rsys(SYS_fcntl, report_fd, F_SETFD, 0);
  long r = rsys(SYS_execveat, fd, "", targv, envp, AT_EMPTY_PATH);
  // A filter that allows execve but not execveat: the same file through /proc.
  if (r == -EPERM || r == -EACCES || r == -ENOSYS) {
    char path[32];
    r = rsys(SYS_execve, raw_fd_path((int)fd, path), targv, envp);
  }
  if (report_fd >= 0) rsys(SYS_fcntl, report_fd, F_SETFD, FD_CLOEXEC);
  return r;
}
