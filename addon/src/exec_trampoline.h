// The container's first execve, made from a sealed memfd copy of a tiny static trampoline
// instead of from ocirun's own binary (CVE-2019-5736; see addon/trampoline/exec_trampoline.c).
#pragma once
#include <stdint.h>

// Raw syscalls only. Returns only on failure: -errno. report_fd (or -1) hears of a failure of
// the trampoline's own execve as plan op `op` (addon/trampoline/exec_trampoline.c).
long exec_via_trampoline(const char* exe, const char* const* argv, uint64_t argc, const char* const* envp, int report_fd, int op);
