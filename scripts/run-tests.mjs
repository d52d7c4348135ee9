// npm test: runs every uvu suite under Bun (which runs the TypeScript directly), one suite
// directory after the other, and ends with the totals on one line: "N passed, N failed, N
// skipped". test/clients drives ocirun through the engines (docker, podman); test/vm boots a
// cgroup v2 guest and runs the cgroup suites there (test/vm/run-suites.mjs). Args: suite directories (default: all). Integration suites need root.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bun = repo + "node_modules/.bin/bun";
const suites = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["test/unit/core", "test/unit/host", "test/fuzz", "test/integration", "test/clients", "test/vm"];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const suite of suites) {
  console.log(`\n== ${suite}`);
  const opts = { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FORCE_COLOR: "0" } };
  const r = suite === "test/vm"
    ? spawnSync(process.execPath, [repo + "test/vm/run-suites.mjs"], opts)
    : spawnSync(bun, [repo + "node_modules/uvu/bin.js", suite, "\\.test\\.ts$"], opts);
  const out = r.stdout ?? "";
  process.stdout.write(out);
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skip = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // uvu's Total leaves out the skipped ones (test.skip, or a whole suite that cannot run here).
  passed += ok;
  skipped += skip;
  failed += total - ok;
  // A suite that crashed before its summary counts as one failure.
  if (r.status !== 0 && total === ok) failed++;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
