// --systemd-cgroup (request fact `cgroup-driver systemd`): linux.cgroupsPath as runc's systemd
// driver reads it ("slice:prefix:name", the slice expanded into the cgroup path), the unit's
// name and slice, the StartTransientUnit properties, and the resources as unit properties
// (v1 and v2, gated by the systemd version as runc gates them). Each property renders as
// "Name sig value".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupPlan, v1Facts, v2Facts, type CgroupSection } from "../../util/cgroup";
import { baseConfig, core, patch } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

type Property = [string, string, unknown];
type SystemdSection = { unit: string; slice: string; properties: Property[]; resources: Property[] };
const MAX = "18446744073709551615";

const v2: Partial<HostFacts> = { ...v2Facts, cgroupDriver: "systemd", systemdVersion: 252 };
const v1: Partial<HostFacts> = { ...v1Facts, cgroupDriver: "systemd", systemdVersion: 252 };

function plan(patches: Record<string, unknown>, facts: Partial<HostFacts>) {
  const r = cgroupPlan(patch(baseConfig(), patches), facts);
  const section = r.section as (CgroupSection & { systemd?: SystemdSection }) | undefined;
  return { ...r, section, systemd: section?.systemd };
}
const render = (props: Property[]) => props.map(([n, s, v]) => `${n} ${s} ${JSON.stringify(v)}`);
/** The resource properties but the device ones, which have their own tests. */
const resources = (props: Property[]) => render(props.filter(([n]) => n !== "DeviceAllow" && n !== "DevicePolicy"));

// cgroupsPath -> unit, slice, and the cgroup under each hierarchy's root (runc's ExpandSlice).
const paths: [string, string | undefined, string, string, string][] = [
  ["absent: runc's defaults, the runtime's name as the prefix and the id as the name", undefined, "ocirun-c1.scope", "system.slice", "/system.slice/ocirun-c1.scope"],
  ["podman's", "machine.slice:libpod:4a3f", "libpod-4a3f.scope", "machine.slice", "/machine.slice/libpod-4a3f.scope"],
  ["a nested slice", "test-a-b.slice:p:n", "p-n.scope", "test-a-b.slice", "/test.slice/test-a.slice/test-a-b.slice/p-n.scope"],
  ["the root slice", "-.slice:p:n", "p-n.scope", "-.slice", "/p-n.scope"],
  ["an empty slice: the default one", ":cri-containerd:abc", "cri-containerd-abc.scope", "system.slice", "/system.slice/cri-containerd-abc.scope"],
  ["an empty prefix", "user.slice::n", "-n.scope", "user.slice", "/user.slice/-n.scope"],
  ["kubelet's", "kubepods-besteffort-pod1.slice:cri-containerd:c", "cri-containerd-c.scope", "kubepods-besteffort-pod1.slice",
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c.scope"],
];
for (const [name, cgroupsPath, unit, slice, path] of paths) {
  test(`systemd path: ${name}`, () => {
    const p2 = plan({ "/linux/cgroupsPath": cgroupsPath }, v2);
    assert.equal(p2.errors, [], JSON.stringify(p2.v.diagnostics));
    assert.is(p2.systemd!.unit, unit);
    assert.is(p2.systemd!.slice, slice);
    assert.equal(p2.section!.paths, { "": path });
    // v1 and hybrid: the same path in every hierarchy, and in unified.
    const p1 = plan({ "/linux/cgroupsPath": cgroupsPath }, v1);
    const want: Record<string, string> = {};
    for (const h of v1Facts.cgroupV1!) want[h.dir] = path;
    want.unified = path;
    assert.equal(p1.section!.paths, want);
    assert.is(p1.systemd!.unit, unit);
  });
}

test("the runtime's own cgroup does not matter to systemd's paths", () => {
  const p = plan({ "/linux/cgroupsPath": "machine.slice:libpod:x" }, { ...v2, ownCgroup: "/user.slice/s1" });
  assert.equal(p.section!.paths, { "": "/machine.slice/libpod-x.scope" });
});

const formatError = (s: string) => `/linux/cgroupsPath: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "${s}" instead`;
const errorRows: [string, string][] = [
  ["a:b", formatError("a:b")],
  ["a:b:c:d", formatError("a:b:c:d")],
  ["/machine/c1", formatError("/machine/c1")],
  ["a--b.slice:p:n", "/linux/cgroupsPath: invalid slice name: a--b.slice"],
  ["-a.slice:p:n", "/linux/cgroupsPath: invalid slice name: -a.slice"],
  ["a-.slice:p:n", "/linux/cgroupsPath: invalid slice name: a-.slice"],
  ["machine:p:n", "/linux/cgroupsPath: invalid slice name: machine"],
  [".slice:p:n", "/linux/cgroupsPath: invalid slice name: .slice"],
  ["a/b.slice:p:n", "/linux/cgroupsPath: invalid slice name: a/b.slice"],
  ["a b.slice:p:n", "/linux/cgroupsPath: invalid slice name: a b.slice"],
  ["system.slice:p:n.slice", '/linux/cgroupsPath: the container\'s unit would be the slice "n.slice": a slice cannot hold processes, the name must not end in ".slice"'],
  ["system.slice:p:a+b", '/linux/cgroupsPath: "p-a+b.scope" is not a valid systemd unit name: only ASCII letters, digits, ":", "-", "_", "." and "\\" are allowed'],
  ["system.slice:p:" + "x".repeat(250), `/linux/cgroupsPath: "p-${"x".repeat(250)}.scope" is not a valid systemd unit name: longer than 255 characters`],
];
for (const [cgroupsPath, error] of errorRows) {
  test(`systemd path ${JSON.stringify(cgroupsPath.slice(0, 40))} is refused with runc's meaning`, () => {
    const v = core("plan", patch(baseConfig(), { "/linux/cgroupsPath": cgroupsPath }), { id: "c1", ...v2 });
    assert.equal(v.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.pointer}: ${d.message}`), [error]);
  });
}

test("an id that cannot be in a unit name is refused when it names the unit", () => {
  const v = core("plan", baseConfig(), { ...v2, id: "a+b" });
  assert.equal(v.diagnostics.map((d) => d.message), ['"ocirun-a+b.scope" is not a valid systemd unit name: only ASCII letters, digits, ":", "-", "_", "." and "\\" are allowed']);
});

test("rootless: not with the systemd driver (v1: runc's words)", () => {
  const rootless = { "/linux/namespaces": [{ type: "user" }, { type: "mount" }, { type: "pid" }], "/linux/uidMappings": [{ containerID: 0, hostID: 1000, size: 1 }], "/linux/gidMappings": [{ containerID: 0, hostID: 1000, size: 1 }] };
  const e2 = plan(rootless, { ...v2, euid: 1000, egid: 1000, cgroupDelegated: true });
  assert.equal(e2.v.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.pointer}: ${d.message}`), [": --systemd-cgroup for a rootless container (systemd --user) is not supported yet"]);
  const e1 = plan(rootless, { ...v1, euid: 1000, egid: 1000 });
  assert.equal(e1.v.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), ["cannot use rootless systemd cgroups manager on cgroup v1"]);
});

