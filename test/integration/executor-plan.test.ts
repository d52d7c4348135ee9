// The addon's plan reader: a malformed plan is a TypeError from spawnInit, never a crash, and
// the reader's arg kinds match host/plan/ops.gen.ts (both come from assembly/plan/ops.ts).
// Every valid plan here starts with UNSHARE(1), which the kernel refuses (EINVAL), so
// nothing after it ever runs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { PlanBuilder, SEALED_OPS, type RawOp } from "../util/plan-builder.ts";
import * as O from "../../host/plan/ops.gen.ts";
import type { Addon } from "../../host/addon.ts";

const require = createRequire(import.meta.url);
const addon = require(path.resolve(import.meta.dirname, "../../addon/build/Release/ocirun.node")) as Addon;
const EINVAL = os.constants.errno.EINVAL;
const REFUSED = { op: 0, errno: EINVAL };

function guarded(...more: ((b: PlanBuilder) => void)[]) {
  const b = new PlanBuilder();
  b.op(O.OP_UNSHARE, 1); // CSIGNAL bits: always EINVAL
  for (const f of more) f(b);
  return b;
}

function rejects(bytes: Uint8Array | unknown, why: RegExp) {
  try {
    addon.spawnInit(bytes as Uint8Array, -1, 0);
  } catch (e) {
    assert.instance(e, TypeError);
    assert.match((e as Error).message, why);
    return;
  }
  assert.unreachable("spawnInit accepted a bad plan");
}

