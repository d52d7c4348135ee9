#include "in_root.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>

#include "raw.h"

RootPath::~RootPath() { raw_close(fd); }

namespace {

constexpr uint64_t kResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

long openat2_in(int root, const char* path, uint64_t flags, uint64_t resolve) {
  struct open_how how = {};
  how.flags = flags | O_PATH | O_CLOEXEC;
  how.resolve = resolve | kResolve;
  return rsys(SYS_openat2, root, path, &how, sizeof how);
}

bool is_dot_or_dotdot(const char* s, size_t n) {
  return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

}  // namespace

int root_open(int root, const char* path, int extra_flags, uint64_t extra_resolve, RootPath* out) {
  long fd = openat2_in(root, path, (uint64_t)extra_flags, extra_resolve);
  if (fd < 0) return err_of(fd);
  out->fd = (int)fd;
  raw_fd_path(out->fd, out->proc);
  return 0;
}

int root_parent(int root, const char* path, RootPath* dir, char* name, size_t name_size) {
  char buf[PATH_MAX];
  size_t n = raw_strlen(path);
  if (n >= sizeof buf) return ENAMETOOLONG;
  for (size_t i = 0; i <= n; i++) buf[i] = path[i];
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;  // "a/b/" names b
  size_t slash = n;
  while (slash > 0 && buf[slash - 1] != '/') slash--;
  size_t len = n - slash;
  if (len == 0 || is_dot_or_dotdot(buf + slash, len)) return EINVAL;
  if (len >= name_size) return ENAMETOOLONG;
  for (size_t i = 0; i <= len; i++) name[i] = buf[slash + i];
  const char* parent = ".";
  if (slash > 0) {
    buf[slash] = 0;  // "/a/b" -> "/a/", "/x" -> "/"
    parent = buf;
  }
  return root_open(root, parent, O_DIRECTORY, 0, dir);
}

int root_mkdir_all(int root, const char* path, bool last_is_file) {
  char prefix[PATH_MAX];
  size_t plen = 0;
  prefix[plen++] = '/';
  prefix[plen] = 0;
  RootPath dir;  // the directory of prefix so far
  int err = root_open(root, prefix, O_DIRECTORY, 0, &dir);
  for (const char* p = path; !err && *p;) {
    while (*p == '/') p++;
    const char* comp = p;
    while (*p && *p != '/') p++;
    size_t clen = (size_t)(p - comp);
    if (clen == 0) break;
    if (plen + clen + 2 > sizeof prefix) return ENAMETOOLONG;
    char name[NAME_MAX + 1];
    if (clen > NAME_MAX) return ENAMETOOLONG;
    for (size_t i = 0; i < clen; i++) name[i] = comp[i];
    name[clen] = 0;
    if (plen > 1) prefix[plen++] = '/';
    for (size_t i = 0; i < clen; i++) prefix[plen++] = comp[i];
    prefix[plen] = 0;
    bool last = true;
    for (const char* q = p; *q; q++) if (*q != '/') { last = false; break; }
    long fd = openat2_in(root, prefix, last ? 0 : O_DIRECTORY, 0);
    if (fd == -ENOENT) {
      // Create it relative to the verified parent; a dangling symlink there gives EEXIST
      // below and ENOENT on the reopen: it is never followed.
      long r = last && last_is_file
                   ? rsys(SYS_openat, dir.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)
                   : rsys(SYS_mkdirat, dir.fd, name, 0755);
      if (r < 0 && r != -EEXIST) return err_of(r);
      if (r >= 0 && last && last_is_file) raw_close((int)r);
      fd = openat2_in(root, prefix, last ? 0 : O_DIRECTORY, 0);
    }
    if (fd < 0) return err_of(fd);
    raw_close(dir.fd);
    dir.fd = (int)fd;
  }
  return err;
}
