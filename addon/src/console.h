// process.terminal in the init (OP_CONSOLE) and in an exec'd process (OP_EXEC_CONSOLE): a pty
// from the container's own devpts.
#pragma once
#include <stdint.h>

// Opens /dev/pts/ptmx inside root (verified devpts), sets the size, binds the peer over
// /dev/console, sends the master to the host over sync (SYNC_CONSOLE + SCM_RIGHTS), and makes
// the peer the controlling terminal and fds 0-2. 0 or errno.
int op_console(int root, int sync, int index, uint64_t rows, uint64_t cols);

// The same for `exec -t`, without the /dev/console bind (the init's console stays).
int op_exec_console(int root, int sync, int index, uint64_t rows, uint64_t cols);
