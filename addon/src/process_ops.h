// The init's kernel settings (formats.md §3; opcodes in assembly/plan/ops.ts): sysctls, LSM
// exec labels, oom_score_adj and time namespace offsets written through a verified procfs, and the
// scheduler, io priority, personality, memory policy and (exec only) CPU affinity syscalls. Raw
// syscalls only; each returns 0 or an errno.
#pragma once
#include "plan_format.h"

// root: the container root fd (OP_ROOTFS; "/" after the pivot); the sysctl goes to its /proc.
int op_sysctl(int root, const PlanOp& op);
// The AppArmor profile ("exec <profile>") and SELinux label the init takes at execve, written
// to the container's /proc like the sysctls.
int op_apparmor(int root, const PlanOp& op);
int op_selinux_exec_label(int root, const PlanOp& op);
int op_time_offsets(const PlanOp& op);
int op_scheduler(const PlanOp& op);
int op_ioprio(const PlanOp& op);
int op_personality(const PlanOp& op);
int op_memory_policy(const PlanOp& op);
// sched_setaffinity(0): an exec'd process's process.execCPUAffinity initial or final list.
int op_cpu_affinity(const PlanOp& op);
