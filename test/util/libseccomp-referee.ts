// The referee for the seccomp compiler: libseccomp's own BPF for an OCI linux.seccomp object,
// built the way runc builds it. test/seccomp/libseccomp-export.c does the libseccomp calls;
// this file compiles it (once per source version, cached in os.tmpdir()), writes its line
// format from the OCI object and reads back the program.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeCbpf, type CInsn } from "./cbpf-vm";

export const exportSource = fileURLToPath(new URL("../seccomp/libseccomp-export.c", import.meta.url));

type U64 = number | bigint | string;
export type OciSeccomp = {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: { names: string[]; action: string; errnoRet?: number; args?: { index: number; value: U64; valueTwo?: U64; op: string }[] }[];
};

/**
 * optimize: absent for libseccomp's default (level 1, what runc up to 1.1 gets), 2 for the
 * binary tree, "runc" for runc >= 1.2's choice: level 2 when the profile has more than 32
 * rules, counting one per name (libcontainer/seccomp/seccomp_linux.go).
 */
export type RefereeOptions = { optimize?: 1 | 2 | "runc" };

let binary: string | undefined;

/** Builds test/seccomp/libseccomp-export.c unless this version is already built; its path. */
export function refereeBinary(): string {
  if (binary) return binary;
  const source = readFileSync(exportSource);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "ocirun-libseccomp-export");
  const out = join(dir, `libseccomp-export-${hash}`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    // Build under a private name, then rename: parallel test runs never see half a binary.
    const tmp = `${out}.${process.pid}.tmp`;
    const r = spawnSync("gcc", ["-O1", "-Wall", "-o", tmp, exportSource, "-lseccomp"], { encoding: "utf8" });
    if (r.error) throw new Error(`gcc: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`gcc ${exportSource} failed (is libseccomp-dev installed?):\n${r.stderr}`);
    renameSync(tmp, out);
  }
  return (binary = out);
}

const strip = (prefix: string, name: string, where: string) => {
  if (typeof name !== "string" || !name.startsWith(prefix) || /\s/.test(name)) throw new Error(`${where}: ${JSON.stringify(name)} is not ${prefix}*`);
  return name.slice(prefix.length);
};

const u64 = (v: U64 | undefined, where: string): string => {
  if (v === undefined) return "0";
  if (typeof v === "number" && !Number.isSafeInteger(v)) throw new Error(`${where}: ${v} is not an exact integer (pass a bigint)`);
  const b = BigInt(v);
  if (b < 0n || b >= 1n << 64n) throw new Error(`${where}: ${v} is not a u64`);
  return b.toString();
};

const errno = (v: number | undefined) => (v === undefined ? "-1" : String(v));

/** The program's input for an OCI seccomp object (format: top of libseccomp-export.c). */
export function refereeInput(seccomp: OciSeccomp, opts: RefereeOptions = {}): string {
  const lines = [`default ${strip("SCMP_ACT_", seccomp.defaultAction, "defaultAction")} ${errno(seccomp.defaultErrnoRet)}`];
  (seccomp.architectures ?? []).forEach((a, n) => lines.push(`arch ${strip("SCMP_ARCH_", a, `architectures/${n}`)}`));
  (seccomp.flags ?? []).forEach((f, n) => lines.push(`flag ${strip("SECCOMP_FILTER_FLAG_", f, `flags/${n}`)}`));
  const rules = (seccomp.syscalls ?? []).reduce((sum, s) => sum + s.names.length, 0);
  const level = opts.optimize === "runc" ? (rules > 32 ? 2 : undefined) : opts.optimize;
  if (level !== undefined) lines.push(`optimize ${level}`);
  (seccomp.syscalls ?? []).forEach((s, n) => {
    const at = `syscalls/${n}`;
    const action = strip("SCMP_ACT_", s.action, `${at}/action`);
    const args = (s.args ?? []).map((a, m) =>
      [a.index, strip("SCMP_CMP_", a.op, `${at}/args/${m}/op`), u64(a.value, `${at}/args/${m}/value`), u64(a.valueTwo, `${at}/args/${m}/valueTwo`)].join(" "));
    for (const name of s.names) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`${at}/names: ${JSON.stringify(name)} is not a syscall name`);
      lines.push(["rule", name, action, errno(s.errnoRet), args.length, ...args].join(" "));
    }
  });
  return lines.join("\n") + "\n";
}

/** libseccomp's program for the profile: 8 bytes per instruction, little-endian. */
export function libseccompExport(seccomp: OciSeccomp, opts: RefereeOptions = {}): Uint8Array {
  // libseccomp 2.5.4 loops forever on some profiles (seen with fuzzed ones): a time limit.
  const r = spawnSync(refereeBinary(), [], { input: refereeInput(seccomp, opts), maxBuffer: 1 << 24, timeout: 10_000, killSignal: "SIGKILL" });
  if (r.error) throw new Error(`libseccomp-export: ${r.error.message}`);
  if (r.signal) throw new Error(`libseccomp-export: killed by ${r.signal} (no answer in 10 s)`);
  if (r.status !== 0) throw new Error(r.stderr.toString().trim() || `libseccomp-export exited with ${r.status}`);
  const out = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength).slice();
  if (out.length === 0 || out.length % 8 !== 0) throw new Error(`libseccomp-export wrote ${out.length} bytes`);
  return out;
}

/** The version of the libseccomp the referee runs with, e.g. "2.5.4". */
export function libseccompVersion(): string {
  const r = spawnSync(refereeBinary(), ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`libseccomp-export --version: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}

/** The program as {code, jt, jf, k} records. */
export const instructions = (bytes: Uint8Array): CInsn[] => decodeCbpf(bytes);

const SCMP_ARCH_X32 = 0x4000003e;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_BIT = 0x40000000;
const RET_ENOSYS = 0x00050000 | 38;

/** runc's -ENOSYS stub (libcontainer/seccomp/patchbpf), which runc puts in front of libseccomp's
 * program, as a function of a syscall record: its ret, or undefined where the record falls
 * through to the program. Built from what libseccomp resolves (--last-syscalls). */
export function runcEnosysStub(seccomp: OciSeccomp): (data: { nr: number; arch: number }) => number | undefined {
  const defaultIsEnosys = seccomp.defaultAction === "SCMP_ACT_ERRNO" && seccomp.defaultErrnoRet === 38;
  if (defaultIsEnosys || ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"].includes(seccomp.defaultAction)) return () => undefined;
  const r = spawnSync(refereeBinary(), ["--last-syscalls"], { input: refereeInput(seccomp), encoding: "utf8", timeout: 10_000, killSignal: "SIGKILL" });
  if (r.status !== 0) throw new Error(r.stderr.trim() || `libseccomp-export --last-syscalls exited with ${r.status}`);
  // Per audit arch: the largest number, and on x86_64 x32's apart.
  const last = new Map<number, { plain?: number; x32?: number }>();
  for (const line of r.stdout.trim().split("\n").filter(Boolean)) {
    const [token, nr] = line.split(" ").map(Number);
    const audit = token === SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
    const entry = last.get(audit) ?? {};
    if (token === SCMP_ARCH_X32) entry.x32 = nr;
    else entry.plain = nr;
    last.set(audit, entry);
  }
  return ({ nr, arch }) => {
    const e = last.get(arch >>> 0);
    if (!e) return undefined;
    const n = nr >>> 0;
    let limit: number | undefined;
    if ((arch >>> 0) === AUDIT_ARCH_X86_64) {
      const x32 = (n & X32_BIT) !== 0;
      // Only one of the two in the filter: the other's numbers fall through.
      limit = x32 ? e.x32 : e.plain;
    } else {
      limit = e.plain;
    }
    return limit !== undefined && n > limit ? RET_ENOSYS : undefined;
  };
}
