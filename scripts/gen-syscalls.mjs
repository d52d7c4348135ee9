// Generates assembly/seccomp/syscalls.gen.ts, the seccomp syscall tables, from the kernel UAPI
// headers installed on this machine. Every arch goes through the C preprocessor on its own
// <asm/unistd.h>: only the arch's include tree (-nostdinc -undef), plus the macro that selects the
// arch's table (__i386__, __ILP32__, __ARM_EABI__). cpp expands each __NR_ macro to integer
// literals, which are summed here. `--check` exits 1 if the committed tables differ.
import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outFile = root + "assembly/seccomp/syscalls.gen.ts";

// The order is the ARCH_* index. `dir` is the only include directory, and every header cpp reads
// must come from under it, so asm-generic/unistd.h is the one from the arch's own tree.
export const ARCHES = [
  { name: "X86_64", dir: "/usr/include/x86_64-linux-gnu", defines: [], pkg: "linux-libc-dev" },
  { name: "X86", dir: "/usr/include/x86_64-linux-gnu", defines: ["__i386__"], pkg: "linux-libc-dev" },
  { name: "X32", dir: "/usr/include/x86_64-linux-gnu", defines: ["__ILP32__"], pkg: "linux-libc-dev" },
  { name: "AARCH64", dir: "/usr/aarch64-linux-gnu/include", defines: [], pkg: "linux-libc-dev-arm64-cross" },
  { name: "ARM", dir: "/usr/arm-linux-gnueabihf/include", defines: ["__ARM_EABI__"], pkg: "linux-libc-dev-armhf-cross" },
];

// __NR_ macros that are not syscalls. Any other __NR_ name that is not lower case stops the
// script, so a new marker in a later kernel is noticed instead of becoming a "syscall".
const MARKERS = new Set([
  "syscalls", // asm-generic: the size of the table
  "arch_specific_syscall", // asm-generic: the first number of the arch's private range
  "SYSCALL_BASE", "OABI_SYSCALL_BASE", "SYSCALL_MASK", // arm
]);
// The ARM private syscalls, __ARM_NR_name = __ARM_NR_BASE + k, named without the prefix.
const ARM_PRIVATE = ["breakpoint", "cacheflush", "usr26", "usr32", "set_tls", "get_tls"];
const ARM_PRIVATE_BASE = 0x0f0000;
const X32_SYSCALL_BIT = 0x40000000;
// Stored numbers: 0xFFFF when the arch has no such syscall; ARM private 0x0f0000 + k as 0xF000 + k.
const NONE = 0xffff;
const PRIVATE_STORED = 0xf000;

function fail(message) {
  console.error("gen-syscalls: " + message);
  process.exit(1);
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error?.code === "ENOENT") fail(`${cmd} not found: apt-get install ${cmd === "cpp" ? "cpp" : "dpkg"}`);
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")}: ${(r.stderr.trim().split("\n")[0] || "exit " + r.status)}`);
  return r;
}

// Evaluates what cpp left of a macro: integer literals, + and -, parentheses. Anything else (an
// identifier left unexpanded, a cast, another operator) stops the script, naming the macro.
export function evaluate(text, what) {
  const tokens = text.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\S/g) ?? [];
  let i = 0;
  const bad = () => fail(`${what}: cannot evaluate "${text.trim()}"`);
  const primary = () => {
    const t = tokens[i++];
    if (t === "(") { const v = sum(); if (tokens[i++] !== ")") bad(); return v; }
    if (t === "-") return -primary();
    if (t === "+") return primary();
    if (t === undefined || !/^\d/.test(t)) bad();
    const digits = t.replace(/[uUlL]+$/, "");
    return /^0[xX]/.test(digits) ? parseInt(digits, 16) : /^0\d/.test(digits) ? parseInt(digits, 8) : parseInt(digits, 10);
  };
  const sum = () => {
    let v = primary();
    while (tokens[i] === "+" || tokens[i] === "-") v = tokens[i++] === "+" ? v + primary() : v - primary();
    return v;
  };
  const v = sum();
  if (i !== tokens.length || !Number.isSafeInteger(v)) bad();
  return v;
}