function patched(b: PlanBuilder, f: (v: DataView) => void): Uint8Array {
  const bytes = b.bytes().slice();
  f(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

test("a well-formed plan runs up to its first failing op", () => {
  assert.equal(addon.spawnInit(guarded().bytes(), -1, 0), REFUSED);
});

test("argument types", () => {
  rejects("OCIP", /Uint8Array/);
  rejects(new Uint16Array(32), /Uint8Array/);
  try {
    addon.spawnInit(guarded().bytes(), "3" as unknown as number, 0);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TypeError);
  }
});

test("header checks", () => {
  const b = guarded();
  rejects(b.bytes().subarray(0, 31), /header/);
  rejects(patched(b, (v) => v.setUint8(0, 0x78)), /magic/);
  rejects(patched(b, (v) => v.setUint32(4, 2, true)), /version 2/);
  rejects(patched(b, (v) => v.setUint32(8, 1000, true)), /op count/);
  rejects(patched(b, (v) => v.setUint32(12, 8, true)), /first op offset/);
  rejects(patched(b, (v) => v.setUint32(12, 1 << 30, true)), /first op offset/);
  rejects(patched(b, (v) => v.setUint32(20, 1 << 30, true)), /string table/);
  rejects(patched(b, (v) => v.setUint32(20, 0, true)), /string table/);
  rejects(patched(b, (v) => v.setUint32(24, 0x100 /* CLONE_VM */, true)), /clone flags/);
  rejects(patched(b, (v) => v.setUint16(34, 100, true)), /op 0: args past the end/);
});

test("op checks: opcode, argc, string offsets, list counts", () => {
  rejects(guarded((b) => b.raw({ code: 99, words: [] })).bytes(), /op 1: unknown opcode 99/);
  rejects(guarded((b) => b.raw({ code: O.OP_UMASK, words: [] })).bytes(), /op 1: too few args/);
  rejects(guarded((b) => b.raw({ code: O.OP_UMASK, words: [1n, 2n] })).bytes(), /op 1: too many args/);
  rejects(guarded((b) => b.raw({ code: O.OP_ROOTFS, words: [1000n] })).bytes(), /bad string offset/);
  rejects(guarded((b) => b.raw({ code: O.OP_FIND_EXEC, words: [2n, 0n] })).bytes(), /list count/);
  rejects(guarded((b) => b.raw({ code: O.OP_FIND_EXEC, words: [(1n << 64n) - 1n] })).bytes(), /list count/);
  rejects(guarded((b) => b.raw({ code: O.OP_USER, words: [0n, 0n, 1n, 1n << 32n, 0n] })).bytes(), /32 bits/);
  rejects(guarded((b) => b.raw({ code: O.OP_UMASK, words: [0n], what: 5000 })).bytes(), /source\/what/);
  // A string table whose last string lacks its NUL.
  const b = guarded((p) => p.op(O.OP_ROOTFS, "/x"));
  rejects(patched(b, (v) => v.setUint8(v.byteLength - 1, 0x41)), /bad string offset/);
});

test("protocol order: one FORK_INIT before WAIT_START, one WAIT_START, EXEC after FIND_EXEC", () => {
  rejects(guarded((b) => { b.op(O.OP_WAIT_START); b.op(O.OP_WAIT_START); }).bytes(), /second WAIT_START/);
  rejects(guarded((b) => { b.op(O.OP_FORK_INIT); b.op(O.OP_FORK_INIT); }).bytes(), /second FORK_INIT/);
  rejects(guarded((b) => { b.op(O.OP_WAIT_START); b.raw({ code: O.OP_FORK_INIT, words: [] }); }).bytes(), /FORK_INIT after WAIT_START/);
  rejects(guarded((b) => b.op(O.OP_EXEC, ["sh"], [])).bytes(), /EXEC without a FIND_EXEC/);
});

test("CLONE_INIT: once, after nothing but OOM_SCORE_ADJ, which it must follow", () => {
  const clone = { code: O.OP_CLONE_INIT, words: [0n] };
  const oom = (b: PlanBuilder) => b.op(O.OP_OOM_SCORE_ADJ, "1");
  rejects((() => { const b = new PlanBuilder(); b.raw(clone); b.raw(clone); return b.bytes(); })(), /second CLONE_INIT/);
  rejects(guarded((b) => b.raw(clone)).bytes(), /CLONE_INIT after UNSHARE/);
  rejects(guarded(oom).bytes(), /OOM_SCORE_ADJ without a CLONE_INIT/);
  rejects((() => { const b = new PlanBuilder(); b.raw(clone); oom(b); return b.bytes(); })(), /OOM_SCORE_ADJ after CLONE_INIT/);
});

test("EXEC_SEALED: once; only the sealed init program's ops after it, and those never before it", () => {
  const sealed = { code: O.OP_EXEC_SEALED, words: [] };
  rejects(guarded((b) => { b.raw(sealed); b.raw(sealed); }).bytes(), /second EXEC_SEALED/);
  rejects(guarded((b) => { b.raw(sealed); b.op(O.OP_CHDIR, "/"); }).bytes(), /CHDIR after EXEC_SEALED/);
  rejects(guarded((b) => b.raw({ code: O.OP_UMASK, words: [0n] })).bytes(), /UMASK before EXEC_SEALED/);
  // CPU_AFFINITY (exec's initial and final lists) runs on both sides.
  const both = guarded((b) => { b.op(O.OP_CPU_AFFINITY, [1]); b.raw(sealed); b.op(O.OP_CPU_AFFINITY, [1]); }).bytes();
  assert.equal(addon.spawnInit(both, -1, 0), REFUSED);
});

// For every op of ops.gen.ts: well-typed words are accepted; a bad string offset is refused
// exactly where the kind is str; an id over 32 bits exactly where it is list u64.
test("the reader's arg kinds match ops.gen.ts for every opcode", () => {
  const BAD_STR = 0xffff_ffffn;
  for (const [code, spec] of Object.entries(O.OPS)) {
    const words = (override = -1, value = 0n): bigint[] =>
      spec.args.flatMap(({ kind }, i) => (kind.startsWith("list") ? [1n, i === override ? value : 0n] : [i === override ? value : 0n]));
    // Each op in its place: OOM_SCORE_ADJ before CLONE_INIT, CLONE_INIT first, the sealed
    // program's after EXEC_SEALED, the rest after the guard.
    const op = { code: Number(code), words: [] as bigint[] } as RawOp;
    const plan = (ws: bigint[]) => {
      op.words = ws;
      if (code === String(O.OP_OOM_SCORE_ADJ)) {
        const b = new PlanBuilder();
        b.raw(op);
        b.op(O.OP_CLONE_INIT, "");
        b.op(O.OP_UNSHARE, 1);
        return b.bytes();
      }
      if (code === String(O.OP_CLONE_INIT)) {
        const b = new PlanBuilder();
        b.raw(op);
        b.op(O.OP_UNSHARE, 1);
        return b.bytes();
      }
      return guarded((b) => {
        if (SEALED_OPS.has(Number(code))) b.op(O.OP_FIND_EXEC, [""]);
        b.raw(op);
      }).bytes();
    };
    // The executor does OOM_SCORE_ADJ on itself before the clone (its value "" here is EINVAL), so
    // that op fails first; CLONE_INIT's guard comes after it. Either way the reader took the
    // words (it would throw otherwise).
    const refused = spec.name === "OOM_SCORE_ADJ" ? { op: 0, errno: REFUSED.errno } : spec.name === "CLONE_INIT" ? { op: 1, errno: REFUSED.errno } : REFUSED;
    assert.equal(addon.spawnInit(plan(words()), -1, 0), refused, `${spec.name}: well-typed words`);
    spec.args.forEach(({ kind, name }, i) => {
      const label = `${spec.name}.${name} (${kind})`;
      if (kind.endsWith("str")) rejects(plan(words(i, BAD_STR)), /bad string offset/);
      else if (kind === "list u64") rejects(plan(words(i, 1n << 40n)), /32 bits/);
      else assert.equal(addon.spawnInit(plan(words(i, BAD_STR)), -1, 0), refused, label);
    });
  }
});

// Mutations past the guarding first op: each plan is either refused or stops at op 0.
test("random corruption never crashes", () => {
  const base = guarded(
    (b) => b.op(O.OP_MOUNT, "src", "/dst", "tmpfs", 0, "size=1k", O.WHERE_TARGET_IN_ROOT),
    (b) => b.op(O.OP_USER, 1, 2, [3, 4, 5], 0),
    (b) => b.op(O.OP_FIND_EXEC, ["/bin/sh", "/usr/bin/sh"]),
    (b) => b.op(O.OP_EXEC, ["sh", "-c", "true"], ["A=b"]),
  ).bytes();
  const firstOpEnd = 32 + 16 + 8;
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let i = 0; i < 500; i++) {
    const bytes = i % 5 === 0 ? base.subarray(0, firstOpEnd + rand(base.length - firstOpEnd)) : base.slice();
    for (let k = 0; i % 5 !== 0 && k < 1 + rand(4); k++) {
      const at = rand(2) ? 8 + rand(4) : 16 + rand(8); // op count, or string table offset/length
      bytes[rand(3) ? firstOpEnd + rand(bytes.length - firstOpEnd) : at] = rand(256);
    }
    try {
      assert.equal(addon.spawnInit(bytes, -1, 0), REFUSED);
    } catch (e) {
      assert.instance(e, TypeError, String(e));
    }
  }
});

test.run();
