// One forked helper that makes an fd in another namespace and hands it back: the idmapped
// tree (idmap_tree.cc) and the container's netlink socket (net_device.cc) both need one.
#include "fd_from_child.h"

#include <signal.h>
#include <sys/socket.h>

#include "raw.h"
#include "sync_msg.h"

int fd_from_child(FdMaker make, const void* arg, int* out) {
  *out = -1;
  int sv[2];
  long r = rsys(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
  if (r < 0) return err_of(r);
  long pid = rsys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    raw_close(sv[0]);
    long fd = make(arg);
    SyncMsg m = {0, 0, err_of(fd), 0};
    if (fd >= 0) send_with_fd(sv[1], &m, sizeof m, (int)fd);
    else rsys(SYS_sendto, sv[1], &m, sizeof m, MSG_NOSIGNAL, 0, 0);
    raw_exit(0);
  }
  raw_close(sv[1]);
  if (pid < 0) {
    raw_close(sv[0]);
    return err_of(pid);
  }
  SyncMsg m;
  int passed = -1;
  int got = sync_recv_fd(sv[0], &m, &passed);
  raw_close(sv[0]);
  while (rsys(SYS_wait4, pid, 0, 0, 0) == -EINTR) {}
  int err = got < 0 ? -got : got == 0 ? ECHILD : m.err ? m.err : passed < 0 ? EPROTO : 0;
  if (err) raw_close(passed);
  else *out = passed;
  return err;
}
