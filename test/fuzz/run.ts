// The fuzz loop: `bun test/fuzz/run.ts --seconds N --count N --seed S [--save DIR]`.
// Input i of seed S is a pure function of (S, i), so a failure is replayed with its seed and index.
import { mkdirSync, writeFileSync } from "node:fs";
import { encodeRequest } from "../../host/core/protocol";
import { defaultFacts } from "../util/core";
import { Rng } from "./prng";
import { ConfigGenerator } from "./generator";
import { TreeMutator, ByteMutator } from "./mutator";
import { serialize } from "./tree";
import { CoreRunner } from "./core-runner";
import { checkRun, oracleOf, type Failure } from "./checks";
import { knownBug } from "./known-bugs";

const encoder = new TextEncoder();

/** Input `index` of `seed`: a generated config, often tree-mutated, sometimes byte-mutated. */
export function makeInput(seed: number, index: number): Uint8Array {
  const rng = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const gen = new ConfigGenerator(rng, rng.pick([0, 0.02, 0.05, 0.15]));
  let tree = gen.config();
  if (rng.chance(0.6)) tree = new TreeMutator(rng, gen).mutate(tree, rng.int(1, 3));
  const bytes = encoder.encode(serialize(tree, rng.pick([0, 0, 2])));
  return rng.chance(0.15) ? new ByteMutator(rng).mutate(bytes, rng.int(1, 3)) : bytes;
}

export function requestOf(config: Uint8Array): Uint8Array {
  return encodeRequest("plan", defaultFacts, config);
}

export interface Report {
  inputs: number;
  seconds: number;
  valid: number;
  pendingOnly: Map<string, number>;
  unmodelled: Map<string, number>;
  known: Map<string, number>;
  failures: { index: number; failure: Failure; input: Uint8Array }[];
  slowestMs: number;
}

/** Runs inputs 0, 1, 2... of `seed` until `count` inputs or `seconds` have passed. */
export async function fuzz(opts: { seed: number; count: number; seconds: number; maxFailures?: number }): Promise<Report> {
  const runner = new CoreRunner();
  const report: Report = { inputs: 0, seconds: 0, valid: 0, pendingOnly: new Map(), unmodelled: new Map(), known: new Map(), failures: [], slowestMs: 0 };
  const t0 = performance.now();
  const deadline = t0 + opts.seconds * 1000;
  try {
    for (let i = 0; i < opts.count && performance.now() < deadline; i++) {
      const input = makeInput(opts.seed, i);
      const run = await runner.run(requestOf(input));
      const outcome = checkRun(input, run, oracleOf(input));
      report.inputs++;
      report.slowestMs = Math.max(report.slowestMs, ...run.ms);
      if (outcome.verdict?.ok) report.valid++;
      for (const p of outcome.pending) report.pendingOnly.set(p, (report.pendingOnly.get(p) ?? 0) + 1);
      for (const u of outcome.unmodelled ?? []) report.unmodelled.set(u, (report.unmodelled.get(u) ?? 0) + 1);
      for (const failure of outcome.failures) {
        const bug = knownBug(failure);
        if (bug) report.known.set(bug, (report.known.get(bug) ?? 0) + 1);
        else if (report.failures.length < (opts.maxFailures ?? 50)) report.failures.push({ index: i, failure, input });
      }
    }
  } finally {
    await runner.close();
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

export function summary(r: Report, seed: number): string {
  const lines = [
    `seed ${seed}: ${r.inputs} inputs in ${r.seconds.toFixed(1)} s, ${(r.inputs / r.seconds).toFixed(0)} inputs/s (each run twice); ${r.valid} valid; slowest core run ${r.slowestMs.toFixed(1)} ms`,
    `new failures: ${r.failures.length}`,
  ];
  for (const [k, n] of r.known) lines.push(`known core bug ${k}: ${n}`);
  for (const [k, n] of r.pendingOnly) lines.push(`pending field ${k}: ${n} disagreements (the core does not validate it yet)`);
  for (const [k, n] of r.unmodelled) lines.push(`unmodelled core rule ${k}: ${n} refusals the oracle cannot judge yet`);
  for (const f of r.failures.slice(0, 20)) lines.push(`  #${f.index} ${f.failure.check}: ${f.failure.detail.slice(0, 300)}`);
  return lines.join("\n");
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.main) {
  const seed = arg("seed", Date.now() % 1e9);
  const report = await fuzz({ seed, count: arg("count", Infinity), seconds: arg("seconds", 30), maxFailures: 1000 });
  console.log(summary(report, seed));
  const save = process.argv.indexOf("--save");
  if (save > 0) {
    const dir = process.argv[save + 1];
    mkdirSync(dir, { recursive: true });
    for (const f of report.failures) writeFileSync(`${dir}/seed${seed}-${f.index}-${f.failure.check}.json`, f.input);
  }
  process.exit(report.failures.length > 0 ? 1 : 0);
}
