// A classic-BPF program built from its end towards its start. Every jump in cBPF goes forward,
// so when an instruction is added its targets already exist and its offsets are known; a label
// is an instruction's distance from the end, which later additions do not change.
// Conditional jumps reach at most 255 instructions: a farther target gets a `ja` stub.

export const BPF_LD_W_ABS: u16 = 0x20;
export const BPF_ALU_AND_K: u16 = 0x54;
export const BPF_JMP_JA: u16 = 0x05;
export const BPF_JEQ_K: u16 = 0x15;
export const BPF_JGT_K: u16 = 0x25;
export const BPF_JGE_K: u16 = 0x35;
export const BPF_JSET_K: u16 = 0x45;
export const BPF_RET_K: u16 = 0x06;

// The kernel's limit on a filter's length (BPF_MAXINSNS).
export const BPF_MAXINSNS: i32 = 4096;

const MAX_SHORT_JUMP: i32 = 255;

export class BackwardProgram {
  // Instructions in reverse order: code | jt << 16 | jf << 24 | k << 32, as the kernel's
  // struct sock_filter reads in little-endian memory.
  private rev: u64[] = [];
  // The newest `ret k` per value, for sharing while it is in reach.
  private retKs: u32[] = [];
  private retLabels: i32[] = [];

  length(): i32 { return this.rev.length; }

  /** The label of the first instruction so far. */
  head(): i32 { return this.rev.length - 1; }

  private push(code: u16, jt: i32, jf: i32, k: u32): i32 {
    this.rev.push(<u64>code | (<u64>jt << 16) | (<u64>jf << 24) | (<u64>k << 32));
    return this.rev.length - 1;
  }

  /** Offset from the next new instruction to label. */
  private offset(label: i32): i32 { return this.rev.length - 1 - label; }

  ret(k: u32): i32 { return this.push(BPF_RET_K, 0, 0, k); }

  /** A `ret k` the next conditional jump can reach: the last one, or a new one. */
  sharedRet(k: u32): i32 {
    for (let i = 0; i < this.retKs.length; i++) {
      if (this.retKs[i] != k) continue;
      // Leave room for the stubs a jump may still add in front of it.
      if (this.offset(this.retLabels[i]) < MAX_SHORT_JUMP - 2) return this.retLabels[i];
      this.retLabels[i] = this.ret(k);
      return this.retLabels[i];
    }
    this.retKs.push(k);
    this.retLabels.push(this.ret(k));
    return this.retLabels[this.retLabels.length - 1];
  }

  /** Makes label the head, so the next instruction falls through to it: a copy of a shared
   * `ret`, or a jump. */
  fallTo(label: i32): void {
    if (label == this.head()) return;
    const insn = this.rev[label];
    if (<u16>(insn & 0xffff) == BPF_RET_K) this.push(BPF_RET_K, 0, 0, <u32>(insn >> 32));
    else this.push(BPF_JMP_JA, 0, 0, <u32>this.offset(label));
  }

  /** Falls through to the current head. */
  load(offset: u32): i32 { return this.push(BPF_LD_W_ABS, 0, 0, offset); }
  and(k: u32): i32 { return this.push(BPF_ALU_AND_K, 0, 0, k); }

  // A stub when the jump (and a possible stub for its other target) would not reach label.
  private reach(label: i32): i32 {
    if (this.offset(label) + 1 <= MAX_SHORT_JUMP) return label;
    return this.push(BPF_JMP_JA, 0, 0, <u32>this.offset(label));
  }

  /** if (A <op> k) goto jt else goto jf. */
  jump(code: u16, k: u32, jt: i32, jf: i32): i32 {
    const t = this.reach(jt);
    const f = this.reach(jf);
    return this.push(code, this.offset(t), this.offset(f), k);
  }

  /** The program in order, 8 bytes per instruction. */
  words(): u64[] {
    const n = this.rev.length;
    const out = new Array<u64>(n);
    for (let i = 0; i < n; i++) out[i] = this.rev[n - 1 - i];
    return out;
  }
}
