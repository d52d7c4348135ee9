// The core's cost inside one `create`, as a fresh process pays it: compile core.wasm,
// instantiate, plan a large config (podman's default seccomp profile and 50+ mounts).
// Each sample is a new Bun process, so nothing is warm. Usage: bun test/bench/core-cost.ts [N]
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { runCoreModule } from "../../host/core/wasi-run";
import { encodeRequest } from "../../host/core/protocol";

const here = new URL(".", import.meta.url).pathname;
const root = here + "../../";

export function largeConfig(): Uint8Array {
  const c = JSON.parse(readFileSync(root + "test/golden/plans/seccomp-podman/config.json", "utf8"));
  for (let i = 0; c.mounts.length < 57; i++) {
    c.mounts.push({ destination: `/data/vol${i}`, type: "bind", source: `/srv/vol${i}`, options: ["rbind", "ro", "nosuid", "nodev"] });
  }
  return new TextEncoder().encode(JSON.stringify(c));
}

function sample(): number[] {
  const config = largeConfig();
  const bytes = readFileSync(root + "build/core.wasm");
  const t0 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t1 = performance.now();
  const facts = { bundle: "/b", euid: 0, cgroup: "v2" as const, noPivot: false, id: "bench", newKeyring: true, cgroupV1: [] };
  const out = runCoreModule(module, encodeRequest("plan", facts as never, config));
  const t2 = performance.now();
  if (out.length < 100) throw new Error("no plan");
  // A second run in the same process: the warm cost, for comparison.
  runCoreModule(module, encodeRequest("plan", facts as never, config));
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2];
}

if (!import.meta.main) {
  // imported for largeConfig()
} else if (process.argv[2] === "--sample") {
  console.log(JSON.stringify(sample()));
} else {
  const n = Number(process.argv[2] ?? 15);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, [import.meta.path, "--sample"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    rows.push(JSON.parse(r.stdout));
  }
  const median = (k: number) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(n / 2)];
  const size = readFileSync(root + "build/core.wasm").length;
  console.log(`core.wasm ${(size / 1024).toFixed(1)} KB, config ${(largeConfig().length / 1024).toFixed(1)} KB, ${n} fresh processes (medians):`);
  console.log(`  compile ${median(0).toFixed(2)} ms, instantiate+plan (cold) ${median(1).toFixed(2)} ms, total ${(median(0) + median(1)).toFixed(2)} ms; warm plan ${median(2).toFixed(2)} ms`);
}
