#pragma once
#include "plan_format.h"

// OP_SECCOMP: loads the core's filter; with notify, sends the listener fd to the host.
int op_seccomp(int sync, int index, const PlanOp& op);
