// linux.seccomp to a classic-BPF program, with the verdicts libseccomp gives for the same
// profile (test/unit/core/seccomp-differential.test.ts holds the two side by side):
//   load arch; one section per architecture of the filter, anything else gets KILL;
//   per section: load nr, then a balanced binary search over ranges of syscall numbers
//   (neighbours with the same unconditional verdict share a range), ending in a `ret` or in
//   that syscall's argument checks.
import { Seccomp, SeccompRule, SeccompArg } from "../config/model";
import { ACT_ERRNO, ACT_TRACE } from "../config/seccomp";
import { BackwardProgram, BPF_JEQ_K, BPF_JGT_K, BPF_JGE_K, BPF_JSET_K } from "./bpf";
import { syscallIndex, syscallNumberAt, syscallNumber, auditArch, ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_ARM } from "./syscall-table";
import { MULTIPLEXED_NAMES, MULTIPLEXED_CALLS, MULTIPLEXED_VIA, SYSCALL_COUNT } from "./syscalls.gen";

// SECCOMP_RET_* by action index (config/seccomp.ts SECCOMP_ACTIONS): KILL is KILL_THREAD.
const RET_BY_ACTION: u32[] = [0x00000000, 0x80000000, 0x00000000, 0x00030000, 0x00050000, 0x7ff00000, 0x7fff0000, 0x7ffc0000, 0x7fc00000];
const EPERM: u32 = 1;
const RET_KILL_THREAD: u32 = 0;
const RET_ENOSYS: u32 = 0x00050000 | 38; // SECCOMP_RET_ERRNO | ENOSYS
const ACT_ALLOW: i32 = 6;
const ACT_LOG: i32 = 7;
const X32_SYSCALL_BIT: u32 = 0x40000000;
// seccomp_data: nr at 0, arch at 4, args[i] at 16 + 8i (low word first on little-endian arches).
const DATA_NR: u32 = 0;
const DATA_ARCH: u32 = 4;
const DATA_ARGS: u32 = 16;

// SCMP_CMP_* by operator index (config/seccomp.ts SECCOMP_OPERATORS).
const CMP_NE = 0;
const CMP_LT = 1;
const CMP_LE = 2;
const CMP_EQ = 3;
const CMP_GE = 4;
const CMP_GT = 5;
const CMP_MASKED_EQ = 6;

export function actionRet(action: i32, errnoRet: i32): u32 {
  const ret = RET_BY_ACTION[action];
  if (action == ACT_ERRNO || action == ACT_TRACE) return ret | (errnoRet >= 0 ? <u32>errnoRet : EPERM);
  return ret;
}

/** The conditions of one rule, all of which must hold. */
class Conditional {
  constructor(public ret: u32, public args: SeccompArg[]) {}
}

const NO_CONDITIONALS: Conditional[] = [];

/** What the filter does for one syscall number. */
class SyscallVerdict {
  unconditional: i64 = -1;
  conditionals: Conditional[] = NO_CONDITIONALS; // replaced on the first push (most have none)
  /** The arch passes 32-bit arguments (x86, x32, arm): only the low words are compared. */
  arch32: bool = false;
  constructor(public nr: u32) {}
}

/** A range of syscall numbers from `start` up to the next range's start. */
class Range {
  constructor(public start: u32, public ret: u32, public verdict: SyscallVerdict | null) {}
}

export class CompiledFilter {
  words: u64[] = [];
  /** Names no arch knows: skipped, as runc skips them. */
  unknownNames: string[] = [];
}

