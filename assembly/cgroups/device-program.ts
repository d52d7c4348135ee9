// The cgroup v2 device controller: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE,
// attached by the host with BPF_CGROUP_DEVICE. The kernel calls it with
// struct bpf_cgroup_dev_ctx { u32 access_type (type | access << 16); u32 major; u32 minor; }
// and lets the access through when it returns 1.
//
// Meaning: default deny, and for each access bit (r, w, m) the last rule in config order that
// covers the device and the bit decides. The program tests rules from last to first and
// keeps in r6 the requested bits no rule has decided yet. v1's kernel list agrees with it,
// except that a v1 deny removes only an earlier rule with the same type and numbers.
import { DeviceRule } from "../config/model";

const BPF_DEVCG_DEV_BLOCK: i32 = 1;
const BPF_DEVCG_DEV_CHAR: i32 = 2;

// Opcodes (linux/bpf.h): class | op | source.
const LDX_W: u8 = 0x61; // BPF_LDX | BPF_MEM | BPF_W
const AND_K: u8 = 0x57; // BPF_ALU64 | BPF_AND | BPF_K
const RSH_K: u8 = 0x77; // BPF_ALU64 | BPF_RSH | BPF_K
const MOV_K: u8 = 0xb7; // BPF_ALU64 | BPF_MOV | BPF_K
const MOV_X: u8 = 0xbf; // BPF_ALU64 | BPF_MOV | BPF_X
const JEQ_K: u8 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JNE_K: u8 = 0x55; // BPF_JMP | BPF_JNE | BPF_K
const EXIT: u8 = 0x95; // BPF_JMP | BPF_EXIT

/** Jump offset placeholder: to the first instruction of the next rule's block. */
const NEXT: i32 = 0x7fff;

/** Accumulates 8-byte instructions: u8 code, u8 dst | src << 4, s16 off, s32 imm. */
class Program {
  code: u8[] = [];
  regs: u8[] = [];
  off: i32[] = [];
  imm: i32[] = [];

  insn(code: u8, dst: u8, src: u8, off: i32, imm: i32): void {
    this.code.push(code);
    this.regs.push(dst | (src << 4));
    this.off.push(off);
    this.imm.push(imm);
  }

  /** Resolves the NEXT jumps of the instructions from `start` to the end. */
  closeBlock(start: i32): void {
    const end = this.code.length;
    for (let i = start; i < end; i++) if (this.off[i] == NEXT) this.off[i] = end - i - 1;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.code.length * 8);
    for (let i = 0; i < this.code.length; i++) {
      const p = i * 8;
      out[p] = this.code[i];
      out[p + 1] = this.regs[i];
      out[p + 2] = <u8>(this.off[i] & 0xff);
      out[p + 3] = <u8>((this.off[i] >> 8) & 0xff);
      for (let b = 0; b < 4; b++) out[p + 4 + b] = <u8>((this.imm[i] >> (b * 8)) & 0xff);
    }
    return out;
  }
}

export function accessBits(access: string): i32 {
  let bits = 0;
  if (access.indexOf("m") >= 0) bits |= 1; // BPF_DEVCG_ACC_MKNOD
  if (access.indexOf("r") >= 0) bits |= 2; // BPF_DEVCG_ACC_READ
  if (access.indexOf("w") >= 0) bits |= 4; // BPF_DEVCG_ACC_WRITE
  return bits;
}

export function deviceProgram(rules: DeviceRule[]): Uint8Array {
  const p = new Program();
  // r2 = type, r3 = requested access, r4 = major, r5 = minor, r6 = undecided access.
  p.insn(LDX_W, 2, 1, 0, 0);
  p.insn(AND_K, 2, 0, 0, 0xffff);
  p.insn(LDX_W, 3, 1, 0, 0);
  p.insn(RSH_K, 3, 0, 0, 16);
  p.insn(LDX_W, 4, 1, 4, 0);
  p.insn(LDX_W, 5, 1, 8, 0);
  p.insn(MOV_X, 6, 3, 0, 0);
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    const start = p.code.length;
    const access = accessBits(r.access);
    let matchesAll = true;
    if (r.type != "a") { p.insn(JNE_K, 2, 0, NEXT, r.type == "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR); matchesAll = false; }
    if (r.major >= 0) { p.insn(JNE_K, 4, 0, NEXT, <i32>r.major); matchesAll = false; }
    if (r.minor >= 0) { p.insn(JNE_K, 5, 0, NEXT, <i32>r.minor); matchesAll = false; }
    if (r.allow) {
      // These bits are allowed; the rest are for earlier rules to decide.
      if (access != 7) { p.insn(AND_K, 6, 0, 0, ~access & 7); p.insn(JNE_K, 6, 0, NEXT, 0); }
      p.insn(MOV_K, 0, 0, 0, 1);
    } else {
      // Denied if any undecided bit is one of this rule's.
      if (access != 7) { p.insn(MOV_X, 7, 6, 0, 0); p.insn(AND_K, 7, 0, 0, access); p.insn(JEQ_K, 7, 0, NEXT, 0); }
      p.insn(MOV_K, 0, 0, 0, 0);
    }
    p.insn(EXIT, 0, 0, 0, 0);
    p.closeBlock(start);
    // Nothing after a rule for every device and access is reachable, and the verifier
    // refuses unreachable instructions.
    if (matchesAll && access == 7) return p.bytes();
  }
  p.insn(MOV_K, 0, 0, 0, 0);
  p.insn(EXIT, 0, 0, 0, 0);
  return p.bytes();
}
