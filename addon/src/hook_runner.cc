#include "hook_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <initializer_list>

namespace {

constexpr size_t kKeep = 64 * 1024;

long now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

// The namespaces a hook may be placed in, the user namespace last for root: the others are joined
// with its capabilities, which it would not keep over namespaces outside the container's.
struct NsKind {
  const char* name;
  int flag;
};
constexpr NsKind kNamespaces[] = {
    {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID},       {"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS},  {"user", CLONE_NEWUSER},
};

// In the child: joins every namespace of pid that differs from ours. 0 or the errno; *children
// tells whether the pid or time namespace was joined (they apply to children only).
int enter_namespaces(int pid, bool* children) {
  int fds[8];
  int flags[8];
  int n = 0;
  for (const NsKind& k : kNamespaces) {
    std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + k.name;
    std::string ours = std::string("/proc/self/ns/") + k.name;
    struct stat a, b;
    if (stat(theirs.c_str(), &a) < 0) {
      if (errno == ENOENT) continue;  // a kernel without that namespace
      return errno;
    }
    if (stat(ours.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) continue;
    int fd = open(theirs.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    fds[n] = fd;
    flags[n++] = k.flag;
  }
  // Not root: joining a mount namespace takes CAP_SYS_CHROOT in one's own user namespace, so the
  // container's comes first (a rootless container's namespaces all belong to it).
  if (geteuid() != 0) {
    for (int i = n - 1; i > 0; i--) {
      if (flags[i] != CLONE_NEWUSER) continue;
      int fd = fds[i];
      for (int j = i; j > 0; j--) fds[j] = fds[j - 1], flags[j] = flags[j - 1];
      fds[0] = fd;
      flags[0] = CLONE_NEWUSER;
      break;
    }
  }
  *children = false;
  for (int i = 0; i < n; i++) {
    if (setns(fds[i], flags[i]) < 0) return errno;
    close(fds[i]);
    if (flags[i] == CLONE_NEWPID || flags[i] == CLONE_NEWTIME) *children = true;
    // Root of the container's user namespace, as its init is (where 0 is mapped).
    if (flags[i] == CLONE_NEWUSER) {
      setgroups(0, nullptr);
      if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {}
    }
  }
  return 0;
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < 65; sig++) signal(sig, SIG_DFL);
}

// The child's end: places itself, execs the hook. An errno goes back on report (close-on-exec,
// so an execve that works closes it); never returns.
[[noreturn]] void hook_child(const HookSpec& spec, int in, int out, int err, int report, char* const* argv, char* const* envp,
                             std::initializer_list<int> parents_ends) {
  // Closed here, not only at execve: the process left waiting in the middle of a pid
  // namespace join would keep the hook's stdin open.
  for (int fd : parents_ends) close(fd);
  reset_signals();
  auto fail = [report](int step, int e) {
    int msg[2] = {step, e};
    if (write(report, msg, sizeof msg) < 0) {}
    _exit(127);
  };
  if (spec.ns_pid > 0) {
    bool children = false;
    if (int e = enter_namespaces(spec.ns_pid, &children)) fail(0, e);
    if (children) {
      // One more fork to be in the pid (and time) namespace; this process passes on its status.
      pid_t inner = fork();
      if (inner < 0) fail(1, errno);
      if (inner > 0) {
        int status = 0;
        while (waitpid(inner, &status, 0) < 0 && errno == EINTR) {}
        if (WIFSIGNALED(status)) {
          signal(WTERMSIG(status), SIG_DFL);
          kill(getpid(), WTERMSIG(status));
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
      }
      // Killed on a timeout through our parent.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
  }
  if (chdir(spec.cwd.c_str()) < 0 && chdir("/") < 0) {}
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(spec.path.c_str(), argv, envp);
  fail(2, errno);
  _exit(127);
}

void read_some(int fd, std::string* into, bool* open) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      *open = false;
      return;
    }
    into->append(buf, n);
    if (into->size() > kKeep) into->erase(0, into->size() - kKeep);
  }
}

}  // namespace

HookResult run_hook(const HookSpec& spec) {
  HookResult r;
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.envp) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int in[2], out[2], err[2], report[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(err, O_CLOEXEC | O_NONBLOCK) < 0 ||
      pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0) {
    r.err = errno;
    r.step = "pipe";
    return r;
  }
  // A hook that exits without reading its stdin must not kill us with SIGPIPE.
  struct sigaction ignore = {}, saved = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &saved);
  bool in_open = true;
  pid_t pid = fork();
  if (pid == 0) hook_child(spec, in[0], out[1], err[1], report[1], argv.data(), envp.data(), {in[1], out[0], err[0], report[0]});
  int fork_err = errno;
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(report[1]);
  if (pid < 0) {
    r.err = fork_err;
    r.step = "fork";
  } else {
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    long deadline = spec.timeout_ms > 0 ? now_ms() + spec.timeout_ms : -1;
    size_t written = 0;
    bool out_open = true, err_open = true;
    if (spec.stdin_text.empty()) close(in[1]), in_open = false;
    int status = 0;
    for (;;) {
      if (waitpid(pid, &status, WNOHANG) == pid) break;
      int wait_ms = pidfd >= 0 ? -1 : 10;
      if (deadline >= 0) {
        long left = deadline - now_ms();
        if (left <= 0) {
          kill(pid, SIGKILL);
          while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
          r.timed_out = true;
          break;
        }
        if (wait_ms < 0 || left < wait_ms) wait_ms = (int)left;
      }
      struct pollfd p[4] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0},
                            {in_open ? in[1] : -1, POLLOUT, 0}, {pidfd, POLLIN, 0}};
      poll(p, 4, wait_ms);
      if (out_open) read_some(out[0], &r.out, &out_open);
      if (err_open) read_some(err[0], &r.errs, &err_open);
      if (in_open && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t n = write(in[1], spec.stdin_text.data() + written, spec.stdin_text.size() - written);
        if (n > 0) written += n;
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == spec.stdin_text.size()) close(in[1]), in_open = false;
      }
    }
    r.status = status;
    // What it wrote before it ended; a child of its that keeps the pipes is not waited for.
    if (out_open) read_some(out[0], &r.out, &out_open);
    if (err_open) read_some(err[0], &r.errs, &err_open);
    if (pidfd >= 0) close(pidfd);
    int msg[2];
    if (!r.timed_out && read(report[0], msg, sizeof msg) == sizeof msg) {
      static const char* steps[] = {"setns", "fork", "exec"};
      r.err = msg[1];
      r.step = msg[0] >= 0 && msg[0] < 3 ? steps[msg[0]] : "exec";
    }
  }
  if (in_open) close(in[1]);
  close(out[0]);
  close(err[0]);
  close(report[0]);
  sigaction(SIGPIPE, &saved, nullptr);
  return r;
}
