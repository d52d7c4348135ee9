// The 16-byte init <-> host messages over the SOCK_SEQPACKET socketpair (formats.md §4).
// Raw syscalls only: the child sends these between clone and execve.
#pragma once
#include <stddef.h>
#include <stdint.h>

enum : int32_t { SYNC_ERROR = 1, SYNC_READY = 2, SYNC_PID = 3, SYNC_ACK = 4, SYNC_MAPS = 5, SYNC_MAPS_DONE = 6, SYNC_CONSOLE = 7,
                 SYNC_IDMAP_TREE = 8, SYNC_IDMAP_TREE_DONE = 9, SYNC_SECCOMP_LISTENER = 10, SYNC_NET_DEVICE = 11,
                 SYNC_NET_DEVICE_DONE = 12, SYNC_CGROUP = 13, SYNC_CGROUP_DONE = 14,
                 SYNC_HOOKS = 15, SYNC_HOOKS_DONE = 16, SYNC_HOOK_FAILED = 17 };

// Native byte order, which is little-endian on every target ocirun builds for.
struct SyncMsg {
  int32_t kind, op, err, value;
};
static_assert(sizeof(SyncMsg) == 16, "formats.md §4: a message is 16 bytes");

// Sends one message (MSG_NOSIGNAL, retrying EINTR); 0 or -errno.
int sync_send(int fd, int32_t kind, int32_t op, int32_t err, int32_t value);

// sendmsg(2) of data with fd attached (SCM_RIGHTS), raw syscalls only: bytes sent or -errno.
long send_with_fd(int sock, const void* data, size_t len, int passed);

// Sends one message with fd attached (SCM_RIGHTS); 0 or -errno.
int sync_send_fd(int fd, int32_t kind, int32_t op, int passed);

// Receives one message, and in *passed an fd sent with it (else -1): 1, 0, or -errno.
int sync_recv_fd(int fd, SyncMsg* msg, int* passed);

// Receives one message: 1, 0 when the peer is gone, or -errno (-EPROTO for a short one).
int sync_recv(int fd, SyncMsg* msg);
