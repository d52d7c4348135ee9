#include "console.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <termios.h>

#include "in_root.h"
#include "raw.h"
#include "sync_msg.h"

namespace {

// The peer by TIOCGPTPEER, never by a /dev/pts/N path a container could swap (CVE-2025-52565).
int open_pty(int root, int* master, int* peer) {
  RootPath ptmx;
  if (int err = root_open(root, "/dev/pts/ptmx", 0, RESOLVE_NO_SYMLINKS, &ptmx)) return err;
  struct statfs sfs;
  long r = rsys(SYS_fstatfs, ptmx.fd, &sfs);
  if (r < 0) return err_of(r);
  if (sfs.f_type != DEVPTS_SUPER_MAGIC) return EXDEV;
  long m = rsys(SYS_openat, AT_FDCWD, ptmx.proc, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return err_of(m);
  int unlock = 0;
  r = rsys(SYS_ioctl, m, TIOCSPTLCK, &unlock);
  long p = r < 0 ? r : rsys(SYS_ioctl, m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p < 0) {
    raw_close((int)m);
    return err_of(p);
  }
  *master = (int)m;
  *peer = (int)p;
  return 0;
}

int bind_console(int root, int peer) {
  if (int err = root_mkdir_all(root, "/dev/console", true)) return err;
  RootPath target;
  if (int err = root_open(root, "/dev/console", O_NOFOLLOW, 0, &target)) return err;
  char src[32];
  raw_fd_path(peer, src);
  return err_of(rsys(SYS_mount, src, target.proc, 0, MS_BIND, 0));
}

}  // namespace

static int setup_pty(int root, int sync, int index, uint64_t rows, uint64_t cols, bool console) {
  int master = -1, peer = -1;
  if (int err = open_pty(root, &master, &peer)) return err;
  int err = 0;
  if (rows > 0 && cols > 0) {
    struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
    err = err_of(rsys(SYS_ioctl, master, TIOCSWINSZ, &ws));
  }
  if (!err && console) err = bind_console(root, peer);
  if (!err) err = -sync_send_fd(sync, SYNC_CONSOLE, index, master);
  raw_close(master);
  // A session of its own with the pty as its controlling terminal, and the pty as stdio.
  if (!err) err = err_of(rsys(SYS_setsid));
  if (!err) err = err_of(rsys(SYS_ioctl, peer, TIOCSCTTY, 0));
  for (int fd = 0; !err && fd < 3; fd++) err = err_of(rsys(SYS_dup3, peer, fd, 0));
  if (peer > 2) raw_close(peer);
  return err;
}

int op_console(int root, int sync, int index, uint64_t rows, uint64_t cols) {
  return setup_pty(root, sync, index, rows, cols, true);
}

int op_exec_console(int root, int sync, int index, uint64_t rows, uint64_t cols) {
  return setup_pty(root, sync, index, rows, cols, false);
}