// One arch: name -> real number (x32 without __X32_SYSCALL_BIT), the ARM private names, and the
// headers cpp read.
export function readArch(arch) {
  const entry = arch.dir + "/asm/unistd.h";
  if (!existsSync(entry)) fail(`${entry} missing: apt-get install ${arch.pkg}`);
  const flags = ["-undef", "-nostdinc", "-I", arch.dir, ...arch.defines.map((d) => "-D" + d)];

  // Pass 1: the macro names (-dM) and the include trace (-H, on stderr).
  const pass1 = run("cpp", [...flags, "-dM", "-H", "-"], "#include <asm/unistd.h>\n");
  const headers = [];
  for (const line of pass1.stderr.split("\n")) {
    const m = /^\.+ (\S+)$/.exec(line);
    if (!m) continue;
    if (!m[1].startsWith(arch.dir + "/")) fail(`${arch.name}: cpp read ${m[1]}, outside ${arch.dir}`);
    headers.push(m[1]);
  }
  const names = [];
  const privates = [];
  for (const line of pass1.stdout.split("\n")) {
    let m = /^#define __NR_(\w+)(\(?)/.exec(line);
    if (m) {
      if (m[2]) fail(`${arch.name}: __NR_${m[1]} is a function-like macro`);
      if (MARKERS.has(m[1])) continue;
      if (!/^[a-z_][a-z0-9_]*$/.test(m[1])) fail(`${arch.name}: unexpected macro __NR_${m[1]} (add it to MARKERS if it is not a syscall)`);
      names.push(m[1]);
      continue;
    }
    m = /^#define __ARM_NR_(\w+)/.exec(line);
    if (m && m[1] !== "BASE") {
      if (arch.name !== "ARM" || !ARM_PRIVATE.includes(m[1])) fail(`${arch.name}: unexpected macro __ARM_NR_${m[1]}`);
      privates.push(m[1]);
    }
  }
  if (arch.name === "ARM" && privates.length !== ARM_PRIVATE.length) fail(`ARM: expected __ARM_NR_{${ARM_PRIVATE.join(",")}}, found {${privates.join(",")}}`);
  if (names.length < 200) fail(`${arch.name}: only ${names.length} __NR_ macros in ${entry}`);

  // Pass 2: cpp expands every macro, each on a line that starts with its name.
  const probe = ["#include <asm/unistd.h>"];
  for (const n of names) probe.push(`@@ ${n} __NR_${n}`);
  for (const n of privates) probe.push(`@@ ${n} __ARM_NR_${n}`);
  const pass2 = run("cpp", [...flags, "-P", "-"], probe.join("\n") + "\n");
  const numbers = new Map();
  for (const line of pass2.stdout.split("\n")) {
    const m = /^@@ (\w+) (.*)$/.exec(line);
    if (!m) continue;
    let nr = evaluate(m[2], `${arch.name} ${m[1]}`);
    if (arch.name === "X32") {
      if (nr < X32_SYSCALL_BIT) fail(`X32: ${m[1]} = ${nr} lacks __X32_SYSCALL_BIT`);
      nr -= X32_SYSCALL_BIT;
    }
    if (privates.includes(m[1])) {
      if (nr - ARM_PRIVATE_BASE < 0 || nr - ARM_PRIVATE_BASE >= NONE - PRIVATE_STORED) fail(`ARM: ${m[1]} = ${nr} outside the private range`);
    } else if (nr < 0 || nr >= PRIVATE_STORED) fail(`${arch.name}: ${m[1]} = ${nr} does not fit below 0x${PRIVATE_STORED.toString(16)}`);
    if (numbers.has(m[1])) fail(`${arch.name}: ${m[1]} defined twice`);
    numbers.set(m[1], nr);
  }
  if (numbers.size !== names.length + privates.length) fail(`${arch.name}: cpp expanded ${numbers.size} of ${names.length + privates.length} macros`);
  return { numbers, privates: new Set(privates), headers };
}

