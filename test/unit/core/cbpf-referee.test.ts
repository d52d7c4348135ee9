// The seccomp referee: test/util/cbpf-vm.ts (a classic-BPF interpreter with the kernel's load
// checks) on hand-written programs, then libseccomp's own programs for OCI profiles
// (test/util/libseccomp-referee.ts, built the way runc builds them) run through it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dockerSeccompToOci } from "../../fixtures/docker-seccomp-to-oci.mjs";
import {
  type CInsn, type SeccompData, stmt, jump, encodeCbpf, decodeCbpf, checkSeccomp, runSeccomp, disassembleCbpf, retName, actionOf, dataOf,
  BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC, BPF_W, BPF_H, BPF_B, BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_LEN,
  BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET,
  BPF_K, BPF_X, BPF_A, BPF_TAX, BPF_TXA, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
  AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, X32_SYSCALL_BIT,
} from "../../util/cbpf-vm";
import { libseccompExport, libseccompVersion, refereeInput, instructions, type OciSeccomp } from "../../util/libseccomp-referee";

const prog = (...insns: CInsn[]) => encodeCbpf(insns);
const ld = (k: number) => stmt(BPF_LD | BPF_W | BPF_ABS, k);
const retA = stmt(BPF_RET | BPF_A, 0);
const retK = (k: number) => stmt(BPF_RET | BPF_K, k);
const data = (nr: number, args: bigint[] = [], arch = AUDIT_ARCH_X86_64, ip = 0n): SeccompData =>
  ({ nr, arch, ip, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) });
const run = (p: Uint8Array, d: SeccompData = data(0)) => runSeccomp(p, d).ret;

// ---- the interpreter on hand-written programs

test("loads read each field of seccomp_data, little-endian halves", () => {
  const d = data(-1, [0x1122334455667788n, 0n, 0n, 0n, 0n, 0xfedcba9876543210n], AUDIT_ARCH_I386, 0xaabbccdd00112233n);
  const at = (k: number) => run(prog(ld(k), retA), d);
  assert.is(at(0), 0xffffffff, "nr -1 as u32");
  assert.is(at(4), AUDIT_ARCH_I386);
  assert.is(at(8), 0x00112233, "ip low");
  assert.is(at(12), 0xaabbccdd, "ip high");
  assert.is(at(16), 0x55667788, "args[0] low");
  assert.is(at(20), 0x11223344, "args[0] high");
  assert.is(at(56), 0x76543210, "args[5] low");
  assert.is(at(60), 0xfedcba98, "args[5] high");
  assert.is(run(prog(stmt(BPF_LD | BPF_W | BPF_LEN, 0), retA)), 64, "len is sizeof(seccomp_data)");
  assert.is(run(prog(stmt(BPF_LDX | BPF_W | BPF_LEN, 0), stmt(BPF_MISC | BPF_TXA, 0), retA)), 64);
});

// [op, A, operand, expected A]: 32-bit unsigned arithmetic.
const aluRows: [string, number, number, number, number][] = [
  ["add wraps", BPF_ADD, 0xffffffff, 2, 1],
  ["sub wraps", BPF_SUB, 1, 2, 0xffffffff],
  ["mul keeps the low 32 bits", BPF_MUL, 0xffff, 0xffff, 0xfffe0001],
  ["mul overflow", BPF_MUL, 0x10000, 0x10000, 0],
  ["div is unsigned", BPF_DIV, 0xffffffff, 3, 0x55555555],
  ["div truncates", BPF_DIV, 7, 2, 3],
  ["and", BPF_AND, 0xf0f0f0f0, 0xff00ff00, 0xf000f000],
  ["or", BPF_OR, 0xf0f0f0f0, 0x0f000000, 0xfff0f0f0],
  ["xor", BPF_XOR, 0xffff0000, 0xff00ff00, 0x00ffff00],
  ["lsh", BPF_LSH, 0x80000001, 1, 2],
  ["lsh 31", BPF_LSH, 1, 31, 0x80000000],
  ["rsh is logical", BPF_RSH, 0x80000000, 31, 1],
];

