// linux.resources.pids → pids.max.
import { test } from "uvu";
import { cgroupTable } from "../../util/cgroup";

cgroupTable([
  { name: "limit", resources: { pids: { limit: 1000 } }, v1: ["pids/pids.max = 1000"], v2: ["pids.max = 1000"] },
  { name: "-1 is no limit", resources: { pids: { limit: -1 } }, v1: ["pids/pids.max = max"], v2: ["pids.max = max"] },
  { name: "0 is a limit", resources: { pids: { limit: 0 } }, v1: ["pids/pids.max = 0"], v2: ["pids.max = 0"] },
  { name: "limit required", resources: { pids: {} }, errorAt: ["/linux/resources/pids/limit"] },
  { name: "below -1", resources: { pids: { limit: -2 } }, errorAt: ["/linux/resources/pids/limit"] },
  { name: "a fraction", resources: { pids: { limit: 1.5 } }, errorAt: ["/linux/resources/pids/limit"] },
]);

test.run();
