// linux.resources.blockIO → blkio.* on v1, io.* on v2 (weight converted for io.weight).
import { test } from "uvu";
import { cgroupTable } from "../../util/cgroup";

const B = "/linux/resources/blockIO";

cgroupTable([
  { name: "weight", resources: { blockIO: { weight: 500 } },
    v1: ["blkio/blkio.weight ?= 500", "blkio/blkio.bfq.weight ?= 500"], v2: ["io.bfq.weight ?= 500", "io.weight ?= 4950"] },
  { name: "weight at the ends", resources: { blockIO: { weight: 10 } }, v2: ["io.bfq.weight ?= 10", "io.weight ?= 1"] },
  { name: "largest weight", resources: { blockIO: { weight: 1000 } }, v2: ["io.bfq.weight ?= 1000", "io.weight ?= 10000"] },
  { name: "leaf weight", resources: { blockIO: { leafWeight: 300 } }, v1: ["blkio/blkio.leaf_weight ?= 300"], v2: [], warnV2: [`${B}/leafWeight`] },
  { name: "weight device", resources: { blockIO: { weightDevice: [{ major: 8, minor: 0, weight: 100, leafWeight: 50 }] } },
    v1: ["blkio/blkio.weight_device ?= 8:0 100", "blkio/blkio.bfq.weight_device ?= 8:0 100", "blkio/blkio.leaf_weight_device ?= 8:0 50"],
    v2: ["io.bfq.weight ?= 8:0 100", "io.weight ?= 8:0 910"], warnV2: [`${B}/weightDevice/0/leafWeight`] },
  { name: "throttles", resources: { blockIO: {
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 0 }],
      throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }], throttleWriteIOPSDevice: [{ major: 253, minor: 1, rate: 200 }] } },
    v1: ["blkio/blkio.throttle.read_bps_device = 8:0 1048576", "blkio/blkio.throttle.write_bps_device = 8:16 0",
      "blkio/blkio.throttle.read_iops_device = 8:0 100", "blkio/blkio.throttle.write_iops_device = 253:1 200"],
    v2: ["io.max = 8:0 rbps=1048576", "io.max = 8:16 wbps=max", "io.max = 8:0 riops=100", "io.max = 253:1 wiops=200"] },
  { name: "weight 0 is unset", resources: { blockIO: { weight: 0 } }, v1: [], v2: [] },
  { name: "weight below 10", resources: { blockIO: { weight: 5 } }, errorAt: [`${B}/weight`] },
  { name: "weight above 1000", resources: { blockIO: { weight: 1001 } }, errorAt: [`${B}/weight`] },
  { name: "throttle without rate", resources: { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0 }] } }, errorAt: [`${B}/throttleReadBpsDevice/0/rate`] },
  { name: "throttle without major", resources: { blockIO: { throttleWriteIOPSDevice: [{ minor: 0, rate: 1 }] } }, errorAt: [`${B}/throttleWriteIOPSDevice/0/major`] },
  { name: "negative rate", resources: { blockIO: { throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: -1 }] } }, errorAt: [`${B}/throttleReadIOPSDevice/0/rate`] },
  { name: "weightDevice not an array", resources: { blockIO: { weightDevice: {} } }, errorAt: [`${B}/weightDevice`] },
]);

test.run();
