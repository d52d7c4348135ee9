// Runs core.wasm as a WASI command with in-memory stdin and stdout (browser_wasi_shim works
// the same in Bun, Node and browsers).
import { WASI, File, OpenFile } from "@bjorn3/browser_wasi_shim";
import { exitCrash } from "./crash";

export function runCoreModule(module: WebAssembly.Module, request: Uint8Array): Uint8Array {
  const stdout = new File(new Uint8Array(0));
  const stderr = new File(new Uint8Array(0));
  const wasi = new WASI([], [], [new OpenFile(new File(request)), new OpenFile(stdout), new OpenFile(stderr)]);
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
  const code = wasi.start(instance as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });
  if (code !== 0) throw exitCrash(code, stderr.data);
  return stdout.data;
}
