// linux.netDevices in the core: validation (a network namespace, interface names, "%d"
// templates, root) and the plan's NET_DEVICE ops, one per device, after the namespaces. The
// move itself is the host's (addon/src/net_device.cc, test/integration/netDevices.test.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

type Row = { name: string; patch: Record<string, unknown>; facts?: Partial<HostFacts>; errorAt?: string[]; op?: RegExp };

const net = [{ type: "mount" }, { type: "network" }];
const devices = (d: unknown) => ({ "/linux/namespaces": net, "/linux/netDevices": d });

const rows: Row[] = [
  { name: "renamed: hostName and containerName, the field as source", patch: devices({ eth1: { name: "eth9" } }), op: /NET_DEVICE hostName="eth1" containerName="eth9"  <- \/linux\/netDevices\/eth1$/m },
  { name: "without name: the host's name", patch: devices({ eth1: {} }), op: /NET_DEVICE hostName="eth1" containerName="eth1"/ },
  { name: "an empty name: the host's name, as runc", patch: devices({ eth1: { name: "" } }), op: /NET_DEVICE hostName="eth1" containerName="eth1"/ },
  { name: "a joined network namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "network", path: "/run/netns/n1" }], "/linux/netDevices": { eth1: {} } }, op: /NET_DEVICE hostName="eth1"/ },
  { name: "a %d template, twice: the kernel numbers each", patch: devices({ eth1: { name: "net%d" }, eth2: { name: "net%d" } }), op: /NET_DEVICE hostName="eth2" containerName="net%d"/ },
  { name: "a key escaped in the pointer", patch: devices({ "a~b": {} }), op: /NET_DEVICE hostName="a~b" containerName="a~b"  <- \/linux\/netDevices\/a~0b$/m },
  { name: "without a network namespace", patch: { "/linux/netDevices": { eth1: {} } }, errorAt: ["/linux/netDevices"] },
  { name: "bad names", patch: devices({ "a/b": {}, eth1: { name: "waytoolonginterface" }, eth2: { name: "a b" }, eth3: { name: ".." } }), errorAt: ["/linux/netDevices/a~1b", "/linux/netDevices/eth1/name", "/linux/netDevices/eth2/name", "/linux/netDevices/eth3/name"] },
  { name: "bad templates; a host name is never one", patch: devices({ eth1: { name: "e%s" }, eth2: { name: "e%d%d" }, eth3: { name: "e%" }, "e%d": {} }), errorAt: ["/linux/netDevices/eth1/name", "/linux/netDevices/eth2/name", "/linux/netDevices/eth3/name", "/linux/netDevices/e%d"] },
  { name: "the same name twice", patch: devices({ eth1: { name: "x" }, eth2: { name: "x" } }), errorAt: ["/linux/netDevices/eth2"] },
  { name: "a renamed device and another's own name", patch: devices({ eth1: { name: "eth2" }, eth2: {} }), errorAt: ["/linux/netDevices/eth2"] },
  { name: "name not a string", patch: devices({ eth1: { name: 5 } }), errorAt: ["/linux/netDevices/eth1/name"] },
  { name: "an entry not an object", patch: devices({ eth1: "eth0" }), errorAt: ["/linux/netDevices/eth1"] },
  { name: "netDevices an array", patch: { "/linux/namespaces": net, "/linux/netDevices": ["eth1"] }, errorAt: ["/linux/netDevices"] },
  { name: "not as root: only the host's root may move an interface", patch: devices({ eth1: {} }), facts: { euid: 1000 }, errorAt: ["/linux/netDevices"] },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("plan", patch(baseConfig(), row.patch), row.facts);
    const errors = errorsOf(v).filter((e) => e.includes("netDevices"));
    assert.equal(errors.map((e) => e.slice(0, e.indexOf(": "))).sort(), (row.errorAt ?? []).slice().sort(), errorsOf(v).join("\n"));
    if (!row.errorAt) assert.equal(errorsOf(v), []);
    if (row.op) assert.match(v.text ?? "", row.op);
  });
}

const opsOf = (p: Record<string, unknown>) => (core("plan", patch(baseConfig(), p)).text ?? "").split("\n")
  .map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter(Boolean) as string[];

test("NET_DEVICE ops in config order, after the namespaces, the id maps and the fork, before the mounts", () => {
  const user = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const ops = opsOf({
    "/linux/namespaces": [{ type: "mount" }, { type: "network" }, { type: "user" }, { type: "time" }, { type: "pid" }],
    "/linux/uidMappings": user, "/linux/gidMappings": user,
    "/linux/netDevices": { eth2: {}, eth1: { name: "x" } },
  });
  assert.equal(ops.slice(0, 7), ["CLONE_INIT", "UNSHARE", "USERNS_MAPS", "FORK_INIT", "NET_DEVICE", "NET_DEVICE", "MOUNT"]);
  const v = core("plan", patch(baseConfig(), devices({ eth2: {}, eth1: { name: "x" } })));
  assert.match(v.text ?? "", /NET_DEVICE hostName="eth2"[^\n]*\n[^\n]*NET_DEVICE hostName="eth1"/);
  // Born in its namespaces (one clone, no fork): the devices come first.
  assert.equal(opsOf(devices({ eth1: {} })).slice(0, 2), ["CLONE_INIT", "NET_DEVICE"]);
  assert.not.ok(opsOf({ "/linux/namespaces": net }).includes("NET_DEVICE"));
});

test("the op's description names the device and its new name; the host adds the errno's text", () => {
  const v = core("plan", patch(baseConfig(), devices({ eth1: { name: "eth9" }, eth2: {} })));
  const init = v.init!;
  // The string table holds the description the host renders into a failure.
  const text = new TextDecoder().decode(init);
  assert.ok(text.includes('move "eth1" into the container as "eth9"'), text);
  assert.ok(text.includes('move "eth2" into the container\0'), text);
});

test.run();