test("cgroupfs driver: no systemd member", () => {
  assert.is(plan({}, v2Facts).systemd, undefined);
  assert.is(plan({}, v1Facts).systemd, undefined);
});

test("a request with an unknown cgroup driver is refused", () => {
  assert.throws(() => core("plan", baseConfig(), { ...v2, cgroupDriver: "openrc" as "systemd" }), /unknown cgroup driver "openrc"/);
});

test("StartTransientUnit properties (v2): a delegated scope in its slice, every accounting on", () => {
  const p = plan({ "/linux/cgroupsPath": "machine.slice:libpod:abc" }, v2);
  assert.equal(render(p.systemd!.properties), [
    'Description s "ocirun container abc"', 'Slice s "machine.slice"', "Delegate b true",
    "MemoryAccounting b true", "CPUAccounting b true", "IOAccounting b true", "TasksAccounting b true",
    "DefaultDependencies b false",
  ]);
});

test("StartTransientUnit properties (v1): BlockIOAccounting in place of IOAccounting", () => {
  const p = plan({}, v1);
  assert.equal(render(p.systemd!.properties), [
    'Description s "ocirun container c1"', 'Slice s "system.slice"', "Delegate b true",
    "MemoryAccounting b true", "CPUAccounting b true", "BlockIOAccounting b true", "TasksAccounting b true",
    "DefaultDependencies b false",
  ]);
});

test("OOMPolicy from unified memory.oom.group, only for systemd 253+", () => {
  const r = { "/linux/resources/unified": { "memory.oom.group": "1" } };
  assert.equal(render(plan(r, { ...v2, systemdVersion: 253 }).systemd!.properties).slice(-1), ['OOMPolicy s "kill"']);
  assert.ok(!render(plan(r, v2).systemd!.properties).some((p) => p.startsWith("OOMPolicy")));
});

