// runc's argument rules (urfave/cli v1 over Go's flag package), which differ from the usual
// Node parsers' in several ways:
// - `--flag value`, `--flag=value`, and a single dash for long names (`-force`, `-no-subreaper`);
//   short and long names share one namespace, and `-fa` is one (unknown) name, not two flags;
// - a bool flag takes no separate value; `--detach=true|false|1|0|t|f...` sets it;
// - flags may follow positional arguments (reorder), except for commands that stop at the first
//   positional (exec, ps, and the global flags before the subcommand);
// - `--` ends the flags; a repeated flag repeats (last one wins unless the option collects).
// optionValues and actionArgs turn the result into what a command's run() gets.
import type { ArgDef, FlagDef } from "./command-table.ts";
import { UsageError } from "./errors.ts";

export interface FlagSpec {
  /** Names without dashes; names[0] is the canonical (long) name. */
  names: string[];
  takesValue: boolean;
}

export interface ParsedArgs {
  /** Flags in the order given, by canonical name; bools as true/false. */
  flags: Array<[name: string, value: string | boolean]>;
  positionals: string[];
}

const GO_BOOLS: Record<string, boolean> = {
  "1": true, t: true, T: true, true: true, TRUE: true, True: true,
  "0": false, f: false, F: false, false: false, FALSE: false, False: false,
};

export function parseArgs(args: readonly string[], specs: readonly FlagSpec[], reorder: boolean): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const out: ParsedArgs = { flags: [], positionals: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") { out.positionals.push(...args.slice(i + 1)); break; }
    if (!arg.startsWith("-") || arg === "-") {
      if (!reorder) { out.positionals.push(...args.slice(i)); break; }
      out.positionals.push(arg);
      continue;
    }
    const body = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
    if (body === "" || body.startsWith("-") || body.startsWith("=")) throw new UsageError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    const canonical = spec.names[0];
    if (!spec.takesValue) {
      if (eq < 0) { out.flags.push([canonical, true]); continue; }
      const v = GO_BOOLS[body.slice(eq + 1)];
      if (v === undefined) throw new UsageError(`invalid boolean value "${body.slice(eq + 1)}" for -${name}: parse error`);
      out.flags.push([canonical, v]);
      continue;
    }
    if (eq >= 0) { out.flags.push([canonical, body.slice(eq + 1)]); continue; }
    // Like Go's flag package, the next word is the value even if it starts with a dash.
    if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: -${name}`);
    out.flags.push([canonical, args[++i]]);
  }
  return out;
}

/** The last value given for a flag, or undefined. */
export function lastFlag(parsed: ParsedArgs, name: string): string | boolean | undefined {
  let v: string | boolean | undefined;
  for (const [n, value] of parsed.flags) if (n === name) v = value;
  return v;
}

/** A flag's key in the options object a command gets: the camelCase of its long name. */
export const flagKey = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The parser's view of a command's flags, long name first. */
export function flagSpecs(flags: readonly FlagDef[]): FlagSpec[] {
  return flags.map((f) => ({ names: [f.name, ...(f.aliases ?? [])], takesValue: f.kind !== "bool" }));
}

/** The options object: every flag by its camelCase key; bools true or false, strings the last
 * value given (else the default), lists every value given in order. */
export function optionValues(defs: readonly FlagDef[], parsed: ParsedArgs): Record<string, any> {
  const opts: Record<string, any> = {};
  for (const f of defs) opts[flagKey(f.name)] = f.kind === "bool" ? false : f.kind === "list" ? [] : f.default;
  for (const [name, value] of parsed.flags) {
    const f = defs.find((d) => d.name === name);
    if (!f) continue;
    const key = flagKey(f.name);
    if (f.kind === "list") (opts[key] as string[]).push(String(value));
    else opts[key] = value;
  }
  return opts;
}

/** run()'s arguments: one per ArgDef, the variadic one an array, a missing one its default. */
export function actionArgs(defs: readonly ArgDef[], positionals: string[]): unknown[] {
  return defs.map((a, i) => (a.variadic ? positionals.slice(i) : positionals[i] ?? a.default));
}
