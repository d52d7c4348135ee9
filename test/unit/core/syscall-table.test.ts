// The seccomp syscall tables (assembly/seccomp/syscalls.gen.ts), generated from the kernel headers
// by scripts/gen-syscalls.mjs: not stale, right on a few known numbers, and every entry equal to
// what gcc itself makes of the headers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const text = readFileSync(repo + "assembly/seccomp/syscalls.gen.ts", "utf8");
const ARCHES = ["X86_64", "X86", "X32", "AARCH64", "ARM"];
const NONE = 0xffff;

const count = Number(/^export const SYSCALL_COUNT: i32 = (\d+);$/m.exec(text)![1]);
const nameBytes = /^export const SYSCALL_NAMES: StaticArray<u8> = \[([^\]]*)\];$/m.exec(text)![1].split(",").map((x) => x.trim()).filter(Boolean).map(Number);
const names: string[] = Buffer.from(nameBytes).toString("ascii").split("\n");
const rows = new Map<string, number[]>();
for (const m of text.matchAll(/^ {2}\/\/ (\w+): \d+ syscalls\n {2}([\d,]+),$/gm)) rows.set(m[1], m[2].split(",").map(Number));

// The real number, as syscall-table.ts decodes it, or -1.
function nr(arch: string, name: string): number {
  const i = names.indexOf(name);
  const v = i < 0 ? NONE : rows.get(arch)![i];
  if (v === NONE) return -1;
  if (arch === "X32") return 0x40000000 + v;
  if (arch === "ARM" && v >= 0xf000) return 0x0f0000 + v - 0xf000;
  return v;
}

test("the committed tables match this machine's kernel headers", () => {
  // gen-syscalls --check exits 1 when assembly/seccomp/syscalls.gen.ts drifted.
  execFileSync(/bun(\.exe)?$/.test(process.execPath) ? "node" : process.execPath, [repo + "scripts/gen-syscalls.mjs", "--check"], { stdio: "pipe" });
});

test("names sorted in byte order, one row per arch, arch indexes in order", () => {
  assert.is(names.length, count);
  for (let i = 1; i < names.length; i++) assert.ok(names[i - 1] < names[i], `${names[i - 1]} < ${names[i]}`);
  assert.equal([...rows.keys()], ARCHES);
  for (const [arch, row] of rows) assert.is(row.length, count, arch);
  ARCHES.forEach((a, i) => assert.match(text, `export const ARCH_${a}: i32 = ${i};`));
  // Every name is a syscall of some arch.
  names.forEach((_, i) => assert.ok(ARCHES.some((a) => rows.get(a)![i] !== NONE), names[i]));
});

test("known numbers", () => {
  const facts: [string, string, number][] = [
    ["X86_64", "read", 0], ["X86_64", "openat", 257], ["X86_64", "socket", 41], ["X86_64", "execve", 59],
    ["X86", "socketcall", 102], ["X86", "_llseek", 140], ["X86", "openat", 295],
    ["X32", "read", 0x40000000], ["X32", "execve", 0x40000000 + 520], ["X32", "preadv2", 0x40000000 + 546],
    ["AARCH64", "openat", 56], ["AARCH64", "fstat", 80], ["AARCH64", "open", -1], ["AARCH64", "socketcall", -1],
    ["ARM", "openat", 322], ["ARM", "cacheflush", 0x0f0002], ["ARM", "set_tls", 0x0f0005], ["ARM", "_llseek", 140],
    ["X86_64", "_llseek", -1], ["X86_64", "cacheflush", -1], ["X86", "no_such_syscall", -1],
  ];
  for (const [arch, name, want] of facts) assert.is(nr(arch, name), want, `${arch} ${name}`);
  for (const marker of ["syscalls", "arch_specific_syscall", "SYSCALL_BASE", "OABI_SYSCALL_BASE", "SYSCALL_MASK"]) assert.not.ok(names.includes(marker), marker);
});

// gcc's own flags for each arch's <asm/unistd.h>; x86_64 is the compiler's native target.
const gccFlags: Record<string, string[]> = {
  X86_64: [],
  X86: ["-D__i386__"],
  X32: ["-mx32", "-nostdinc", "-I/usr/include/x86_64-linux-gnu"],
  AARCH64: ["-nostdinc", "-I/usr/aarch64-linux-gnu/include"],
  ARM: ["-nostdinc", "-I/usr/arm-linux-gnueabihf/include", "-D__ARM_EABI__"],
};

test("every entry is what gcc makes of the headers", () => {
  if (spawnSync("gcc", ["--version"]).error) return; // no compiler here: the spot checks stand
  for (const arch of ARCHES) {
    const src = ["#include <asm/unistd.h>"];
    names.forEach((name, i) => {
      const v = rows.get(arch)![i];
      const macro = arch === "ARM" && v !== NONE && v >= 0xf000 ? `__ARM_NR_${name}` : `__NR_${name}`;
      if (v === NONE) src.push(`#ifdef ${macro}`, `#error "${arch} has ${macro}"`, "#endif");
      else src.push(`_Static_assert(${macro} == ${nr(arch, name)}, "${arch} ${name}");`);
    });
    const r = spawnSync("gcc", ["-fsyntax-only", "-x", "c", ...gccFlags[arch], "-"], { input: src.join("\n") + "\n", encoding: "utf8" });
    assert.is(r.status, 0, `${arch}: ${r.stderr.split("\n").filter((l) => /error/.test(l)).slice(0, 5).join("\n")}`);
  }
});

test.run();
