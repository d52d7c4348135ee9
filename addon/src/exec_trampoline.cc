#include "exec_trampoline.h"

#include <fcntl.h>
#include <linux/memfd.h>

#include "exec_trampoline.gen.h"
#include "raw.h"

namespace {

// A sealed memfd holding the trampoline: nothing can change it once sealed.
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

}  // namespace

long exec_via_trampoline(const char* exe, const char* const* argv, uint64_t argc, const char* const* envp) {
  // [exe, argv..., NULL] goes on the stack (no allocation between clone and execve): bound it.
  // The kernel refuses far fewer strings anyway (ARG_MAX).
  if (argc > 65536) return -E2BIG;
  long fd = sealed_trampoline();
  if (fd < 0) return fd;
  const char* targv[argc + 2];
  targv[0] = exe;
  for (uint64_t i = 0; i < argc; i++) targv[i + 1] = argv[i];
  targv[argc + 1] = nullptr;
  long r = rsys(SYS_execveat, fd, "", targv, envp, AT_EMPTY_PATH);
  raw_close((int)fd);
  return r;
}
