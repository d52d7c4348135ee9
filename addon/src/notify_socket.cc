#include "notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sync_msg.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture (Linux 5.3)
#endif

namespace {

// sockaddr_un for path, or "@name" for the abstract name (as Go's net package reads it).
int unix_addr(const std::string& path, struct sockaddr_un* addr, socklen_t* len) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr->sun_path) return ENAMETOOLONG;
  memcpy(addr->sun_path, path.data(), path.size());
  if (path[0] == '@') addr->sun_path[0] = '\0';
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  return 0;
}

// Reads every datagram waiting on fd; stops at the first with a line "READY=...": 1 (the line
// in *line), 0 when none is left, or -errno.
int drain_for_ready(int fd, std::string* line) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
    for (ssize_t start = 0; start < n;) {
      const char* nl = (const char*)memchr(buf + start, '\n', n - start);
      ssize_t end = nl ? nl - buf : n;
      if (end - start >= 6 && memcmp(buf + start, "READY=", 6) == 0) {
        line->assign(buf + start, end - start);
        return 1;
      }
      start = end + 1;
    }
  }
}

// Without pidfd_open (Linux < 5.3): the pid is alive unless gone or a zombie.
bool alive(int pid) {
  char path[32], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* paren = strrchr(buf, ')');
  return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

// Waits for READY= on listener until pid exits: 1 (the line in *line), 0 (pid gone), -errno.
int wait_ready(int listener, int pid, std::string* line) {
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0 && errno != ENOSYS) return drain_for_ready(listener, line);  // ESRCH: gone
  int r = 0;
  for (;;) {
    struct pollfd p[2] = {{listener, POLLIN, 0}, {pidfd, POLLIN, 0}};
    // Without a pidfd, look at the pid every 100 ms, as runc does.
    int n = poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 100);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r = -errno;
      break;
    }
    if ((r = drain_for_ready(listener, line)) != 0) break;
    // Anything it sent before it exited was read just above.
    if (pidfd >= 0 ? p[1].revents != 0 : !alive(pid)) break;
  }
  if (pidfd >= 0) close(pidfd);
  return r;
}

int send_text(int fd, const std::string& text) {
  ssize_t n;
  while ((n = send(fd, text.data(), text.size(), MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
  return n < 0 ? errno : 0;
}

// sd_notify_barrier: BARRIER=1 with a pipe's write end; the host closes it once it has read
// everything before. 0, ETIMEDOUT, EPROTO (the pipe carried data), or another errno.
int barrier(int fd, int timeout_ms) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return errno;
  static const char msg[] = "BARRIER=1";
  long sent = send_with_fd(fd, msg, sizeof msg - 1, pipefd[1]);
  close(pipefd[1]);
  int err = sent < 0 ? (int)-sent : 0;
  if (!err) {
    struct pollfd p = {pipefd[0], POLLIN, 0};
    int n;
    while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {}
    char byte;
    ssize_t got = n > 0 ? read(pipefd[0], &byte, 1) : 0;
    err = n < 0 || got < 0 ? errno : n == 0 ? ETIMEDOUT : got > 0 ? EPROTO : 0;
  }
  close(pipefd[0]);
  return err;
}

}  // namespace

int notify_listen(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash + 1 == path.size()) return -EINVAL;
  std::string dir = slash == 0 ? "/" : path.substr(0, slash), name = path.substr(slash + 1);
  int dirfd = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return -errno;
  std::string via = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
  struct sockaddr_un addr;
  socklen_t len;
  int err = unix_addr(via, &addr, &len);
  int fd = err ? -1 : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (!err && fd < 0) err = errno;
  if (!err) {
    unlinkat(dirfd, name.c_str(), 0);  // a socket left by an earlier start
    if (bind(fd, (struct sockaddr*)&addr, len) < 0 || fchmodat(dirfd, name.c_str(), 0777, 0) < 0) err = errno;
  }
  close(dirfd);
  if (err && fd >= 0) close(fd);
  return err ? -err : fd;
}

NotifyResult notify_forward(int listener, int pid, const std::string& host, int main_pid, int barrier_ms) {
  NotifyResult out;
  struct sockaddr_un addr;
  socklen_t len;
  int client = -1;
  out.step = "connect";
  out.err = unix_addr(host, &addr, &len);
  if (!out.err && (client = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) out.err = errno;
  if (!out.err && connect(client, (struct sockaddr*)&addr, len) < 0) out.err = errno;
  if (!out.err) {
    out.step = "wait";
    int r = wait_ready(listener, pid, &out.line);
    out.err = r < 0 ? -r : 0;
    out.ready = r > 0;
  }
  if (out.ready) {
    out.step = "send";
    out.err = send_text(client, out.line + "\n");
    if (!out.err) out.err = send_text(client, "MAINPID=" + std::to_string(main_pid) + "\n");
    if (!out.err) {
      out.step = "barrier";
      out.err = barrier(client, barrier_ms);
      if (out.err == ETIMEDOUT) out.err = 0, out.barrier_timeout = true;
    }
  }
  if (client >= 0) close(client);
  if (!out.err) out.step = "";
  return out;
}
