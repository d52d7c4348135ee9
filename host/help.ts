// `--help` text, from the command table (command-table.ts), in runc's layout (urfave/cli's).
import { COMMANDS, GLOBAL_FLAGS, type CommandSpec, type FlagDef } from "./command-table.ts";
import { SPEC_VERSION, VERSION } from "./version.ts";

function flagLine(f: FlagDef): [string, string] {
  const value = f.kind === "bool" ? "" : ` ${f.value ?? "value"}`;
  const names = [f.name, ...(f.aliases ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`) + value).join(", ");
  return [names, f.help + (f.default !== undefined ? ` (default: ${JSON.stringify(f.default)})` : "")];
}

function columns(rows: [string, string][]): string {
  const width = Math.min(32, Math.max(0, ...rows.map(([l]) => l.length)) + 2);
  return rows.map(([l, r]) => `   ${l.padEnd(width)}${r}\n`).join("");
}

function usageArgs(c: CommandSpec): string {
  return c.args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}${a.variadic ? "..." : ""}]`)).join(" ");
}

export function commandHelp(c: CommandSpec): string {
  let out = `NAME:\n   ocirun ${c.name} - ${c.summary}\n\nUSAGE:\n   ocirun ${c.name}${c.flags.length > 0 ? " [command options]" : ""}${c.args.length > 0 ? " " + usageArgs(c) : ""}\n`;
  if (c.args.length > 0) out += `\nARGUMENTS:\n${columns(c.args.map((a) => [a.name, a.help + (a.default !== undefined ? ` (default: ${JSON.stringify(a.default)})` : "")]))}`;
  if (c.flags.length > 0) out += `\nOPTIONS:\n${columns(c.flags.map(flagLine))}`;
  return out;
}

export function rootHelp(): string {
  const cmds = columns([...COMMANDS.map((c): [string, string] => [c.name, c.summary]), ["help", "show the list of commands or the help of one"]]);
  return (
    "NAME:\n   ocirun - an Open Container Initiative runtime, a drop-in for runc\n\n" +
    "USAGE:\n   ocirun [global options] command [command options] [arguments...]\n\n" +
    `VERSION:\n   ${VERSION}\nspec: ${SPEC_VERSION}\n\n` +
    `COMMANDS:\n${cmds}\nGLOBAL OPTIONS:\n${columns(GLOBAL_FLAGS.map(flagLine))}`
  );
}
