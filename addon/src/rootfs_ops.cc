// The ops that build the container's filesystem, run by the child (raw syscalls only):
// every path inside the root goes through in_root.cc, every mount through an fd path.
#include "rootfs_ops.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "in_root.h"
#include "ops.gen.h"
#include "op_args.gen.h"
#include "raw.h"

namespace {

const char* or_null(const char* s) { return s && *s ? s : nullptr; }

// Flags the kernel locks on a mount (ST_*), as MS_* for a retried remount.
unsigned long locked_flags(unsigned long st) {
  unsigned long ms = 0;
  if (st & ST_NOSUID) ms |= MS_NOSUID;
  if (st & ST_NODEV) ms |= MS_NODEV;
  if (st & ST_NOEXEC) ms |= MS_NOEXEC;
  if (st & ST_NOATIME) ms |= MS_NOATIME;
  if (st & ST_NODIRATIME) ms |= MS_NODIRATIME;
  if (st & ST_RELATIME) ms |= MS_RELATIME;
  return ms;
}

// mount(2). A remount refused with EPERM is retried once with the locked flags added:
// in a user namespace a remount may not clear nosuid/nodev/noexec/atime flags.
int do_mount(const char* src, const char* dst, const char* type, unsigned long flags, const char* data) {
  long r = rsys(SYS_mount, or_null(src), dst, or_null(type), flags, or_null(data));
  if (r == -EPERM && (flags & MS_REMOUNT)) {
    struct statfs st;
    if (rsys(SYS_statfs, dst, &st) == 0)
      r = rsys(SYS_mount, or_null(src), dst, or_null(type), flags | locked_flags(st.f_flags), or_null(data));
  }
  return err_of(r);
}

// The root fd names the new "/" once the root has changed.
int reopen_root(int* root) {
  raw_close(*root);
  long fd = rsys(SYS_openat, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  *root = fd < 0 ? -1 : (int)fd;
  return err_of(fd);
}

}  // namespace

int op_mount(int root, const PlanOp& op) {
  MountArgs args = mount_args(op);
  const char* src = args.source;
  const char* dst = args.target;
  unsigned long flags = args.flags;
  uint64_t where = args.where;
  RootPath s, d;
  if (where & WHERE_TARGET_IN_ROOT) {
    // A symlink as the last component: ENOTDIR (O_NOFOLLOW opens the link, O_DIRECTORY refuses it).
    int real_dir = where & WHERE_REAL_DIR ? O_NOFOLLOW | O_DIRECTORY : 0;
    if (int err = root_open(root, dst, real_dir, 0, &d)) return err;
    dst = d.proc;
  }
  if (where & WHERE_SOURCE_IN_ROOT) {
    if (int err = root_open(root, src, 0, 0, &s)) return err;
    src = s.proc;
  }
  if (where & WHERE_PROPAGATION) return do_mount(nullptr, dst, nullptr, flags, nullptr);
  return do_mount(src, dst, args.fstype, flags, args.data);
}

int op_private_parent(const char* path) {
  // EINVAL: not a mount point; go up a component (path is absolute and clean).
  char buf[4096];
  size_t n = raw_strlen(path);
  if (n >= sizeof buf) return ENAMETOOLONG;
  for (size_t i = 0; i <= n; i++) buf[i] = path[i];
  for (;;) {
    long r = rsys(SYS_mount, nullptr, buf, nullptr, MS_PRIVATE, nullptr);
    if (r != -EINVAL || (n == 1 && buf[0] == '/')) return err_of(r);
    while (n > 1 && buf[n - 1] != '/') n--;
    if (n > 1) n--;  // drop the slash too, but keep "/"
    buf[n] = 0;
  }
}

int op_mktarget(int root, const PlanOp& op) {
  MktargetArgs args = mktarget_args(op);
  bool file = args.kind == MKTARGET_FILE;
  if (args.kind == MKTARGET_LIKE_SOURCE) {
    struct stat st;  // the source is a host path
    long r = rsys(SYS_newfstatat, AT_FDCWD, args.source, &st, 0);
    if (r < 0) return err_of(r);
    file = !S_ISDIR(st.st_mode);
  } else if (args.kind == MKTARGET_REAL_DIR) {
    // An existing last component must be a directory itself: a symlink there, dangling or
    // not, is ENOTDIR rather than followed.
    RootPath found;
    int err = root_open(root, args.target, O_NOFOLLOW | O_DIRECTORY, 0, &found);
    if (err != ENOENT) return err;
  } else if (!file && args.kind != MKTARGET_DIR) {
    return EINVAL;
  }
  return root_mkdir_all(root, args.target, file);
}

int op_mknod(int root, const PlanOp& op) {
  MknodArgs args = mknod_args(op);
  uint64_t mode = args.mode, major = args.major, minor = args.minor;
  if (major > 0xfff || minor > 0xfffff) return EINVAL;  // the kernel's 12:20 dev_t
  RootPath dir, node;
  char name[256];
  int err = root_parent(root, args.target, &dir, name, sizeof name);
  if (err) return err;
  long r = rsys(SYS_mknodat, dir.fd, name, mode, (unsigned)makedev(major, minor));
  if (r < 0 && r != -EEXIST) return err_of(r);
  // Own and chmod through an O_PATH fd, so a symlink planted at the name is never followed.
  if ((r = rsys(SYS_openat, dir.fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0) return err_of(r);
  node.fd = (int)r;
  struct stat st;
  if ((r = rsys(SYS_fstat, node.fd, &st)) < 0) return err_of(r);
  if (S_ISLNK(st.st_mode)) return EEXIST;
  if ((r = rsys(SYS_fchownat, node.fd, "", args.uid, args.gid, AT_EMPTY_PATH)) < 0) return err_of(r);
  return err_of(rsys(SYS_fchmodat, AT_FDCWD, raw_fd_path(node.fd, node.proc), mode & 07777));
}

int op_symlink(int root, const PlanOp& op) {
  SymlinkArgs args = symlink_args(op);
  RootPath dir;
  char name[256];
  int err = root_parent(root, args.linkpath, &dir, name, sizeof name);
  if (err) return err;
  long r = rsys(SYS_symlinkat, args.linktarget, dir.fd, name);
  return r == -EEXIST ? 0 : err_of(r);
}

int op_pivot_root(int* root, const char* rootfs) {
  long r = rsys(SYS_chdir, rootfs);
  if (r >= 0) r = rsys(SYS_pivot_root, ".", ".");
  // The old root is now stacked on "."; make it a slave so the detach cannot reach the host.
  if (r >= 0) r = rsys(SYS_mount, 0, ".", 0, MS_SLAVE | MS_REC, 0);
  if (r >= 0) r = rsys(SYS_umount2, ".", MNT_DETACH);
  if (r >= 0) r = rsys(SYS_chdir, "/");
  return r < 0 ? err_of(r) : reopen_root(root);
}

namespace {

// Decodes mountinfo's octal escapes (\040 for a space) in place.
void unescape_mountinfo(char* s) {
  char* out = s;
  for (char* in = s; *in; in++) {
    if (in[0] == '\\' && in[1] >= '0' && in[1] <= '7' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
      *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
      in += 3;
    } else {
      *out++ = *in;
    }
  }
  *out = 0;
}

// Whether path is dir or below it.
bool path_under(const char* path, const char* dir) {
  size_t n = raw_strlen(dir);
  while (n > 1 && dir[n - 1] == '/') n--;
  for (size_t i = 0; i < n; i++)
    if (path[i] != dir[i]) return false;
  return path[n] == 0 || path[n] == '/' || n == 1;
}

// Splits the next space-separated field off *line (NUL-terminating it); "" at the end.
char* next_field(char** line) {
  char* s = *line;
  while (*s == ' ') s++;
  char* e = s;
  while (*e && *e != ' ') e++;
  if (*e) *e++ = 0;
  *line = e;
  return s;
}

// Reads all of /proc/self/mountinfo into an anonymous mapping (*len bytes, NUL-terminated).
int read_mountinfo(char** buf, size_t* cap, size_t* len) {
  long fd = rsys(SYS_openat, AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err_of(fd);
  *cap = 1 << 20;
  *len = 0;
  long m = rsys(SYS_mmap, 0, *cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m < 0 && m > -4096) { raw_close((int)fd); return err_of(m); }
  *buf = (char*)m;
  for (;;) {
    if (*len + 1 >= *cap) {
      long g = rsys(SYS_mremap, *buf, *cap, *cap * 2, MREMAP_MAYMOVE);
      if (g < 0 && g > -4096) { raw_close((int)fd); return err_of(g); }
      *buf = (char*)g;
      *cap *= 2;
    }
    long n = rsys(SYS_read, fd, *buf + *len, *cap - *len - 1);
    if (n < 0) { raw_close((int)fd); return err_of(n); }
    if (n == 0) break;
    *len += (size_t)n;
  }
  raw_close((int)fd);
  (*buf)[*len] = 0;
  return 0;
}

// Every full (root "/") proc and sysfs mount outside the rootfs is detached, or covered with a
// tmpfs where the kernel will not detach it (locked in a user namespace): otherwise a process in
// a nested user namespace may mount a fresh proc, the kernel counting the host's as visible.
int hide_host_proc_sysfs(const char* rootfs) {
  char* buf;
  size_t cap, len;
  int err = read_mountinfo(&buf, &cap, &len);
  if (err) return err;
  // Pass 1 keeps, in place, the mount points to act on: each line becomes its NUL-terminated
  // mount point or an empty string (all read before /proc itself goes).
  for (char* line = buf; line < buf + len;) {
    char* end = line;
    while (*end && *end != '\n') end++;
    *end = 0;
    char* next = end + 1;
    char* rest = line;
    for (int i = 0; i < 3; i++) next_field(&rest);
    char* mroot = next_field(&rest);
    char* point = next_field(&rest);
    const char* fstype = "";
    for (char* f = next_field(&rest); *f; f = next_field(&rest))
      if (f[0] == '-' && f[1] == 0) { fstype = next_field(&rest); break; }
    bool full = mroot[0] == '/' && mroot[1] == 0;
    bool pseudo = !__builtin_strcmp(fstype, "proc") || !__builtin_strcmp(fstype, "sysfs");
    if (full && pseudo) {
      unescape_mountinfo(point);
      if (path_under(point, rootfs)) point = end;  // empty: skip
    } else {
      point = end;
    }
    __builtin_memmove(line, point, raw_strlen(point) + 1);
    for (char* z = line + raw_strlen(line) + 1; z < next; z++) *z = 0;
    line = next;
  }
  for (char* p = buf; !err && p < buf + len; p += raw_strlen(p) + 1) {
    if (!*p) continue;
    // Slave first so that the detach does not propagate to the host.
    long r = rsys(SYS_mount, 0, p, 0, MS_SLAVE | MS_REC, 0);
    if (r == -ENOENT) continue;  // under a mount detached already
    if (r >= 0) r = rsys(SYS_umount2, p, MNT_DETACH);
    if (r == -EINVAL || r == -EPERM) r = rsys(SYS_mount, "tmpfs", p, "tmpfs", 0, 0);
    if (r < 0 && r != -ENOENT) err = err_of(r);
  }
  rsys(SYS_munmap, buf, cap);
  return err;
}

}  // namespace

// --no-pivot: for roots where pivot_root is impossible (a ramfs root).
int op_move_root(int* root, const char* rootfs) {
  if (int err = hide_host_proc_sysfs(rootfs)) return err;
  long r = rsys(SYS_chdir, rootfs);
  if (r >= 0) r = rsys(SYS_mount, rootfs, "/", 0, MS_MOVE, 0);
  if (r >= 0) r = rsys(SYS_chroot, ".");
  if (r >= 0) r = rsys(SYS_chdir, "/");
  return r < 0 ? err_of(r) : reopen_root(root);
}

// Masks with a read-only tmpfs (directories) or the container's /dev/null, after checking
// that it is the real 1:3 device (CVE-2025-31133: a symlinked /dev/null).
int op_mask_path(int root, const char* path, bool missing_ok) {
  RootPath p, null;
  int err = root_open(root, path, O_NOFOLLOW, 0, &p);
  if (err) return err == ENOENT && missing_ok ? 0 : err;
  struct stat st;
  if (long r = rsys(SYS_fstat, p.fd, &st); r < 0) return err_of(r);
  if (S_ISDIR(st.st_mode)) return do_mount("tmpfs", p.proc, "tmpfs", MS_RDONLY, nullptr);
  err = root_open(root, "/dev/null", 0, RESOLVE_NO_SYMLINKS, &null);
  if (err) return err == ELOOP ? ENODEV : err;
  if (long r = rsys(SYS_fstat, null.fd, &st); r < 0) return err_of(r);
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) return ENODEV;
  return do_mount(null.proc, p.proc, nullptr, MS_BIND, nullptr);
}

int op_readonly_path(int root, const char* path, bool missing_ok) {
  RootPath p, top;
  int err = root_open(root, path, 0, 0, &p);
  if (err) return err == ENOENT && missing_ok ? 0 : err;
  if ((err = do_mount(p.proc, p.proc, nullptr, MS_BIND | MS_REC, nullptr))) return err;
  // Reopen: p.fd still names the covered mount, not the bind just stacked on it.
  if ((err = root_open(root, path, 0, 0, &top))) return err;
  return do_mount(nullptr, top.proc, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr);
}
