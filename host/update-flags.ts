// runc's update flags for resources (update.go), by name and help: command-table.ts makes them
// flags of `update`, and update.ts passes the ones given to the core as typed.
export const UPDATE_RESOURCE_FLAGS: readonly (readonly [name: string, help: string])[] = [
  ["blkio-weight", "per cgroup weight, range is from 10 to 1000"],
  ["cpu-period", "CPU CFS period to be used for hardcapping (in usecs); 0 to use system default"],
  ["cpu-quota", "CPU CFS hardcap limit (in usecs); allowed cpu time in a given period"],
  ["cpu-burst", "CPU CFS hardcap burst limit (in usecs); allowed accumulated cpu time additionally for burst a given period"],
  ["cpu-share", "CPU shares (relative weight vs. other containers)"],
  ["cpu-shares", "the same as --cpu-share"],
  ["cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs); 0 to use system default"],
  ["cpu-rt-runtime", "CPU realtime hardcap limit (in usecs); allowed cpu time in a given period"],
  ["cpuset-cpus", "CPU(s) to use"],
  ["cpuset-mems", "memory node(s) to use"],
  ["cpu-idle", "set cgroup SCHED_IDLE or not: 0 the default behaviour, 1 SCHED_IDLE"],
  ["kernel-memory", "(obsolete; ignored with a warning)"],
  ["kernel-memory-tcp", "(obsolete; ignored with a warning)"],
  ["memory", "memory limit (in bytes; k, m, g, t, p suffixes)"],
  ["memory-reservation", "memory reservation or soft_limit (in bytes)"],
  ["memory-swap", "total memory usage (memory + swap); set '-1' to enable unlimited swap"],
  ["pids-limit", "maximum number of pids allowed in the container"],
  ["l3-cache-schema", "the string of Intel RDT/CAT L3 cache schema"],
  ["mem-bw-schema", "the string of Intel RDT/MBA memory bandwidth schema"],
];
