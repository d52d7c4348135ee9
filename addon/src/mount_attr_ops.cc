// Recursive mount attributes and idmapped binds. The core decides every bit; this file only
// makes the calls. linux/mount.h, not sys/mount.h: glibc 2.36 clashes with it.
#include "mount_attr_ops.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>

#include "in_root.h"
#include "ops.gen.h"
#include "raw.h"

namespace {

// "/proc/<pid>/<name>" into buf (at least 64 bytes); pid is decimal text.
const char* proc_path(const char* pid, const char* name, char* buf) {
  const char* parts[] = {"/proc/", pid, "/", name};
  size_t n = 0;
  for (const char* p : parts)
    for (; *p && n < 63; p++) buf[n++] = *p;
  buf[n] = 0;
  return buf;
}

int write_map(const char* pid, const char* name, const char* text) {
  char path[64];
  long fd = rsys(SYS_openat, AT_FDCWD, proc_path(pid, name, path), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return err_of(fd);
  size_t n = raw_strlen(text);
  long w = rsys(SYS_write, fd, text, n);  // a map must be written in one call
  raw_close((int)fd);
  return w < 0 ? err_of(w) : (size_t)w == n ? 0 : EIO;
}

// The child that holds the user namespace: it reports its pid as /proc names it (the init may
// sit in a new pid namespace while /proc is still the host's) and waits for EOF.
[[noreturn]] void hold_userns(int sock) {
  char pid[24];
  long n = rsys(SYS_readlink, "/proc/self", pid, sizeof pid - 1);
  if (n > 0) rsys(SYS_write, sock, pid, n);
  char byte;
  while (rsys(SYS_read, sock, &byte, 1) == -EINTR) {}
  raw_exit(0);
}

// A user namespace with these maps, as an fd in *out. The init writes the maps: it is root
// in the parent namespace.
int make_userns(const char* uidmap, const char* gidmap, int* out) {
  int sv[2];
  long r = rsys(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
  if (r < 0) return err_of(r);
  long pid = rsys(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    raw_close(sv[0]);
    hold_userns(sv[1]);
  }
  raw_close(sv[1]);
  if (pid < 0) {
    raw_close(sv[0]);
    return err_of(pid);
  }
  char name[24] = {0};
  long n = rsys(SYS_read, sv[0], name, sizeof name - 1);
  int err = n > 0 ? 0 : n < 0 ? err_of(n) : ECHILD;
  if (!err) err = write_map(name, "uid_map", uidmap);
  if (!err) err = write_map(name, "gid_map", gidmap);
  char path[64];
  if (!err) {
    long fd = rsys(SYS_openat, AT_FDCWD, proc_path(name, "ns/user", path), O_RDONLY | O_CLOEXEC);
    err = err_of(fd);
    *out = fd < 0 ? -1 : (int)fd;
  }
  raw_close(sv[0]);
  rsys(SYS_kill, pid, SIGKILL);
  while (rsys(SYS_wait4, pid, 0, 0, 0) == -EINTR) {}
  return err;
}

}  // namespace

int op_mount_setattr(int root, const PlanOp& op) {
  RootPath t;
  if (int err = root_open(root, op.arg[0].str, 0, 0, &t)) return err;
  struct mount_attr attr = {};
  attr.attr_set = op.arg[1].num;
  attr.attr_clr = op.arg[2].num;
  attr.propagation = op.arg[3].num;
  return err_of(rsys(SYS_mount_setattr, t.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr));
}

int op_mount_idmap(int root, const PlanOp& op) {
  uint64_t rec = op.arg[2].num;
  int userns = -1;
  if (int err = make_userns(op.arg[3].str, op.arg[4].str, &userns)) return err;
  long tree = rsys(SYS_open_tree, AT_FDCWD, op.arg[0].str,
                   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((rec & IDMAP_TREE) ? AT_RECURSIVE : 0));
  long r = tree;
  if (r >= 0) {
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = (uint64_t)userns;
    r = rsys(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | ((rec & IDMAP_RECURSIVE) ? AT_RECURSIVE : 0), &attr, sizeof attr);
  }
  raw_close(userns);
  RootPath t;
  if (r >= 0) r = -root_open(root, op.arg[1].str, 0, 0, &t);
  // The target by its fd (T_EMPTY_PATH): Linux 6.18 refuses its /proc/self/fd name (EINVAL).
  if (r >= 0) r = rsys(SYS_move_mount, tree, "", t.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  if (tree >= 0) raw_close((int)tree);
  return err_of(r);
}
