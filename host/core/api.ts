// The `ocirun/core` entry point: the policy core as a library for Node, Bun and browsers.
// Thin over the request/verdict formats (docs/formats.md); nothing here touches the host.
import { runCoreModule } from "./wasi-run";
import { decodeVerdict, encodeRequest, type CoreOp, type Diagnostic, type HostFacts, type Verdict } from "./protocol";

export { disassemble } from "../plan/disassemble";
export type { DecodedPlan, PlanOp } from "../plan/disassemble";
export type { CgroupMode, ContainerInfo, Diagnostic, HostFacts, Verdict } from "./protocol";

/** config.json as bytes, as its text, or as a parsed object. */
export type ConfigInput = Uint8Array | ArrayBuffer | string | object;

// A library has no host to read: a cgroup v2 host, root, bundle /bundle unless told otherwise.
export const defaultFacts: HostFacts = { bundle: "/bundle", euid: 0, cgroup: "v2", noPivot: false, cgroupV1: [] };

let module: Promise<WebAssembly.Module> | undefined;

/** Use this build of core.wasm (bytes or a compiled module) instead of the one beside this file. */
export function loadCore(wasm: BufferSource | WebAssembly.Module): Promise<WebAssembly.Module> {
  module = Promise.resolve(wasm instanceof WebAssembly.Module ? wasm : WebAssembly.compile(wasm));
  return module;
}

async function defaultWasm(): Promise<BufferSource> {
  const url = new URL("./core.wasm", import.meta.url);
  if (url.protocol === "file:") {
    // Node and Bun: fetch() cannot read file: URLs. A computed name keeps bundlers out of it.
    const fsName = "node:fs/promises";
    const fs = await import(/* @vite-ignore */ fsName);
    return fs.readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

function coreModule(): Promise<WebAssembly.Module> {
  if (!module) {
    module = defaultWasm().then((bytes) => WebAssembly.compile(bytes));
    module.catch(() => (module = undefined)); // a failed load may be retried
  }
  return module;
}

function configBytes(config: ConfigInput): Uint8Array {
  if (config instanceof Uint8Array) return config;
  if (config instanceof ArrayBuffer) return new Uint8Array(config);
  return new TextEncoder().encode(typeof config === "string" ? config : JSON.stringify(config));
}

async function ask(op: CoreOp, config: ConfigInput, facts: Partial<HostFacts> = {}): Promise<Verdict> {
  const request = encodeRequest(op, { ...defaultFacts, ...facts }, configBytes(config), { text: op === "plan" });
  return decodeVerdict(runCoreModule(await coreModule(), request));
}

/** Every error and warning in config.json; ok is false when there is an error. */
export async function validate(config: ConfigInput, facts?: Partial<HostFacts>): Promise<{ ok: boolean; diagnostics: Diagnostic[] }> {
  const v = await ask("validate", config, facts);
  return { ok: v.ok, diagnostics: v.diagnostics };
}

/** The whole verdict: diagnostics, container, the binary init plan and its text. */
export function plan(config: ConfigInput, facts?: Partial<HostFacts>): Promise<Verdict> {
  return ask("plan", config, facts);
}

/** The runtime-spec features document. */
export async function features(): Promise<unknown> {
  return (await ask("features", new Uint8Array(0))).features;
}
