// Runs the built core (build/core.wasm) on a config object or bytes, for unit tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCoreModule } from "../../host/core/wasi-run";
import { encodeRequest, decodeVerdict, type CoreOp, type HostFacts, type Verdict } from "../../host/core/protocol";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
// OCIRUN_CORE_WASM: test another build of the core (each engineer may build their own).
export const coreWasmPath = process.env.OCIRUN_CORE_WASM ?? repo + "build/core.wasm";
const module = new WebAssembly.Module(readFileSync(coreWasmPath));

export const defaultFacts: HostFacts = {
  bundle: "/bundle",
  euid: 0,
  cgroup: "hybrid",
  noPivot: false,
  // The development machines' hybrid layout (DESIGN.md): one hierarchy per controller.
  cgroupV1: ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"].map((c) => ({ dir: c, options: c }))
    .concat([{ dir: "systemd", options: "name=systemd" }]),
};

export function coreRaw(op: CoreOp, config: Uint8Array | string, facts: Partial<HostFacts> = {}): Uint8Array {
  const bytes = typeof config === "string" ? new TextEncoder().encode(config) : config;
  return runCoreModule(module, encodeRequest(op, { ...defaultFacts, ...facts }, bytes, { text: op === "plan" || op === "exec" }));
}

export function core(op: CoreOp, config: unknown, facts: Partial<HostFacts> = {}): Verdict {
  const text = typeof config === "string" ? config : JSON.stringify(config, null, 2);
  return decodeVerdict(coreRaw(op, text, facts));
}

export function errorsOf(v: Verdict): string[] {
  return v.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.pointer}: ${d.message}`);
}

export function warningsOf(v: Verdict): string[] {
  return v.diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.pointer}: ${d.message}`);
}

/** A minimal valid config, to patch in table-driven tests. */
export function baseConfig(): any {
  return {
    ociVersion: "1.3.0",
    root: { path: "rootfs" },
    process: { args: ["/bin/true"], cwd: "/", env: ["PATH=/bin"] },
    linux: { namespaces: [{ type: "mount" }, { type: "pid" }] },
  };
}

/** Applies {"/json/pointer": value} patches (undefined deletes) to a copy of obj. */
export function patch(obj: any, patches: Record<string, unknown>): any {
  const out = structuredClone(obj);
  for (const [ptr, value] of Object.entries(patches)) {
    const keys = ptr.split("/").slice(1).map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    let o = out;
    for (const k of keys.slice(0, -1)) o = o[k] ??= {};
    const last = keys[keys.length - 1];
    if (value === undefined) delete o[last];
    else o[last] = value;
  }
  return out;
}
