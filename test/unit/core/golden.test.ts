// Golden plans: each test/golden/plans/<name>/ holds config.json, facts.json (optional) and
// plan.txt, the core's verdict as readable text. UPDATE_GOLDEN=1 rewrites plan.txt.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { core, repo } from "../../util/core";
import { renderWrite, type CgroupSection } from "../../util/cgroup";
import { disassemble } from "../../util/bpf-vm";
import { plannedFilters } from "../../util/seccomp-plan";
import { disassembleCbpf } from "../../util/cbpf-vm";

const dir = repo + "test/golden/plans/";

function render(name: string): string {
  const config = readFileSync(dir + name + "/config.json", "utf8");
  const factsFile = dir + name + "/facts.json";
  const facts = existsSync(factsFile) ? JSON.parse(readFileSync(factsFile, "utf8")) : {};
  const v = core("plan", config, facts);
  const lines = [`status ${v.ok ? "ok" : "invalid"}`];
  for (const d of v.diagnostics) lines.push(`${d.severity} ${d.code} ${d.pointer}: ${d.message}`);
  if (v.container) lines.push(`container ${JSON.stringify(v.container)}`);
  if (v.text) lines.push(v.text.trimEnd());
  if (v.sections.cgroup) lines.push(...renderCgroup(JSON.parse(new TextDecoder().decode(v.sections.cgroup))));
  // The seccomp filter, one BPF instruction a line.
  for (const f of v.init ? plannedFilters(v.init) : []) lines.push(...disassembleCbpf(f.program).map((l) => `seccomp ${l}`));
  return lines.join("\n") + "\n";
}

/** The cgroup section: its directory in each hierarchy, one write per line ("?=": optional), the
 * device program disassembled. */
function renderCgroup(cg: CgroupSection): string[] {
  const lines = Object.entries(cg.paths).map(([h, p]) => `cgroup path ${h || "(v2)"} ${p}`);
  for (const w of cg.writes) lines.push(`cgroup ${renderWrite(w)}  <- ${w.pointer || "(runtime default)"}`);
  if (cg.deviceProgram) lines.push(...disassemble(Buffer.from(cg.deviceProgram, "base64")).map((l) => `cgroup bpf ${l}`));
  return lines;
}

for (const name of readdirSync(dir).sort()) {
  test(`golden plan ${name}`, () => {
    const actual = render(name);
    const file = dir + name + "/plan.txt";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
    assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(actual, readFileSync(file, "utf8"));
  });
}

test.run();
