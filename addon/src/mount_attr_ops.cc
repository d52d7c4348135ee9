// Recursive mount attributes, and the init's half of an idmapped bind, or of a plain one in a
// user namespace (it moves the tree the host built into place). The core decides every bit; this file only makes the calls.
// linux/mount.h, not sys/mount.h: glibc 2.36 clashes with it.
#include "mount_attr_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <linux/mount.h>

#include "in_root.h"
#include "ops.gen.h"
#include "op_args.gen.h"
#include "raw.h"
#include "sync_msg.h"

int op_mount_setattr(int root, const PlanOp& op) {
  MountSetattrArgs args = mount_setattr_args(op);
  RootPath t;
  if (int err = root_open(root, args.target, 0, 0, &t)) return err;
  struct mount_attr attr = {};
  attr.attr_set = args.attr_set;
  attr.attr_clr = args.attr_clr;
  attr.propagation = args.propagation;
  return err_of(rsys(SYS_mount_setattr, t.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr));
}

int op_mount_idmap(int root, int sync, int index, const PlanOp& op) {
  MountIdmapArgs args = mount_idmap_args(op);
  // The host builds the idmapped tree (idmap_tree.cc): only it is root in the user namespace
  // that owns the source's filesystem.
  if (int r = sync_send(sync, SYNC_IDMAP_TREE, index, 0, 0)) return -r;
  SyncMsg m;
  int tree = -1;
  if (sync_recv_fd(sync, &m, &tree) <= 0 || m.kind != SYNC_IDMAP_TREE_DONE) raw_exit(1);  // host gone
  if (m.err || tree < 0) {
    raw_close(tree);
    return m.err ? m.err : EPROTO;
  }
  // IDMAP_MAKE_TARGET: the mount point as the tree is, a directory or a file.
  if (args.recursive & IDMAP_MAKE_TARGET) {
    struct stat st;
    long s = rsys(SYS_fstat, tree, &st);
    int err = s < 0 ? err_of(s) : root_mkdir_all(root, args.target, !S_ISDIR(st.st_mode));
    if (err) {
      raw_close(tree);
      return err;
    }
  }
  RootPath t;
  long r = -root_open(root, args.target, 0, 0, &t);
  // The target by its fd (T_EMPTY_PATH): Linux 6.18 refuses its /proc/self/fd name (EINVAL).
  if (r >= 0) r = rsys(SYS_move_mount, tree, "", t.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  raw_close(tree);
  return err_of(r);
}
