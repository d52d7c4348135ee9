// A non-root caller (the request's euid, egid): runc's rootless checks, and how USERNS_MAPS
// writes the maps (assembly/plan/rootless.ts). Rows are config patches and facts, their errors
// and the USERNS_MAPS "how" label.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf } from "../../util/core";
import type { HostFacts } from "../../../host/core/protocol";

type Row = { name: string; patch?: Record<string, unknown>; facts: Partial<HostFacts>; errorAt?: string[]; how?: string };

const own = (id: number, containerID = 0) => [{ containerID, hostID: id, size: 1 }];
const userNs = (uid: unknown, gid: unknown) => ({
  "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "user" }], "/linux/uidMappings": uid, "/linux/gidMappings": gid,
});
const user1000 = { euid: 1000, egid: 1000 };
const subuid = [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }];
const devpts = (...options: unknown[]) => ({ "/mounts": [{ destination: "/dev/pts", type: "devpts", source: "devpts", options }] });

const rows: Row[] = [
  { name: "root writes every map itself", patch: userNs(subuid, subuid), facts: { euid: 0 }, how: "write" },
  { name: "root: no user namespace is fine", facts: { euid: 0 } },
  { name: "non-root: own uid and gid, written, setgroups denied", patch: userNs(own(1000), own(1000)), facts: user1000, how: "deny-setgroups" },
  { name: "non-root: own ids at another container id", patch: userNs(own(1000, 5), own(1000, 7)), facts: user1000, how: "deny-setgroups" },
  { name: "non-root: a subuid range goes to newuidmap", patch: userNs(subuid, own(1000)), facts: user1000, how: "deny-setgroups|newuidmap" },
  { name: "non-root: another gid goes to newgidmap", patch: userNs(own(1000), own(1000)), facts: { euid: 1000, egid: 2000 }, how: "newgidmap" },
  { name: "non-root: two ids of its own is not one", patch: userNs([{ containerID: 0, hostID: 1000, size: 2 }], subuid), facts: user1000, how: "newuidmap|newgidmap" },
  { name: "non-root without a user namespace", facts: user1000, errorAt: ["/linux/namespaces"] },
  { name: "non-root with a joined user namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "user", path: "/proc/9/ns/user" }] }, facts: user1000 },
  { name: "non-root with additionalGids", patch: { ...userNs(own(1000), own(1000)), "/process/user": { uid: 0, gid: 0, additionalGids: [1] } }, facts: user1000, errorAt: ["/process/user/additionalGids"] },
  { name: "root with additionalGids", patch: { ...userNs(subuid, subuid), "/process/user": { uid: 0, gid: 0, additionalGids: [1] } }, facts: { euid: 0 } },
  { name: "non-root: gid=5 not mapped", patch: { ...userNs(own(1000), own(1000)), ...devpts("nosuid", "gid=5") }, facts: user1000, errorAt: ["/mounts/0/options/1"] },
  { name: "non-root: uid=0 and gid=5 mapped", patch: { ...userNs(own(1000), subuid), ...devpts("uid=0", "gid=5") }, facts: user1000, how: "newgidmap" },
  { name: "non-root: a non-numeric uid= is the filesystem's business", patch: { ...userNs(own(1000), own(1000)), ...devpts("uid=x") }, facts: user1000 },
  { name: "root: gid=5 with no mapping is not checked here", patch: { ...userNs(own(1000), own(1000)), ...devpts("gid=5") }, facts: { euid: 0 } },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("plan", patch(baseConfig(), row.patch ?? {}), row.facts);
    const errors = errorsOf(v);
    assert.equal(errors.map((e) => e.slice(0, e.indexOf(": "))), row.errorAt ?? [], errors.join("\n"));
    if (row.how === undefined) return;
    const line = (v.text ?? "").split("\n").find((l) => / USERNS_MAPS /.test(l)) ?? "";
    assert.match(line, new RegExp(` how=${row.how.replace(/\|/g, "\\|")}  `), line);
  });
}

test("errors say who runs ocirun and what to do", () => {
  const v = core("plan", baseConfig(), user1000);
  assert.match(errorsOf(v).join("\n"), /\/linux\/namespaces: ocirun runs as uid 1000, not root: a user namespace is required \(see ocirun spec --rootless\)/);
});

test("the request's egid is optional (0)", () => {
  const v = core("plan", patch(baseConfig(), userNs(own(1000), own(0))), { euid: 1000 });
  assert.match(v.text ?? "", / how=deny-setgroups  /);
});

test.run();