for (const [name, op, a, operand, expect] of aluRows) {
  test(`alu ${name}, with K and with X`, () => {
    assert.is(run(prog(stmt(BPF_LD | BPF_IMM, a), stmt(BPF_ALU | op | BPF_K, operand), retA)), expect);
    assert.is(run(prog(stmt(BPF_LD | BPF_IMM, a), stmt(BPF_LDX | BPF_IMM, operand), stmt(BPF_ALU | op | BPF_X, 0), retA)), expect);
  });
}

test("alu neg; division by X == 0 returns 0 as the kernel does", () => {
  assert.is(run(prog(stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_ALU | BPF_NEG, 0), retA)), 0xffffffff);
  assert.is(run(prog(stmt(BPF_LD | BPF_IMM, 0), stmt(BPF_ALU | BPF_NEG, 0), retA)), 0);
  const div0 = prog(stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_LDX | BPF_IMM, 0), stmt(BPF_ALU | BPF_DIV | BPF_X, 0), retK(SECCOMP_RET_ALLOW));
  assert.equal(runSeccomp(div0, data(0)), { ret: SECCOMP_RET_KILL_THREAD, steps: 3 });
});

test("conditional jumps compare unsigned, with K and X; ja; steps count what ran", () => {
  // A = nr; if (A <op> 5) ret 1 else ret 2
  const cond = (op: number, withX: boolean) => prog(
    stmt(BPF_LDX | BPF_IMM, 5), ld(0),
    withX ? jump(BPF_JMP | op | BPF_X, 0, 0, 1) : jump(BPF_JMP | op | BPF_K, 5, 0, 1),
    retK(1), retK(2));
  const rows: [number, number, number][] = [
    [BPF_JEQ, 5, 1], [BPF_JEQ, 6, 2], [BPF_JGT, 6, 1], [BPF_JGT, 5, 2], [BPF_JGT, -1, 1], [BPF_JGE, 5, 1], [BPF_JGE, 4, 2],
    [BPF_JSET, 4, 1], [BPF_JSET, 1, 1], [BPF_JSET, 2, 2], [BPF_JSET, 0xfffffffa, 2],
  ];
  for (const [op, nr, expect] of rows) {
    for (const withX of [false, true]) assert.is(run(cond(op, withX), data(nr)), expect, `op 0x${op.toString(16)} nr ${nr} x=${withX}`);
  }
  const ja = prog(stmt(BPF_JMP | BPF_JA, 2), retK(1), retK(2), retK(3));
  assert.equal(runSeccomp(ja, data(0)), { ret: 3, steps: 2 });
  assert.equal(runSeccomp(cond(BPF_JEQ, true), data(6)), { ret: 2, steps: 4 });
});

test("scratch memory, tax and txa", () => {
  const p = prog(
    ld(16), stmt(BPF_ST, 0), // M[0] = args[0].lo
    stmt(BPF_LDX | BPF_IMM, 40), stmt(BPF_STX, 15), // M[15] = 40
    stmt(BPF_LD | BPF_MEM, 15), stmt(BPF_MISC | BPF_TAX, 0), // X = 40
    stmt(BPF_LD | BPF_MEM, 0), stmt(BPF_ALU | BPF_ADD | BPF_X, 0), // A = args[0].lo + 40
    stmt(BPF_LDX | BPF_MEM, 0), stmt(BPF_ALU | BPF_SUB | BPF_X, 0), stmt(BPF_MISC | BPF_TAX, 0), stmt(BPF_MISC | BPF_TXA, 0),
    retA);
  assert.equal(runSeccomp(p, data(0, [2n])), { ret: 40, steps: 13 });
});

