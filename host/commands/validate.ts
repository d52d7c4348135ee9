// `validate [--bundle B]`: what the core says about a bundle's config.json, one diagnostic a
// line (or a JSON array), and exit 1 when there is an error. No state, no kernel.
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { readBundleConfig } from "../create-container.ts";
import { askCore } from "../core/load.ts";
import type { CoreOp, Diagnostic, HostFacts, Verdict } from "../core/protocol.ts";
import { cgroupFacts, hostArch, lsmFacts } from "../facts.ts";

export type Format = "text" | "json";

export function parseFormat(value: string | undefined): Format {
  if (value === "text" || value === "json") return value;
  throw new UsageError(`invalid --format "${value}": want text or json`);
}

/** The verdict for the bundle's config.json on this host, or with the given cgroup facts. */
export function bundleVerdict(op: CoreOp, bundleArg: string | undefined, cgroup?: Pick<HostFacts, "cgroup" | "cgroupV1"> & Partial<HostFacts>): Verdict {
  const { bundle, config } = readBundleConfig(bundleArg);
  const facts: HostFacts = { bundle, euid: process.geteuid?.() ?? 0, egid: process.getegid?.() ?? 0, noPivot: false, arch: hostArch(), ...(cgroup ?? cgroupFacts()), ...lsmFacts() };
  return askCore(op, facts, config, { text: op === "plan" });
}

/** `error|warning <code> <pointer>: <message>` lines; an empty pointer is the whole file. */
export function diagnosticLines(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.pointer || "config.json"}: ${d.message}\n`).join("");
}

export function summaryLine(v: Verdict): string {
  const count = (severity: string, word: string) => {
    const n = v.diagnostics.filter((d) => d.severity === severity).length;
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  };
  return `${v.ok ? "valid" : "invalid"}: ${count("error", "error")}, ${count("warning", "warning")}\n`;
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, any>): Promise<void> {
  const opts = options as { bundle?: string; format?: string };
  const format = parseFormat(opts.format);
  const v = bundleVerdict("validate", opts.bundle);
  ctx.out(format === "json" ? JSON.stringify(v.diagnostics, null, 2) + "\n" : diagnosticLines(v.diagnostics) + summaryLine(v));
  if (!v.ok) ctx.exitCode = 1;
}
