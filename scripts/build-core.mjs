// Builds build/core.wasm with asc, and fails on any diagnostic asc prints (warnings, and the
// INFO ones such as a redundant `!`): the core is built with its compiler's checks as errors.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const r = spawnSync(root + "node_modules/.bin/asc", ["assembly/index.ts", "--target", process.argv[2] ?? "release"], { cwd: root, encoding: "utf8" });
const out = (r.stdout ?? "") + (r.stderr ?? "");
process.stdout.write(out);
const diagnostics = out.split("\n").filter((l) => /^(ERROR|WARNING|INFO)\b/.test(l.replace(/\x1b\[[0-9;]*m/g, "")));
if (r.status !== 0 || diagnostics.length > 0) {
  console.error(`build-core: asc ${r.status !== 0 ? `exited ${r.status}` : "reported"}: ${diagnostics.length} diagnostic(s) (treated as errors)`);
  process.exit(1);
}