test("what the kernel refuses at load time, and a shift by X >= 32 at run time", () => {
  const bad: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /0 instructions/],
    ["too long", encodeCbpf(new Array(4097).fill(retK(0))), /4097 instructions/],
    ["not whole instructions", new Uint8Array(12), /multiple of 8/],
    ["BPF_MOD (not in seccomp's list)", prog(stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_ALU | BPF_MOD | BPF_K, 2), retA), /insn 1 .*not allowed/],
    ["RET X", prog(stmt(BPF_RET | BPF_X, 0)), /not allowed/],
    ["byte load", prog(stmt(BPF_LD | BPF_B | BPF_ABS, 0), retA), /not allowed/],
    ["half-word load", prog(stmt(BPF_LD | BPF_H | BPF_ABS, 0), retA), /not allowed/],
    ["indirect load", prog(stmt(BPF_LD | BPF_W | BPF_IND, 0), retA), /not allowed/],
    ["LDX absolute", prog(stmt(BPF_LDX | BPF_W | BPF_ABS, 0), retA), /not allowed/],
    ["unaligned load", prog(ld(2), retA), /offset 2/],
    ["load past seccomp_data", prog(ld(64), retA), /offset 64/],
    ["division by constant 0", prog(stmt(BPF_ALU | BPF_DIV | BPF_K, 0), retA), /division/],
    ["shift by constant 32", prog(stmt(BPF_ALU | BPF_LSH | BPF_K, 32), retA), /shift/],
    ["scratch word 16", prog(stmt(BPF_ST, 16), retA), /scratch word 16/],
    ["conditional jump past the end", prog(ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), retK(0)), /leaves the program/],
    ["ja past the end", prog(stmt(BPF_JMP | BPF_JA, 1), retK(0)), /leaves the program/],
    ["no final ret", prog(retK(0), ld(0)), /not a RET/],
    ["scratch read before any write", prog(stmt(BPF_LD | BPF_MEM, 3), retA), /scratch word 3/],
    // M[1] is written only when nr == 0; the join point may read it unset.
    ["scratch written on one path only", prog(ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), stmt(BPF_ST, 1), stmt(BPF_LD | BPF_MEM, 1), retA), /scratch word 1/],
  ];
  for (const [name, p, message] of bad) assert.throws(() => checkSeccomp(p), message, name);
  // Written on both paths: accepted.
  const both = prog(ld(0), jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2), stmt(BPF_ST, 1), stmt(BPF_JMP | BPF_JA, 1), stmt(BPF_ST, 1), stmt(BPF_LD | BPF_MEM, 1), retA);
  assert.is(run(both, data(0)), 0);
  assert.is(run(both, data(9)), 9);
  const shiftX = prog(stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_LDX | BPF_IMM, 32), stmt(BPF_ALU | BPF_LSH | BPF_X, 0), retA);
  assert.throws(() => run(shiftX), /shift by 32/);
});

test("decode, encode and disassemble", () => {
  const p = prog(ld(4), jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 1), retK(SECCOMP_RET_ERRNO | 38), retK(SECCOMP_RET_KILL_THREAD));
  assert.equal(Array.from(p.slice(8, 16)), [0x15, 0, 0, 1, 0x3e, 0, 0, 0xc0]);
  assert.equal(encodeCbpf(decodeCbpf(p)), p);
  assert.equal(disassembleCbpf(p), ["0: ld arch", "1: jeq 0xc000003e ? 2 : 3", "2: ret ERRNO(38)", "3: ret KILL_THREAD"]);
  assert.is(retName(SECCOMP_RET_TRAP | 5), "TRAP(5)");
  assert.is(actionOf(0x7ff00001), 0x7ff00000);
  assert.is(dataOf(0x00050026), 38);
});

// ---- the referee: libseccomp's programs

const ALLOW = SECCOMP_RET_ALLOW;
const KILL = SECCOMP_RET_KILL_THREAD;
const ERRNO = (e: number) => (SECCOMP_RET_ERRNO | e) >>> 0;
const x86 = (nr: number, args: bigint[] = []) => data(nr, args, AUDIT_ARCH_I386);
const x32 = (nr: number, args: bigint[] = []) => data(nr | X32_SYSCALL_BIT, args);
// Syscall numbers (stable kernel ABI): x86_64, then i386.
const NR = { read: 0, close: 3, socket: 41, personality: 135, _sysctl: 156, kexec_load: 246, open_by_handle_at: 304, setns: 308 };
const NR_I386 = { read: 3, socketcall: 102, personality: 136, socket: 359 };

const socketProfile = (architectures: string[]): OciSeccomp => ({
  defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, architectures, syscalls: [{ names: ["socket"], action: "SCMP_ACT_ALLOW" }],
});

