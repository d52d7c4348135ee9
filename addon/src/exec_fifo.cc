#include "exec_fifo.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync_msg.h"

// The init holds exec.fifo open read-write until its execve closes it (close-on-exec). Our
// own read end, opened before our write end, sees POLLHUP once no writer is left, that is
// once the init exec'd or exited; what it wrote before exiting (a failure record) is then
// still in the fifo. The start byte is never read by us: while it is unread, POLLIN, so we
// poll again after a short sleep.
StartOutcome start_through_fifo(const char* path) {
  StartOutcome o;
  int r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (r < 0) {
    o.err = errno;
    return o;
  }
  int w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (w < 0 || write(w, "0", 1) != 1) {
    o.err = errno;
    if (w >= 0) close(w);
    close(r);
    return o;
  }
  close(w);
  for (;;) {
    struct pollfd p = {r, POLLIN, 0};
    int n = poll(&p, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      o.err = errno;
      close(r);
      return o;
    }
    if (p.revents & POLLHUP) break;
    // The start byte not read yet (or a record being written): look again shortly.
    struct timespec ts = {0, 500 * 1000};
    nanosleep(&ts, nullptr);
  }
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = read(r, buf, sizeof buf)) > 0) data.append(buf, n);
  close(r);
  if (!data.empty() && data[0] == '0') {
    o.gone = true;
    return o;
  }
  if (data.size() >= sizeof(SyncMsg)) {
    SyncMsg m;
    memcpy(&m, data.data(), sizeof m);
    o.kind = m.kind;
    o.op = m.op;
    o.op_err = m.err;
    o.value = m.value;
    if (m.kind == SYNC_HOOK_FAILED && data.size() >= sizeof m + 8) {
      uint32_t lens[2];
      memcpy(lens, data.data() + sizeof m, sizeof lens);
      size_t at = sizeof m + sizeof lens;
      if (at + lens[0] + lens[1] <= data.size()) {
        o.out = data.substr(at, lens[0]);
        o.errs = data.substr(at + lens[0], lens[1]);
      }
    }
  }
  return o;
}
