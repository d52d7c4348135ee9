// Golden seccomp programs: each test/golden/seccomp/<name>.json is a linux.seccomp object, and
// <name>.txt the core's program for it, one instruction a line (test/util/cbpf-vm.ts
// disassembles). UPDATE_GOLDEN=1 rewrites the .txt files.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { repo } from "../../util/core";
import { coreProgram } from "../../util/seccomp-plan";
import { disassembleCbpf } from "../../util/cbpf-vm";

const dir = repo + "test/golden/seccomp/";

for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const name = file.slice(0, -5);
  test(`golden seccomp program ${name}`, () => {
    const program = coreProgram(readFileSync(dir + file, "utf8"));
    const actual = disassembleCbpf(program).join("\n") + "\n";
    const out = dir + name + ".txt";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(out, actual);
    assert.ok(existsSync(out), `${out} is missing: run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(actual, readFileSync(out, "utf8"));
  });
}

test.run();
