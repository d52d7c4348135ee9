// The project's layering, checked from the sources: the core (assembly/) never imports the host,
// config/ (parsing and validation) never imports plan/ (what is done with it), and no files
// import each other in a circle, in the core or in the host (static or dynamic imports); and
// what every start loads stays small (docs/startup.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { repo } from "../../util/core";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** The repo-relative files a source imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith(".")) continue;
    const base = resolve(dirname(file), spec);
    const found = [base, base + ".ts", join(base, "index.ts")].find((p) => existsSync(p) && statSync(p).isFile());
    if (found) out.push(relative(repo, found));
  }
  return out;
}

const files = [...sources(join(repo, "assembly")), ...sources(join(repo, "host"))].map((f) => relative(repo, f));
const graph = new Map(files.map((f) => [f, importsOf(join(repo, f))]));

test("the core never imports the host; config/ never imports plan/", () => {
  const wrong: string[] = [];
  for (const [f, deps] of graph) {
    for (const d of deps) {
      if (f.startsWith("assembly/") && !d.startsWith("assembly/")) wrong.push(`${f} -> ${d}`);
      if (f.startsWith("assembly/config/") && d.startsWith("assembly/plan/")) wrong.push(`${f} -> ${d}`);
    }
  }
  assert.equal(wrong, []);
});

test("no import cycles", () => {
  const cycles: string[] = [];
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 1);
    path.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].join(" -> "));
      else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.equal(cycles, []);
});

/** The modules a file loads before it runs: static value imports (not `import type`, not
 * `import()`), followed through the host, with the built-ins they name. */
function staticClosure(entry: string): { files: Set<string>; builtins: Set<string> } {
  const files = new Set<string>();
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(join(repo, file), "utf8");
    for (const m of text.matchAll(/(?:^|\n)(?:import|export)(?!\s+type\b)[^"'`;]*?from\s+["']([^"']+)["']/g)) {
      const spec = m[1];
      if (spec.startsWith("node:")) builtins.add(spec);
      if (!spec.startsWith(".")) continue;
      const base = resolve(dirname(join(repo, file)), spec);
      const found = [base, base + ".ts"].find((p) => existsSync(p) && statSync(p).isFile());
      if (found) visit(relative(repo, found));
    }
  };
  visit(entry);
  return { files, builtins };
}

test("every start, and state, kill, start and delete, load no node:fs (4 ms a start) nor other heavy built-ins", () => {
  // cli.ts imports those four commands statically (the others load on demand).
  const { files, builtins } = staticClosure("host/cli.ts");
  for (const c of ["state", "kill", "start", "delete"]) assert.ok(files.has(`host/commands/${c}.ts`), `${c} is not in the entry module`);
  assert.equal([...builtins].sort(), ["node:path"]);
});

test("create, run and exec load no node:fs either (core.wasm is read only when the wasm core runs)", () => {
  for (const c of ["create", "run", "exec"]) {
    const { builtins } = staticClosure(`host/commands/${c}.ts`);
    assert.not.ok(builtins.has("node:fs"), `${c} imports node:fs`);
  }
});

test.run();
