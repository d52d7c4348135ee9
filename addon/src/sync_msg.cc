#include "sync_msg.h"

#include <sys/socket.h>

#include "raw.h"

int sync_send(int fd, int32_t kind, int32_t op, int32_t err, int32_t value) {
  SyncMsg m = {kind, op, err, value};
  long r;
  do r = rsys(SYS_sendto, fd, &m, sizeof m, MSG_NOSIGNAL, 0, 0);
  while (r == -EINTR);
  if (r < 0) return (int)r;
  return r == (long)sizeof m ? 0 : -EPROTO;
}

namespace {

// One data buffer and room for one SCM_RIGHTS fd: the msghdr both directions use.
struct FdMessage {
  struct iovec iov;
  struct msghdr mh = {};
  // Last: cmsghdr ends in a flexible array member.
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control = {};
  FdMessage(void* data, size_t len) : iov{data, len} {
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.buf;
    mh.msg_controllen = sizeof control.buf;
  }
};

}  // namespace

long send_with_fd(int sock, const void* data, size_t len, int passed) {
  FdMessage fm(const_cast<void*>(data), len);
  struct msghdr& mh = fm.mh;
  struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  __builtin_memcpy(CMSG_DATA(c), &passed, sizeof passed);
  long r;
  do r = rsys(SYS_sendmsg, sock, &mh, MSG_NOSIGNAL);
  while (r == -EINTR);
  return r;
}

int sync_send_fd(int fd, int32_t kind, int32_t op, int passed) {
  SyncMsg m = {kind, op, 0, 0};
  long r = send_with_fd(fd, &m, sizeof m, passed);
  if (r < 0) return (int)r;
  return r == (long)sizeof m ? 0 : -EPROTO;
}

int sync_recv_fd(int fd, SyncMsg* msg, int* passed) {
  *passed = -1;
  FdMessage fm(msg, sizeof *msg);
  struct msghdr& mh = fm.mh;
  long r;
  do r = rsys(SYS_recvmsg, fd, &mh, MSG_CMSG_CLOEXEC);
  while (r == -EINTR);
  if (r <= 0) return (int)r;
  struct cmsghdr* c = CMSG_FIRSTHDR(&mh);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) __builtin_memcpy(passed, CMSG_DATA(c), sizeof *passed);
  return r == (long)sizeof *msg ? 1 : -EPROTO;
}

int sync_recv(int fd, SyncMsg* msg) {
  long r;
  do r = rsys(SYS_recvfrom, fd, msg, sizeof *msg, 0, 0, 0);
  while (r == -EINTR);
  if (r <= 0) return (int)r;
  return r == (long)sizeof *msg ? 1 : -EPROTO;
}
