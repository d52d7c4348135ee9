// The foreground waiter: what a foreground `run` or `exec` becomes (execve from a sealed memfd,
// same pid) once its process has outlived the first moments, so that the caller waits on a
// process of a few pages instead of the runtime's 40 MB (issue 16, point 3; docs/startup.md).
// It does what the runtime did while waiting: the signals the caller gets go on to the process,
// children are reaped, and the process's end becomes the exit status as a shell gives it
// (128 + the signal). With a finishing command (run: `ocirun ... delete --force <id>`), that
// runs next as its child, and a failure of it is the exit status instead.
//
// argv: "ocirun-wait", "<pid>", then the finishing command's argv, if any. The signals
// (foreground_signals.h) and SIGCHLD arrive blocked: the runtime blocked them before the
// execve, so none sent meanwhile is lost. No C library (addon/init/freestanding.cc).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../src/foreground_signals.h"
#include "../src/raw.h"

namespace {

constexpr int kMaxFinishArgs = 64;

long parse_pid(const char* s) {
  long v = 0;
  if (*s < '0' || *s > '9') return -1;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return *s == 0 ? v : -1;
}

int shell_status(int st) {
  if ((st & 0x7f) == 0) return (st >> 8) & 0xff;  // exited
  return 128 + (st & 0x7f);                        // killed by a signal
}

void say(const char* a, const char* b) {
  syscall(SYS_write, 2, a, raw_strlen(a));
  syscall(SYS_write, 2, b, raw_strlen(b));
  syscall(SYS_write, 2, "\n", 1);
}

// Waits for pid while forwarding the blocked signals to it; reaps every other child too.
int wait_forwarding(long pid, const uint64_t* set) {
  for (;;) {
    int st = 0;
    long r;
    while ((r = rsys(SYS_wait4, -1, &st, WNOHANG, 0)) > 0) {
      if (r == pid) return shell_status(st);
    }
    if (r == -ECHILD) return 255;  // never ours: nothing to wait for
    siginfo_t info;
    long sig = rsys(SYS_rt_sigtimedwait, set, &info, 0, sizeof *set);
    if (sig > 0 && sig != SIGCHLD) syscall(SYS_kill, pid, sig);
  }
}

}  // namespace

extern "C" [[noreturn]] void program_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  long pid = argc >= 2 ? parse_pid(argv[1]) : -1;
  if (pid <= 0 || argc - 2 > kMaxFinishArgs) raw_exit(255);
  syscall(SYS_prctl, PR_SET_NAME, "ocirun:wait", 0, 0, 0);
  uint64_t set = foreground_signal_set() | (1ULL << (SIGCHLD - 1));
  int status = wait_forwarding(pid, &set);
  if (argc == 2) raw_exit(status);

  char* args[kMaxFinishArgs + 1];
  for (long i = 2; i < argc; i++) args[i - 2] = argv[i];
  args[argc - 2] = nullptr;
  long child = rsys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (child == 0) {
    uint64_t none = set;
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &none, 0, sizeof none);
    syscall(SYS_execve, args[0], args, envp);
    say("ocirun: cannot run the finishing command: ", args[0]);
    raw_exit(1);
  }
  if (child < 0) {
    say("ocirun: cannot fork the finishing command: ", args[0]);
    raw_exit(1);
  }
  int st = 0;
  long r;
  do r = rsys(SYS_wait4, child, &st, 0, 0); while (r == -EINTR);
  int finished = r < 0 ? 1 : shell_status(st);
  raw_exit(finished != 0 ? finished : status);
}
