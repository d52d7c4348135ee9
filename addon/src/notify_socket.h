// sd_notify for a container, as runc's notify_socket.go: the runtime binds a datagram socket
// the container reaches (its directory is bound on /run/notify), waits for READY=, and passes
// it on to the runtime's own NOTIFY_SOCKET with MAINPID and a BARRIER.
#pragma once
#include <string>

// Binds an AF_UNIX datagram socket at path (a stale one there is replaced), mode 0777 so any
// container user may send. The fd, or -errno. Works for paths longer than sun_path: the bind
// goes through /proc/self/fd/<dir>/<name>.
int notify_listen(const std::string& path);

struct NotifyResult {
  int err = 0;               // errno of the step that failed, else 0
  const char* step = "";     // "connect", "wait", "send", "barrier"
  bool ready = false;        // a READY= line came (else the init exited first)
  std::string line;          // that line, without its newline
  bool barrier_timeout = false;  // the host did not answer BARRIER=1 within barrier_ms
};

// Connects to host (a path, or "@name" for an abstract socket), then waits on listener until a
// datagram has a line starting "READY=" or pid exits; then sends that line, "MAINPID=<main_pid>"
// and "BARRIER=1" with a pipe whose close the host acknowledges within barrier_ms.
NotifyResult notify_forward(int listener, int pid, const std::string& host, int main_pid, int barrier_ms);
