// The filesystem ops of the plan (formats.md §3), for the child. Each returns 0 or an errno.
// root is the O_PATH fd of the container root (OP_ROOTFS); the root-changing ops replace it.
#pragma once
#include "plan_reader.h"

int op_mount(int root, const PlanOp& op);
int op_mktarget(int root, const PlanOp& op);
int op_mknod(int root, const PlanOp& op);
int op_symlink(int root, const PlanOp& op);
int op_pivot_root(int* root, const char* rootfs);
int op_move_root(int* root, const char* rootfs);
int op_mask_path(int root, const char* path, bool missing_ok);
int op_readonly_path(int root, const char* path, bool missing_ok);
// OP_PRIVATE_PARENT: the nearest mount point at or above path made private.
int op_private_parent(const char* path);
