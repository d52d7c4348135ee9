// linux.resources.network → net_cls.classid and net_prio.ifpriomap (v1 only; v2 warns).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupTable, cgroupPlan } from "../../util/cgroup";
import { baseConfig, patch } from "../../util/core";

const N = "/linux/resources/network";

cgroupTable([
  { name: "classID and priorities", resources: { network: { classID: 1048577, priorities: [{ name: "eth0", priority: 500 }, { name: "lo", priority: 1000 }] } },
    v1: ["net_cls,net_prio/net_cls.classid = 1048577", "net_cls,net_prio/net_prio.ifpriomap = eth0 500", "net_cls,net_prio/net_prio.ifpriomap = lo 1000"],
    v2: [], warnV2: [N] },
  { name: "classID 0 is unset", resources: { network: { classID: 0 } }, v1: [], v2: [] },
  { name: "classID above u32", resources: { network: { classID: 4294967296 } }, errorAt: [`${N}/classID`] },
  { name: "priority without name", resources: { network: { priorities: [{ priority: 1 }] } }, errorAt: [`${N}/priorities/0/name`] },
  { name: "interface name with a space", resources: { network: { priorities: [{ name: "eth 0", priority: 1 }] } }, errorAt: [`${N}/priorities/0/name`] },
]);

test("a v1 host without net_cls refuses classID, naming the field", () => {
  const { errors } = cgroupPlan(patch(baseConfig(), { "/linux/resources": { network: { classID: 1 } } }), {});
  assert.equal(errors, [`${N}/classID`]);
});

test.run();
