// The seccomp program the core compiles for podman's default profile against libseccomp's
// (as runc <= 1.1 gets it, and with runc >= 1.2's binary tree): length, and instructions run
// per syscall (mean, worst) over every x86_64 and x86 number 0..599 with a few argument sets.
// Usage: bun test/bench/seccomp-program.ts
import { readFileSync } from "node:fs";
import { repo } from "../util/core";
import { coreProgram } from "../util/seccomp-plan";
import { libseccompExport, libseccompVersion, type OciSeccomp } from "../util/libseccomp-referee";
import { runSeccomp, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 } from "../util/cbpf-vm";

const podman: OciSeccomp = JSON.parse(readFileSync(repo + "test/golden/plans/seccomp-podman/config.json", "utf8")).linux.seccomp;
const argSets = [[0n, 0n, 0n, 0n, 0n, 0n], [1n, 2n, 3n, 4n, 5n, 6n], [0xffffffffn, 8n, 9n, 0n, 0n, 0n], [131072n, 16n, 9n, 0n, 0n, 0n]];

function figures(program: Uint8Array, arch: number) {
  const steps: number[] = [];
  for (let nr = 0; nr < 600; nr++) for (const args of argSets) steps.push(runSeccomp(program, { nr, arch, args }).steps);
  return { mean: steps.reduce((a, b) => a + b, 0) / steps.length, worst: Math.max(...steps) };
}

const rows: [string, Uint8Array][] = [
  ["ocirun", coreProgram(podman)],
  [`libseccomp ${libseccompVersion()} (runc <= 1.1)`, libseccompExport(podman)],
  [`libseccomp ${libseccompVersion()} optimize 2 (runc >= 1.2)`, libseccompExport(podman, { optimize: 2 })],
];
console.log(`podman's default profile (${podman.syscalls!.reduce((n, r) => n + r.names.length, 0)} names, ${podman.architectures!.join(" ")})`);
console.log("program                                   insns   x86_64 mean/worst   x86 mean/worst");
for (const [name, program] of rows) {
  const a = figures(program, AUDIT_ARCH_X86_64);
  const b = figures(program, AUDIT_ARCH_I386);
  console.log(`${name.padEnd(42)}${String(program.length / 8).padStart(5)}   ${a.mean.toFixed(1).padStart(8)} / ${String(a.worst).padEnd(6)} ${b.mean.toFixed(1).padStart(8)} / ${b.worst}`);
}