// x86 (i386) also reaches the socket calls through socketcall(2) and the SysV IPC calls through
// ipc(2), with the call's number in the first argument: linux/net.h SYS_* and linux/ipc.h.
function multiplexedCalls() {
  const calls = [];
  const net = readFileSync("/usr/include/linux/net.h", "utf8");
  for (const m of net.matchAll(/^#define SYS_([A-Z0-9]+)\s+(\d+)/gm)) calls.push([m[1].toLowerCase(), Number(m[2]), 0]);
  const ipc = readFileSync("/usr/include/linux/ipc.h", "utf8");
  for (const m of ipc.matchAll(/^#define (SEM[A-Z]+|MSG(?:SND|RCV|GET|CTL)|SHM(?:AT|DT|GET|CTL))\s+(\d+)/gm)) calls.push([m[1].toLowerCase(), Number(m[2]), 1]);
  if (calls.length < 30) fail(`only ${calls.length} socketcall/ipc calls in linux/net.h and linux/ipc.h`);
  return [
    "// x86 multiplexes these through socketcall(2) (via 0) and ipc(2) (via 1), the call number in",
    "// the first argument (linux/net.h SYS_*, linux/ipc.h).",
    `export const MULTIPLEXED_NAMES: string[] = [${calls.map((c) => JSON.stringify(c[0])).join(", ")}];`,
    `export const MULTIPLEXED_CALLS: u8[] = [${calls.map((c) => c[1]).join(", ")}];`,
    `export const MULTIPLEXED_VIA: u8[] = [${calls.map((c) => c[2]).join(", ")}];`,
    "",
  ];
}

function packageVersion(pkg) {
  return run("dpkg-query", ["-W", "-f", "${Version}", pkg]).stdout.trim();
}

function chunk(items, size) {
  const rows = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

export function generate() {
  const tables = ARCHES.map(readArch);
  const names = [...new Set(tables.flatMap((t) => [...t.numbers.keys()]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // syscall-table.ts keeps offsets into the joined names as u16.
  if (names.join("\n").length >= 0xffff) fail(`${names.length} names do not fit u16 offsets`);
  const headers = [...new Set(tables.flatMap((t) => t.headers))];
  const pkgs = [...new Set(ARCHES.map((a) => a.pkg))];
  const out = [
    "// Generated by scripts/gen-syscalls.mjs from the kernel headers; do not edit.",
    `// Headers: ${headers.join(", ")}.`,
    `// Packages: ${pkgs.map((p) => `${p} ${packageVersion(p)}`).join(", ")}.`,
    "",
    `export const SYSCALL_COUNT: i32 = ${names.length};`,
    "// Every syscall name of any of the arches, sorted (byte order), joined by \"\\n\", as ASCII bytes",
    "// (a string literal would be stored as UTF-16, twice the size). The names, for reading:",
    ...chunk(names, 12).map((row) => `//   ${row.join(" ")}`),
    "export const SYSCALL_NAMES: StaticArray<u8> = [",
    ...chunk([...Buffer.from(names.join("\n"), "ascii")], 40).map((row) => `  ${row.join(",")},`),
    "];",
    "",
    "// Arch indexes: the rows of SYSCALL_NR.",
    ...ARCHES.map((a, i) => `export const ARCH_${a.name}: i32 = ${i};`),
    `export const ARCH_COUNT: i32 = ${ARCHES.length};`,
    "",
    "// Per arch, indexed by the name's position in SYSCALL_NAMES: the syscall number, or 0xFFFF when",
    "// the arch has no such syscall. ARM private syscalls (0x0f0000 + k) are stored as 0xF000 + k.",
    "// x32 numbers are stored without __X32_SYSCALL_BIT: the x32 number is 0x40000000 + the stored one.",
    "export const SYSCALL_NR: StaticArray<u16> = [",
  ];
  ARCHES.forEach((a, i) => {
    const t = tables[i];
    const row = names.map((n) => {
      if (!t.numbers.has(n)) return NONE;
      const nr = t.numbers.get(n);
      return t.privates.has(n) ? PRIVATE_STORED + nr - ARM_PRIVATE_BASE : nr;
    });
    out.push(`  // ${a.name}: ${t.numbers.size} syscalls`, `  ${row.join(",")},`);
  });
  out.push("];", "");
  out.push(...multiplexedCalls());
  return { text: out.join("\n"), names, tables };
}

// The provenance lines (headers, package versions) are left out of --check: an upgrade of the
// header packages that changes no syscall is not drift.
const tablesOf = (text) => text.split("\n").filter((l) => !/^\/\/ (Headers|Packages): /.test(l)).join("\n");

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A build on a machine without the cross headers keeps the committed tables (and says so);
  // --check, which the tests run, insists on the headers.
  const missing = ARCHES.filter((a) => !existsSync(a.dir + "/asm/unistd.h"));
  if (missing.length > 0 && !process.argv.includes("--check") && existsSync(outFile)) {
    console.warn(`gen-syscalls: no ${missing.map((a) => a.dir + "/asm/unistd.h").join(", ")}: keeping the committed ${outFile} (apt-get install ${[...new Set(missing.map((a) => a.pkg))].join(" ")} to regenerate it)`);
    process.exit(0);
  }
  const { text, names, tables } = generate();
  if (process.argv.includes("--check")) {
    let current = "";
    try { current = readFileSync(outFile, "utf8"); } catch {}
    if (tablesOf(current) !== tablesOf(text)) {
      console.error(`gen-syscalls: ${outFile} is stale (it differs from this machine's kernel headers): run node scripts/gen-syscalls.mjs`);
      process.exit(1);
    }
  } else {
    mkdirSync(root + "assembly/seccomp", { recursive: true });
    writeFileSync(outFile, text);
    console.log(`gen-syscalls: ${names.length} names; ${ARCHES.map((a, i) => `${a.name} ${tables[i].numbers.size}`).join(", ")}`);
  }
}
