// Runs the policy core for the commands that need policy (create, run, exec, update, validate,
// plan, features, checkpoint, restore): the core compiled into the addon when the addon loads
// (addon/src/core_native.cc, no compile step), else build/core.wasm, embedded in the Bun
// executable or beside the source tree under Node. OCIRUN_CORE=wasm always takes core.wasm.
// validate, plan and features take the native core too, though they need nothing else of the
// addon: loading it costs about 1.6 ms here, against about 9 ms to compile core.wasm and 10-18 ms
// to run it cold (npm run bench:core; `validate` of podman's profile: 24 ms against 44).
import type * as Fs from "node:fs";
import { addon } from "../addon.ts";
import { runCoreModule } from "./wasi-run";
import { runCoreNative } from "./native-run.ts";
import { encodeRequest, decodeVerdict, type CoreOp, type HostFacts, type Verdict } from "./protocol";
// A file import: `bun build --compile` embeds the module; elsewhere it is a path on disk.
import corePath from "../../build/core.wasm" with { type: "file" };
import { mark } from "../trace.ts";

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<void> | undefined;
let native: boolean | undefined;

/** Whether askCore runs the native core: not under OCIRUN_CORE=wasm, nor when the addon does
 * not load here or predates runCore. */
export function nativeCore(): boolean {
  if (native === undefined) {
    try {
      native = process.env.OCIRUN_CORE !== "wasm" && typeof addon().runCore === "function";
    } catch {
      native = false;
    }
    mark(`core: ${native ? "native" : "wasm"}`);
  }
  return native;
}

function coreBytes(): Uint8Array<ArrayBuffer> {
  // Bun gives an absolute (or $bunfs) path; a bundle for Node gives one relative to itself.
  const path = corePath.startsWith("/") || corePath.startsWith("$bunfs") ? corePath : new URL(corePath, import.meta.url);
  // node:fs only here (the native core needs no file; importing it costs a start about 4 ms).
  return (require("node:fs") as typeof Fs).readFileSync(path) as Uint8Array<ArrayBuffer>;
}

function coreModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(coreBytes());
  return compiled;
}

/** Starts compiling core.wasm on the engine's compiler threads, so `create` reads the bundle and
 * the host's facts meanwhile; coreCompiled() waits for it. With the native core there is nothing
 * to compile (this loads the addon, which those commands need anyway). */
export function compileCoreInBackground(): void {
  if (nativeCore()) return;
  compiling ??= WebAssembly.compile(coreBytes()).then(
    (m) => { compiled ??= m; mark("core: compiled in the background"); },
    () => {}, // coreModule() compiles again and reports the error where it is used
  );
}

export async function coreCompiled(): Promise<void> {
  if (compiling) await compiling;
}

export function askCore(op: CoreOp, facts: HostFacts, config: Uint8Array, opts: { text?: boolean } = {}): Verdict {
  const request = encodeRequest(op, facts, config, opts);
  let answer: Uint8Array;
  if (nativeCore()) answer = runCoreNative(request);
  else {
    const module = coreModule();
    mark("core: compiled");
    answer = runCoreModule(module, request);
  }
  const verdict = decodeVerdict(answer);
  mark("core: verdict");
  return verdict;
}
