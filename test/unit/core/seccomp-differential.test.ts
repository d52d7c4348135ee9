// The core's seccomp programs against libseccomp's for the same profile (built as runc builds
// it, test/seccomp/libseccomp-export.c, behind runc's -ENOSYS stub): both run in test/util/cbpf-vm.ts on the same syscall
// records — every number of each arch, boundary numbers, random and boundary arguments — and
// must return the same value on every one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { repo } from "../../util/core";
import { coreProgram } from "../../util/seccomp-plan";
import { libseccompExport, runcEnosysStub, type OciSeccomp } from "../../util/libseccomp-referee";
import { runSeccomp, retName, disassembleCbpf, checkSeccomp, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, X32_SYSCALL_BIT, type SeccompData } from "../../util/cbpf-vm";

const ARCHES = [AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, 0xc00000f3 /* riscv64: in no filter */];
const NAMES = readSyscallNames();
// ARM's header defines sync_file_range2 as another name of arm_sync_file_range (341); the
// core follows the header, libseccomp 2.5.4's table lacks it (docs/compat.md).
const FUZZ_NAMES = NAMES.filter((n) => n !== "sync_file_range2");

function readSyscallNames(): string[] {
  const text = readFileSync(repo + "assembly/seccomp/syscalls.gen.ts", "utf8");
  const bytes = /^export const SYSCALL_NAMES: StaticArray<u8> = \[([^\]]*)\];$/m.exec(text)![1].split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  return Buffer.from(bytes).toString("ascii").split("\n");
}

/** A small seeded PRNG (mulberry32): the same records on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The argument values worth trying: each rule value, its neighbours, its halves, and random ones. */
function interestingValues(profile: OciSeccomp, rand: () => number): bigint[] {
  const out = new Set<bigint>([0n, 1n, 0xffffffffn, 0x100000000n, 0xffffffffffffffffn, 0x7fffffffn, 0x80000000n]);
  for (const r of profile.syscalls ?? []) {
    for (const a of r.args ?? []) {
      for (const v of [BigInt(a.value), BigInt(a.valueTwo ?? 0)]) {
        for (const d of [-1n, 0n, 1n]) out.add(BigInt.asUintN(64, v + d));
        out.add(v & 0xffffffffn);
        out.add(v >> 32n);
        out.add((v & 0xffffffffn) | (1n << 32n));
        out.add(BigInt.asUintN(64, ~v));
      }
    }
  }
  for (let i = 0; i < 8; i++) out.add(BigInt(Math.floor(rand() * 2 ** 32)) | (BigInt(Math.floor(rand() * 4)) << 32n));
  return [...out];
}

/** libseccomp 2.5.4 sometimes jumps into code that expects another value in the accumulator
 * (it shares the tail of another block: e.g. an arch's block compares the arch number with
 * syscall numbers, or an argument check compares a different argument's word). The kernel
 * would run such a program as it stands, so it is no referee for that profile. Found by
 * following what each jump may hold in A: all jumps go forward, so one pass suffices. */
const AUDIT_ARCHES = [AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM].map((a) => a >>> 0);

function accumulatorConsistent(prog: Uint8Array): boolean {
  const insns = checkSeccomp(prog);
  const holds: (Set<string> | undefined)[] = new Array(insns.length);
  holds[0] = new Set(["?"]);
  const flow = (to: number, a: Set<string>) => {
    const s = (holds[to] ??= new Set());
    for (const x of a) s.add(x);
  };
  for (let pc = 0; pc < insns.length; pc++) {
    const a = holds[pc];
    if (!a) continue; // unreachable
    const i = insns[pc];
    const cls = i.code & 0x07;
    if (cls === 0x06) continue; // ret
    if (i.code === 0x05) { flow(pc + 1 + i.k, a); continue; }
    if (cls === 0x05) {
      if (a.size > 1) return false;
      // Only arch numbers are compared with the arch.
      if (a.has("ld 4") && !AUDIT_ARCHES.includes(i.k >>> 0)) return false;
      flow(pc + 1 + i.jt, a);
      flow(pc + 1 + i.jf, a);
      continue;
    }
    if (i.code === 0x20) flow(pc + 1, new Set([`ld ${i.k}`]));
    else flow(pc + 1, new Set([...a].map((x) => `${x} op${i.code}:${i.k}`)));
  }
  return true;
}

type Mismatch = { data: SeccompData; ours: string; theirs: string };

