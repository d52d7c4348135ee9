// The host's half of OP_MOUNT_IDMAP (formats.md §4, IDMAP_TREE): build the idmapped detached
// mount tree the init asked for. Only a root of the host's user namespace may idmap a mount,
// and the init may already be in the container's, so the host does it, as runc does.
#pragma once
#include "plan_reader.h"

// Builds the tree of op (an OP_MOUNT_IDMAP) for the init whose host pid is pid: open_tree
// of the source in the init's mount namespace, idmapped to a user namespace made with the
// op's maps, or to the init's own when they are empty. 0 with the tree's fd (close-on-exec)
// in *tree, or an errno. Called from the host process: the namespace changes happen in
// short-lived forked helpers that make raw syscalls only.
int build_idmapped_tree(const PlanOp& op, int pid, int* tree);
