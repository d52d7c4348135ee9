// OP_TMPCOPYUP for the child (raw syscalls only): a tmpfs mounted on a directory of the rootfs
// that starts with a copy of what the directory held.
#pragma once
#include "plan_reader.h"

// 0 or an errno. root is the O_PATH fd of the container root (OP_ROOTFS).
int op_tmpcopyup(int root, const PlanOp& op);
