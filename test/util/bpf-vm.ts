// A tiny eBPF interpreter for the programs the core makes: BPF_PROG_TYPE_CGROUP_DEVICE over
// struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }. It knows only the
// instructions such programs need and throws on anything else, and on what the kernel's
// verifier would refuse: backward or out-of-range jumps, unreachable instructions, reads of
// unset registers, falling off the end.

export const DEV_BLOCK = 1;
export const DEV_CHAR = 2;
export const ACC_MKNOD = 1;
export const ACC_READ = 2;
export const ACC_WRITE = 4;

type Insn = { code: number; dst: number; src: number; off: number; imm: number };

export function decode(prog: Uint8Array): Insn[] {
  if (prog.length % 8 !== 0) throw new Error(`program length ${prog.length} is not a multiple of 8`);
  const view = new DataView(prog.buffer, prog.byteOffset, prog.byteLength);
  const out: Insn[] = [];
  for (let p = 0; p < prog.length; p += 8) {
    out.push({ code: prog[p], dst: prog[p + 1] & 0xf, src: prog[p + 1] >> 4, off: view.getInt16(p + 2, true), imm: view.getInt32(p + 4, true) });
  }
  return out;
}

/** Checks what the verifier would: every jump lands forward inside the program, all reachable. */
export function verify(prog: Uint8Array): void {
  const insns = decode(prog);
  const reached = new Array(insns.length).fill(false);
  const todo = [0];
  while (todo.length > 0) {
    const pc = todo.pop()!;
    if (pc >= insns.length) throw new Error(`falls off the end at ${pc}`);
    if (reached[pc]) continue;
    reached[pc] = true;
    const i = insns[pc];
    if (i.code === 0x95) continue;
    if (i.code === 0x15 || i.code === 0x55) {
      if (i.off < 0) throw new Error(`backward jump at ${pc}`);
      todo.push(pc + 1 + i.off);
    }
    todo.push(pc + 1);
  }
  const dead = reached.indexOf(false);
  if (dead >= 0) throw new Error(`unreachable instruction ${dead}`);
}

/** Runs the program on one device access; returns its r0 (1 allow, 0 deny). */
export function runDeviceProgram(prog: Uint8Array, type: number, access: number, major: number, minor: number): number {
  const insns = decode(prog);
  const ctx = [((access << 16) | type) >>> 0, major >>> 0, minor >>> 0];
  const reg: (bigint | undefined)[] = new Array(11).fill(undefined);
  reg[1] = 0n; // the context pointer: loads read ctx[off / 4]
  const get = (r: number) => {
    const v = reg[r];
    if (v === undefined) throw new Error(`read of unset r${r}`);
    return v;
  };
  const M = (1n << 64n) - 1n;
  const imm64 = (imm: number) => BigInt.asUintN(64, BigInt(imm));
  for (let pc = 0, steps = 0; pc < insns.length && steps < 100000; pc++, steps++) {
    const i = insns[pc];
    switch (i.code) {
      case 0x61: // ldxw dst, [src + off]
        if (i.src !== 1 || i.off % 4 !== 0 || i.off < 0 || i.off > 8) throw new Error(`bad context load at ${pc}`);
        reg[i.dst] = BigInt(ctx[i.off / 4]);
        break;
      case 0x57: reg[i.dst] = get(i.dst) & imm64(i.imm); break; // and64 k
      case 0x77: reg[i.dst] = (get(i.dst) >> BigInt(i.imm)) & M; break; // rsh64 k
      case 0xb7: reg[i.dst] = imm64(i.imm); break; // mov64 k
      case 0xbf: reg[i.dst] = get(i.src); break; // mov64 x
      case 0x15: if (get(i.dst) === imm64(i.imm)) pc += i.off; break; // jeq k
      case 0x55: if (get(i.dst) !== imm64(i.imm)) pc += i.off; break; // jne k
      case 0x95: return Number(get(0)); // exit
      default: throw new Error(`unknown opcode 0x${i.code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("ran off the end of the program");
}

const MNEMONIC: Record<number, string> = { 0x61: "ldxw", 0x57: "and", 0x77: "rsh", 0xb7: "mov", 0xbf: "mov", 0x15: "jeq", 0x55: "jne", 0x95: "exit" };

/** One line per instruction, for goldens: "7: jne r2, 2, +4". */
export function disassemble(prog: Uint8Array): string[] {
  return decode(prog).map((i, pc) => {
    const name = MNEMONIC[i.code] ?? `op 0x${i.code.toString(16)}`;
    let args = "";
    if (i.code === 0x61) args = ` r${i.dst}, [r${i.src}+${i.off}]`;
    else if (i.code === 0xbf) args = ` r${i.dst}, r${i.src}`;
    else if (i.code === 0x15 || i.code === 0x55) args = ` r${i.dst}, ${i.imm}, +${i.off}`;
    else if (i.code !== 0x95) args = ` r${i.dst}, ${i.imm}`;
    return `${pc}: ${name}${args}`;
  });
}
