// The regression corpus, in full: every input must pass every check, except the known core
// bugs (known-bugs.ts), which must still reproduce until they are fixed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { CoreRunner } from "./core-runner";
import { checkRun, oracleOf } from "./checks";
import { KNOWN_BUGS, knownBug } from "./known-bugs";
import { requestOf } from "./run";

const dir = new URL("./corpus/", import.meta.url);
const runner = new CoreRunner();

for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  test(`corpus ${name}`, async () => {
    const input = new Uint8Array(readFileSync(new URL(name, dir)));
    const outcome = checkRun(input, await runner.run(requestOf(input)), oracleOf(input));
    const expected = KNOWN_BUGS.filter((b) => b.corpus.includes(name)).map((b) => b.id);
    const found = outcome.failures.map((f) => knownBug(f));
    const unexplained = outcome.failures.filter((_, i) => !found[i]);
    assert.equal(unexplained.map((f) => `${f.check}: ${f.detail}`), [], "new failures");
    for (const id of expected) {
      assert.ok(found.some((f) => f?.split("+").includes(id)), `${id} no longer reproduces with ${name}: fixed? remove it from test/fuzz/known-bugs.ts`);
    }
  });
}

test("every known bug has its corpus file", () => {
  const files = new Set(readdirSync(dir));
  for (const b of KNOWN_BUGS) for (const c of b.corpus) assert.ok(files.has(c), `${b.id}: missing corpus/${c}`);
});

test.after(() => runner.close());
test.run();