/** arches: the syscall table's arch indexes (syscall-table.ts), the native one first. */
export function compileSeccomp(s: Seccomp, arches: i32[]): CompiledFilter {
  const out = new CompiledFilter();
  // Each name is looked up once, for every section.
  const indexes: i32[][] = [];
  for (let r = 0; r < s.syscalls.length; r++) {
    const names = s.syscalls[r].names;
    const ix = new Array<i32>(names.length);
    for (let n = 0; n < names.length; n++) {
      ix[n] = syscallIndex(names[n]);
      if (ix[n] < 0 && !out.unknownNames.includes(names[n])) out.unknownNames.push(names[n]);
    }
    indexes.push(ix);
  }
  const defaultRet = actionRet(s.defaultAction, s.defaultErrnoRet);
  const stub = enosysStub(s, defaultRet);
  const p = new BackwardProgram();
  // One section per audit arch, in arch order, so built last first. x32 shares the x86_64
  // audit arch: its numbers carry the x32 bit and sit in the same search. Without x32 in the
  // filter, a number with that bit is a bad arch (KILL), except -1, which gets the default.
  const audits: u32[] = [];
  const sections: i32[] = [];
  const hasX32 = arches.includes(ARCH_X32);
  for (let i = arches.length - 1; i >= 0; i--) {
    const a = arches[i];
    if (a == ARCH_X32 && arches.includes(ARCH_X86_64)) continue;
    const tables: i32[] = [a];
    if (a == ARCH_X86_64 && hasX32) tables.push(ARCH_X32);
    const search = searchRanges(p, ranges(s, indexes, tables, defaultRet, stub ? stubBounds(s, indexes, tables) : null));
    let entry = search;
    if (a == ARCH_X86_64 && !hasX32) {
      const minusOne = p.jump(BPF_JEQ_K, 0xffffffff, p.sharedRet(defaultRet), p.sharedRet(RET_KILL_THREAD));
      // runc's stub sends what lacks the x32 bit, but is above 2^30, to ENOSYS before the filter.
      const above = stub ? p.jump(BPF_JSET_K, X32_SYSCALL_BIT, minusOne, p.sharedRet(RET_ENOSYS)) : minusOne;
      entry = p.jump(BPF_JGE_K, X32_SYSCALL_BIT, above, search);
    }
    p.fallTo(entry);
    audits.unshift(auditArch(a));
    sections.unshift(p.load(DATA_NR));
  }
  let next = p.ret(RET_KILL_THREAD);
  for (let i = audits.length - 1; i >= 0; i--) next = p.jump(BPF_JEQ_K, audits[i], sections[i], next);
  p.load(DATA_ARCH);
  out.words = p.words();
  return out;
}

function is32Bit(arch: i32): bool { return arch == ARCH_X86 || arch == ARCH_X32 || arch == ARCH_ARM; }

/** The rules that apply on these arches, by syscall number, sorted. */
// A section's syscall numbers by slot, in number order: plain numbers below 0x1000, then ARM's
// private ones (0x0f0000 + k), then x32's (0x40000000 + n). No map and no sort: both were a
// large share of the core's time for podman's profile.
const PLAIN_SLOTS: u32 = 0x1000;
const ARM_PRIVATE_SLOT: u32 = 0x1000;
const X32_SLOT: u32 = 0x1100;
const SLOTS: i32 = 0x2100;

function slotOf(nr: u32): i32 {
  if (nr < PLAIN_SLOTS) return <i32>nr;
  if (nr >= 0x0f0000 && nr < 0x0f0100) return <i32>(ARM_PRIVATE_SLOT + nr - 0x0f0000);
  if (nr >= X32_SYSCALL_BIT && nr < X32_SYSCALL_BIT + PLAIN_SLOTS) return <i32>(X32_SLOT + nr - X32_SYSCALL_BIT);
  return -1;
}

class Verdicts {
  slots: StaticArray<SyscallVerdict | null> = new StaticArray<SyscallVerdict | null>(SLOTS);
  used: i32 = 0;
  top: i32 = -1; // the highest slot used

  at(nr: u32, arch: i32): SyscallVerdict | null {
    const slot = slotOf(nr);
    if (slot < 0) return null; // not a number any syscall table has
    let v = unchecked(this.slots[slot]);
    if (v) return v;
    v = new SyscallVerdict(nr);
    v.arch32 = is32Bit(arch);
    unchecked(this.slots[slot] = v);
    this.used++;
    if (slot > this.top) this.top = slot;
    return v;
  }

  sorted(): SyscallVerdict[] {
    const out = new Array<SyscallVerdict>(this.used);
    let k = 0;
    for (let i = 0; i <= this.top; i++) {
      const v = unchecked(this.slots[i]);
      if (v) out[k++] = v;
    }
    return out;
  }
}

/** The rules that apply on these arches, by syscall number, sorted. */
function verdicts(s: Seccomp, indexes: i32[][], tables: i32[], defaultRet: u32): SyscallVerdict[] {
  const vs = new Verdicts();
  for (let r = 0; r < s.syscalls.length; r++) {
    const rule = s.syscalls[r];
    const ret = actionRet(rule.action, rule.errnoRet);
    // runc leaves out rules whose action (and errno) is the default's.
    if (ret == defaultRet) continue;
    for (let n = 0; n < rule.names.length; n++) {
      const index = indexes[r][n];
      if (index < 0) continue;
      for (let t = 0; t < tables.length; t++) {
        const arch = tables[t];
        const nr = syscallNumberAt(arch, index);
        if (nr >= 0) {
          const v = vs.at(<u32>nr, arch);
          if (v) addRule(v, rule.args, ret);
        }
        if (arch == ARCH_X86) addMultiplexed(vs, index, rule.args, ret);
      }
    }
  }
  return vs.sorted();
}

