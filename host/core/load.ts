// Finds and compiles build/core.wasm: embedded in the Bun executable, or beside the source
// tree under Node. Only commands that need policy call this (create, run, validate, plan).
import { readFileSync } from "node:fs";
import { runCoreModule } from "./wasi-run";
import { encodeRequest, decodeVerdict, type CoreOp, type HostFacts, type Verdict } from "./protocol";
// A file import: `bun build --compile` embeds the module; elsewhere it is a path on disk.
import corePath from "../../build/core.wasm" with { type: "file" };

let compiled: WebAssembly.Module | undefined;

function coreModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(corePath));
  return compiled;
}

export function askCore(op: CoreOp, facts: HostFacts, config: Uint8Array): Verdict {
  return decodeVerdict(runCoreModule(coreModule(), encodeRequest(op, facts, config)));
}