/** Runs both programs over the records; the first few mismatches. */
function compare(ours: Uint8Array, theirs: Uint8Array, profile: OciSeccomp, seed: number, perNr = 3): { runs: number; mismatches: Mismatch[] } {
  const rand = prng(seed);
  const values = interestingValues(profile, rand);
  const pick = () => values[Math.floor(rand() * values.length)];
  const stub = runcEnosysStub(profile);
  const mismatches: Mismatch[] = [];
  let runs = 0;
  const numbers: number[] = [];
  for (let nr = 0; nr < 600; nr++) numbers.push(nr);
  for (let nr = 0; nr < 600; nr++) numbers.push((X32_SYSCALL_BIT + nr) >>> 0);
  numbers.push(0x0f0001, 0x0f0002, 0x0f0005, 0x0f0006, 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff);
  for (const arch of ARCHES) {
    for (const nr of numbers) {
      for (let k = 0; k < perNr; k++) {
        const args = [0, 1, 2, 3, 4, 5].map(() => pick());
        const data: SeccompData = { nr: nr | 0, arch, args };
        const a = runSeccomp(ours, data).ret >>> 0;
        const b = (stub(data) ?? runSeccomp(theirs, data).ret) >>> 0;
        runs++;
        if (a !== b && mismatches.length < 5) mismatches.push({ data, ours: retName(a), theirs: retName(b) });
      }
    }
  }
  return { runs, mismatches };
}

function assertSame(profile: OciSeccomp, seed: number, label: string, perNr = 3): void {
  const ours = coreProgram(profile);
  checkSeccomp(ours);
  const theirs = libseccompExport(profile);
  const { mismatches } = compare(ours, theirs, profile, seed, perNr);
  if (mismatches.length > 0) {
    const show = mismatches.map((m) => `arch 0x${(m.data.arch >>> 0).toString(16)} nr ${m.data.nr >>> 0} args [${m.data.args.map((a) => "0x" + a.toString(16)).join(",")}]: ocirun ${m.ours}, libseccomp ${m.theirs}`);
    assert.unreachable(`${label}: the programs disagree\n${show.join("\n")}\nprofile: ${JSON.stringify(profile)}\nocirun:\n${disassembleCbpf(ours).join("\n")}`);
  }
}

const podman: OciSeccomp = JSON.parse(readFileSync(repo + "test/golden/plans/seccomp-podman/config.json", "utf8")).linux.seccomp;

test("podman's default profile (x86_64, x86, x32): the same verdict on every record", () => {
  assertSame(podman, 1, "podman");
});

test("the same profile for x86_64 alone: numbers with the x32 bit are a bad arch, -1 is not", () => {
  assertSame({ ...podman, architectures: ["SCMP_ARCH_X86_64"] }, 2, "podman x86_64");
});

test("the same profile with the arm arches added", () => {
  assertSame({ ...podman, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"] }, 3, "podman arm");
});

test("every operator, on 64-bit and 32-bit arches, with values across the word boundary", () => {
  const ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];
  const values = [0n, 1n, 0xffffffffn, 0x100000000n, 0x1fffffffen, 0xffffffffffffffffn, 0x80000000n];
  // One syscall per rule, so each operator is seen alone.
  const names = NAMES.filter((n) => /^[a-z]/.test(n));
  const syscalls = ops.flatMap((op, i) => values.map((value, j) => ({
    names: [names[(i * values.length + j) * 3]], action: "SCMP_ACT_ERRNO", errnoRet: 100 + i * 10 + j,
    args: [{ index: j % 6, op, value: String(value), valueTwo: String(values[(j + 3) % values.length]) }],
  })));
  assertSame({ defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], syscalls } as OciSeccomp, 4, "operators", 4);
});