test("the line format the C side reads", () => {
  const text = refereeInput({
    defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, architectures: ["SCMP_ARCH_X86_64"], flags: ["SECCOMP_FILTER_FLAG_LOG"],
    syscalls: [{ names: ["read", "write"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_MASKED_EQ", value: 0xffn << 56n, valueTwo: 1 }] }],
  }, { optimize: 2 });
  assert.is(text, [
    "default ERRNO 38", "arch X86_64", "flag LOG", "optimize 2",
    "rule read ALLOW -1 1 0 MASKED_EQ 18374686479671623680 1", "rule write ALLOW -1 1 0 MASKED_EQ 18374686479671623680 1", "",
  ].join("\n"));
  assert.throws(() => refereeInput({ defaultAction: "ALLOW" }), /SCMP_ACT_/);
  assert.throws(() => refereeInput({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_EQ", value: 2 ** 60 }] }] }), /exact integer/);
});

test("x86_64 + x86 + x32 and a socket rule: libseccomp 2.5.4's structure", () => {
  const p = libseccompExport(socketProfile(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]));
  if (libseccompVersion() === "2.5.4") {
    assert.equal(disassembleCbpf(p), [
      " 0: ld arch",
      " 1: jeq 0xc000003e ? 2 : 5", // x86_64 and x32 share one block: no x32-bit check
      " 2: ld nr",
      " 3: jeq 0x29 ? 12 : 4", // x86_64 socket
      " 4: jeq 0x40000029 ? 12 : 11", // x32 socket (41 | 0x40000000)
      " 5: jeq 0x40000003 ? 6 : 13", // i386
      " 6: ld nr",
      " 7: jeq 0x167 ? 12 : 8", // i386 socket (359)
      " 8: jeq 0x66 ? 9 : 11", // socketcall (102) ...
      " 9: ld args[0].lo",
      "10: jeq 0x1 ? 12 : 11", // ... with call == SYS_SOCKET, low half only
      "11: ret ERRNO(38)",
      "12: ret ALLOW",
      "13: ret KILL_THREAD", // bad arch
    ]);
  }
  assert.is(run(p, data(NR.socket)), ALLOW);
  assert.is(run(p, x32(NR.socket)), ALLOW);
  assert.is(run(p, x32(NR.read)), ERRNO(38), "an x32 syscall outside the profile gets the default action");
  assert.is(run(p, x86(NR_I386.socket)), ALLOW);
  assert.is(run(p, x86(NR_I386.socketcall, [1n])), ALLOW);
  assert.is(run(p, x86(NR_I386.socketcall, [2n])), ERRNO(38));
  assert.is(run(p, data(NR.read, [], AUDIT_ARCH_AARCH64)), KILL);
});

test("x86_64 without x32: nr with bit 30 set is a bad arch, except -1", () => {
  const p = libseccompExport(socketProfile(["SCMP_ARCH_X86_64"]));
  assert.equal(disassembleCbpf(p).slice(2, 5), ["2: ld nr", "3: jge 0x40000000 ? 4 : 5", "4: jeq 0xffffffff ? 5 : 8"]);
  assert.is(run(p, data(NR.socket)), ALLOW);
  assert.is(run(p, x32(NR.socket)), KILL);
  assert.is(run(p, data(-2)), KILL, "negative numbers are large unsigned");
  assert.is(run(p, data(-1)), ERRNO(38));
  assert.is(run(p, x86(NR_I386.socket)), KILL, "i386 not listed");
  // The native arch is kept when architectures does not name it.
  const aarch = libseccompExport(socketProfile(["SCMP_ARCH_AARCH64"]));
  assert.is(run(aarch, data(NR.socket)), ALLOW);
  assert.is(run(aarch, data(198, [], AUDIT_ARCH_AARCH64)), ALLOW, "aarch64 socket");
});

// One rule per operator on read's args[1]; the VM's answer against 64-bit arithmetic.
const V = 0x1_0000_0002n;
const probes = [0n, 1n, 2n, 3n, 0xffff_ffffn, 0x1_0000_0000n, 0x1_0000_0001n, V, 0x1_0000_0003n, 0x1_ffff_ffffn, 0x2_0000_0000n, 0x2_0000_0002n, (1n << 64n) - 1n];
const ops: [string, (a: bigint) => boolean][] = [
  ["SCMP_CMP_EQ", (a) => a === V], ["SCMP_CMP_NE", (a) => a !== V], ["SCMP_CMP_LT", (a) => a < V], ["SCMP_CMP_LE", (a) => a <= V],
  ["SCMP_CMP_GT", (a) => a > V], ["SCMP_CMP_GE", (a) => a >= V], ["SCMP_CMP_MASKED_EQ", (a) => (a & V) === 0x1_0000_0000n],
];

for (const [op, holds] of ops) {
  test(`64-bit ${op} on x86_64 is exact across the halves`, () => {
    const p = libseccompExport({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 1, op, value: V, valueTwo: 0x1_0000_0000n }] }] });
    for (const a of probes) assert.is(run(p, data(NR.read, [0n, a])), holds(a) ? ALLOW : ERRNO(1), `${op} 0x${a.toString(16)}`);
  });
}

test("MASKED_EQ: libseccomp compares with valueTwo & value, not valueTwo", () => {
  // (arg & 2) == 4 can never hold; libseccomp's program tests (arg & 2) == (4 & 2) == 0.
  const p = libseccompExport({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_MASKED_EQ", value: 2, valueTwo: 4 }] }] });
  assert.is(run(p, data(NR.read, [0n])), ALLOW);
  assert.is(run(p, data(NR.read, [4n])), ALLOW);
  assert.is(run(p, data(NR.read, [2n])), ERRNO(1));
});

test("on i386 only the low half of an argument is compared", () => {
  const p = libseccompExport({ defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86"], syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_GT", value: V }] }] });
  assert.is(run(p, x86(NR_I386.read, [3n])), ALLOW, "3 > low half 2");
  assert.is(run(p, x86(NR_I386.read, [2n])), ERRNO(1));
  assert.is(run(p, data(NR.read, [3n])), ERRNO(1), "x86_64 compares all 64 bits");
});

