// Syscall names to numbers per arch, over the tables scripts/gen-syscalls.mjs generates from the
// kernel headers (syscalls.gen.ts). Nothing is built at module start: the line offsets into
// SYSCALL_NAMES are computed on the first lookup.
import { SYSCALL_COUNT, SYSCALL_NAMES, SYSCALL_NR, ARCH_COUNT, ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_AARCH64, ARCH_ARM } from "./syscalls.gen";

export { ARCH_COUNT, ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_AARCH64, ARCH_ARM };

const NONE: u16 = 0xffff;
const ARM_PRIVATE_STORED: u16 = 0xf000; // stored for __ARM_NR_BASE = 0x0f0000
const ARM_PRIVATE_BASE: i64 = 0x0f0000;
const X32_SYSCALL_BIT: i64 = 0x40000000;

// starts[i] is where name i begins in SYSCALL_NAMES; starts[SYSCALL_COUNT] is length + 1, as if
// the last name too ended with "\n", so name i is [starts[i], starts[i + 1] - 1).
let starts: StaticArray<u16> | null = null;

function nameStarts(): StaticArray<u16> {
  let s = starts;
  if (s) return s;
  s = new StaticArray<u16>(SYSCALL_COUNT + 1);
  let k = 1;
  const n = SYSCALL_NAMES.length;
  for (let i = 0; i < n; i++) if (SYSCALL_NAMES[i] == 10) s[k++] = <u16>(i + 1);
  s[SYSCALL_COUNT] = <u16>(n + 1);
  starts = s;
  return s;
}

// Compares name with the names table's entry [from, to) in byte order: <0, 0 or >0.
function compareAt(name: string, from: i32, to: i32): i32 {
  const a = name.length;
  const b = to - from;
  const n = a < b ? a : b;
  for (let i = 0; i < n; i++) {
    const d = <i32>name.charCodeAt(i) - <i32>SYSCALL_NAMES[from + i];
    if (d != 0) return d;
  }
  return a - b;
}

// The position of name in SYSCALL_NAMES (the column of SYSCALL_NR), or -1.
export function syscallIndex(name: string): i32 {
  const s = nameStarts();
  let lo = 0;
  let hi = SYSCALL_COUNT - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(name, <i32>s[mid], <i32>s[mid + 1] - 1);
    if (c == 0) return mid;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

// The name at a position of SYSCALL_NAMES, for messages.
export function syscallName(index: i32): string {
  if (index < 0 || index >= SYSCALL_COUNT) return "";
  const s = nameStarts();
  return String.UTF8.decodeUnsafe(changetype<usize>(SYSCALL_NAMES) + <usize>s[index], <usize>(s[index + 1] - 1 - s[index]));
}

// The real number of the syscall at a position on an arch (x32 with __X32_SYSCALL_BIT, ARM private
// ones as 0x0f0000 + k), or -1 when the arch has no such syscall.
export function syscallNumberAt(arch: i32, index: i32): i64 {
  if (arch < 0 || arch >= ARCH_COUNT || index < 0 || index >= SYSCALL_COUNT) return -1;
  const v = unchecked(SYSCALL_NR[arch * SYSCALL_COUNT + index]);
  if (v == NONE) return -1;
  if (arch == ARCH_X32) return X32_SYSCALL_BIT + <i64>v;
  if (arch == ARCH_ARM && v >= ARM_PRIVATE_STORED) return ARM_PRIVATE_BASE + <i64>(v - ARM_PRIVATE_STORED);
  return <i64>v;
}

// The real number of a syscall on an arch, or -1 when the name is unknown on that arch.
export function syscallNumber(arch: i32, name: string): i64 {
  const index = syscallIndex(name);
  return index < 0 ? -1 : syscallNumberAt(arch, index);
}

// The highest real number on an arch (on ARM, a private one: 0x0f0000 + k), or -1.
export function maxSyscallNumber(arch: i32): i64 {
  let max: i64 = -1;
  for (let i = 0; i < SYSCALL_COUNT; i++) {
    const nr = syscallNumberAt(arch, i);
    if (nr > max) max = nr;
  }
  return max;
}

// seccomp_data.arch for an arch index (linux/audit.h); x32 shares AUDIT_ARCH_X86_64. 0 if unknown.
export function auditArch(arch: i32): u32 {
  switch (arch) {
    case ARCH_X86_64: return 0xc000003e; // AUDIT_ARCH_X86_64
    case ARCH_X86: return 0x40000003; // AUDIT_ARCH_I386
    case ARCH_X32: return 0xc000003e; // AUDIT_ARCH_X86_64, told apart by __X32_SYSCALL_BIT
    case ARCH_AARCH64: return 0xc00000b7; // AUDIT_ARCH_AARCH64
    case ARCH_ARM: return 0x40000028; // AUDIT_ARCH_ARM
    default: return 0;
  }
}
