// Runs the core twice per request in a worker thread, so the fuzz loop can time out a hang
// and still compare the two outputs byte for byte.
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { runCoreModule } from "../../host/core/wasi-run";

const module = new WebAssembly.Module(readFileSync(workerData.wasmPath as string));

export type WorkerReply =
  | { id: number; outputs: Uint8Array[]; ms: number[] }
  | { id: number; crash: string; ms: number[] };

parentPort!.on("message", (msg: { id: number; request: Uint8Array }) => {
  const outputs: Uint8Array[] = [];
  const ms: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    try {
      outputs.push(runCoreModule(module, msg.request));
    } catch (e) {
      // A trap (RuntimeError) or a non-zero exit (CoreCrash): both are crashes.
      ms.push(performance.now() - t0);
      parentPort!.postMessage({ id: msg.id, crash: `${(e as Error).name}: ${(e as Error).message}`, ms } satisfies WorkerReply);
      return;
    }
    ms.push(performance.now() - t0);
  }
  parentPort!.postMessage({ id: msg.id, outputs, ms } satisfies WorkerReply);
});
