// The native core (core.wasm through wasm2c, linked into the addon) answers every request with
// the bytes core.wasm answers with: each golden config (plans, seccomp, update) for each op it
// is asked with, and each fuzz corpus input; and a run that ends without a verdict ends with the
// same error on both. The addon is part of the build: without it these tests fail.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCoreModule } from "../../../host/core/wasi-run";
import { runCoreNative } from "../../../host/core/native-run";
import { encodeRequest, type CoreOp, type HostFacts } from "../../../host/core/protocol";
import { defaultFacts, repo } from "../../util/core";
import { seccompConfig } from "../../util/seccomp-plan";
import { requestOf } from "../../fuzz/run";

// The core the addon was built from (build:addon translates build/core.wasm), whatever
// OCIRUN_CORE_WASM names for the other suites.
const wasmPath = repo + "build/core.wasm";
const addonPath = repo + "addon/build/Release/ocirun.node";
const wasm = new WebAssembly.Module(readFileSync(wasmPath));
const encoder = new TextEncoder();

type Outcome = { bytes: Uint8Array } | { error: string };

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { bytes: run() };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

function native(request: Uint8Array): Outcome {
  assert.ok(existsSync(addonPath), `${addonPath} is missing: run npm run build:addon`);
  return outcome(() => runCoreNative(request));
}

function viaWasm(request: Uint8Array): Outcome {
  return outcome(() => runCoreModule(wasm, request));
}

/** Where two byte strings first differ, for the failure message. */
function firstDifference(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (x: Uint8Array) => JSON.stringify(new TextDecoder().decode(x.subarray(Math.max(0, i - 40), i + 40)));
  return `${a.length} vs ${b.length} bytes, first difference at byte ${i}: wasm ${around(a)}, native ${around(b)}`;
}

function assertSame(wasmSide: Outcome, nativeSide: Outcome, what: string): void {
  if ("bytes" in wasmSide && "bytes" in nativeSide) {
    assert.ok(Buffer.from(wasmSide.bytes).equals(Buffer.from(nativeSide.bytes)),
      `${what}: ${firstDifference(wasmSide.bytes, nativeSide.bytes)} (after build:core, run build:addon again)`);
  } else {
    assert.equal(nativeSide, wasmSide, what);
  }
}

function sameVerdict(op: CoreOp, config: Uint8Array | string, facts: Partial<HostFacts>, text: boolean): void {
  const bytes = typeof config === "string" ? encoder.encode(config) : config;
  const request = encodeRequest(op, { ...defaultFacts, ...facts }, bytes, { text });
  const w = viaWasm(request);
  assert.ok("bytes" in w, `core.wasm gave no verdict for ${op}: ${"error" in w ? w.error : ""}`);
  assertSame(w, native(request), op);
}

test("the addon is built and exports runCore", () => {
  assert.ok(existsSync(addonPath), `${addonPath} is missing: run npm run build:addon`);
  const addon = require(addonPath) as { runCore?: unknown };
  assert.type(addon.runCore, "function", "the addon predates runCore: run npm run build:addon");
});

// Each golden plan's config as create, validate, plan (--format text) and exec ask about it.
const plans = repo + "test/golden/plans/";
for (const name of readdirSync(plans).sort()) {
  test(`golden plan ${name}: plan, plan with text, validate, exec`, () => {
    const config = readFileSync(plans + name + "/config.json");
    const factsFile = plans + name + "/facts.json";
    const facts: Partial<HostFacts> = existsSync(factsFile) ? JSON.parse(readFileSync(factsFile, "utf8")) : {};
    sameVerdict("plan", config, facts, false);
    sameVerdict("plan", config, facts, true);
    sameVerdict("validate", config, facts, false);
    sameVerdict("exec", config, { ...facts, id: "c1", initPid: 4242, execFlags: { args: ["sh"] } }, true);
  });
}

const seccomp = repo + "test/golden/seccomp/";
for (const file of readdirSync(seccomp).filter((f) => f.endsWith(".json")).sort()) {
  test(`golden seccomp ${file}: plan`, () => {
    sameVerdict("plan", seccompConfig(readFileSync(seccomp + file, "utf8")), {}, false);
  });
}

// As test/unit/core/update-golden.test.ts asks: the stored config, -r's resources, the flags.
const updates = repo + "test/golden/update/";
for (const name of readdirSync(updates).sort()) {
  test(`golden update ${name}: update`, () => {
    const req = JSON.parse(readFileSync(updates + name + "/request.json", "utf8"));
    const resources = req.resources === undefined ? undefined : typeof req.resources === "string" ? req.resources : JSON.stringify(req.resources);
    sameVerdict("update", readFileSync(updates + name + "/config.json"), { ...req.facts, updateResources: resources, updateFlags: req.flags }, false);
  });
}

test("features", () => sameVerdict("features", "", {}, false));

// As test/fuzz/corpus.test.ts asks (requestOf), including the inputs nested to the parser's limit.
const corpus = repo + "test/fuzz/corpus/";
for (const name of readdirSync(corpus).filter((f) => f.endsWith(".json")).sort()) {
  test(`fuzz corpus ${name}: plan`, () => {
    const request = requestOf(new Uint8Array(readFileSync(corpus + name)));
    assertSame(viaWasm(request), native(request), name);
  });
}

test("a request the core refuses: the same error (its stderr, exit 2) from both", () => {
  for (const request of ["not a request\n\n{}", ""].map((s) => encoder.encode(s))) {
    const w = viaWasm(request);
    assert.ok("error" in w && w.error.startsWith("CoreCrash: ocirun core:"), JSON.stringify(w));
    assertSame(w, native(request), JSON.stringify(new TextDecoder().decode(request)));
  }
});

test("the comparison tells two verdicts apart", () => {
  const config = readFileSync(plans + "runc-default/config.json");
  const a = encodeRequest("plan", defaultFacts, config, { text: true });
  const b = encodeRequest("plan", { ...defaultFacts, cgroup: "v2", cgroupV1: [] }, config, { text: true });
  const w = viaWasm(a), n = native(b);
  assert.ok("bytes" in w && "bytes" in n);
  assert.not.ok(Buffer.from(w.bytes).equals(Buffer.from(n.bytes)));
});

test("each run starts from a fresh instance: the same request twice, the same bytes", () => {
  const request = encodeRequest("plan", defaultFacts, readFileSync(plans + "runc-default/config.json"), { text: true });
  assertSame(native(request), native(request), "second run");
});

test.run();
