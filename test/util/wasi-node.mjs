// Runs a WASI command (argv[2], e.g. build/core.wasm) under node:wasi, an independent WASI host:
// this process's stdin, stdout and stderr are the module's; its exit status is the module's.
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const wasi = new WASI({ version: "preview1", args: [], env: {}, stdin: 0, stdout: 1, stderr: 2, returnOnExit: true });
const module = new WebAssembly.Module(readFileSync(process.argv[2]));
const code = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject()));
process.exitCode = code;
