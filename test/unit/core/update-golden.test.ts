// Golden update translations: each test/golden/update/<name>/ holds config.json (the stored
// config), request.json ({"facts", "resources" (-r: an object or raw text), "flags"}) and
// expected.txt: the verdict as readable text (diagnostics, each write with the field or flag it
// comes from, the restore writes, the checks, the merged linux.resources). UPDATE_GOLDEN=1
// rewrites expected.txt.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { core, repo } from "../../util/core";
import { renderWrite } from "../../util/cgroup";

const dir = repo + "test/golden/update/";

function render(name: string): string {
  const config = readFileSync(dir + name + "/config.json", "utf8");
  const req = JSON.parse(readFileSync(dir + name + "/request.json", "utf8"));
  const resources = req.resources === undefined ? undefined : typeof req.resources === "string" ? req.resources : JSON.stringify(req.resources);
  const v = core("update", config, { ...req.facts, updateResources: resources, updateFlags: req.flags });
  const lines = [`status ${v.ok ? "ok" : "invalid"}`];
  for (const d of v.diagnostics) lines.push(`${d.severity} ${d.code} ${d.pointer}: ${d.message}`);
  const u = v.update;
  if (u) {
    for (const w of u.writes) lines.push(`write ${renderWrite(w)}  <- ${w.pointer}`);
    for (const w of u.restore) lines.push(`restore ${renderWrite(w)}  <- ${w.pointer}`);
    for (const c of u.checks) lines.push(`check ${c.files.join(" + ")} < ${c.limit} (${c.what})  <- ${c.pointer}`);
    lines.push(`resources ${JSON.stringify(u.resources, null, 2)}`);
  }
  return lines.join("\n") + "\n";
}

for (const name of readdirSync(dir).sort()) {
  test(`golden update ${name}`, () => {
    const actual = render(name);
    const file = dir + name + "/expected.txt";
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
    assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(actual, readFileSync(file, "utf8"));
  });
}

test.run();
