// linux.netDevices (OP_NET_DEVICE, formats.md §4 NET_DEVICE): the host moves a host interface
// into the init's network namespace, as runc 1.3's devChangeNetNamespace does. The init is
// already in its namespace, and only the host's root in the host's namespace may take the
// interface from it, so the init asks and the host does it.
#pragma once
#include "plan_reader.h"

// The init's half, raw syscalls only: sends NET_DEVICE for op index, waits for NET_DEVICE_DONE
// and returns its errno (0: moved).
int op_net_device(int sync, int index);

// The host's half, with raw rtnetlink: moves op's (an OP_NET_DEVICE) host interface into the
// network namespace of pid (/proc/<pid>/ns/net) under its container name, in one RTM_NEWLINK
// (IFLA_NET_NS_FD and IFLA_IFNAME), then puts back its permanent addresses of global scope
// (the kernel drops them on the move) and brings it up there. 0 or an errno. Nothing changes
// when the device is missing, its name is taken in the container or the namespace is the host's.
int move_net_device(const PlanOp& op, int pid);
