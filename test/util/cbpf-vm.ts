// A classic-BPF interpreter for seccomp filters, to run the core's programs and libseccomp's
// (test/util/libseccomp-referee.ts) on sample syscalls. The eBPF device programs have their
// own interpreter, test/util/bpf-vm.ts.
//
// Before running, a program passes the checks the kernel makes when it is loaded
// (bpf_check_classic, then seccomp_check_filter): 1..4096 instructions, only the opcodes
// seccomp accepts, word loads at aligned offsets inside struct seccomp_data, scratch words
// 0..15 written on every path before they are read, jumps inside the program, shifts by a
// constant below 32, no division by a constant 0, a RET as the last instruction. A program
// that fails them throws, as does a shift by X >= 32 at run time (undefined in C). Division
// by X == 0 returns 0, as the kernel's converted program does.
//
// seccomp's list has no BPF_MOD, BPF_RET|BPF_X, byte or half-word loads, BPF_IND or BPF_MSH:
// the kernel refuses those, and so does this checker.

export type CInsn = { code: number; jt: number; jf: number; k: number };

/** struct seccomp_data; nr is an int, args are u64. */
export type SeccompData = { nr: number; arch: number; ip?: bigint; args: bigint[] };

// Instruction classes, sizes, modes, operations (linux/bpf_common.h, linux/filter.h).
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04,
  BPF_JMP = 0x05, BPF_RET = 0x06, BPF_MISC = 0x07;
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
export const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_LEN = 0x80, BPF_MSH = 0xa0;
export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50,
  BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0;
export const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40;
export const BPF_K = 0x00, BPF_X = 0x08, BPF_A = 0x10;
export const BPF_TAX = 0x00, BPF_TXA = 0x80;
export const BPF_MAXINSNS = 4096;
export const BPF_MEMWORDS = 16;
export const SECCOMP_DATA_SIZE = 64;

// Return values (linux/seccomp.h): the action is the high 16 bits, the data the low 16.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

// seccomp_data.arch values (linux/audit.h).
export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;
/** x32 syscalls come in as AUDIT_ARCH_X86_64 with this bit set in nr. */
export const X32_SYSCALL_BIT = 0x40000000;

export const stmt = (code: number, k: number): CInsn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
export const jump = (code: number, k: number, jt: number, jf: number): CInsn => ({ code, jt, jf, k: k >>> 0 });

export function decodeCbpf(prog: Uint8Array): CInsn[] {
  if (prog.length % 8 !== 0) throw new Error(`program length ${prog.length} is not a multiple of 8`);
  const view = new DataView(prog.buffer, prog.byteOffset, prog.byteLength);
  const out: CInsn[] = [];
  for (let p = 0; p < prog.length; p += 8) {
    out.push({ code: view.getUint16(p, true), jt: prog[p + 2], jf: prog[p + 3], k: view.getUint32(p + 4, true) });
  }
  return out;
}

export function encodeCbpf(insns: CInsn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const view = new DataView(out.buffer);
  insns.forEach((i, n) => {
    view.setUint16(n * 8, i.code, true);
    out[n * 8 + 2] = i.jt;
    out[n * 8 + 3] = i.jf;
    view.setUint32(n * 8 + 4, i.k >>> 0, true);
  });
  return out;
}

const CONDITIONAL = new Set([BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET].flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]));

// The opcodes seccomp_check_filter accepts (the two LEN loads it turns into immediates).
const SECCOMP_CODES = new Set([
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K, BPF_RET | BPF_A,
  ...[BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH].flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG, BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX, BPF_JMP | BPF_JA, ...CONDITIONAL,
]);

const checked = new WeakMap<Uint8Array, CInsn[]>();