// Resources -> unit properties, as runc's genV2ResourcesProperties and genV1ResourcesProperties.
type Row = { name: string; resources: unknown; v2?: string[]; v1?: string[]; version?: number; errors?: string[] };
const rows: Row[] = [
  { name: "none", resources: {}, v2: [], v1: [] },
  {
    name: "memory", resources: { memory: { limit: 67108864, reservation: 33554432, swap: 100663296 } },
    v2: ['MemoryMax t "67108864"', 'MemoryLow t "33554432"', 'MemorySwapMax t "33554432"'],
    v1: ['MemoryLimit t "67108864"'],
  },
  { name: "memory without limit", resources: { memory: { limit: -1 } }, v2: [`MemoryMax t "${MAX}"`, `MemorySwapMax t "${MAX}"`], v1: [`MemoryLimit t "${MAX}"`] },
  {
    name: "cpu shares, quota and period", resources: { cpu: { shares: 1024, quota: 50000, period: 100000 } },
    v2: ['CPUWeight t "39"', 'CPUQuotaPeriodUSec t "100000"', 'CPUQuotaPerSecUSec t "500000"'],
    v1: ['CPUShares t "1024"', 'CPUQuotaPeriodUSec t "100000"', 'CPUQuotaPerSecUSec t "500000"'],
  },
  { name: "a quota rounded up to whole percents", resources: { cpu: { quota: 33333 } }, v2: ['CPUQuotaPerSecUSec t "340000"'], v1: ['CPUQuotaPerSecUSec t "340000"'] },
  { name: "an unlimited quota", resources: { cpu: { quota: -1, period: 50000 } }, v2: ['CPUQuotaPeriodUSec t "50000"', `CPUQuotaPerSecUSec t "${MAX}"`] },
  { name: "systemd before 242 has no quota period", version: 241, resources: { cpu: { quota: 20000, period: 50000 } }, v2: ['CPUQuotaPerSecUSec t "400000"'] },
  { name: "cpu.idle: CPUWeight 0 in place of the shares' weight", resources: { cpu: { shares: 1024, idle: 1 } }, v2: ['CPUWeight t "0"'] },
  { name: "cpu.idle before systemd 252: the weight", version: 251, resources: { cpu: { shares: 1024, idle: 1 } }, v2: ['CPUWeight t "39"'] },
  { name: "pids", resources: { pids: { limit: 64 } }, v2: ['TasksMax t "64"'], v1: ['TasksMax t "64"'] },
  { name: "pids unlimited", resources: { pids: { limit: -1 } }, v2: [`TasksMax t "${MAX}"`] },
  { name: "pids 0: systemd refuses 0, runc sends 1", resources: { pids: { limit: 0 } }, v2: ['TasksMax t "1"'] },
  {
    name: "cpuset as byte masks", resources: { cpu: { cpus: "0-2,9", mems: "0" } },
    v2: ["AllowedCPUs ay [7,2]", "AllowedMemoryNodes ay [1]"], v1: ["AllowedCPUs ay [7,2]", "AllowedMemoryNodes ay [1]"],
  },
  { name: "cpuset before systemd 244: cgroupfs only", version: 243, resources: { cpu: { cpus: "1" } }, v2: [] },
  { name: "blkio weight (v1 only; runc never sends IOWeight)", resources: { blockIO: { weight: 500 } }, v2: [], v1: ['BlockIOWeight t "500"'] },
  {
    name: "unified", resources: { unified: { "memory.high": "max", "memory.min": "1048576", "pids.max": "10", "cpu.weight": "50", "cpu.max": "max 50000", "io.weight": "10", "cpuset.cpus": "3" } },
    v2: [`MemoryHigh t "${MAX}"`, 'MemoryMin t "1048576"', 'TasksMax t "10"', 'CPUWeight t "50"', 'CPUQuotaPeriodUSec t "50000"', `CPUQuotaPerSecUSec t "${MAX}"`, "AllowedCPUs ay [8]"],
  },
  { name: "unified cpu.idle 1 drops cpu.weight", resources: { unified: { "cpu.weight": "50", "cpu.idle": "1" } }, v2: ['CPUWeight t "0"'] },
  {
    name: "unified values systemd cannot take are errors", resources: { unified: { "memory.max": "lots", "cpu.max": "1 2 3", "pids.max": "-" } },
    errors: [
      '/linux/resources/unified/memory.max: unified resource "memory.max" value conversion error: "lots" is not a number',
      '/linux/resources/unified/cpu.max: unified resource "cpu.max" value invalid: "1 2 3"',
      '/linux/resources/unified/pids.max: unified resource "pids.max" value conversion error: "-" is not a number',
    ],
  },
];
for (const row of rows) {
  for (const [mode, facts] of [["v2", v2], ["v1", v1]] as const) {
    const want = mode === "v2" ? row.v2 : row.v1;
    if (want === undefined && (mode === "v1" || !row.errors)) continue;
    test(`resources as unit properties: ${row.name} (${mode})`, () => {
      const p = plan({ "/linux/resources": row.resources }, { ...facts, systemdVersion: row.version ?? 252 });
      assert.equal(p.v.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.pointer}: ${d.message}`), row.errors ?? []);
      if (row.errors) return;
      assert.equal(resources(p.systemd!.resources), want);
    });
  }
}

test("the cgroupfs quota follows systemd's rounding, as runc rewrites it", () => {
  const r = { "/linux/resources": { cpu: { quota: 33333, period: 100000 } } };
  assert.equal(plan(r, v2).section!.writes.filter((w) => w.file === "cpu.max").map((w) => w.value), ["34000 100000"]);
  assert.equal(plan(r, v1).section!.writes.filter((w) => w.file === "cpu.cfs_quota_us").map((w) => w.value), ["34000"]);
  // The cgroupfs driver writes the quota as given.
  assert.equal(cgroupPlan(patch(baseConfig(), r), v2Facts).section!.writes.filter((w) => w.file === "cpu.max").map((w) => w.value), ["33333 100000"]);
});

// Devices: runc clears DeviceAllow, then DevicePolicy strict and the allow-list its v1 emulator
// keeps (a deny removes only the same type and numbers); the runtime's defaults follow the config's.
const defaults = [
  "char-* m", "block-* m", "/dev/char/1:3 rwm", "/dev/char/1:8 rwm", "/dev/char/1:7 rwm", "/dev/char/5:0 rwm",
  "/dev/char/1:5 rwm", "/dev/char/1:9 rwm", "char-136 rwm", "/dev/char/5:2 rwm", "/dev/char/10:200 rwm",
];
function devices(rules: unknown[], version = 252) {
  const p = plan({ "/linux/resources": { devices: rules } }, { ...v2, systemdVersion: version });
  const props = p.systemd!.resources.filter(([n]) => n === "DeviceAllow" || n === "DevicePolicy");
  const lists = props.map(([n, , v]) => (n === "DevicePolicy" ? `policy ${v}` : (v as [string, string][]).map(([d, a]) => `${d} ${a}`).join(", ")));
  return { lists, warnings: p.warnings };
}

test("devices: deny all, then an allow-list (the config's and the runtime's)", () => {
  const { lists, warnings } = devices([{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 4, minor: 5, access: "rw" }]);
  assert.equal(lists, ["", "policy strict", ["/dev/char/4:5 rw", ...defaults].join(", ")]);
  assert.equal(warnings, []);
});

test("devices: a deny removes the same rule's bits; wildcards become char-M and char-*", () => {
  const { lists } = devices([
    { allow: false, access: "rwm" },
    { allow: true, type: "c", major: 4, minor: 5, access: "rwm" },
    { allow: false, type: "c", major: 4, minor: 5, access: "w" },
    { allow: true, type: "b", major: 8, access: "r" },
    { allow: true, type: "a", major: 9, minor: 1, access: "m" },
  ]);
  assert.equal(lists[2].split(", ").slice(0, 4), ["/dev/char/4:5 rm", "block-8 r", "/dev/char/9:1 m", "/dev/block/9:1 m"]);
});

test("devices: allow all is DevicePolicy auto with an empty list", () => {
  assert.equal(devices([{ allow: true, access: "rwm" }]).lists, ["", "policy auto"]);
});

test("devices: a deny-list systemd cannot express is a warning, and the unit denies all", () => {
  const { lists, warnings } = devices([{ allow: true, access: "rwm" }, { allow: false, type: "c", major: 4, minor: 5, access: "rwm" }]);
  assert.equal(lists, ["", "policy strict"]);
  assert.equal(warnings, ["/linux/resources/devices/1"]);
  // A deny a later allow takes back leaves all allowed (the runtime's defaults allow /dev/null).
  assert.equal(devices([{ allow: true, access: "rwm" }, { allow: false, type: "c", major: 1, minor: 3, access: "rwm" }]).lists, ["", "policy auto"]);
});

test("devices: a rule for any major is skipped with a warning (systemd has no form for it)", () => {
  const { lists, warnings } = devices([{ allow: false, access: "rwm" }, { allow: true, type: "c", minor: 3, access: "r" }]);
  assert.equal(lists[2], defaults.join(", "));
  assert.equal(warnings, ["/linux/resources/devices/1"]);
});

test.run();
