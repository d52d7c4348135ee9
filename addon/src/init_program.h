// The sealed memfds OP_EXEC_SEALED execs from: the init program (addon/init/) and the plan it
// runs. Raw syscalls only (the child makes them between clone and execve).
#pragma once
#include <stddef.h>

// A new close-on-exec memfd named name holding len bytes of data, sealed against every
// change (write, grow, shrink, and the seals themselves): its fd, or -errno.
long sealed_memfd(const char* name, const void* data, size_t len);

// sealed_memfd of the init program's bytes (init_program.gen.h).
long sealed_init_program();
