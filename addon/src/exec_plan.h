// The cloned child: runs the prepared plan's ops in order with raw syscalls only.
#pragma once
#include "plan_reader.h"

struct ChildSetup {
  int sync;          // the child's end of the sync socketpair
  int host_end;      // the parent's end, closed first so EOF means "host gone"
  int fifo;          // exec.fifo, O_RDWR, read at WAIT_START
  int preserve_fds;  // fds 3..3+n-1 cross into the container
  int cap_last_cap;  // /proc/sys/kernel/cap_last_cap, read before the clone
  int init_pidfd;    // exec: the container init's pidfd (OP_SETNS_PIDFD), else -1
  bool born_in_cgroup = false;  // cloned into OP_CGROUP_JOIN's clone_into (CLONE_INTO_CGROUP)
};

// Never returns: ends in execve or exit_group. Errors go to the host as SYNC_ERROR.
[[noreturn]] void run_init_child(const PreparedPlan& plan, const ChildSetup& setup);