/** Throws what the kernel would refuse at load time; returns the decoded program. */
export function checkSeccomp(prog: Uint8Array): CInsn[] {
  const cached = checked.get(prog);
  if (cached) return cached;
  const insns = decodeCbpf(prog);
  const n = insns.length;
  if (n === 0 || n > BPF_MAXINSNS) throw new Error(`${n} instructions (1..${BPF_MAXINSNS})`);
  insns.forEach((i, pc) => {
    const at = `insn ${pc} (code 0x${i.code.toString(16)})`;
    if (!SECCOMP_CODES.has(i.code)) throw new Error(`${at}: opcode not allowed in a seccomp filter`);
    if (i.code === (BPF_ALU | BPF_DIV | BPF_K) && i.k === 0) throw new Error(`${at}: division by constant 0`);
    if ((i.code === (BPF_ALU | BPF_LSH | BPF_K) || i.code === (BPF_ALU | BPF_RSH | BPF_K)) && i.k >= 32) throw new Error(`${at}: shift by ${i.k}`);
    if ([BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX].includes(i.code) && i.k >= BPF_MEMWORDS) throw new Error(`${at}: scratch word ${i.k}`);
    if (i.code === (BPF_LD | BPF_W | BPF_ABS) && (i.k >= SECCOMP_DATA_SIZE || i.k % 4 !== 0)) throw new Error(`${at}: load at offset ${i.k} outside seccomp_data or unaligned`);
    if (i.code === (BPF_JMP | BPF_JA) && i.k >= n - pc - 1) throw new Error(`${at}: ja +${i.k} leaves the program`);
    if (CONDITIONAL.has(i.code) && (pc + i.jt + 1 >= n || pc + i.jf + 1 >= n)) throw new Error(`${at}: jump +${i.jt}/+${i.jf} leaves the program`);
  });
  const last = insns[n - 1].code;
  if (last !== (BPF_RET | BPF_K) && last !== (BPF_RET | BPF_A)) throw new Error(`insn ${n - 1}: the last instruction is not a RET`);
  // Scratch words: a load needs a store on every path to it (the kernel's check_load_and_stores:
  // a forward pass where each jump target keeps the words valid on all jumps into it).
  const masks = new Array<number>(n).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < n; pc++) {
    const i = insns[pc];
    valid &= masks[pc];
    if (i.code === BPF_ST || i.code === BPF_STX) valid |= 1 << i.k;
    else if ((i.code === (BPF_LD | BPF_MEM) || i.code === (BPF_LDX | BPF_MEM)) && !(valid & (1 << i.k))) throw new Error(`insn ${pc}: scratch word ${i.k} may be read before it is written`);
    else if (i.code === (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + i.k] &= valid;
      valid = 0xffff;
    } else if (CONDITIONAL.has(i.code)) {
      masks[pc + 1 + i.jt] &= valid;
      masks[pc + 1 + i.jf] &= valid;
      valid = 0xffff;
    }
  }
  checked.set(prog, insns);
  return insns;
}

/** The u32 at byte offset k of struct seccomp_data (little-endian host). */
function load(d: SeccompData, k: number): number {
  if (k === 0) return d.nr >>> 0;
  if (k === 4) return d.arch >>> 0;
  const word = (v: bigint, hi: boolean) => Number(hi ? (BigInt.asUintN(64, v) >> 32n) : BigInt.asUintN(32, v));
  if (k < 16) return word(d.ip ?? 0n, k === 12);
  const a = d.args[(k - 16) >> 3];
  if (a === undefined) throw new Error(`args[${(k - 16) >> 3}] not given`);
  return word(a, (k & 4) !== 0);
}

/** Runs the filter on one syscall: its return value (u32) and the instructions executed. */
export function runSeccomp(prog: Uint8Array, data: SeccompData): { ret: number; steps: number } {
  const insns = checkSeccomp(prog);
  const M = new Array<number>(BPF_MEMWORDS).fill(0);
  let A = 0, X = 0, steps = 0;
  for (let pc = 0; ; pc++) {
    const i = insns[pc];
    steps++;
    const cls = i.code & 0x07;
    if (cls === BPF_ALU) {
      const src = (i.code & BPF_X) ? X : i.k;
      switch (i.code & 0xf0) {
        case BPF_ADD: A = (A + src) >>> 0; break;
        case BPF_SUB: A = (A - src) >>> 0; break;
        case BPF_MUL: A = Math.imul(A, src) >>> 0; break;
        case BPF_DIV: if (src === 0) return { ret: 0, steps }; A = Math.floor(A / src) >>> 0; break;
        case BPF_AND: A = (A & src) >>> 0; break;
        case BPF_OR: A = (A | src) >>> 0; break;
        case BPF_XOR: A = (A ^ src) >>> 0; break;
        case BPF_LSH: if (src >= 32) throw new Error(`insn ${pc}: shift by ${src}`); A = (A << src) >>> 0; break;
        case BPF_RSH: if (src >= 32) throw new Error(`insn ${pc}: shift by ${src}`); A = A >>> src; break;
        case BPF_NEG: A = (-A) >>> 0; break;
      }
      continue;
    }
    if (cls === BPF_JMP) {
      const op = i.code & 0xf0;
      if (op === BPF_JA) { pc += i.k; continue; }
      const src = (i.code & BPF_X) ? X : i.k;
      const taken = op === BPF_JEQ ? A === src : op === BPF_JGT ? A > src : op === BPF_JGE ? A >= src : (A & src) !== 0;
      pc += taken ? i.jt : i.jf;
      continue;
    }
    switch (i.code) {
      case BPF_LD | BPF_W | BPF_ABS: A = load(data, i.k); break;
      case BPF_LD | BPF_W | BPF_LEN: A = SECCOMP_DATA_SIZE; break;
      case BPF_LDX | BPF_W | BPF_LEN: X = SECCOMP_DATA_SIZE; break;
      case BPF_LD | BPF_IMM: A = i.k; break;
      case BPF_LDX | BPF_IMM: X = i.k; break;
      case BPF_LD | BPF_MEM: A = M[i.k]; break;
      case BPF_LDX | BPF_MEM: X = M[i.k]; break;
      case BPF_ST: M[i.k] = A; break;
      case BPF_STX: M[i.k] = X; break;
      case BPF_MISC | BPF_TAX: X = A; break;
      case BPF_MISC | BPF_TXA: A = X; break;
      case BPF_RET | BPF_K: return { ret: i.k, steps };
      case BPF_RET | BPF_A: return { ret: A, steps };
    }
  }
}

