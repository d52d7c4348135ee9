// mounts[].options → the MOUNT_SETATTR and MOUNT_IDMAP ops: the r* options give the
// MOUNT_ATTR_* bits to set and clear, idmap/ridmap and mount maps give an idmapped bind.
// Rows are a mount and the op's arguments as the binary plan holds them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf } from "../../util/core";
import { disassemble, type PlanOp } from "../../../host/plan/disassemble";
import type { HostFacts } from "../../../host/core/protocol";

// linux/mount.h
const RDONLY = 0x1, NOSUID = 0x2, NODEV = 0x4, NOEXEC = 0x8, ATIME = 0x70, NOATIME = 0x10, STRICTATIME = 0x20;
const NODIRATIME = 0x80, NOSYMFOLLOW = 0x200000;

type Row = {
  name: string; mount: Record<string, unknown>; setattr?: [number, number]; idmap?: Record<string, unknown>; errorAt?: string[];
  patch?: Record<string, unknown>; facts?: Partial<HostFacts>;
};

const bind = (options: string[]) => ({ destination: "/m", type: "bind", source: "/s", options });
const tmpfs = (options: string[]) => ({ destination: "/m", type: "tmpfs", source: "tmpfs", options });
const map = [{ containerID: 0, hostID: 1000, size: 1 }];
const userns = { "/linux/namespaces": [{ type: "mount" }, { type: "user" }], "/linux/uidMappings": map, "/linux/gidMappings": map };

const rows: Row[] = [
  { name: "rro", mount: bind(["rbind", "rro"]), setattr: [RDONLY, 0] },
  { name: "rrw", mount: bind(["rbind", "rrw"]), setattr: [0, RDONLY] },
  { name: "rro then rrw: the last wins", mount: bind(["rbind", "rro", "rrw"]), setattr: [0, RDONLY] },
  { name: "rnosuid, rsuid", mount: bind(["rbind", "rnosuid"]), setattr: [NOSUID, 0] },
  { name: "rsuid", mount: bind(["rbind", "rsuid"]), setattr: [0, NOSUID] },
  { name: "rnodev", mount: bind(["rbind", "rnodev"]), setattr: [NODEV, 0] },
  { name: "rdev", mount: bind(["rbind", "rdev"]), setattr: [0, NODEV] },
  { name: "rnoexec", mount: bind(["rbind", "rnoexec"]), setattr: [NOEXEC, 0] },
  { name: "rexec", mount: bind(["rbind", "rexec"]), setattr: [0, NOEXEC] },
  { name: "rnodiratime", mount: bind(["rbind", "rnodiratime"]), setattr: [NODIRATIME, 0] },
  { name: "rdiratime", mount: bind(["rbind", "rdiratime"]), setattr: [0, NODIRATIME] },
  { name: "rnosymfollow", mount: bind(["rbind", "rnosymfollow"]), setattr: [NOSYMFOLLOW, 0] },
  { name: "rsymfollow", mount: bind(["rbind", "rsymfollow"]), setattr: [0, NOSYMFOLLOW] },
  // An atime mode is set together with clearing the whole _ATIME field.
  { name: "rnoatime", mount: bind(["rbind", "rnoatime"]), setattr: [NOATIME, ATIME] },
  { name: "ratime: back to relatime", mount: bind(["rbind", "ratime"]), setattr: [0, ATIME] },
  { name: "rrelatime", mount: bind(["rbind", "rrelatime"]), setattr: [0, ATIME] },
  { name: "rnorelatime: strictatime", mount: bind(["rbind", "rnorelatime"]), setattr: [STRICTATIME, ATIME] },
  { name: "rstrictatime", mount: bind(["rbind", "rstrictatime"]), setattr: [STRICTATIME, ATIME] },
  { name: "rnostrictatime: back to relatime", mount: bind(["rbind", "rnostrictatime"]), setattr: [0, ATIME] },
  { name: "rnoatime then rstrictatime: one mode", mount: bind(["rbind", "rnoatime", "rstrictatime"]), setattr: [STRICTATIME, ATIME] },
  { name: "several at once", mount: bind(["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnoatime"]), setattr: [RDONLY | NOSUID | NODEV | NOEXEC | NOATIME, ATIME] },
  { name: "on a tmpfs", mount: tmpfs(["rro", "rnosymfollow", "size=1m"]), setattr: [RDONLY | NOSYMFOLLOW, 0] },
  { name: "plain flags give no MOUNT_SETATTR", mount: bind(["rbind", "ro", "noexec"]) },
  { name: "on a tmpfs with tmpcopyup (tmpcopyup.test.ts)", mount: tmpfs(["tmpcopyup", "rnoexec"]), setattr: [NOEXEC, 0] },
  { name: "maps on a bind", mount: { ...bind(["bind"]), uidMappings: map, gidMappings: [{ containerID: 0, hostID: 2000, size: 5 }] },
    idmap: { source: "/s", target: "/m", recursive: 0, uidmap: "0 1000 1\n", gidmap: "0 2000 5\n" } },
  { name: "maps on an rbind: the clone takes the submounts", mount: { ...bind(["rbind", "idmap"]), uidMappings: map, gidMappings: map },
    idmap: { source: "/s", target: "/m", recursive: 1, uidmap: "0 1000 1\n", gidmap: "0 1000 1\n" } },
  { name: "ridmap: the submounts are idmapped too", mount: { ...bind(["rbind", "ridmap"]), uidMappings: map, gidMappings: map },
    idmap: { source: "/s", target: "/m", recursive: 3, uidmap: "0 1000 1\n", gidmap: "0 1000 1\n" } },
  // In a user namespace the host builds the tree; without maps of the mount's own it takes the
  // container's user namespace (empty maps).
  { name: "idmap without maps in a user namespace: the container's", mount: bind(["bind", "idmap"]), patch: userns,
    idmap: { source: "/s", target: "/m", recursive: 0, uidmap: "", gidmap: "" } },
  { name: "ridmap without maps on an rbind in a joined user namespace", mount: bind(["rbind", "ridmap"]),
    patch: { "/linux/namespaces": [{ type: "mount" }, { type: "user", path: "/proc/1/ns/user" }] },
    idmap: { source: "/s", target: "/m", recursive: 3, uidmap: "", gidmap: "" } },
  { name: "maps in a user namespace: the mount's own", mount: { ...bind(["bind", "idmap"]), uidMappings: [{ containerID: 0, hostID: 5, size: 2 }], gidMappings: map }, patch: userns,
    idmap: { source: "/s", target: "/m", recursive: 0, uidmap: "0 5 2\n", gidmap: "0 1000 1\n" } },
  { name: "idmap without maps or a user namespace", mount: bind(["bind", "idmap"]), errorAt: ["/mounts/0/options/1"] },
  // Only the host's root may idmap a mount (runc: not for rootless containers).
  { name: "idmap when not run as root", mount: { ...bind(["bind"]), uidMappings: map, gidMappings: map }, patch: userns, facts: { euid: 1000, egid: 1000 }, errorAt: ["/mounts/0"] },
  { name: "maps on a tmpfs", mount: { ...tmpfs([]), uidMappings: map, gidMappings: map }, errorAt: ["/mounts/0/uidMappings"] },
];

