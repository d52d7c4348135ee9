// `plan [--bundle B] [--cgroup MODE]`: the plan the core makes for a bundle, without running it:
// the init ops one a line, each with the config field it came from, then any other section
// (cgroup writes, hooks) the core returns. --cgroup shows the plan for another kind of host;
// the global --systemd-cgroup, the systemd driver's (with the version of the host's systemd
// when one runs, else none: the properties newer systemds have are then left out).
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { CgroupMode, HostFacts, Verdict } from "../core/protocol.ts";
import { cgroupFacts } from "../facts.ts";
import { disassemble } from "../plan/disassemble.ts";
import { bundleVerdict, diagnosticLines, parseFormat, summaryLine } from "./validate.ts";

// Shown in their own way; every other section is printed as it comes.
const DECODED = new Set(["diagnostics", "container", "init", "text", "features"]);

// Debian's v1 hierarchies, for --cgroup v1|hybrid on a host that has none of its own.
const TYPICAL_V1 = ["blkio", "cpu,cpuacct", "cpuset", "devices", "freezer", "hugetlb", "memory", "net_cls,net_prio", "perf_event", "pids"]
  .map((dir) => ({ dir, options: dir })).concat({ dir: "systemd", options: "name=systemd" });

/** The host's cgroup facts, or the given mode's (keeping this host's v1 hierarchies if it has any). */
export function cgroupOverride(mode: string | undefined): Pick<HostFacts, "cgroup" | "cgroupV1"> {
  const real = cgroupFacts();
  if (mode === undefined) return real;
  if (mode === "v2" || mode === "none") return { cgroup: mode, cgroupV1: [] };
  if (mode !== "v1" && mode !== "hybrid") throw new UsageError(`invalid --cgroup "${mode}": want v1, hybrid, v2 or none`);
  return { cgroup: mode as CgroupMode, cgroupV1: real.cgroupV1.length > 0 ? real.cgroupV1 : TYPICAL_V1 };
}

/** A section's bytes as text, or undefined when they are binary. */
function asText(bytes: Uint8Array): string | undefined {
  try {
    const s = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return /[\0-\x08\x0e-\x1f]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

function otherSections(v: Verdict): Array<[string, Uint8Array]> {
  return Object.entries(v.sections).filter(([name]) => !DECODED.has(name));
}

export function planText(v: Verdict): string {
  let out = diagnosticLines(v.diagnostics) + (v.text ?? "");
  if (out && !out.endsWith("\n")) out += "\n";
  for (const [name, body] of otherSections(v)) {
    const text = asText(body);
    out += `== ${name}\n` + (text === undefined ? Buffer.from(body).toString("hex") + "\n" : text.trimEnd() + (text ? "\n" : ""));
  }
  return out;
}

export function planJson(v: Verdict): Record<string, unknown> {
  const out: Record<string, unknown> = { ok: v.ok, diagnostics: v.diagnostics, container: v.container };
  if (v.init) Object.assign(out, disassemble(v.init));
  for (const [name, body] of otherSections(v)) {
    const text = asText(body);
    if (text === undefined) out[name] = { base64: Buffer.from(body).toString("base64") };
    else {
      try {
        out[name] = JSON.parse(text);
      } catch {
        out[name] = text;
      }
    }
  }
  return out;
}

/** The host's systemd's major version, or 0 when none answers. */
async function systemdVersion(): Promise<number> {
  const { SystemdBus, systemdRunning } = await import("../cgroups/systemd-bus.ts");
  if (!systemdRunning()) return 0;
  try {
    const bus = await SystemdBus.connect();
    bus.close();
    return bus.version;
  } catch {
    return 0;
  }
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, any>): Promise<void> {
  const opts = options as { bundle?: string; format?: string; cgroup?: string };
  const format = parseFormat(opts.format);
  const facts: Pick<HostFacts, "cgroup" | "cgroupV1"> & Partial<HostFacts> = cgroupOverride(opts.cgroup);
  if (ctx.systemdCgroup) Object.assign(facts, { cgroupDriver: "systemd", systemdVersion: await systemdVersion() });
  const v = bundleVerdict("plan", opts.bundle, facts);
  if (format === "json") ctx.out(JSON.stringify(planJson(v), null, 2) + "\n");
  else ctx.out(v.ok ? planText(v) : diagnosticLines(v.diagnostics) + summaryLine(v));
  if (!v.ok) ctx.exitCode = 1;
}