/** On x86 a socket or SysV IPC call is also reached through socketcall(2) or ipc(2) with the
 * call number in the first argument. As libseccomp does, that test replaces the rule's own
 * conditions on the first argument; the others stay, at their indexes. */
function addMultiplexed(vs: Verdicts, index: i32, args: SeccompArg[], ret: u32): void {
  const i = multiplexedEntry(index);
  if (i < 0) return;
  const via = syscallNumber(ARCH_X86, MULTIPLEXED_VIA[i] == 0 ? "socketcall" : "ipc");
  if (via < 0) return;
  const muxed: SeccompArg[] = [new SeccompArg(0, <u64>MULTIPLEXED_CALLS[i], 0, CMP_EQ)];
  for (let k = 0; k < args.length; k++) if (args[k].index != 0) muxed.push(args[k]);
  const v = vs.at(<u32>via, ARCH_X86);
  if (v) addRule(v, muxed, ret);
}

/** A MASKED_EQ whose mask is 0 in every word the arch compares always holds; libseccomp
 * leaves it out, and a rule left without conditions is unconditional. */
function alwaysHolds(a: SeccompArg, arch32: bool): bool {
  return a.op == CMP_MASKED_EQ && (arch32 ? (a.value & 0xffffffff) == 0 : a.value == 0);
}

// Per syscall-table index: its entry in MULTIPLEXED_NAMES, or -1. Built on first use.
let multiplexed: StaticArray<i8> | null = null;

function multiplexedEntry(index: i32): i32 {
  let m = multiplexed;
  if (!m) {
    m = new StaticArray<i8>(SYSCALL_COUNT);
    for (let i = 0; i < SYSCALL_COUNT; i++) m[i] = -1;
    for (let i = 0; i < MULTIPLEXED_NAMES.length; i++) {
      const at = syscallIndex(MULTIPLEXED_NAMES[i]);
      if (at >= 0) m[at] = <i8>i;
    }
    multiplexed = m;
  }
  return m[index];
}

function addRule(v: SyscallVerdict, all: SeccompArg[], ret: u32): void {
  let args = all;
  for (let i = 0; i < all.length; i++) {
    if (!alwaysHolds(all[i], v.arch32)) continue;
    args = [];
    for (let k = 0; k < all.length; k++) if (!alwaysHolds(all[k], v.arch32)) args.push(all[k]);
    break;
  }
  if (args.length == 0) {
    // The first unconditional rule wins, and it beats every conditional one.
    if (v.unconditional < 0) v.unconditional = ret;
    return;
  }
  // Like runc: conditions on distinct arguments are ANDed; when one argument is tested more
  // than once, each condition becomes a rule of its own (ORed).
  let repeated = false;
  for (let i = 0; i < args.length && !repeated; i++) {
    for (let j = i + 1; j < args.length; j++) if (args[i].index == args[j].index) repeated = true;
  }
  if (v.conditionals === NO_CONDITIONALS) v.conditionals = [];
  if (!repeated) {
    v.conditionals.push(new Conditional(ret, args));
    return;
  }
  for (let i = 0; i < args.length; i++) v.conditionals.push(new Conditional(ret, [args[i]]));
}

/** runc's -ENOSYS stub (runc >= 1.0.0-rc93), which runc puts in front of libseccomp's filter:
 * a syscall number above the highest one the profile names for the arch (x32's counted apart)
 * gets ENOSYS instead of the default action, so libc falls back from syscalls newer than the
 * profile (clone3, close_range, faccessat2...). Not where the default lets syscalls through
 * (ALLOW, LOG, TRACE) or is ENOSYS already. Here it is folded into each section's ranges. */
function enosysStub(s: Seccomp, defaultRet: u32): bool {
  if (s.defaultAction == ACT_ALLOW || s.defaultAction == ACT_LOG || s.defaultAction == ACT_TRACE) return false;
  return defaultRet != RET_ENOSYS;
}

