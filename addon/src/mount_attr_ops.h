// The ops that change a mount's attributes through the new mount API (mount_setattr(2),
// open_tree(2), move_mount(2)), for the child: raw syscalls only. Each returns 0 or an errno.
#pragma once
#include "plan_reader.h"

int op_mount_setattr(int root, const PlanOp& op);
int op_mount_idmap(int root, const PlanOp& op);
