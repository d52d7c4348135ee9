#include "cgroup_holder.h"

#include <signal.h>
#include <sys/prctl.h>

#include "raw.h"

int hold_process() {
  long parent = rsys(SYS_getpid);
  long pid = rsys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid != 0) return (int)pid;
  // The child: raw syscalls only (another thread of the parent may hold any lock).
  rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (rsys(SYS_getppid) != parent) raw_exit(0);  // the parent died before PDEATHSIG was set
  rsys(SYS_prctl, PR_SET_NAME, "ocirun:holder", 0, 0, 0);
  // No copy of the caller's fds (its lock, its stdout pipe) outlives it here.
  if (rsys(SYS_close_range, 0, ~0U, 0) < 0) {
    for (int fd = 0; fd < 1024; fd++) raw_close(fd);
  }
  for (;;) rsys(SYS_ppoll, 0, 0, 0, 0, 0);
}
