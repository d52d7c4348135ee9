// The host's half of an idmapped bind, or of a plain one in a user namespace (OP_MOUNT_IDMAP):
// runc's mountFd, run by the parent.
// linux/mount.h, not sys/mount.h: glibc 2.36 clashes with it.
#include "idmap_tree.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>

#include "fd_from_child.h"
#include "op_args.gen.h"
#include "ops.gen.h"
#include "raw.h"
#include "sync_msg.h"

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

int open_proc(const char* pid, const char* name, int flags, int* out) {
  char path[64];
  long fd = rsys(SYS_openat, AT_FDCWD, proc_path(pid, name, path), flags | O_CLOEXEC);
  *out = fd < 0 ? -1 : (int)fd;
  return err_of(fd);
}

// The child that holds the user namespace until it is killed.
[[noreturn]] void hold_userns(int sock) {
  char byte;
  while (rsys(SYS_read, sock, &byte, 1) == -EINTR) {}
  raw_exit(0);
}

// A user namespace with these maps, as an fd in *out. The host writes the maps: it is root
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
  // The host's /proc names the child by the pid clone returned.
  char name[24], path[64];
  raw_itoa(pid, name);
  int err = raw_write_file(proc_path(name, "uid_map", path), uidmap);
  if (!err) err = raw_write_file(proc_path(name, "gid_map", path), gidmap);
  if (!err) err = open_proc(name, "ns/user", O_RDONLY, out);
  raw_close(sv[0]);
  rsys(SYS_kill, pid, SIGKILL);
  while (rsys(SYS_wait4, pid, 0, 0, 0) == -EINTR) {}
  return err;
}

// What the forked helper (fd_from_child) gets: the init's mount namespace and the idmapping
// user namespace, and the op.
struct TreeRequest {
  int mntns, userns;
  const PlanOp* op;
};

// In the helper, root in the host's user namespace: joins the init's mount namespace (the
// source resolves as the init sees it, and the clone's mount namespace belongs to the init's
// user namespace), clones the source and idmaps it. The tree's fd, or -errno.
long clone_tree(const void* arg) {
  const TreeRequest* t = static_cast<const TreeRequest*>(arg);
  MountIdmapArgs a = mount_idmap_args(*t->op);
  uint64_t rec = a.recursive;
  long r = rsys(SYS_setns, t->mntns, CLONE_NEWNS);
  long tree = r < 0 ? r
                    : rsys(SYS_open_tree, AT_FDCWD, a.source,
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((rec & IDMAP_TREE) ? AT_RECURSIVE : 0));
  if (tree < 0 || (rec & IDMAP_PLAIN)) return tree;
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)t->userns;
  r = rsys(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | ((rec & IDMAP_RECURSIVE) ? AT_RECURSIVE : 0), &attr, sizeof attr);
  return r < 0 ? r : tree;
}

}  // namespace

int build_idmapped_tree(const PlanOp& op, int pid, int* tree) {
  *tree = -1;
  char p[24];
  raw_itoa(pid, p);
  int userns = -1, mntns = -1;
  // No maps of the mount's own: the user namespace the init is in (the container's); a plain
  // clone (IDMAP_PLAIN) needs none.
  MountIdmapArgs a = mount_idmap_args(op);
  bool own_maps = a.uidmap[0] || a.gidmap[0];
  int err = (a.recursive & IDMAP_PLAIN) ? 0
            : own_maps                   ? make_userns(a.uidmap, a.gidmap, &userns)
                                           : open_proc(p, "ns/user", O_RDONLY, &userns);
  if (!err) err = open_proc(p, "ns/mnt", O_RDONLY, &mntns);
  TreeRequest request = {mntns, userns, &op};
  if (!err) err = fd_from_child(clone_tree, &request, tree);
  raw_close(userns);
  raw_close(mntns);
  return err;
}
