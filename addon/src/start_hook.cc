#include "start_hook.h"

#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "op_args.gen.h"
#include "raw.h"
#include "sync_msg.h"

namespace {

constexpr size_t kTail = 1024;  // the last bytes of the hook's stdout and of its stderr kept

// The last kTail bytes read from a pipe.
struct Tail {
  char buf[kTail];
  size_t len = 0;
  bool open = true;

  void drain(int fd) {
    char chunk[512];
    for (;;) {
      long n = rsys(SYS_read, fd, chunk, sizeof chunk);
      if (n == -EINTR) continue;
      if (n == -EAGAIN) return;
      if (n <= 0) {
        open = false;
        return;
      }
      for (long i = 0; i < n; i++) {
        if (len == kTail) {
          for (size_t j = 1; j < kTail; j++) buf[j - 1] = buf[j];
          len--;
        }
        buf[len++] = chunk[i];
      }
    }
  }
};

long now_ms() {
  struct timespec ts;
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// The state JSON, whole, into a new pipe's buffer (raised for a large one), so the hook can
// read it at its pace and the init never blocks on it or gets SIGPIPE: the read end, or -errno.
long state_pipe(const char* head, const char* tail) {
  char pid[24];
  raw_itoa(syscall(SYS_getpid), pid);
  const char* parts[] = {head, pid, tail};
  size_t total = 0;
  for (const char* p : parts) total += raw_strlen(p);
  int fds[2];
  if (long r = rsys(SYS_pipe2, fds, O_CLOEXEC | O_NONBLOCK); r < 0) return r;
  if (total > 65536) rsys(SYS_fcntl, fds[1], F_SETPIPE_SZ, total);
  long r = 0;
  for (const char* p : parts) {
    size_t left = raw_strlen(p);
    while (left && r >= 0) {
      r = rsys(SYS_write, fds[1], p, left);
      if (r == -EINTR) r = 0;
      else if (r > 0) p += r, left -= (size_t)r;
    }
  }
  raw_close(fds[1]);
  if (r < 0) {
    raw_close(fds[0]);
    return r == -EAGAIN ? -E2BIG : r;
  }
  // The hook reads a blocking stdin.
  rsys(SYS_fcntl, fds[0], F_SETFL, 0);
  return fds[0];
}

// The failure record for `start`: the header, then the two tails' lengths and bytes.
void report(int fd, int index, int err, int status, const Tail& out, const Tail& errs) {
  char rec[sizeof(SyncMsg) + 8 + 2 * kTail];
  SyncMsg m = {SYNC_HOOK_FAILED, index, err, status};
  size_t n = 0;
  for (size_t i = 0; i < sizeof m; i++) rec[n++] = ((const char*)&m)[i];
  uint32_t lens[2] = {(uint32_t)out.len, (uint32_t)errs.len};
  for (size_t i = 0; i < sizeof lens; i++) rec[n++] = ((const char*)lens)[i];
  for (size_t i = 0; i < out.len; i++) rec[n++] = out.buf[i];
  for (size_t i = 0; i < errs.len; i++) rec[n++] = errs.buf[i];
  // One write, under PIPE_BUF: `start` reads it whole.
  if (fd >= 0) rsys(SYS_write, fd, rec, n);
}

}  // namespace

int run_start_hook(const PlanOp& op, int report_fd) {
  StartHookArgs args = start_hook_args(op);
  const char* path = args.path;
  const char* const* argv = args.argv;
  const char* const* envp = args.envp;
  uint64_t timeout_s = args.timeout;
  int index = (int)args.index;
  Tail out, errs;
  // What execve would refuse, found before the fork, so it is reported as such.
  if (long r = raw_exec_access(path); r < 0) {
    report(report_fd, index, err_of(r), 0, out, errs);
    return ECANCELED;
  }
  long in = state_pipe(args.state_head, args.state_tail);
  if (in < 0) {
    report(report_fd, index, err_of(in), 0, out, errs);
    return ECANCELED;
  }
  int o[2], e[2];
  long made = rsys(SYS_pipe2, o, O_CLOEXEC | O_NONBLOCK);
  if (made >= 0) made = rsys(SYS_pipe2, e, O_CLOEXEC | O_NONBLOCK);
  long pid = made < 0 ? made : rsys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    // The container's filter may refuse what running a hook takes: still the hook's failure.
    report(report_fd, index, err_of(pid), 0, out, errs);
    return ECANCELED;
  }
  if (pid == 0) {
    syscall(SYS_dup2, (int)in, 0);
    syscall(SYS_dup2, o[1], 1);
    syscall(SYS_dup2, e[1], 2);
    // Only stdio: not the container's preserved fds, nor the fifo (close-on-exec).
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    syscall(SYS_execve, path, argv, envp);
    raw_exit(127);
  }
  raw_close((int)in);
  raw_close(o[1]);
  raw_close(e[1]);
  // A pidfd wakes the wait when the hook exits; a filter that refuses pidfd_open leaves polling.
  long pidfd = rsys(SYS_pidfd_open, pid, 0);
  long deadline = timeout_s > 0 ? now_ms() + (long)timeout_s * 1000L : -1;
  int status = 0;
  bool timed_out = false;
  for (;;) {
    long w = rsys(SYS_wait4, pid, &status, WNOHANG, 0);
    if (w == pid) break;
    long wait_ms = pidfd >= 0 ? -1 : 10;
    if (deadline >= 0) {
      long left = deadline - now_ms();
      if (left <= 0) {
        syscall(SYS_kill, pid, SIGKILL);
        while (rsys(SYS_wait4, pid, &status, 0, 0) == -EINTR) {}
        timed_out = true;
        break;
      }
      if (wait_ms < 0 || left < wait_ms) wait_ms = left;
    }
    struct pollfd p[3] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}, {(int)pidfd, POLLIN, 0}};
    if (!out.open) p[0].fd = -1;
    if (!errs.open) p[1].fd = -1;
    struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
    rsys(SYS_ppoll, p, 3, wait_ms < 0 ? nullptr : &ts, nullptr, 8);
    if (out.open) out.drain(o[0]);
    if (errs.open) errs.drain(e[0]);
  }
  // What it wrote before it ended; a child of its that still holds the pipes is not waited for.
  if (out.open) out.drain(o[0]);
  if (errs.open) errs.drain(e[0]);
  raw_close(o[0]);
  raw_close(e[0]);
  raw_close((int)pidfd);
  if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  report(report_fd, index, timed_out ? ETIMEDOUT : 0, status, out, errs);
  return ECANCELED;
}
