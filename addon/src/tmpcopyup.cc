// tmpcopyup, as runc's doTmpfsCopyUp (fileutils.CopyDirectory): the tmpfs starts with a copy of
// the directory it covers: files with their contents, directories, symlinks (as symlinks: their
// targets are never followed), device nodes and fifos, each with its owner and mode. Like runc,
// no xattrs, times or hard links. runc mounts the tmpfs on a host temp dir, copies and moves it;
// here the directory is opened before the tmpfs covers it, so the copy reads the old tree through
// that fd. Child rules (DESIGN.md): raw syscalls, no allocation; each directory level has a fixed
// buffer on the stack and the depth is bounded.
#include "tmpcopyup.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "in_root.h"
#include "op_args.gen.h"
#include "raw.h"

namespace {

// Directories below the target. A deeper tree (or a bind mount of an ancestor inside it) fails.
constexpr int kMaxDepth = 64;

struct Dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

bool is_dot_or_dotdot(const char* s) { return s[0] == '.' && (s[1] == 0 || (s[1] == '.' && s[2] == 0)); }

// One name beneath dir: no symlink is followed, none of ".." leads out.
long open_beneath(int dir, const char* name, uint64_t flags) {
  struct open_how how = {};
  how.flags = flags | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
  return rsys(SYS_openat2, dir, name, &how, sizeof how);
}

// The owner, then the mode (a chown clears the set-id bits). Not for symlinks.
int copy_owner_mode(int dir, const char* name, const struct stat& st) {
  long r = rsys(SYS_fchownat, dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
  if (r >= 0) r = rsys(SYS_fchmodat, dir, name, st.st_mode & 07777);
  return err_of(r);
}

__attribute__((noinline)) int copy_bytes_by_read(int in, int out) {
  char buf[4096];
  for (;;) {
    long n = rsys(SYS_read, in, buf, sizeof buf);
    if (n == -EINTR) continue;
    if (n <= 0) return err_of(n);
    for (long off = 0; off < n;) {
      long w = rsys(SYS_write, out, buf + off, n - off);
      if (w == -EINTR) continue;
      if (w <= 0) return w < 0 ? err_of(w) : EIO;
      off += w;
    }
  }
}

__attribute__((noinline)) int copy_file(int sdir, int ddir, const char* name, const struct stat& st) {
  long in = open_beneath(sdir, name, O_RDONLY);
  if (in < 0) return err_of(in);
  long out = rsys(SYS_openat, ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    raw_close((int)in);
    return err_of(out);
  }
  long r;
  bool copied = false;
  do {
    r = rsys(SYS_sendfile, out, in, 0, 1L << 30);
    if (r > 0) copied = true;
  } while (r > 0 || r == -EINTR);
  // A filesystem without splice reads: plain reads and writes.
  int err = r == -EINVAL && !copied ? copy_bytes_by_read((int)in, (int)out) : err_of(r);
  raw_close((int)in);
  raw_close((int)out);
  return err ? err : copy_owner_mode(ddir, name, st);
}

__attribute__((noinline)) int copy_symlink(int sdir, int ddir, const char* name, const struct stat& st) {
  char target[PATH_MAX];
  long n = rsys(SYS_readlinkat, sdir, name, target, sizeof target - 1);
  if (n < 0) return err_of(n);
  target[n] = 0;
  long r = rsys(SYS_symlinkat, target, ddir, name);
  if (r >= 0) r = rsys(SYS_fchownat, ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
  return err_of(r);
}

int copy_tree(int sdir, int ddir, int depth);

int copy_dir(int sdir, int ddir, const char* name, const struct stat& st, int depth) {
  if (depth >= kMaxDepth) return ELOOP;
  long s = open_beneath(sdir, name, O_RDONLY | O_DIRECTORY);
  if (s < 0) return err_of(s);
  long d = rsys(SYS_mkdirat, ddir, name, 0700);
  if (d >= 0) d = open_beneath(ddir, name, O_RDONLY | O_DIRECTORY);
  int err = d < 0 ? err_of(d) : copy_tree((int)s, (int)d, depth + 1);
  raw_close((int)s);
  raw_close((int)d);
  // The mode last: a read-only directory is filled first.
  return err ? err : copy_owner_mode(ddir, name, st);
}

int copy_entry(int sdir, int ddir, const char* name, int depth) {
  struct stat st;
  long r = rsys(SYS_newfstatat, sdir, name, &st, AT_SYMLINK_NOFOLLOW);
  if (r < 0) return err_of(r);
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: return copy_dir(sdir, ddir, name, st, depth);
    case S_IFREG: return copy_file(sdir, ddir, name, st);
    case S_IFLNK: return copy_symlink(sdir, ddir, name, st);
    default:  // character and block devices, fifos, sockets
      r = rsys(SYS_mknodat, ddir, name, st.st_mode & (S_IFMT | 0600), st.st_rdev);
      return r < 0 ? err_of(r) : copy_owner_mode(ddir, name, st);
  }
}

int copy_tree(int sdir, int ddir, int depth) {
  alignas(8) char buf[2048];
  for (;;) {
    long n = rsys(SYS_getdents64, sdir, buf, sizeof buf);
    if (n <= 0) return err_of(n);
    for (long off = 0; off < n;) {
      const Dirent64* e = reinterpret_cast<const Dirent64*>(buf + off);
      off += e->d_reclen;
      if (is_dot_or_dotdot(e->d_name)) continue;
      if (int err = copy_entry(sdir, ddir, e->d_name, depth)) return err;
    }
  }
}

// The target once the tmpfs covers it: a tmpfs on another device than the old directory, or
// the path changed under us (EXDEV).
int open_new_tmpfs(int root, const char* target, int old, long* fd) {
  RootPath top;
  if (int err = root_open(root, target, O_DIRECTORY, 0, &top)) return err;
  struct statfs sfs;
  struct stat a, b;
  long r = rsys(SYS_fstatfs, top.fd, &sfs);
  if (r >= 0) r = rsys(SYS_fstat, top.fd, &a);
  if (r >= 0) r = rsys(SYS_fstat, old, &b);
  if (r < 0) return err_of(r);
  if (sfs.f_type != TMPFS_MAGIC || a.st_dev == b.st_dev) return EXDEV;
  *fd = rsys(SYS_openat, top.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return err_of(*fd);
}

}  // namespace

int op_tmpcopyup(int root, const PlanOp& op) {
  TmpcopyupArgs a = tmpcopyup_args(op);
  const char* data = a.data;
  RootPath dir;
  if (int err = root_open(root, a.target, O_DIRECTORY, 0, &dir)) return err;
  // "." of the O_PATH fd is the directory as it is now; the tmpfs is mounted over it below.
  long old = rsys(SYS_openat, dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (old < 0) return err_of(old);
  long r = rsys(SYS_mount, a.source, dir.proc, "tmpfs", a.flags, data && *data ? data : nullptr);
  long fresh = -1;
  int err = r < 0 ? err_of(r) : open_new_tmpfs(root, a.target, (int)old, &fresh);
  if (!err) err = copy_tree((int)old, (int)fresh, 0);
  raw_close((int)old);
  raw_close((int)fresh);
  return err;
}
