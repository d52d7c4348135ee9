// linux.resources.memory → memory.* writes on v1 and v2 (swap converted: v2's is swap alone).
import { test } from "uvu";
import { cgroupTable } from "../../util/cgroup";

cgroupTable([
  { name: "limit", resources: { memory: { limit: 1048576 } }, v1: ["memory/memory.limit_in_bytes = 1048576"], v2: ["memory.max = 1048576"] },
  { name: "limit and swap", resources: { memory: { limit: 1000, swap: 3000 } },
    v1: ["memory/memory.limit_in_bytes = 1000", "memory/memory.memsw.limit_in_bytes = 3000"],
    v2: ["memory.swap.max = 2000", "memory.max = 1000"] },
  { name: "swap equal to limit: no swap on v2", resources: { memory: { limit: 1000, swap: 1000 } },
    v1: ["memory/memory.limit_in_bytes = 1000", "memory/memory.memsw.limit_in_bytes = 1000"],
    v2: ["memory.swap.max ?= 0", "memory.max = 1000"] },
  { name: "unlimited swap goes first on v1", resources: { memory: { limit: 1000, swap: -1 } },
    v1: ["memory/memory.memsw.limit_in_bytes ?= -1", "memory/memory.limit_in_bytes = 1000"],
    v2: ["memory.swap.max ?= max", "memory.max = 1000"] },
  // memsw first, as runc orders it: a cgroup with limits (update) takes no memory limit above its memsw.
  { name: "unlimited memory unlimits swap", resources: { memory: { limit: -1 } },
    v1: ["memory/memory.memsw.limit_in_bytes ?= -1", "memory/memory.limit_in_bytes = -1"],
    v2: ["memory.swap.max ?= max", "memory.max = max"] },
  { name: "unlimited memory with a swap limit", resources: { memory: { limit: -1, swap: 5000 } },
    errorV1: ["/linux/resources/memory/swap"], v2: ["memory.swap.max = 5000", "memory.max = max"] },
  { name: "zero means unset", resources: { memory: { limit: 0, reservation: 0 } }, v1: [], v2: [] },
  { name: "reservation", resources: { memory: { reservation: 4096 } }, v1: ["memory/memory.soft_limit_in_bytes = 4096"], v2: ["memory.low = 4096"] },
  { name: "swappiness and oom killer", resources: { memory: { swappiness: 10, disableOOMKiller: true } },
    v1: ["memory/memory.swappiness = 10", "memory/memory.oom_control = 1"], v2: [],
    warnV2: ["/linux/resources/memory/swappiness", "/linux/resources/memory/disableOOMKiller"] },
  { name: "oom killer left enabled", resources: { memory: { disableOOMKiller: false } }, v1: [], v2: [] },
  { name: "kernel memory is ignored with a warning", resources: { memory: { kernel: 1000, kernelTCP: 1000 } },
    v1: [], v2: [], warnV1: ["/linux/resources/memory/kernel", "/linux/resources/memory/kernelTCP"],
    warnV2: ["/linux/resources/memory/kernel", "/linux/resources/memory/kernelTCP"] },
  { name: "swap without a limit", resources: { memory: { swap: 1000 } }, errorAt: ["/linux/resources/memory/swap"] },
  { name: "swap below the limit", resources: { memory: { limit: 2000, swap: 1000 } }, errorAt: ["/linux/resources/memory/swap"] },
  { name: "limit below -1", resources: { memory: { limit: -2 } }, errorAt: ["/linux/resources/memory/limit"] },
  { name: "limit a string", resources: { memory: { limit: "1G" } }, errorAt: ["/linux/resources/memory/limit"] },
  { name: "swappiness above 100", resources: { memory: { swappiness: 101 } }, errorAt: ["/linux/resources/memory/swappiness"] },
  { name: "disableOOMKiller a number", resources: { memory: { disableOOMKiller: 1 } }, errorAt: ["/linux/resources/memory/disableOOMKiller"] },
  { name: "memory not an object", resources: { memory: 5 }, errorAt: ["/linux/resources/memory"] },
]);

test.run();