test("x86 multiplexes socket and SysV IPC calls through socketcall and ipc", () => {
  const profile: OciSeccomp = {
    defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    syscalls: [
      { names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_EQ", value: 2 }] },
      { names: ["connect", "recv", "semop", "shmat"], action: "SCMP_ACT_ALLOW" },
      { names: ["sendmsg"], action: "SCMP_ACT_TRAP" },
    ],
  };
  assertSame(profile, 5, "multiplexed", 6);
});

test("rule order: the first unconditional rule wins and beats conditional ones; rules equal to the default are left out", () => {
  const profile: OciSeccomp = {
    defaultAction: "SCMP_ACT_ERRNO",
    syscalls: [
      { names: ["setns"], action: "SCMP_ACT_ALLOW" },
      { names: ["setns", "mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 5 },
      { names: ["mkdir"], action: "SCMP_ACT_ERRNO" },
      { names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_EQ", value: 0 }] },
      { names: ["personality"], action: "SCMP_ACT_LOG" },
      { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_MASKED_EQ", value: 2114060288, valueTwo: 0 }] },
      { names: ["kill"], action: "SCMP_ACT_ALLOW", args: [{ index: 1, op: "SCMP_CMP_EQ", value: 0 }, { index: 1, op: "SCMP_CMP_EQ", value: 9 }] },
      { names: ["tgkill"], action: "SCMP_ACT_KILL_PROCESS", args: [{ index: 1, op: "SCMP_CMP_GE", value: 100 }, { index: 2, op: "SCMP_CMP_LT", value: "4294967296" }] },
    ],
  };
  assertSame(profile, 6, "order", 8);
});

test("fuzzed profiles: random rules, actions, operators and arch sets", () => {
  const rand = prng(7);
  const actions = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"];
  const ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];
  const archSets = [[], ["SCMP_ARCH_X86_64"], ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], ["SCMP_ARCH_X86", "SCMP_ARCH_ARM"], ["SCMP_ARCH_X32"], ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X86"]];
  const boundary = [0n, 1n, 2n, 0xffffffffn, 0x100000000n, 0xffffffffffffffffn, 0x8000000000000000n];
  const value = () => rand() < 0.5 ? boundary[Math.floor(rand() * boundary.length)] : BigInt(Math.floor(rand() * 2 ** 32)) << BigInt(rand() < 0.3 ? 32 : 0);
  const pickOf = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let compared = 0;
  let refused = 0;
  let libseccompBugs = 0;
  let hung = 0;
  // OCIRUN_SECCOMP_PROFILES: a longer run (the default keeps npm test short).
  const count = Number(process.env.OCIRUN_SECCOMP_PROFILES ?? 60);
  for (let p = 0; p < count; p++) {
    const defaultAction = pickOf(actions.filter((a) => a !== "SCMP_ACT_NOTIFY"));
    // The action each name got first. A name may come back (its rules are ORed, an
    // unconditional one wins), but conditional rules of one syscall keep one action: when
    // two with different actions both match, libseccomp's decision tree picks one, ocirun the
    // first in config order (docs/compat.md).
    const actionOfName = new Map<string, { action: string; errnoRet?: number }>();
    const names = FUZZ_NAMES.slice(0, 1 + Math.floor(rand() * FUZZ_NAMES.length));
    const syscalls = [];
    for (let r = 0; r < 1 + Math.floor(rand() * 25); r++) {
      const name = rand() < 0.3 ? pickOf(names.slice(0, 6)) : pickOf(names);
      const nargs = rand() < 0.5 ? 0 : 1 + Math.floor(rand() * 3);
      const indexes = [0, 1, 2, 3, 4, 5].sort(() => rand() - 0.5);
      const args = Array.from({ length: nargs }, (_, k) => ({ index: indexes[k], op: pickOf(ops), value: String(value()), valueTwo: String(value()) }));
      const action = pickOf(actions);
      const errno = action === "SCMP_ACT_ERRNO" || action === "SCMP_ACT_TRACE" ? (rand() < 0.5 ? { errnoRet: Math.floor(rand() * 200) } : {}) : {};
      const verdict = nargs > 0 && actionOfName.has(name) ? actionOfName.get(name)! : { action, ...errno };
      if (!actionOfName.has(name)) actionOfName.set(name, verdict);
      syscalls.push({ names: [name], ...verdict, ...(nargs ? { args } : {}) });
    }
    const profile = { defaultAction, architectures: pickOf(archSets), syscalls, ...(syscalls.some((s) => s.action === "SCMP_ACT_NOTIFY") ? { listenerPath: "/run/agent.sock" } : {}) } as OciSeccomp;
    let theirs: Uint8Array;
    try {
      theirs = libseccompExport(profile);
    } catch (e) {
      // libseccomp refuses it (runc would fail to start the container), or never answers.
      if (String(e).includes("killed by")) hung++;
      else refused++;
      continue;
    }
    if (!accumulatorConsistent(theirs)) {
      libseccompBugs++;
      continue;
    }
    const ours = coreProgram(profile);
    const { mismatches } = compare(ours, theirs, profile, 100 + p, 1);
    compared++;
    if (mismatches.length > 0) {
      const m = mismatches[0];
      assert.unreachable(`profile ${p}: arch 0x${(m.data.arch >>> 0).toString(16)} nr ${m.data.nr >>> 0} args [${m.data.args.map((a) => "0x" + a.toString(16)).join(",")}]: ocirun ${m.ours}, libseccomp ${m.theirs}\n${JSON.stringify(profile)}`);
    }
  }
  assert.ok(compared >= count * 2 / 3, `only ${compared} profiles compared (${refused} refused by libseccomp, ${libseccompBugs} hit its accumulator bug, ${hung} made it loop)`);
  console.log(`  fuzzed: ${compared} profiles compared; libseccomp refused ${refused}, miscompiled ${libseccompBugs}, looped on ${hung}`);
});

test.run();
