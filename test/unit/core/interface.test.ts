// The core's interface as DESIGN.md fixes it: a WASI command importing only fd_read, fd_write
// and proc_exit; deterministic; its opcodes generated into the addon and the host.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { repo, coreRaw, baseConfig, core, coreWasmPath } from "../../util/core";

test("core.wasm imports only fd_read, fd_write and proc_exit", () => {
  const module = new WebAssembly.Module(readFileSync(coreWasmPath));
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
  assert.equal(imports, ["wasi_snapshot_preview1.fd_read", "wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.proc_exit"]);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  assert.equal(exports, ["_start", "memory"]);
});

test("the same request gives identical bytes", () => {
  const config = readFileSync(repo + "test/golden/plans/runc-default/config.json");
  const a = coreRaw("plan", config);
  const b = coreRaw("plan", config);
  assert.ok(a.length > 1000);
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(b)), 0);
});

test("generated opcode files match assembly/plan/ops.ts", () => {
  // gen-ops --check exits 1 when addon/src/ops.gen.h or host/plan/ops.gen.ts drifted.
  execFileSync(process.execPath.endsWith("bun") ? "node" : process.execPath, [repo + "scripts/gen-ops.mjs", "--check"], { stdio: "pipe" });
});

test("host/criu/rpc.gen.json matches the rpc.proto the criu package installs", () => {
  // gen-criu-rpc --check exits 1 when it drifted (0, saying so, where criu is not installed).
  execFileSync(process.execPath.endsWith("bun") ? "node" : process.execPath, [repo + "scripts/gen-criu-rpc.mjs", "--check"], { stdio: "pipe" });
});

test("a request that is not ocirun-request 1 is refused with status 2", () => {
  try {
    coreRaw("plan", "{}", { bundle: "relative" });
    assert.unreachable("should have failed");
  } catch (e) {
    assert.match(String(e), "bundle must be an absolute path");
  }
});

test("plan of a valid config has an init section starting with OCIP v1", () => {
  const v = core("plan", baseConfig());
  assert.ok(v.ok);
  const init = v.init!;
  assert.equal(new TextDecoder().decode(init.subarray(0, 4)), "OCIP");
  assert.is(new DataView(init.buffer, init.byteOffset).getUint32(4, true), 1);
});

test.run();