test("x32 compares the low half only; i386's socketcall drops the socket rule's conditions", () => {
  const socket = (action: string, defaultAction: string, architectures: string[]) => libseccompExport({
    defaultAction, architectures, syscalls: [{ names: ["socket"], action, args: [{ index: 0, op: "SCMP_CMP_EQ", value: 2 }] }],
  });
  const x32p = socket("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]);
  assert.is(run(x32p, x32(NR.socket, [0x1_0000_0002n])), ALLOW);
  assert.is(run(x32p, data(NR.socket, [0x1_0000_0002n])), ERRNO(1));
  // socketcall's arguments are a pointer: the rule becomes "socketcall(SYS_SOCKET, anything)".
  const deny = socket("SCMP_ACT_ERRNO", "SCMP_ACT_ALLOW", ["SCMP_ARCH_X86"]);
  assert.is(run(deny, x86(NR_I386.socket, [2n])), ERRNO(1));
  assert.is(run(deny, x86(NR_I386.socket, [10n])), ALLOW);
  assert.is(run(deny, x86(NR_I386.socketcall, [1n, 0x1000n])), ERRNO(1), "any family through socketcall");
  assert.is(run(deny, x86(NR_I386.socketcall, [2n, 0x1000n])), ALLOW, "SYS_BIND");
});

test("runc's rule building: same index ORed, different indexes ANDed", () => {
  const rule = (args: { index: number; value: number }[]) => libseccompExport({
    defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: args.map((a) => ({ ...a, op: "SCMP_CMP_EQ" })) }],
  });
  const or = rule([{ index: 0, value: 5 }, { index: 0, value: 7 }]);
  assert.is(run(or, data(NR.read, [5n])), ALLOW);
  assert.is(run(or, data(NR.read, [7n])), ALLOW);
  assert.is(run(or, data(NR.read, [6n])), ERRNO(1));
  const and = rule([{ index: 0, value: 5 }, { index: 2, value: 7 }]);
  assert.is(run(and, data(NR.read, [5n, 0n, 7n])), ALLOW);
  assert.is(run(and, data(NR.read, [5n, 0n, 6n])), ERRNO(1));
  assert.is(run(and, data(NR.read, [4n, 0n, 7n])), ERRNO(1));
  // Same index twice plus another index: every condition becomes its own rule, all ORed.
  const mixed = rule([{ index: 0, value: 5 }, { index: 0, value: 7 }, { index: 2, value: 9 }]);
  assert.is(run(mixed, data(NR.read, [1n, 0n, 9n])), ALLOW);
});

