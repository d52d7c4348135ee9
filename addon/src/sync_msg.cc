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

int sync_recv(int fd, SyncMsg* msg) {
  long r;
  do r = rsys(SYS_recvfrom, fd, msg, sizeof *msg, 0, 0, 0);
  while (r == -EINTR);
  if (r <= 0) return (int)r;
  return r == (long)sizeof *msg ? 1 : -EPROTO;
}
