// mounts[].options "tmpcopyup" → the TMPCOPYUP op in place of the tmpfs's MOUNT (the executor
// mounts the tmpfs and copies the directory it covers into it); a read-only one is remounted
// read-only after the copy; any other mount type is refused, naming the option.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf } from "../../util/core";
import { disassemble, type PlanOp } from "../../../host/plan/disassemble";

const MS_RDONLY = 0x1, MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_REMOUNT = 0x20, MS_BIND = 0x1000, MS_REC = 0x4000, MS_PRIVATE = 0x40000;

function plan(mounts: Record<string, unknown>[]): { errors: string[]; ops: PlanOp[] } {
  const v = core("plan", patch(baseConfig(), { "/mounts": mounts }));
  return { errors: errorsOf(v), ops: v.init ? disassemble(v.init).ops.filter((o) => o.source.startsWith("/mounts/")) : [] };
}

const tmpfs = (options: string[], destination = "/m") => ({ destination, type: "tmpfs", source: "tmpfs", options });

test("a tmpfs with tmpcopyup: TMPCOPYUP after its mount point, with its flags and data, and no MOUNT", () => {
  const { errors, ops } = plan([tmpfs(["nosuid", "tmpcopyup", "size=1m", "mode=755"])]);
  assert.equal(errors, []);
  assert.equal(ops.map((o) => o.op), ["MKTARGET", "TMPCOPYUP"]);
  assert.equal(ops[1].args, { source: "tmpfs", target: "/m", flags: MS_NOSUID, data: "size=1m,mode=755" });
  assert.is(ops[1].what, 'mount "tmpfs" on "/m" with a copy of its contents (tmpcopyup)');
});

test("ro: the copy is made read-write, then the mount is remounted read-only with its flags", () => {
  const { ops } = plan([tmpfs(["tmpcopyup", "ro", "nodev", "rprivate"])]);
  assert.equal(ops.map((o) => o.op), ["MKTARGET", "TMPCOPYUP", "MOUNT", "MOUNT"]);
  assert.is(ops[1].args.flags, MS_NODEV);
  assert.equal(ops[2].args, { source: "", target: "/m", fstype: "", flags: MS_RDONLY | MS_NODEV | MS_REMOUNT | MS_BIND, data: "", where: 1 });
  assert.is(ops[3].args.flags, MS_REC | MS_PRIVATE, "the propagation last");
});

test("control: a tmpfs without it is a plain MOUNT", () => {
  const { ops } = plan([tmpfs(["nosuid"])]);
  assert.equal(ops.map((o) => o.op), ["MKTARGET", "MOUNT"]);
});

test("only one TMPCOPYUP per mount, for the mount that asks", () => {
  const { ops } = plan([tmpfs(["tmpcopyup"], "/a"), tmpfs([], "/b"), tmpfs(["tmpcopyup", "tmpcopyup"], "/c")]);
  assert.equal(ops.filter((o) => o.op === "TMPCOPYUP").map((o) => o.args.target), ["/a", "/c"]);
});

test("tmpcopyup on anything but a tmpfs is refused, naming the option", () => {
  for (const [mount, at] of [
    [{ destination: "/m", type: "bind", source: "/s", options: ["rbind", "tmpcopyup"] }, "/mounts/0/options/1"],
    [{ destination: "/m", type: "tmpfs", source: "/s", options: ["bind", "tmpcopyup"] }, "/mounts/0/options/1"],
    [{ destination: "/m", type: "proc", source: "proc", options: ["tmpcopyup"] }, "/mounts/0/options/0"],
    [{ destination: "/m", type: "cgroup", source: "cgroup", options: ["ro", "tmpcopyup"] }, "/mounts/0/options/1"],
  ] as const) {
    const { errors } = plan([mount]);
    assert.equal(errors, [`${at}: "tmpcopyup" is only for tmpfs mounts`], JSON.stringify(mount));
  }
});

test.run();