test("runc's skips: rules equal to the default action, names libseccomp does not know", () => {
  const base: OciSeccomp = { defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["close"], action: "SCMP_ACT_ALLOW" }] };
  const same = libseccompExport(base);
  const withRule = (r: NonNullable<OciSeccomp["syscalls"]>[number]) => libseccompExport({ ...base, syscalls: [...base.syscalls!, r] });
  // ERRNO without errnoRet is ERRNO(EPERM), the default's action: skipped, not an error.
  assert.equal(withRule({ names: ["read"], action: "SCMP_ACT_ERRNO" }), same);
  assert.equal(withRule({ names: ["read"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }), same);
  assert.not.equal(withRule({ names: ["read"], action: "SCMP_ACT_ERRNO", errnoRet: 2 }), same);
  assert.equal(withRule({ names: ["no_such_syscall"], action: "SCMP_ACT_ALLOW" }), same);
  // Known to libseccomp but not on x86_64: a pseudo-syscall, added, and nothing to emit here.
  assert.equal(withRule({ names: ["socketcall"], action: "SCMP_ACT_ALLOW" }), same);
  // KILL and KILL_THREAD are one action.
  assert.equal(libseccompExport({ defaultAction: "SCMP_ACT_KILL", syscalls: [{ names: ["read"], action: "SCMP_ACT_KILL_THREAD" }] }),
    libseccompExport({ defaultAction: "SCMP_ACT_KILL" }));
});

test("libseccomp's merging: an unconditional rule wins over conditional ones, the first unconditional one over later ones", () => {
  const syscalls = (...rules: [string, boolean][]) => libseccompExport({
    defaultAction: "SCMP_ACT_ERRNO",
    syscalls: rules.map(([action, conditional]) => ({ names: ["read"], action, ...(conditional ? { args: [{ index: 0, op: "SCMP_CMP_EQ", value: 0 }] } : {}) })),
  });
  assert.is(run(syscalls(["SCMP_ACT_TRAP", true], ["SCMP_ACT_ALLOW", false]), data(NR.read, [0n])), ALLOW);
  assert.is(run(syscalls(["SCMP_ACT_ALLOW", false], ["SCMP_ACT_TRAP", true]), data(NR.read, [0n])), ALLOW);
  assert.is(run(syscalls(["SCMP_ACT_TRAP", false], ["SCMP_ACT_ALLOW", false]), data(NR.read)), SECCOMP_RET_TRAP);
  // The same condition with another action is an error, and runc fails to start the container.
  assert.throws(() => syscalls(["SCMP_ACT_ALLOW", true], ["SCMP_ACT_TRAP", true]), /seccomp_rule_add\(read\): File exists/);
});

