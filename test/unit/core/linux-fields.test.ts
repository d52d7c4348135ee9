// The /linux fields beyond namespaces, devices and paths: sysctl, timeOffsets, personality,
// memoryPolicy, mountLabel, cgroupsPath, intelRdt (netDevices: netDevices.test.ts); and mounts[].uidMappings,
// gidMappings and the idmap options. Rows are config patches, their errors and warnings.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf, warningsOf } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

type Row = { name: string; patch: Record<string, unknown>; facts?: Partial<HostFacts>; errorAt?: string[]; warnAt?: string[]; op?: RegExp; noOp?: RegExp };

const net = [{ type: "mount" }, { type: "network" }];
const ipc = [{ type: "mount" }, { type: "ipc" }];
const uts = [{ type: "mount" }, { type: "uts" }];
const time = [{ type: "mount" }, { type: "pid" }, { type: "time" }];
const user = { "/linux/namespaces": [{ type: "mount" }, { type: "user" }], "/linux/uidMappings": [{ containerID: 0, hostID: 1000, size: 1 }], "/linux/gidMappings": [{ containerID: 0, hostID: 1000, size: 1 }] };
const map = [{ containerID: 0, hostID: 1000, size: 10 }];

const rows: Row[] = [
  { name: "net sysctl with a network namespace", patch: { "/linux/namespaces": net, "/linux/sysctl": { "net.ipv4.ip_forward": "1" } }, op: /SYSCTL path="sys\/net\/ipv4\/ip_forward" value="1"/ },
  { name: "net sysctl with a joined network namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "network", path: "/run/netns/x" }], "/linux/sysctl": { "net.core.somaxconn": "1024" } } },
  { name: "net sysctl without a network namespace", patch: { "/linux/sysctl": { "net.ipv4.ip_forward": "1" } }, errorAt: ["/linux/sysctl/net.ipv4.ip_forward"] },
  { name: "ipc sysctls with an ipc namespace", patch: { "/linux/namespaces": ipc, "/linux/sysctl": { "kernel.shmmax": "1", "kernel.sem": "1 2 3 4", "fs.mqueue.msg_max": "10", "kernel.shm_rmid_forced": "1" } } },
  { name: "ipc sysctl without an ipc namespace", patch: { "/linux/sysctl": { "kernel.msgmax": "1" } }, errorAt: ["/linux/sysctl/kernel.msgmax"] },
  { name: "kernel.domainname with uts", patch: { "/linux/namespaces": uts, "/linux/sysctl": { "kernel.domainname": "x" } } },
  { name: "kernel.domainname without uts", patch: { "/linux/sysctl": { "kernel.domainname": "x" } }, errorAt: ["/linux/sysctl/kernel.domainname"] },
  { name: "kernel.hostname conflicts with /hostname", patch: { "/linux/namespaces": uts, "/linux/sysctl": { "kernel.hostname": "x" } }, errorAt: ["/linux/sysctl/kernel.hostname"] },
  { name: "a host sysctl", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "network" }, { type: "ipc" }, { type: "uts" }], "/linux/sysctl": { "vm.swappiness": "0" } }, errorAt: ["/linux/sysctl/vm.swappiness"] },
  { name: "slash-form sysctl with a dot in a name", patch: { "/linux/namespaces": net, "/linux/sysctl": { "net/ipv4/conf/eth0.100/rp_filter": "1" } }, op: /path="sys\/net\/ipv4\/conf\/eth0\.100\/rp_filter"/ },
  { name: "sysctl escaping /proc/sys", patch: { "/linux/namespaces": net, "/linux/sysctl": { "net/../../x": "1" } }, errorAt: ["/linux/sysctl/net~1..~1..~1x"] },
  { name: "sysctl with an empty part", patch: { "/linux/namespaces": net, "/linux/sysctl": { "net..ipv4": "1" } }, errorAt: ["/linux/sysctl/net..ipv4"] },
  { name: "sysctl value not a string", patch: { "/linux/namespaces": net, "/linux/sysctl": { "net.ipv4.ip_forward": 1 } }, errorAt: ["/linux/sysctl/net.ipv4.ip_forward"] },
  { name: "sysctl an array", patch: { "/linux/sysctl": ["net.ipv4.ip_forward=1"] }, errorAt: ["/linux/sysctl"] },
  { name: "timeOffsets with a time namespace", patch: { "/linux/namespaces": time, "/linux/timeOffsets": { boottime: { secs: -5, nanosecs: 1 } } }, op: /TIME_OFFSETS offsets="boottime -5 1\\n"/ },
  { name: "timeOffsets without a time namespace", patch: { "/linux/timeOffsets": { monotonic: { secs: 1 } } }, errorAt: ["/linux/timeOffsets"] },
  { name: "timeOffsets of a joined time namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "time", path: "/proc/1/ns/time" }], "/linux/timeOffsets": { monotonic: { secs: 1 } } }, errorAt: ["/linux/timeOffsets"] },
  { name: "timeOffsets unknown clock", patch: { "/linux/namespaces": time, "/linux/timeOffsets": { realtime: { secs: 1 } } }, errorAt: ["/linux/timeOffsets/realtime"] },
  { name: "timeOffsets nanosecs a second", patch: { "/linux/namespaces": time, "/linux/timeOffsets": { monotonic: { secs: 1, nanosecs: 1000000000 } } }, errorAt: ["/linux/timeOffsets/monotonic/nanosecs"] },
  { name: "personality LINUX32", patch: { "/linux/personality": { domain: "LINUX32" } }, op: /PERSONALITY persona=PER_LINUX32/ },
  { name: "personality unknown domain", patch: { "/linux/personality": { domain: "BSD" } }, errorAt: ["/linux/personality/domain"] },
  { name: "personality without domain", patch: { "/linux/personality": {} }, errorAt: ["/linux/personality/domain"] },
  { name: "personality with a flag", patch: { "/linux/personality": { domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"] } }, errorAt: ["/linux/personality/flags/0"] },
  { name: "memoryPolicy bind", patch: { "/linux/memoryPolicy": { mode: "MPOL_BIND", nodes: "0-1,33", flags: ["MPOL_F_STATIC_NODES"] } }, op: /MEMORY_POLICY mode=MPOL_BIND\|MPOL_F_STATIC_NODES nodemask=\[3,2\]/ },
  { name: "memoryPolicy bind without nodes", patch: { "/linux/memoryPolicy": { mode: "MPOL_BIND" } }, errorAt: ["/linux/memoryPolicy/nodes"] },
  { name: "memoryPolicy default with nodes", patch: { "/linux/memoryPolicy": { mode: "MPOL_DEFAULT", nodes: "0" } }, errorAt: ["/linux/memoryPolicy/nodes"] },
  { name: "memoryPolicy preferred, local", patch: { "/linux/memoryPolicy": { mode: "MPOL_PREFERRED" } }, op: /MEMORY_POLICY mode=MPOL_PREFERRED nodemask=\[\]/ },
  { name: "memoryPolicy unknown mode", patch: { "/linux/memoryPolicy": { mode: "MPOL_FAST", nodes: "0" } }, errorAt: ["/linux/memoryPolicy/mode"] },
  { name: "memoryPolicy bad nodes", patch: { "/linux/memoryPolicy": { mode: "MPOL_INTERLEAVE", nodes: "0-" } }, errorAt: ["/linux/memoryPolicy/nodes"] },
  { name: "memoryPolicy node 1024", patch: { "/linux/memoryPolicy": { mode: "MPOL_INTERLEAVE", nodes: "1024" } }, errorAt: ["/linux/memoryPolicy/nodes"] },
  { name: "memoryPolicy static and relative", patch: { "/linux/memoryPolicy": { mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"] } }, errorAt: ["/linux/memoryPolicy/flags"] },
  { name: "memoryPolicy unknown flag", patch: { "/linux/memoryPolicy": { mode: "MPOL_BIND", nodes: "0", flags: ["MPOL_F_X"] } }, errorAt: ["/linux/memoryPolicy/flags/0"] },
  { name: "mountLabel without selinux warns", patch: { "/linux/mountLabel": "system_u:object_r:container_file_t:s0" }, warnAt: ["/linux/mountLabel"], noOp: /context=/ },
  {
    name: "mountLabel with selinux labels a tmpfs after its data",
    patch: { "/linux/mountLabel": "system_u:object_r:container_file_t:s0:c1,c2", "/mounts": [{ destination: "/t", type: "tmpfs", source: "tmpfs", options: ["size=64k"] }] },
    facts: { selinux: true },
    op: /MOUNT source="tmpfs" target="\/t" fstype="tmpfs" flags=\S+ data="size=64k,context=\\"system_u:object_r:container_file_t:s0:c1,c2\\""/,
  },
  {
    name: "mountLabel with selinux leaves proc, sysfs, mqueue and binds alone",
    patch: { "/linux/mountLabel": "system_u:object_r:container_file_t:s0", "/mounts": [
      { destination: "/proc", type: "proc", source: "proc" }, { destination: "/sys", type: "sysfs", source: "sysfs" },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue" }, { destination: "/b", type: "bind", source: "/s", options: ["rbind"] },
    ] },
    facts: { selinux: true },
    noOp: /context=/,
  },
  { name: "cgroupsPath systemd form", patch: { "/linux/cgroupsPath": "system.slice:ocirun:x" } },
  { name: "cgroupsPath a number", patch: { "/linux/cgroupsPath": 5 }, errorAt: ["/linux/cgroupsPath"] },
  { name: "intelRdt warns", patch: { "/linux/intelRdt": { closID: "g1", l3CacheSchema: "L3:0=ff", schemata: ["MB:0=50"], enableMonitoring: true } }, warnAt: ["/linux/intelRdt"] },
  { name: "intelRdt root group", patch: { "/linux/intelRdt": { closID: "/" } }, warnAt: ["/linux/intelRdt"] },
  { name: "intelRdt closID a path", patch: { "/linux/intelRdt": { closID: "a/b" } }, errorAt: ["/linux/intelRdt/closID"] },
  { name: "intelRdt schemata a string", patch: { "/linux/intelRdt": { schemata: "MB:0=50" } }, errorAt: ["/linux/intelRdt/schemata"] },
  { name: "mount maps without a user namespace: an idmapped bind", patch: { "/mounts": [{ destination: "/m", source: "/s", type: "bind", uidMappings: map, gidMappings: map }] }, op: /MOUNT_IDMAP source="\/s" target="\/m" recursive=0 uidmap="0 1000 10\\n" gidmap="0 1000 10\\n"/ },
  { name: "mount maps in a user namespace: an idmapped bind with them", patch: { ...user, "/mounts": [{ destination: "/m", source: "/s", type: "bind", uidMappings: map, gidMappings: map }] }, op: /MOUNT_IDMAP source="\/s" target="\/m" recursive=0 uidmap="0 1000 10\\n" gidmap="0 1000 10\\n"/ },
  { name: "idmap option in a user namespace: the container's maps", patch: { ...user, "/mounts": [{ destination: "/m", source: "/s", type: "bind", options: ["rbind", "idmap"] }] }, op: /MOUNT_IDMAP source="\/s" target="\/m" recursive=1 uidmap="" gidmap=""/ },
  { name: "ridmap option on a tmpfs", patch: { "/mounts": [{ destination: "/m", source: "tmpfs", type: "tmpfs", options: ["ridmap"] }] }, errorAt: ["/mounts/0/options/0", "/mounts/0/options/0"] },
  { name: "mount uidMappings alone", patch: { ...user, "/mounts": [{ destination: "/m", source: "/s", type: "bind", uidMappings: map }] }, errorAt: ["/mounts/0/gidMappings"] },
  { name: "mount maps on a tmpfs", patch: { ...user, "/mounts": [{ destination: "/m", source: "tmpfs", type: "tmpfs", uidMappings: map, gidMappings: map }] }, errorAt: ["/mounts/0/uidMappings"] },
  { name: "mount map without size", patch: { ...user, "/mounts": [{ destination: "/m", source: "/s", type: "bind", uidMappings: [{ containerID: 0, hostID: 1 }], gidMappings: map }] }, errorAt: ["/mounts/0/uidMappings/0/size"] },
  { name: "idmap option without maps or a user namespace", patch: { "/mounts": [{ destination: "/m", source: "/s", type: "bind", options: ["rbind", "idmap"] }] }, errorAt: ["/mounts/0/options/1"] },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("plan", patch(baseConfig(), row.patch), row.facts);
    assert.equal(errorsOf(v).map((e) => e.slice(0, e.indexOf(": "))).sort(), (row.errorAt ?? []).slice().sort(), errorsOf(v).join("\n"));
    if (row.warnAt) assert.equal(warningsOf(v).map((w) => w.slice(0, w.indexOf(": "))), row.warnAt);
    if (row.op) assert.match(v.text ?? "", row.op);
    if (row.noOp) assert.not.match(v.text ?? "", row.noOp);
  });
}

test("sysctls are written after the pivot and before readonlyPaths, offsets before the id maps and the fork into the time namespace", () => {
  const v = core("plan", patch(baseConfig(), {
    "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "ipc" }, { type: "time" }],
    "/linux/sysctl": { "kernel.shmmax": "1" }, "/linux/readonlyPaths": ["/proc/sys"], "/linux/timeOffsets": { monotonic: { secs: 1 } },
    "/process/oomScoreAdj": 10,
  }));
  const ops = (v.text ?? "").split("\n").map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter(Boolean);
  const at = (op: string) => ops.indexOf(op);
  assert.is(at("OOM_SCORE_ADJ"), 0, ops.join(" "));
  assert.is(at("CLONE_INIT"), 1, "the runtime's own op before the clone, the init's after");
  assert.ok(at("UNSHARE") < at("TIME_OFFSETS") && at("TIME_OFFSETS") === at("FORK_INIT") - 1, ops.join(" "));
  // With a new user namespace: before the id maps, while the init is still the host's root.
  const u = core("plan", patch(baseConfig(), {
    "/linux/namespaces": [{ type: "mount" }, { type: "user" }, { type: "time" }], "/linux/timeOffsets": { monotonic: { secs: 1 } },
    "/linux/uidMappings": [{ containerID: 0, hostID: 1000, size: 1 }], "/linux/gidMappings": [{ containerID: 0, hostID: 1000, size: 1 }],
  }));
  const uops = (u.text ?? "").split("\n").map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter(Boolean);
  assert.equal(uops.slice(0, 5), ["CLONE_INIT", "UNSHARE", "TIME_OFFSETS", "USERNS_MAPS", "FORK_INIT"]);
  assert.ok(at("PIVOT_ROOT") < at("SYSCTL") && at("SYSCTL") < at("READONLY_PATH"), ops.join(" "));
});

test("a joined user namespace: joined first, BECOME_ROOT after the offsets and before the fork; none for a new one", () => {
  const opsOf = (p: Record<string, unknown>) => (core("plan", patch(baseConfig(), p)).text ?? "").split("\n")
    .map((l) => /^\s*\d+ (\w+)(?: path="([^"]*)")?/.exec(l)).filter(Boolean).map((m) => m![1] + (m![2] ? " " + m![2] : ""));
  const joined = opsOf({
    "/linux/namespaces": [{ type: "mount" }, { type: "pid", path: "/proc/9/ns/pid" }, { type: "user", path: "/proc/9/ns/user" }, { type: "time" }],
    "/linux/timeOffsets": { monotonic: { secs: 1 } },
  });
  assert.equal(joined.slice(0, 7), ["CLONE_INIT", "SETNS /proc/9/ns/user", "SETNS /proc/9/ns/pid", "UNSHARE", "TIME_OFFSETS", "BECOME_ROOT", "FORK_INIT"]);
  // Without a fork or offsets: right after the joins and unshares.
  const alone = opsOf({ "/linux/namespaces": [{ type: "mount" }, { type: "user", path: "/proc/9/ns/user" }] });
  assert.equal(alone.slice(0, 4), ["CLONE_INIT", "SETNS /proc/9/ns/user", "UNSHARE", "BECOME_ROOT"]);
  assert.is(opsOf(user).filter((op) => op === "BECOME_ROOT").length, 0);
  const v = core("plan", patch(baseConfig(), { "/linux/namespaces": [{ type: "mount" }, { type: "user", path: "/proc/9/ns/user" }] }));
  assert.match(v.text ?? "", /BECOME_ROOT  <- \/linux\/namespaces\/1/);
});

test.run();
