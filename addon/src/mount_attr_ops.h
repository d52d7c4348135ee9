// The ops that change a mount's attributes through the new mount API (mount_setattr(2),
// open_tree(2), move_mount(2)), for the child: raw syscalls only. Each returns 0 or an errno.
#pragma once
#include "plan_reader.h"

int op_mount_setattr(int root, const PlanOp& op);
// Asks the host for op's idmapped tree over sync (SYNC_IDMAP_TREE) and moves it onto the
// target inside root.
int op_mount_idmap(int root, int sync, int index, const PlanOp& op);
