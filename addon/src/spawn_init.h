// The host side of spawnInit: clone the init, then follow its sync messages to READY or ERROR.
#pragma once
#include "plan_reader.h"

struct SpawnResult {
  bool ready;  // true: pid and sync are set; false: op and err are
  int pid, sync;
  int op, err;
  int console = -1;   // the pty master (OP_CONSOLE), when ready
  int listener = -1;  // the seccomp listener (OP_SECCOMP with notify), when ready
};

SpawnResult spawn_init(const PreparedPlan& plan, int fifo_fd, int preserve_fds);
