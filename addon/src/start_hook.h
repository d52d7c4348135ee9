// OP_START_HOOK: the init runs one startContainer hook itself, after start and before its
// execve, with raw syscalls only (the process model's rule).
#pragma once

#include "plan_format.h"

// Runs op's hook and waits for it. 0 when it exits 0; otherwise it writes the failure to
// report_fd (exec.fifo, which `start` reads: docs/formats.md §4, "after start") and returns
// the errno to fail the op with (ECANCELED when the hook itself failed).
int run_start_hook(const PlanOp& op, int report_fd);
