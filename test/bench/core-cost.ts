// The core's cost inside one `create`, as a fresh process pays it, for a large config (podman's
// default seccomp profile and 57 mounts): core.wasm (compile, instantiate and plan) and the
// native core compiled into the addon (load the addon, plan). Each sample is a new Bun process,
// so nothing is warm; the two kinds alternate. Usage: bun test/bench/core-cost.ts [N]
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { runCoreModule } from "../../host/core/wasi-run";
import { encodeRequest } from "../../host/core/protocol";

const here = new URL(".", import.meta.url).pathname;
const root = here + "../../";
const addonPath = root + "addon/build/Release/ocirun.node";

export function largeConfig(): Uint8Array {
  const c = JSON.parse(readFileSync(root + "test/golden/plans/seccomp-podman/config.json", "utf8"));
  for (let i = 0; c.mounts.length < 57; i++) {
    c.mounts.push({ destination: `/data/vol${i}`, type: "bind", source: `/srv/vol${i}`, options: ["rbind", "ro", "nosuid", "nodev"] });
  }
  return new TextEncoder().encode(JSON.stringify(c));
}

function request(): Uint8Array {
  const facts = { bundle: "/b", euid: 0, cgroup: "v2" as const, noPivot: false, id: "bench", newKeyring: true, cgroupV1: [] };
  return encodeRequest("plan", facts as never, largeConfig());
}

/** [compile, instantiate+plan (cold), plan again (warm)] in ms. */
function wasmSample(): number[] {
  const req = request();
  const bytes = readFileSync(root + "build/core.wasm");
  const t0 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t1 = performance.now();
  const out = runCoreModule(module, req);
  const t2 = performance.now();
  if (out.length < 100) throw new Error("no plan");
  runCoreModule(module, req);
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2];
}

/** [load the addon, plan (cold), plan again (warm)] in ms. */
function nativeSample(): number[] {
  const req = request();
  const t0 = performance.now();
  const addon = require(addonPath) as { runCore(r: Uint8Array): Uint8Array | object };
  const t1 = performance.now();
  const out = addon.runCore(req);
  const t2 = performance.now();
  if (!(out instanceof Uint8Array) || out.length < 100) throw new Error("no plan");
  addon.runCore(req);
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2];
}

if (!import.meta.main) {
  // imported for largeConfig()
} else if (process.argv[2] === "--sample") {
  console.log(JSON.stringify(process.argv[3] === "native" ? nativeSample() : wasmSample()));
} else {
  const n = Number(process.argv[2] ?? 15);
  const rows: Record<"wasm" | "native", number[][]> = { wasm: [], native: [] };
  for (let i = 0; i < n; i++) {
    for (const kind of ["wasm", "native"] as const) {
      const r = spawnSync(process.execPath, [import.meta.path, "--sample", kind], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      rows[kind].push(JSON.parse(r.stdout));
    }
  }
  const median = (kind: "wasm" | "native", k: number) => rows[kind].map((r) => r[k]).sort((a, b) => a - b)[Math.floor(n / 2)];
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const size = readFileSync(root + "build/core.wasm").length;
  console.log(`core.wasm ${(size / 1024).toFixed(1)} KB, config ${(largeConfig().length / 1024).toFixed(1)} KB, ${n} fresh processes each (medians):`);
  const [compile, cold, warm] = [0, 1, 2].map((k) => median("wasm", k));
  console.log(`  wasm:   compile ${ms(compile)}, instantiate+plan (cold) ${ms(cold)}, total ${ms(compile + cold)}; warm plan ${ms(warm)}`);
  const [load, nCold, nWarm] = [0, 1, 2].map((k) => median("native", k));
  console.log(`  native: load the addon ${ms(load)}, plan (cold) ${ms(nCold)}, total ${ms(load + nCold)}; warm plan ${ms(nWarm)}`);
}