/** The highest numbers a section names: plain ones, and x32's (with the x32 bit) on x86_64. */
class StubBounds {
  plainMax: i64 = -1;
  x32Max: i64 = -1;
  constructor(public x86: bool) {}

  /** What a number no rule names gets. */
  retAt(n: u64, defaultRet: u32): u32 {
    const max = this.x86 && n >= X32_SYSCALL_BIT ? this.x32Max : this.plainMax;
    return max >= 0 && <i64>n > max ? RET_ENOSYS : defaultRet;
  }
}

/** The numbers from..to-1, which no rule names: the default, or ENOSYS past the bounds. */
function gap(rs: Range[], from: u64, to: u64, defaultRet: u32, b: StubBounds | null): void {
  if (from >= to) return;
  if (!b) {
    append(rs, new Range(<u32>from, defaultRet, null));
    return;
  }
  const cuts: u64[] = [from];
  const edges: i64[] = [b.plainMax + 1, b.x86 ? <i64>X32_SYSCALL_BIT : -1, b.x32Max + 1];
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (e > <i64>from && e < <i64>to && !cuts.includes(<u64>e)) cuts.push(<u64>e);
  }
  cuts.sort((x: u64, y: u64): i32 => (x < y ? -1 : x > y ? 1 : 0));
  for (let i = 0; i < cuts.length; i++) append(rs, new Range(<u32>cuts[i], b.retAt(cuts[i], defaultRet), null));
}

/** A section's bounds: every name of every rule counts, those with the default's action too
 * (runc's findLastSyscalls reads the whole profile). */
function stubBounds(s: Seccomp, indexes: i32[][], tables: i32[]): StubBounds {
  const b = new StubBounds(tables[0] == ARCH_X86_64);
  for (let r = 0; r < indexes.length; r++) {
    for (let n = 0; n < indexes[r].length; n++) {
      if (indexes[r][n] < 0) continue;
      for (let t = 0; t < tables.length; t++) {
        // libseccomp resolves x86's socket and SysV IPC calls to its pseudo numbers (they go
        // through socketcall and ipc), so runc's stub leaves them out.
        if (tables[t] == ARCH_X86 && multiplexedEntry(indexes[r][n]) >= 0) continue;
        const nr = <i64>syscallNumberAt(tables[t], indexes[r][n]);
        if (nr < 0) continue;
        if (tables[t] == ARCH_X32) b.x32Max = max(b.x32Max, nr);
        else b.plainMax = max(b.plainMax, nr);
      }
    }
  }
  return b;
}

/** The number line cut into ranges; neighbours with the same plain `ret` merged. bounds: runc's
 * ENOSYS stub's, when it applies. */
function ranges(s: Seccomp, indexes: i32[][], tables: i32[], defaultRet: u32, bounds: StubBounds | null): Range[] {
  const list = verdicts(s, indexes, tables, defaultRet);
  const rs: Range[] = [];
  let next: u64 = 0; // the first number no range covers yet
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    // Past the stub's bound (x86's socketcall and ipc, which the bound leaves out): the stub's.
    if (bounds && bounds.retAt(<u64>v.nr, defaultRet) == RET_ENOSYS) continue;
    const fallback = v.unconditional >= 0 ? <u32>v.unconditional : defaultRet;
    // An unconditional rule beats the conditional ones.
    const plain = v.unconditional >= 0 || v.conditionals.length == 0;
    gap(rs, next, <u64>v.nr, defaultRet, bounds);
    append(rs, new Range(v.nr, fallback, plain ? null : v));
    next = <u64>v.nr + 1;
  }
  gap(rs, next, 0x100000000, defaultRet, bounds);
  return rs;
}

function append(rs: Range[], r: Range): void {
  if (rs.length > 0) {
    const last = rs[rs.length - 1];
    if (last.verdict == null && r.verdict == null && last.ret == r.ret) return;
  }
  rs.push(r);
}

/** Emits the search over rs (nr in A) and returns its entry label. */
function searchRanges(p: BackwardProgram, rs: Range[]): i32 {
  return searchBetween(p, rs, 0, rs.length - 1);
}

function searchBetween(p: BackwardProgram, rs: Range[], from: i32, to: i32): i32 {
  if (from == to) {
    const r = rs[from];
    return r.verdict ? argumentChecks(p, r.verdict!, r.ret) : p.sharedRet(r.ret);
  }
  const mid = (from + to + 1) >> 1;
  const upper = searchBetween(p, rs, mid, to);
  const lower = searchBetween(p, rs, from, mid - 1);
  return p.jump(BPF_JGE_K, rs[mid].start, upper, lower);
}

