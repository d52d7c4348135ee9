// The Linux fields of /process: oomScoreAdj, scheduler, ioPriority, apparmorProfile,
// selinuxLabel, execCPUAffinity. Rows are config patches and the pointers of their errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

type Row = { name: string; patch: Record<string, unknown>; facts?: Partial<HostFacts>; errorAt?: string[]; op?: RegExp };

const rows: Row[] = [
  { name: "oomScoreAdj in range", patch: { "/process/oomScoreAdj": -1000 }, op: /OOM_SCORE_ADJ value="-1000"/ },
  { name: "oomScoreAdj above 1000", patch: { "/process/oomScoreAdj": 1001 }, errorAt: ["/process/oomScoreAdj"] },
  { name: "oomScoreAdj a string", patch: { "/process/oomScoreAdj": "5" }, errorAt: ["/process/oomScoreAdj"] },
  { name: "scheduler batch with nice", patch: { "/process/scheduler": { policy: "SCHED_BATCH", nice: -20 } }, op: /SCHEDULER policy=SCHED_BATCH flags=0 nice=-20 priority=0/ },
  { name: "scheduler without policy", patch: { "/process/scheduler": { nice: 1 } }, errorAt: ["/process/scheduler/policy"] },
  { name: "scheduler unknown policy", patch: { "/process/scheduler": { policy: "SCHED_FAST" } }, errorAt: ["/process/scheduler/policy"] },
  { name: "scheduler SCHED_ISO", patch: { "/process/scheduler": { policy: "SCHED_ISO" } }, errorAt: ["/process/scheduler/policy"] },
  { name: "scheduler nice 20", patch: { "/process/scheduler": { policy: "SCHED_OTHER", nice: 20 } }, errorAt: ["/process/scheduler/nice"] },
  { name: "scheduler priority for other", patch: { "/process/scheduler": { policy: "SCHED_OTHER", priority: 3 } }, errorAt: ["/process/scheduler/priority"] },
  { name: "scheduler fifo needs a priority", patch: { "/process/scheduler": { policy: "SCHED_FIFO" } }, errorAt: ["/process/scheduler/priority"] },
  { name: "scheduler rr priority 99", patch: { "/process/scheduler": { policy: "SCHED_RR", priority: 99 } }, op: /policy=SCHED_RR .*priority=99/ },
  { name: "scheduler priority 100", patch: { "/process/scheduler": { policy: "SCHED_RR", priority: 100 } }, errorAt: ["/process/scheduler/priority"] },
  { name: "scheduler flags", patch: { "/process/scheduler": { policy: "SCHED_OTHER", flags: ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_KEEP_PARAMS"] } }, op: /flags=SCHED_FLAG_RESET_ON_FORK\|SCHED_FLAG_KEEP_PARAMS/ },
  { name: "scheduler unknown flag", patch: { "/process/scheduler": { policy: "SCHED_OTHER", flags: ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_FAST"] } }, errorAt: ["/process/scheduler/flags/1"] },
  { name: "scheduler runtime for batch", patch: { "/process/scheduler": { policy: "SCHED_BATCH", runtime: 1000000 } }, errorAt: ["/process/scheduler/runtime"] },
  { name: "scheduler deadline", patch: { "/process/scheduler": { policy: "SCHED_DEADLINE", runtime: 1000000, deadline: 2000000, period: 4000000 } }, op: /runtime=1000000 deadline=2000000 period=4000000/ },
  { name: "scheduler deadline below runtime", patch: { "/process/scheduler": { policy: "SCHED_DEADLINE", runtime: 2000000, deadline: 1000000 } }, errorAt: ["/process/scheduler/deadline"] },
  { name: "scheduler period below deadline", patch: { "/process/scheduler": { policy: "SCHED_DEADLINE", runtime: 2000, deadline: 3000, period: 2500 } }, errorAt: ["/process/scheduler/period"] },
  { name: "scheduler deadline runtime too small", patch: { "/process/scheduler": { policy: "SCHED_DEADLINE", runtime: 10, deadline: 3000 } }, errorAt: ["/process/scheduler/runtime"] },
  { name: "ioPriority rt 0", patch: { "/process/ioPriority": { class: "IOPRIO_CLASS_RT", priority: 0 } }, op: /IOPRIO ioprio=IOPRIO_CLASS_RT,0/ },
  { name: "ioPriority unknown class", patch: { "/process/ioPriority": { class: "IOPRIO_CLASS_NONE", priority: 0 } }, errorAt: ["/process/ioPriority/class"] },
  { name: "ioPriority priority 8", patch: { "/process/ioPriority": { class: "IOPRIO_CLASS_BE", priority: 8 } }, errorAt: ["/process/ioPriority/priority"] },
  { name: "ioPriority without priority", patch: { "/process/ioPriority": { class: "IOPRIO_CLASS_BE" } }, errorAt: ["/process/ioPriority/priority"] },
  { name: "apparmorProfile without apparmor on the host", patch: { "/process/apparmorProfile": "docker-default" }, facts: { apparmor: false }, errorAt: ["/process/apparmorProfile"] },
  { name: "apparmorProfile with no apparmor fact", patch: { "/process/apparmorProfile": "docker-default" }, errorAt: ["/process/apparmorProfile"] },
  { name: "apparmorProfile with apparmor", patch: { "/process/apparmorProfile": "docker-default" }, facts: { apparmor: true }, op: /APPARMOR profile="docker-default"/ },
  { name: "apparmorProfile empty", patch: { "/process/apparmorProfile": "" } },
  { name: "selinuxLabel without selinux on the host", patch: { "/process/selinuxLabel": "system_u:system_r:container_t:s0" }, facts: { selinux: false }, errorAt: ["/process/selinuxLabel"] },
  { name: "selinuxLabel with apparmor only", patch: { "/process/selinuxLabel": "system_u:system_r:container_t:s0" }, facts: { apparmor: true }, errorAt: ["/process/selinuxLabel"] },
  { name: "selinuxLabel with selinux", patch: { "/process/selinuxLabel": "system_u:system_r:container_t:s0:c1,c2" }, facts: { selinux: true }, op: /SELINUX_EXEC_LABEL label="system_u:system_r:container_t:s0:c1,c2"/ },
  { name: "execCPUAffinity lists", patch: { "/process/execCPUAffinity": { initial: "0-3,7", final: "1" } } },
  { name: "execCPUAffinity reversed range", patch: { "/process/execCPUAffinity": { initial: "3-0" } }, errorAt: ["/process/execCPUAffinity/initial"] },
  { name: "execCPUAffinity junk", patch: { "/process/execCPUAffinity": { initial: "0", final: "0,,1" } }, errorAt: ["/process/execCPUAffinity/final"] },
  { name: "execCPUAffinity cpu too big", patch: { "/process/execCPUAffinity": { final: "8192" } }, errorAt: ["/process/execCPUAffinity/final"] },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("plan", patch(baseConfig(), row.patch), row.facts);
    assert.equal(errorsOf(v).map((e) => e.slice(0, e.indexOf(": "))), row.errorAt ?? [], errorsOf(v).join("\n"));
    if (row.op) assert.match(v.text ?? "", row.op);
  });
}

test("errors are lower case sentences without a final period", () => {
  const v = core("validate", patch(baseConfig(), { "/process/scheduler": { policy: "SCHED_FIFO", nice: 30, flags: ["X"] }, "/process/ioPriority": { class: "x", priority: -1 } }));
  assert.ok(errorsOf(v).length >= 4, errorsOf(v).join("\n"));
  for (const e of v.diagnostics) assert.ok(!e.message.endsWith(".") && e.message[0] === e.message[0].toLowerCase(), e.message);
});

test("scheduler, ioPriority and memoryPolicy come before the capabilities drop, personality last before the wait", () => {
  const v = core("plan", patch(baseConfig(), {
    "/process/scheduler": { policy: "SCHED_IDLE" }, "/process/ioPriority": { class: "IOPRIO_CLASS_IDLE", priority: 0 },
    "/process/capabilities": { bounding: [] }, "/linux/personality": { domain: "LINUX" }, "/linux/memoryPolicy": { mode: "MPOL_LOCAL" },
  }));
  const ops = (v.text ?? "").split("\n").map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter(Boolean);
  const at = (op: string) => ops.indexOf(op);
  assert.ok(at("SCHEDULER") >= 0 && at("SCHEDULER") < at("IOPRIO") && at("IOPRIO") < at("MEMORY_POLICY") && at("MEMORY_POLICY") < at("CAP_BOUNDING"), ops.join(" "));
  assert.is(at("PERSONALITY"), at("WAIT_START") - 1, ops.join(" "));
});

test("a label the host cannot apply names the missing lsm", () => {
  const v = core("plan", patch(baseConfig(), { "/process/apparmorProfile": "unconfined", "/process/selinuxLabel": "system_u:system_r:container_t:s0" }), { apparmor: false, selinux: false });
  assert.equal(errorsOf(v), ["/process/apparmorProfile: apparmor is not enabled on this host", "/process/selinuxLabel: selinux is not enabled on this host"]);
});

test("the labels are set after EXEC_SEALED (so the user's execve takes them), apparmor before no_new_privs, selinux before the uid change", () => {
  const v = core("plan", patch(baseConfig(), {
    "/process/apparmorProfile": "unconfined", "/process/selinuxLabel": "system_u:system_r:container_t:s0", "/process/noNewPrivileges": true,
    "/process/capabilities": { bounding: [] }, "/linux/sysctl": { "kernel.shmmax": "65536" }, "/linux/namespaces": [{ type: "mount" }, { type: "ipc" }],
  }), { apparmor: true, selinux: true });
  assert.equal(errorsOf(v), []);
  const ops = (v.text ?? "").split("\n").map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter(Boolean);
  const at = (op: string) => ops.indexOf(op);
  assert.ok(at("EXEC_SEALED") > at("SYSCTL") && at("APPARMOR") > at("EXEC_SEALED") && at("APPARMOR") < at("NO_NEW_PRIVS"), ops.join(" "));
  assert.ok(at("SELINUX_EXEC_LABEL") > at("EXEC_SEALED") && at("SELINUX_EXEC_LABEL") < at("CAP_BOUNDING") && at("CAP_BOUNDING") < at("USER"), ops.join(" "));
});

test.run();
