// core.wasm under node:wasi (libuv's WASI, through a spawned `node`) answers with the same
// bytes as under @bjorn3/browser_wasi_shim, which the host uses: any WASI host runs the core.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeRequest, type CoreOp } from "../../../host/core/protocol";
import { baseConfig, coreRaw, coreWasmPath, defaultFacts, patch, repo } from "../../util/core";

function underNodeWasi(request: Uint8Array): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync("node", ["--no-warnings", repo + "test/util/wasi-node.mjs", coreWasmPath], { input: request, timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function sameBytes(op: CoreOp, config: string) {
  const viaNode = underNodeWasi(encodeRequest(op, defaultFacts, new TextEncoder().encode(config), { text: op === "plan" }));
  assert.is(viaNode.code, 0, viaNode.stderr);
  const viaShim = Buffer.from(coreRaw(op, config));
  assert.ok(viaShim.length > 0);
  assert.ok(viaNode.stdout.equals(viaShim), `node:wasi gave ${viaNode.stdout.length} bytes, the shim ${viaShim.length}`);
}

const invalid = patch(baseConfig(), { "/ociVersion": "x", "/process/cwd": "relative", "/mounts": [{ destination: "" }] });

test("plan of a valid config: same verdict bytes", () => sameBytes("plan", JSON.stringify(baseConfig())));
test("plan of the runc default config: same verdict bytes", () =>
  sameBytes("plan", readFileSync(repo + "test/golden/plans/runc-default/config.json", "utf8")));
test("validate of an invalid config: same verdict bytes", () => sameBytes("validate", JSON.stringify(invalid)));
test("malformed JSON: same verdict bytes", () => sameBytes("plan", '{"ociVersion": '));

test("a bad request exits 2 under node:wasi too", () => {
  const r = underNodeWasi(new TextEncoder().encode("not a request\n\n{}"));
  assert.is(r.code, 2);
  assert.match(r.stderr, "ocirun core:");
  assert.is(r.stdout.length, 0);
});

test.run();
