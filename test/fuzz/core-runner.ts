// The main side of core-worker.ts: one request at a time, with a deadline. A worker that misses
// it is terminated and replaced; the input counts as a hang.
import { Worker } from "node:worker_threads";
import { coreWasmPath } from "../util/core";
import type { WorkerReply } from "./core-worker";

/** A single core run longer than this is a hang. */
export const HANG_MS = 1000;

export type RunResult =
  | { kind: "ok"; outputs: Uint8Array[]; ms: number[] }
  | { kind: "crash"; message: string; ms: number[] }
  | { kind: "hang"; ms: number[] };

export class CoreRunner {
  private worker: Worker | null = null;
  private nextId = 0;

  private start(): Worker {
    this.worker = new Worker(new URL("./core-worker.ts", import.meta.url), { workerData: { wasmPath: coreWasmPath } });
    this.worker.unref();
    return this.worker;
  }

  run(request: Uint8Array): Promise<RunResult> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off("message", onMessage);
        void worker.terminate();
        this.worker = null;
        resolve({ kind: "hang", ms: [2 * HANG_MS] });
      }, 2 * HANG_MS + 500);
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        clearTimeout(timer);
        worker.off("message", onMessage);
        if ("crash" in reply) resolve({ kind: "crash", message: reply.crash, ms: reply.ms });
        else if (reply.ms.some((t) => t > HANG_MS)) resolve({ kind: "hang", ms: reply.ms });
        else resolve({ kind: "ok", outputs: reply.outputs, ms: reply.ms });
      };
      worker.on("message", onMessage);
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
    this.worker = null;
  }
}
