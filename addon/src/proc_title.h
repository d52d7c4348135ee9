// The cloned child's /proc/<pid>/cmdline and environ (raw syscalls only).
#pragma once

// Makes /proc/self/cmdline read "ocirun\0init\0" and /proc/self/environ empty, and clears the
// runtime's argv and environment strings in the child's copy of memory. Best effort: call it
// first thing after the clone.
void hide_runtime_cmdline();