test("what runc refuses, and errors of the line format", () => {
  assert.throws(() => libseccompExport({ defaultAction: "SCMP_ACT_NOTIFY" }), /cannot be used as default action/);
  assert.throws(() => libseccompExport({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["write"], action: "SCMP_ACT_NOTIFY" }] }), /write syscall/);
  assert.throws(() => libseccompExport({ defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_AMD64"] }), /line 2: architecture AMD64 is not known/);
  assert.throws(() => libseccompExport({ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NEW_LISTENER"] }), /unknown flag NEW_LISTENER/);
  const notify = libseccompExport({ defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"], syscalls: [{ names: ["read"], action: "SCMP_ACT_NOTIFY" }] });
  assert.is(retName(run(notify, data(NR.read))), "USER_NOTIF");
});

// ---- podman's default profile

const podman = dockerSeccompToOci(JSON.parse(readFileSync(new URL("../../fixtures/containers-common-seccomp.json", import.meta.url), "utf8"))) as OciSeccomp;
const variants = { default: libseccompExport(podman), "optimize 2": libseccompExport(podman, { optimize: 2 }) };

test("podman's profile: runc >= 1.2 picks the binary tree for it (more than 32 names)", () => {
  assert.equal(libseccompExport(podman, { optimize: "runc" }), variants["optimize 2"]);
  assert.ok((podman.syscalls ?? []).reduce((n, s) => n + s.names.length, 0) > 32);
});

for (const [name, p] of Object.entries(variants)) {
  test(`podman's profile through libseccomp (${name})`, () => {
    const EPERM = ERRNO(1), ENOSYS = ERRNO(38);
    assert.is(run(p, data(NR.read)), ALLOW, "x86_64 read");
    assert.is(run(p, data(NR._sysctl)), ENOSYS, "not in the profile: the default, ENOSYS");
    assert.is(run(p, data(1000)), ENOSYS, "beyond every syscall");
    assert.is(run(p, data(NR.kexec_load)), EPERM, "ERRNO rule without errnoRet: EPERM");
    assert.is(run(p, data(NR.open_by_handle_at)), EPERM);
    assert.is(run(p, data(NR.setns)), ALLOW, "listed as ALLOW, then as ERRNO(EPERM): the first unconditional rule wins");
    for (const v of [0n, 8n, 0x20000n, 0x20008n, 0xffff_ffffn]) assert.is(run(p, data(NR.personality, [v])), ALLOW, `personality 0x${v.toString(16)}`);
    for (const v of [1n, 9n, 0x1_0000_0000n, (1n << 64n) - 1n]) assert.is(run(p, data(NR.personality, [v])), ENOSYS, `personality 0x${v.toString(16)}`);
    // socket(AF_NETLINK, *, NETLINK_AUDIT) gets EINVAL; other sockets are allowed.
    assert.is(run(p, data(NR.socket, [16n, 3n, 9n])), ERRNO(22));
    assert.is(run(p, data(NR.socket, [16n, 3n, 0n])), ALLOW);
    assert.is(run(p, data(NR.socket, [2n, 1n, 9n])), ALLOW);
    // The i386 section: same names, i386 numbers, low halves only.
    assert.is(run(p, x86(NR_I386.read)), ALLOW);
    assert.is(run(p, x86(NR_I386.personality, [8n])), ALLOW);
    assert.is(run(p, x86(NR_I386.personality, [9n])), ENOSYS);
    assert.is(run(p, x86(NR_I386.socket, [16n, 3n, 9n])), ERRNO(22));
    assert.is(run(p, x86(NR_I386.socketcall, [1n])), ALLOW, "socketcall is in the allow list as itself");
    assert.is(run(p, x32(NR.read)), ALLOW, "x32 read");
    assert.is(run(p, x32(NR.socket, [16n, 3n, 9n])), ERRNO(22));
    assert.is(run(p, data(NR.read, [], AUDIT_ARCH_AARCH64)), KILL, "an arch not in the filter: libseccomp's bad-arch action");
  });
}

test("podman's profile: both optimizer levels decide the same; instructions per syscall", () => {
  const argSets = [[0n], [8n], [16n, 3n, 9n], [0x1_0000_0000n, 1n, 2n]];
  const lines: string[] = [];
  for (const [name, p] of Object.entries(variants)) {
    let total = 0, worst = 0, runs = 0;
    for (let nr = 0; nr <= 600; nr++) {
      for (const args of argSets) {
        const r = runSeccomp(p, data(nr, args));
        const other = runSeccomp(name === "default" ? variants["optimize 2"] : variants.default, data(nr, args)).ret;
        assert.is(r.ret, other, `nr ${nr} args ${args}`);
        total += r.steps;
        worst = Math.max(worst, r.steps);
        runs++;
      }
    }
    lines.push(`${name}: ${instructions(p).length} instructions, ${(total / runs).toFixed(1)} mean / ${worst} worst per x86_64 syscall`);
  }
  console.log(`\n  libseccomp ${libseccompVersion()} on podman's profile (x86_64 nr 0..600 x ${argSets.length} argument sets):\n    ${lines.join("\n    ")}`);
});

test.run();
