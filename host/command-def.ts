// The command definitions modules register: the subset of commander's builder API ocirun uses
// (command, description, argument, option, action), recorded instead of executed. Running a
// command needs only these records: cli.ts parses argv with argv.ts (runc's rules) and calls the
// action. commander itself is loaded only to render help (helpText), because loading and running
// it costs 1.5-2 ms per start, a third of `ocirun state`, and every container operation is a start.
import type { FlagSpec } from "./argv.ts";

// An action takes the positionals, then the options object, then the CommandDef.
type Action = (...args: any[]) => unknown;
type Parser = (value: string, previous: unknown) => unknown;

export interface ArgumentDef {
  spec: string; // "<id>", "[signal]", "<args...>"
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  defaultValue?: unknown;
}

export interface OptionDef {
  flags: string; // "-b, --bundle <path>", "--no-pivot"
  description: string;
  long?: string; // "bundle", "no-pivot" (without dashes)
  short?: string;
  /** Key in the options object, as commander names it: camelCase, "no-" dropped. */
  key: string;
  takesValue: boolean;
  negate: boolean;
  parser?: Parser;
  defaultValue?: unknown;
}

export class CommandDef {
  summary = "";
  readonly arguments: ArgumentDef[] = [];
  readonly options: OptionDef[] = [];
  handler?: Action;

  constructor(readonly name: string) {}

  description(text: string): this {
    this.summary = text;
    return this;
  }

  argument(spec: string, description = "", defaultValue?: unknown): this {
    const m = /^([<[])([^>\]]+?)(\.\.\.)?[>\]]$/.exec(spec.trim());
    if (!m) throw new Error(`command ${this.name}: bad argument "${spec}"`);
    this.arguments.push({ spec, name: m[2], description, required: m[1] === "<", variadic: !!m[3], defaultValue });
    return this;
  }

  /** commander's forms: option(flags, description), option(flags, description, default),
   * option(flags, description, parser, default). */
  option(flags: string, description = "", parserOrDefault?: unknown, defaultValue?: unknown): this {
    const long = /--([A-Za-z0-9][\w-]*)/.exec(flags)?.[1];
    const short = /(?:^|[ ,|])-([A-Za-z0-9])\b/.exec(flags)?.[1];
    if (!long && !short) throw new Error(`command ${this.name}: bad option "${flags}"`);
    const negate = !!long?.startsWith("no-");
    const base = negate ? long!.slice(3) : (long ?? short!);
    const parser = typeof parserOrDefault === "function" ? (parserOrDefault as Parser) : undefined;
    this.options.push({
      flags, description, long, short, negate, parser,
      key: base.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
      takesValue: /[<[]/.test(flags),
      defaultValue: parser ? defaultValue : parserOrDefault,
    });
    return this;
  }

  action(fn: Action): this {
    this.handler = fn;
    return this;
  }

  /** The flags for argv.ts, canonical name first. */
  flagSpecs(): FlagSpec[] {
    return this.options.map((o) => ({ names: [o.long, o.short].filter((n): n is string => !!n), takesValue: o.takesValue }));
  }

  /** The options object commander would give the action, from parsed flags in argv order. */
  optionValues(flags: Array<[string, string | boolean]>): Record<string, unknown> {
    const opts: Record<string, unknown> = {};
    for (const o of this.options) {
      const d = o.defaultValue ?? (o.negate ? true : undefined);
      if (d !== undefined) opts[o.key] = d;
    }
    for (const [name, value] of flags) {
      const o = this.options.find((x) => (x.long ?? x.short) === name);
      if (!o) continue;
      if (typeof value === "boolean") {
        if (value) opts[o.key] = !o.negate;
      } else {
        opts[o.key] = o.parser ? o.parser(value, opts[o.key]) : value;
      }
    }
    return opts;
  }

  /** The action's positional parameters: one per declared argument, the variadic one an array. */
  actionArgs(positionals: string[]): unknown[] {
    return this.arguments.map((a, i) => {
      if (a.variadic) return positionals.length > i ? positionals.slice(i) : (a.defaultValue ?? []);
      return positionals[i] ?? a.defaultValue;
    });
  }
}

/** What register() gets: program.command(name) returns the CommandDef to build on. */
export class ProgramDef {
  readonly commands: CommandDef[] = [];

  command(name: string): CommandDef {
    const c = new CommandDef(name);
    this.commands.push(c);
    return c;
  }
}

/** The command's help, rendered by commander from the recorded definition. */
export async function helpText(def: CommandDef): Promise<string> {
  const { Command } = await import("commander");
  const cmd = new Command("ocirun").command(def.name).description(def.summary);
  cmd.configureOutput({ getOutHelpWidth: () => 100, getErrHelpWidth: () => 100 });
  for (const a of def.arguments) cmd.argument(a.spec, a.description, a.defaultValue);
  for (const o of def.options) cmd.option(o.flags, o.description, o.defaultValue as string | boolean | string[] | undefined);
  return cmd.helpInformation();
}
