// A child that only exists, to keep a new systemd scope alive until the container's init is in
// its cgroup (systemd makes a scope only with a process in it; host/cgroups/systemd.ts).
#pragma once

// The child's pid, or -errno. It dies with the calling thread (PDEATHSIG), holds no fds, and
// waits in ppoll until killed; the caller kills and reaps it (abortInit).
int hold_process();
