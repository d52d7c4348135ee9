// linux.resources.unified → raw cgroup v2 files, written last; an error on v1 hosts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupTable, cgroupPlan, v2Facts } from "../../util/cgroup";
import { baseConfig, patch } from "../../util/core";

const U = "/linux/resources/unified";

cgroupTable([
  { name: "files", resources: { unified: { "memory.high": "1G", "io.latency": "8:0 target=10", "cgroup.freeze": "0" } },
    errorV1: [U], v2: ["memory.high = 1G", "io.latency = 8:0 target=10", "cgroup.freeze = 0"] },
  { name: "empty map on v1 is fine", resources: { unified: {} }, v1: [], v2: [] },
  { name: "no controller prefix", resources: { unified: { memoryhigh: "1" } }, errorAt: [`${U}/memoryhigh`] },
  { name: "a path", resources: { unified: { "../memory.max": "1" } }, errorAt: [`${U}/..~1memory.max`] },
  { name: "value not a string", resources: { unified: { "memory.max": 5 } }, errorAt: [`${U}/memory.max`] },
]);

test("unified wins over the converted value: it is written last", () => {
  const { section } = cgroupPlan(patch(baseConfig(), { "/linux/resources": { unified: { "memory.max": "max" }, memory: { limit: 4096 } } }), v2Facts);
  const files = section!.writes.map((w) => `${w.file}=${w.value}`);
  assert.equal(files.slice(-2), ["memory.max=4096", "memory.max=max"]);
});

test.run();
