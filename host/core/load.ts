// Finds and compiles build/core.wasm: embedded in the Bun executable, or beside the source
// tree under Node. Only commands that need policy call this (create, run, validate, plan).
import { readFileSync } from "node:fs";
import { runCoreModule } from "./wasi-run";
import { encodeRequest, decodeVerdict, type CoreOp, type HostFacts, type Verdict } from "./protocol";
// A file import: `bun build --compile` embeds the module; elsewhere it is a path on disk.
import corePath from "../../build/core.wasm" with { type: "file" };
import { mark } from "../trace.ts";

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<void> | undefined;

function coreBytes(): Uint8Array<ArrayBuffer> {
  // Bun gives an absolute (or $bunfs) path; a bundle for Node gives one relative to itself.
  const path = corePath.startsWith("/") || corePath.startsWith("$bunfs") ? corePath : new URL(corePath, import.meta.url);
  return readFileSync(path) as Uint8Array<ArrayBuffer>;
}

function coreModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(coreBytes());
  return compiled;
}

/** Starts compiling core.wasm on the engine's compiler threads, so `create` reads the bundle and
 * the host's facts meanwhile; coreCompiled() waits for it. */
export function compileCoreInBackground(): void {
  compiling ??= WebAssembly.compile(coreBytes()).then(
    (m) => { compiled ??= m; mark("core: compiled in the background"); },
    () => {}, // coreModule() compiles again and reports the error where it is used
  );
}

export async function coreCompiled(): Promise<void> {
  if (compiling) await compiling;
}

export function askCore(op: CoreOp, facts: HostFacts, config: Uint8Array, opts: { text?: boolean } = {}): Verdict {
  const module = coreModule();
  mark("core: compiled");
  const verdict = decodeVerdict(runCoreModule(module, encodeRequest(op, facts, config, opts)));
  mark("core: verdict");
  return verdict;
}
