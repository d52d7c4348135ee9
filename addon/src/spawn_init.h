// The host side of spawnInit: clone the init, then follow its sync messages to READY or ERROR.
#pragma once
#include <functional>
#include <string>

#include "plan_reader.h"

struct SpawnResult {
  bool ready;  // true: pid and sync are set; false: op and err are
  int pid, sync;
  int op, err;
  int console = -1;   // the pty master (OP_CONSOLE), when ready
  int listener = -1;  // the seccomp listener (OP_SECCOMP with notify), when ready
};

// Where the host found shadow's id-map helpers ("" when not found): OP_USERNS_MAPS runs them
// for the maps its "how" says a non-root caller cannot write itself.
struct MapTools {
  std::string newuidmap, newgidmap;
};

// OP_CREATE_HOOKS: called with the init's pid while it waits; returns 0 or the errno to fail
// the op with.
using HooksCallback = std::function<int(int init_pid)>;
// OP_SECCOMP with notify 2: called with the listener (the callee's to close) and the sender's
// pid as soon as it is taken, so the agent has it before the sender makes another syscall; 0, or
// an errno: the agent did not get it, and the sender (which may wait on it forever) is killed.
using ListenerCallback = std::function<int(int listener, int pid)>;

struct SpawnCallbacks {
  HooksCallback on_hooks;
  ListenerCallback on_listener;
};

SpawnResult spawn_init(const PreparedPlan& plan, int fifo_fd, int preserve_fds, const MapTools& tools, const SpawnCallbacks& callbacks, int init_pidfd = -1);
