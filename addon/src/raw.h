// Raw-syscall helpers for the cloned child. Between clone and execve the child may not
// allocate, lock, throw or use stdio (DESIGN.md, "The process model"), so everything here
// is a syscall(2) or plain code over caller-provided stack buffers.
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

// syscall(2) with every argument widened to long; returns the result or -errno.
template <typename... A>
static inline long rsys(long nr, A... a) {
  long r = syscall(nr, (long)a...);
  return r < 0 ? -errno : r;
}

// 0 for a successful syscall result, else the positive errno.
static inline int err_of(long r) { return r < 0 ? (int)-r : 0; }

[[noreturn]] static inline void raw_exit(int code) {
  syscall(SYS_exit_group, code);
  // Only a seccomp filter that denies exit_group gets here: end by a fault (SIGILL, whose
  // action is the default by now) rather than spin.
  __builtin_trap();
}

static inline void raw_close(int fd) {
  if (fd >= 0) syscall(SYS_close, fd);
}

static inline size_t raw_strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

// Decimal form of v into buf (at least 24 bytes), NUL-terminated.
// Writes text to an existing file in one write(2) (an id map must arrive whole): 0, the errno,
// or EIO for a short write.
static inline int raw_write_file(const char* path, const char* text) {
  long fd = rsys(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return err_of(fd);
  size_t n = raw_strlen(text);
  long w = rsys(SYS_write, fd, text, n);
  raw_close((int)fd);
  return w < 0 ? err_of(w) : (size_t)w == n ? 0 : EIO;
}

static inline const char* raw_itoa(long v, char* buf) {
  char tmp[24];
  size_t n = 0;
  unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
  do tmp[n++] = (char)('0' + u % 10); while (u /= 10);
  size_t i = 0;
  if (v < 0) buf[i++] = '-';
  while (n) buf[i++] = tmp[--n];
  buf[i] = 0;
  return buf;
}

// "/proc/self/fd/<fd>" into buf (at least 32 bytes): the path that names an O_PATH fd.
static inline const char* raw_fd_path(int fd, char* buf) {
  static const char prefix[] = "/proc/self/fd/";
  size_t i = 0;
  for (; prefix[i]; i++) buf[i] = prefix[i];
  raw_itoa(fd, buf + i);
  return buf;
}

// Writes the NULL-terminated list of strings to fd, best effort (diagnostics on stderr).
static inline void raw_write_parts(int fd, const char* const* parts) {
  for (; *parts; parts++) {
    const char* p = *parts;
    size_t left = raw_strlen(p);
    while (left) {
      long w = rsys(SYS_write, fd, p, left);
      if (w == -EINTR) continue;
      if (w <= 0) return;
      p += w;
      left -= (size_t)w;
    }
  }
}

// Whether execve could run path: X_OK checked with the effective ids and capabilities
// (faccessat2 AT_EACCESS), as execve itself checks; plain faccessat uses the real ids and drops
// the capabilities of a non-root caller, which refuses a process whose CAP_DAC_OVERRIDE is what
// lets it reach the file. 0 or -errno; plain faccessat where faccessat2 is missing (Linux < 5.8)
// or refused by a filter.
static inline long raw_exec_access(const char* path) {
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
  long r = rsys(SYS_faccessat2, AT_FDCWD, path, 1 /* X_OK */, 0x200 /* AT_EACCESS */);
  if (r == -ENOSYS || r == -EPERM) r = rsys(SYS_faccessat, AT_FDCWD, path, 1 /* X_OK */);
  return r;
}