/** The rules of one syscall in order, the first whose conditions all hold wins; else fallback. */
function argumentChecks(p: BackwardProgram, v: SyscallVerdict, fallback: u32): i32 {
  const cs = v.conditionals;
  let next = p.sharedRet(fallback);
  for (let i = cs.length - 1; i >= 0; i--) {
    // Neighbouring rules that each test one argument word for equality (personality(0),
    // personality(8), ...) share one load of each word: a chain of jeq on the low word.
    let first = i;
    while (first > 0 && sameWordEquality(cs[first - 1], cs[i], v.arch32)) first--;
    if (first < i || isEquality(cs[i])) {
      next = equalityChain(p, cs, first, i, next, v.arch32);
      i = first;
      continue;
    }
    const c = cs[i];
    let entry = p.sharedRet(c.ret);
    for (let k = c.args.length - 1; k >= 0; k--) entry = condition(p, c.args[k], entry, next, v.arch32);
    next = entry;
  }
  return next;
}

function isEquality(c: Conditional): bool { return c.args.length == 1 && c.args[0].op == CMP_EQ; }

function sameWordEquality(a: Conditional, b: Conditional, arch32: bool): bool {
  if (!isEquality(a) || !isEquality(b) || a.args[0].index != b.args[0].index) return false;
  return arch32 || (a.args[0].value >> 32) == (b.args[0].value >> 32);
}

/** cs[first..last] are equality tests of one argument with the same high word. */
function equalityChain(p: BackwardProgram, cs: Conditional[], first: i32, last: i32, no: i32, arch32: bool): i32 {
  let entry = no;
  for (let k = last; k >= first; k--) entry = p.jump(BPF_JEQ_K, <u32>(cs[k].args[0].value & 0xffffffff), p.sharedRet(cs[k].ret), entry);
  const a = cs[first].args[0];
  const lo = DATA_ARGS + 8 * a.index;
  const low = p.load(lo);
  if (arch32) return low;
  p.jump(BPF_JEQ_K, <u32>(a.value >> 32), low, no);
  return p.load(lo + 4);
}

/** Tests one argument: jumps to yes or no. 64-bit values compare high word, then low word. */
function condition(p: BackwardProgram, a: SeccompArg, yes: i32, no: i32, arch32: bool): i32 {
  const lo = DATA_ARGS + 8 * a.index;
  const hi = lo + 4;
  const vlo = <u32>(a.value & 0xffffffff);
  const vhi = <u32>(a.value >> 32);
  if (a.op == CMP_MASKED_EQ) {
    // libseccomp compares with valueTwo & value, not valueTwo.
    const datum = a.valueTwo & a.value;
    const dlo = <u32>(datum & 0xffffffff);
    const dhi = <u32>(datum >> 32);
    // A word whose mask is 0 always matches (its datum is 0 too): no test for it.
    let next = yes;
    if (vlo != 0) {
      p.jump(BPF_JEQ_K, dlo, yes, no);
      if (vlo != 0xffffffff) p.and(vlo);
      next = p.load(lo);
    }
    if (arch32 || vhi == 0) return next;
    p.jump(BPF_JEQ_K, dhi, next, no);
    if (vhi != 0xffffffff) p.and(vhi);
    return p.load(hi);
  }
  if (a.op == CMP_EQ || a.op == CMP_NE) {
    const t = a.op == CMP_EQ ? yes : no;
    const f = a.op == CMP_EQ ? no : yes;
    p.jump(BPF_JEQ_K, vlo, t, f);
    const low = p.load(lo);
    if (arch32) return low;
    p.jump(BPF_JEQ_K, vhi, low, f);
    return p.load(hi);
  }
  // GT/GE hold when the high word is greater, or equal with the low word GT/GE; LT and LE are
  // their negations.
  const strict = a.op == CMP_GT || a.op == CMP_LE;
  const positive = a.op == CMP_GT || a.op == CMP_GE;
  const t = positive ? yes : no;
  const f = positive ? no : yes;
  p.jump(strict ? BPF_JGT_K : BPF_JGE_K, vlo, t, f);
  const low = p.load(lo);
  if (arch32) return low;
  const equal = p.jump(BPF_JEQ_K, vhi, low, f);
  p.jump(BPF_JGT_K, vhi, t, equal);
  return p.load(hi);
}
