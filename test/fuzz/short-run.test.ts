// A short seeded fuzz run as part of npm test, plus the properties the fuzzer itself relies on.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fuzz, makeInput, summary } from "./run";
import { oracleOf } from "./checks";
import { baseConfig, patch } from "../util/core";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

test("the same seed gives the same inputs", () => {
  for (let i = 0; i < 50; i++) assert.equal(makeInput(7, i), makeInput(7, i));
  assert.not.equal(makeInput(7, 0), makeInput(8, 0));
});

test("oracle: the schema and rules judge known configs", () => {
  assert.equal(oracleOf(enc(baseConfig())).findings, []);
  const rules = (p: Record<string, unknown>) => oracleOf(enc(patch(baseConfig(), p))).findings.map((f) => `${f.rule} ${f.pointer}`);
  assert.equal(rules({ "/process/user": {} }), ["schema:required /process/user/uid", "schema:required /process/user/gid"]);
  assert.equal(rules({ "/linux/namespaces": [{ type: "pid" }] }), ["mountNamespaceRequired /linux/namespaces"]);
  assert.equal(rules({ "/hostname": "h" }), ["hostnameNeedsUtsNamespace /hostname"]);
  assert.equal(rules({ "/hooks": { prestart: [{ path: "rel" }] } }).length, 1);
  // Hooks are parsed by the core now: a finding there is no longer "pending".
  assert.is(oracleOf(enc(patch(baseConfig(), { "/hooks": { prestart: [{ path: "rel" }] } }))).findings[0].pending, undefined);
  assert.equal(rules({ "/process/rlimits": [{ type: "RLIMIT_CORE", soft: 2, hard: 1 }] }), ["rlimitSoftNotAboveHard /process/rlimits/0/soft"]);
  assert.equal(oracleOf(new TextEncoder().encode('{"ociVersion": "1.3.0",')).findings, [{ rule: "jsonSyntax", pointer: "" }]);
});

test("a short seeded run finds nothing new", async () => {
  const seconds = Number(process.env.FUZZ_SECONDS ?? 8);
  const r = await fuzz({ seed: 20240601, count: 2000, seconds });
  console.log(summary(r, 20240601));
  assert.ok(r.inputs >= Math.min(2000, 200), `only ${r.inputs} inputs`);
  assert.equal(r.failures.map((f) => `#${f.index} ${f.failure.check}: ${f.failure.detail}`), []);
});

test.run();
