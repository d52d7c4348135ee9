// npm test's cgroup v2 part: boots a qemu guest whose only cgroup hierarchy is v2 (v2vm.sh, about
// 10-40 s a boot) once, and runs there the integration suites that depend on the cgroup mode,
// with the same files and binaries as on this host (the guest sees the host's / read-only). It
// prints uvu's report from the guest, so scripts/run-tests.mjs counts each test. Not root, every
// test counts as skipped, with the reason; a missing package that scripts/system-deps.txt lists
// (qemu, the kernel image, busybox) counts every test as failed, naming it (npm install installs it).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
// Every suite whose expectations depend on the host's cgroups.
const pattern = /^(cgroups.*|rootless|checkpoint)\.test\.ts$/;
const suites = readdirSync(repo + "test/integration").filter((f) => pattern.test(f)).sort();
// When the guest cannot run: each place a suite registers a test counts as one skipped test (a
// loop over a table counts once: the figure is a floor).
const testCount = suites.reduce((n, f) => n + (readFileSync(repo + "test/integration/" + f, "utf8").match(/^\(?.*\b(test|sdTest)(\.skip)?\)?\(\s*[`"']/gm) ?? []).length, 0);

function skipAll(reason) {
  console.log(`skipped: the cgroup v2 suites (${suites.join(", ")}): ${reason}`);
  // uvu's way: Total counts the tests that ran, Skipped the others.
  console.log(`\n  Total:     0\n  Passed:    0\n  Skipped:   ${testCount}\n`);
  process.exit(0);
}

const systemDeps = new Set(readFileSync(repo + "scripts/system-deps.txt", "utf8").split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean));
/** A missing package: a failure when npm install should have installed it, else a skip. */
function missingPackage(pkg, reason) {
  if (!systemDeps.has(pkg) || process.env.OCIRUN_NO_SYSTEM_DEPS === "1") skipAll(reason);
  console.log(`failed: the cgroup v2 suites (${suites.join(", ")}): prerequisite missing: ${reason}, though scripts/system-deps.sh installs it`);
  console.log(`\n  Total:     ${testCount}\n  Passed:    0\n  Skipped:   0\n`);
  process.exit(1);
}

const which = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
if (process.geteuid?.() !== 0) skipAll("needs root");
if (!which("qemu-system-x86_64")) missingPackage("qemu-system-x86", "qemu-system-x86_64 is not installed (package qemu-system-x86)");
if (!existsSync("/boot") || !readdirSync("/boot").some((f) => f.startsWith("vmlinuz-"))) missingPackage("linux-image-amd64", "no kernel image in /boot (package linux-image-amd64)");
if (!existsSync("/bin/busybox")) missingPackage("busybox-static", "no /bin/busybox (package busybox-static)");

// The guest may boot a throwaway systemd for cgroups-systemd.test.ts (test/util/throwaway-systemd.ts).
const inner = `cd ${repo} && FORCE_COLOR=0 OCIRUN_TEST_THROWAWAY_SYSTEMD=1 node_modules/.bin/bun node_modules/uvu/bin.js test/integration '${pattern.source}'`;
const r = spawnSync("bash", [repo + "test/vm/v2vm.sh", inner], {
  encoding: "utf8", timeout: 30 * 60_000, env: { ...process.env, V2VM_MEM: process.env.V2VM_MEM ?? "2G", V2VM_CRIU: "1" },
});
process.stdout.write(r.stdout ?? "");
process.stderr.write(r.stderr ?? "");
if (!/Total:\s+\d+/.test(r.stdout ?? "")) {
  // The guest never reported: every test failed to run.
  console.log(`the guest did not report (status ${r.status}, ${r.error ?? ""})\n\n  Total:     ${testCount}\n  Passed:    0\n  Skipped:   0\n`);
  process.exit(1);
}
process.exit(r.status === 0 ? 0 : 1);
