// Runs the policy core compiled into the addon (addon/src/core_native.cc: core.wasm translated
// by wasm2c at build time): the bytes core.wasm answers with, and no compile step.
import { addon } from "../addon.ts";
import { exitCrash, trapCrash } from "./crash.ts";

export function runCoreNative(request: Uint8Array): Uint8Array {
  const r = addon().runCore(request);
  if (r instanceof Uint8Array) return r;
  throw r.trap !== undefined ? trapCrash(r.trap) : exitCrash(r.status, r.stderr);
}
