// The ops the sealed init program runs (ops.ts, OP_EXEC_SEALED), after the executor's.
#pragma once
#include <stddef.h>

#include "../src/plan_format.h"

struct InitState {
  int sync = -1;              // to the host until start (or the execve, for exec); then -1
  int fifo = -1;              // exec.fifo: read at WAIT_START, failures after it written there
  int preserve_fds = 0;
  int cap_last_cap = 0;
  int root = -1;                  // "/", the container's root, for the LSM /proc writes
  const char* exe = nullptr;      // chosen by FIND_EXEC
  const PlanOp* ops = nullptr;    // ops [first, first + count) of the plan
  size_t first = 0, count = 0;
};

// Reports err against the plan op at index (to the host while sync is open, else to exec.fifo
// and stderr) and exits.
[[noreturn]] void init_fail(InitState& st, int index, int err);

// Runs the ops in order; never returns.
[[noreturn]] void init_run(InitState& st);
