// The container's first execve, made from a sealed memfd copy of a tiny static trampoline
// instead of from ocirun's own binary (CVE-2019-5736; see addon/trampoline/exec_trampoline.c).
#pragma once
#include <stdint.h>

// A sealed memfd holding the trampoline (close-on-exec), or -errno. Made before a seccomp
// filter is loaded, so that the filter need not allow memfd_create.
long sealed_trampoline();

// Raw syscalls only. Returns only on failure: -errno. trampoline: sealed_trampoline()'s fd.
// report_fd (or -1) hears of a failure of the trampoline's own execve as plan op `op`
// (addon/trampoline/exec_trampoline.c).
long exec_via_trampoline(int trampoline, const char* exe, const char* const* argv, uint64_t argc, const char* const* envp, int report_fd, int op);
