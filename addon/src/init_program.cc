#include "init_program.h"

#include <fcntl.h>
#include <linux/memfd.h>

#include "init_program.gen.h"
#include "raw.h"

long sealed_memfd(const char* name, const void* data, size_t len) {
  long fd = rsys(SYS_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fd;
  const char* p = (const char*)data;
  size_t off = 0;
  while (off < len) {
    long n = rsys(SYS_write, fd, p + off, len - off);
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

long sealed_init_program() { return sealed_memfd("ocirun-init", kInitProgram, sizeof kInitProgram); }
