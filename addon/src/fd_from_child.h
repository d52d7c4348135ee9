#pragma once

// Runs make(arg) in a forked child and returns what it made, an fd, in *out (-1 on error).
// Fork semantics give the child its own fs_struct, so make may setns(CLONE_NEWNS) or any
// other namespace without touching the caller's. make returns the fd or -errno; raw syscalls
// only in it. The fd crosses back over a socketpair (SCM_RIGHTS). 0 or an errno.
using FdMaker = long (*)(const void* arg);
int fd_from_child(FdMaker make, const void* arg, int* out);
