// The signals a foreground `run` or `exec` forwards to its process (host/foreground.ts lists the
// same names for its in-process wait): what a terminal or supervisor sends that the container
// should get instead of us. One header for the addon, which blocks them before handing the wait
// to the waiter program, and for that program (addon/waiter/).
#pragma once
#include <signal.h>
#include <stdint.h>

static const int kForegroundSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

// The kernel's sigset_t (64 bits): bit n-1 for signal n.
static inline uint64_t foreground_signal_set() {
  uint64_t set = 0;
  for (int s : kForegroundSignals) set |= 1ULL << (s - 1);
  return set;
}