/** The action part of a return value (SECCOMP_RET_ACTION_FULL). */
export const actionOf = (ret: number) => (ret & 0xffff0000) >>> 0;
/** The data part (SECCOMP_RET_DATA): the errno for ERRNO, the message for TRACE. */
export const dataOf = (ret: number) => ret & 0xffff;

const ACTION_NAMES: Record<number, string> = {
  [SECCOMP_RET_KILL_PROCESS]: "KILL_PROCESS", [SECCOMP_RET_KILL_THREAD]: "KILL_THREAD", [SECCOMP_RET_TRAP]: "TRAP",
  [SECCOMP_RET_ERRNO]: "ERRNO", [SECCOMP_RET_USER_NOTIF]: "USER_NOTIF", [SECCOMP_RET_TRACE]: "TRACE",
  [SECCOMP_RET_LOG]: "LOG", [SECCOMP_RET_ALLOW]: "ALLOW",
};

/** "ALLOW", "ERRNO(38)", "TRACE(1)", or the hex value for an unknown action. */
export function retName(ret: number): string {
  const name = ACTION_NAMES[actionOf(ret)];
  if (name === undefined) return `0x${(ret >>> 0).toString(16)}`;
  return actionOf(ret) === SECCOMP_RET_ERRNO || actionOf(ret) === SECCOMP_RET_TRACE || dataOf(ret) !== 0 ? `${name}(${dataOf(ret)})` : name;
}

const FIELD: Record<number, string> = { 0: "nr", 4: "arch", 8: "ip.lo", 12: "ip.hi" };
const fieldName = (k: number) => FIELD[k] ?? (k >= 16 && k < 64 ? `args[${(k - 16) >> 3}].${k & 4 ? "hi" : "lo"}` : `[${k}]`);
const hex = (k: number) => "0x" + (k >>> 0).toString(16);

/** One line per instruction, jump targets as absolute indices, for diffs and failure messages. */
export function disassembleCbpf(prog: Uint8Array | CInsn[]): string[] {
  const insns = prog instanceof Uint8Array ? decodeCbpf(prog) : prog;
  const ALU: Record<number, string> = { [BPF_ADD]: "add", [BPF_SUB]: "sub", [BPF_MUL]: "mul", [BPF_DIV]: "div", [BPF_OR]: "or",
    [BPF_AND]: "and", [BPF_LSH]: "lsh", [BPF_RSH]: "rsh", [BPF_NEG]: "neg", [BPF_MOD]: "mod", [BPF_XOR]: "xor" };
  const JMP: Record<number, string> = { [BPF_JEQ]: "jeq", [BPF_JGT]: "jgt", [BPF_JGE]: "jge", [BPF_JSET]: "jset" };
  const width = String(insns.length).length;
  return insns.map((i, pc) => {
    const cls = i.code & 0x07;
    const src = (i.code & BPF_X) ? "x" : hex(i.k);
    let text: string;
    if (cls === BPF_ALU) text = (i.code & 0xf0) === BPF_NEG ? "neg" : `${ALU[i.code & 0xf0] ?? "alu?"} ${src}`;
    else if (cls === BPF_JMP && (i.code & 0xf0) === BPF_JA) text = `ja ${pc + 1 + i.k}`;
    else if (cls === BPF_JMP) text = `${JMP[i.code & 0xf0] ?? "j?"} ${src} ? ${pc + 1 + i.jt} : ${pc + 1 + i.jf}`;
    else if (i.code === (BPF_LD | BPF_W | BPF_ABS)) text = `ld ${fieldName(i.k)}`;
    else if (i.code === (BPF_LD | BPF_IMM)) text = `ld ${hex(i.k)}`;
    else if (i.code === (BPF_LDX | BPF_IMM)) text = `ldx ${hex(i.k)}`;
    else if (i.code === (BPF_LD | BPF_MEM)) text = `ld M[${i.k}]`;
    else if (i.code === (BPF_LDX | BPF_MEM)) text = `ldx M[${i.k}]`;
    else if (i.code === (BPF_LD | BPF_W | BPF_LEN)) text = "ld len";
    else if (i.code === (BPF_LDX | BPF_W | BPF_LEN)) text = "ldx len";
    else if (i.code === BPF_ST) text = `st M[${i.k}]`;
    else if (i.code === BPF_STX) text = `stx M[${i.k}]`;
    else if (i.code === (BPF_MISC | BPF_TAX)) text = "tax";
    else if (i.code === (BPF_MISC | BPF_TXA)) text = "txa";
    else if (i.code === (BPF_RET | BPF_K)) text = `ret ${retName(i.k)}`;
    else if (i.code === (BPF_RET | BPF_A)) text = "ret a";
    else text = `.code ${hex(i.code)} jt=${i.jt} jf=${i.jf} k=${hex(i.k)}`;
    return `${String(pc).padStart(width)}: ${text}`;
  });
}