function opsOf(mount: Record<string, unknown>, extra: Record<string, unknown> = {}, facts: Partial<HostFacts> = {}): { errors: string[]; ops: PlanOp[] } {
  const v = core("plan", patch(baseConfig(), { ...extra, "/mounts": [mount] }), facts);
  return { errors: errorsOf(v), ops: v.init ? disassemble(v.init).ops.filter((o) => o.source === "/mounts/0") : [] };
}

for (const row of rows) {
  test(row.name, () => {
    const { errors, ops } = opsOf(row.mount, row.patch, row.facts);
    assert.equal(errors.map((e) => e.slice(0, e.indexOf(": "))), row.errorAt ?? [], errors.join("\n"));
    if (row.errorAt) return;
    const setattr = ops.filter((o) => o.op === "MOUNT_SETATTR");
    if (row.setattr) assert.equal(setattr.map((o) => o.args), [{ target: "/m", attr_set: row.setattr[0], attr_clr: row.setattr[1], propagation: 0 }]);
    else assert.is(setattr.length, 0);
    const idmap = ops.filter((o) => o.op === "MOUNT_IDMAP");
    if (row.idmap) {
      assert.equal(idmap.map((o) => o.args), [row.idmap]);
      // Instead of the plain bind, after its mount point.
      assert.equal(ops.slice(0, 2).map((o) => o.op), ["MKTARGET", "MOUNT_IDMAP"]);
      const MS_BIND = 0x1000, MS_REMOUNT = 0x20;
      assert.not.ok(ops.some((o) => o.op === "MOUNT" && (Number(o.args.flags) & (MS_BIND | MS_REMOUNT)) === MS_BIND), "no plain bind");
    } else assert.is(idmap.length, 0);
  });
}

test("MOUNT_SETATTR comes after the mount, its remount and its propagation", () => {
  const { ops } = opsOf(bind(["rbind", "ro", "rro", "rprivate"]));
  assert.equal(ops.map((o) => o.op), ["MKTARGET", "MOUNT", "MOUNT", "MOUNT", "MOUNT_SETATTR"]);
  assert.is(ops[3].args.flags, 0x4000 | 0x40000, "MS_REC|MS_PRIVATE just before");
});

test("an idmapped bind is still remounted for its flags and gets its propagation", () => {
  const { ops } = opsOf({ ...bind(["rbind", "ro", "rslave", "rnoexec"]), uidMappings: map, gidMappings: map });
  assert.equal(ops.map((o) => o.op), ["MKTARGET", "MOUNT_IDMAP", "MOUNT", "MOUNT", "MOUNT_SETATTR"]);
});

test.run();
