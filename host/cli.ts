// ocirun's entry point: global flags, then one subcommand loaded from the static table below.
// A start must stay cheap (containerd and conmon run a new ocirun for every operation), so
// nothing is imported eagerly: the command's module is loaded once the command is known, it
// loads the addon or the core only if it needs them, and commander only to print help.
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type FlagSpec, lastFlag, parseArgs } from "./argv.ts";
import { type CommandDef, helpText, ProgramDef } from "./command-def.ts";
import type { CommandModule, Context } from "./context.ts";
import { describeError, OciError, UsageError } from "./errors.ts";
import { Logger } from "./log.ts";
import { writeAll } from "./stdio.ts";
import { SPEC_VERSION, VERSION } from "./version.ts";

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
  /** Flags end at the first positional (runc's SkipArgReorder), for commands whose trailing
   * arguments are someone else's argv: exec, ps. */
  ordered?: boolean;
  /** The command asks the core for a plan: core.wasm compiles in the background from the start. */
  plans?: boolean;
}

const COMMANDS: Record<string, CommandEntry> = {
  create: { summary: "create a container", load: () => import("./commands/create.ts"), plans: true },
  delete: { summary: "delete any resources held by the container", load: () => import("./commands/delete.ts") },
  events: { summary: "display container events such as OOM notifications, cpu, memory, and IO usage statistics", load: () => import("./commands/events.ts") },
  exec: { summary: "execute new process inside the container", load: () => import("./commands/exec.ts"), ordered: true, plans: true },
  features: { summary: "show the enabled features", load: () => import("./commands/features.ts") },
  kill: { summary: "send a signal to the container's init process", load: () => import("./commands/kill.ts") },
  list: { summary: "list containers started by ocirun with the given root", load: () => import("./commands/list.ts") },
  pause: { summary: "suspend all processes inside the container", load: () => import("./commands/pause.ts") },
  plan: { summary: "show the plan for a bundle without running it", load: () => import("./commands/plan.ts") },
  ps: { summary: "ps displays the processes running inside a container", load: () => import("./commands/ps.ts"), ordered: true },
  resume: { summary: "resume all processes that have been previously paused", load: () => import("./commands/resume.ts") },
  run: { summary: "create and run a container", load: () => import("./commands/run.ts"), plans: true },
  spec: { summary: "create a new specification file", load: () => import("./commands/spec.ts") },
  start: { summary: "execute the user process in a created container", load: () => import("./commands/start.ts") },
  state: { summary: "output the state of a container", load: () => import("./commands/state.ts") },
  update: { summary: "update container resource constraints", load: () => import("./commands/update.ts"), plans: true },
  validate: { summary: "check a bundle's config.json", load: () => import("./commands/validate.ts") },
};

// Global flags go before the subcommand only, as in runc.
const GLOBAL_FLAGS: Array<FlagSpec & { help: string }> = [
  { names: ["debug"], takesValue: false, help: "enable debug logging" },
  { names: ["log"], takesValue: true, help: "write ocirun's log records to this file (default: stderr)" },
  { names: ["log-format"], takesValue: true, help: "log format: text (default) or json" },
  { names: ["root"], takesValue: true, help: 'state directory, preferably on tmpfs (default: "/run/ocirun"; "$XDG_RUNTIME_DIR/ocirun" when rootless)' },
  { names: ["systemd-cgroup"], takesValue: false, help: 'cgroupsPath is "slice:prefix:name", e.g. "system.slice:ocirun:434234"' },
  { names: ["rootless"], takesValue: true, help: "ignore cgroup permission errors: true, false or auto (default)" },
  { names: ["help", "h"], takesValue: false, help: "show help" },
  { names: ["version", "v"], takesValue: false, help: "print the version" },
];

async function main(argv: string[]): Promise<number> {
  let log = new Logger({ format: "text", debug: false });
  try {
    const g = parseArgs(argv, GLOBAL_FLAGS, false);
    const str = (name: string) => {
      const v = lastFlag(g, name);
      return typeof v === "string" ? v : undefined;
    };
    const logFormat = str("log-format") ?? "text";
    const format = logFormat === "json" ? "json" : "text";
    log = new Logger({ file: str("log"), format, debug: lastFlag(g, "debug") === true });
    if (logFormat !== "text" && logFormat !== "json") throw new UsageError(`invalid log-format: ${logFormat}`);
    if (lastFlag(g, "version") === true) {
      writeAll(1, `ocirun version ${VERSION}\nspec: ${SPEC_VERSION}\n`);
      return 0;
    }
    let [name, ...args] = g.positionals;
    if (lastFlag(g, "help") === true || name === undefined || (name === "help" && args.length === 0)) {
      writeAll(1, rootHelp());
      return 0;
    }
    if (name === "help") [name, args] = [args[0], ["--help"]]; // `help <command>`
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command "${name}" (see ocirun --help)`);
    const ctx: Context = {
      root: resolveRoot(str("root")),
      logFile: str("log"),
      logFormat: format,
      debug: lastFlag(g, "debug") === true,
      systemdCgroup: lastFlag(g, "systemd-cgroup") === true,
      rootless: str("rootless") ?? "auto",
      log,
      out: (text) => writeAll(1, text),
      exitCode: 0,
    };
    log.debug(() => `ocirun ${VERSION}: ${name} ${JSON.stringify(args)} root=${ctx.root}`);
    // The commands that plan compile the core while they parse flags, read the bundle and load
    // the addon; the others never load it.
    if (entry.plans) (await import("./core/load.ts")).compileCoreInBackground();
    return await runCommand(name, entry, args, ctx);
  } catch (err) {
    return report(err, log);
  }
}

async function runCommand(name: string, entry: CommandEntry, args: string[], ctx: Context): Promise<number> {
  const program = new ProgramDef();
  (await entry.load()).register(program, ctx);
  const def = program.commands.find((c) => c.name === name);
  if (!def?.handler) throw new Error(`host/commands/${name}.ts did not register a "${name}" command with an action`);
  const parsed = parseArgs(args, [...def.flagSpecs(), { names: ["help", "h"], takesValue: false }], !entry.ordered);
  if (lastFlag(parsed, "help") === true) {
    writeAll(1, await helpText(def));
    return 0;
  }
  await checkArgCount(def, parsed.positionals.length);
  await def.handler(...def.actionArgs(parsed.positionals), def.optionValues(parsed.flags), def);
  return ctx.exitCode;
}

/** runc's checkArgs: the message as the error, and "Incorrect Usage." with the help on stdout. */
async function checkArgCount(def: CommandDef, n: number): Promise<void> {
  const min = def.arguments.filter((a) => a.required).length;
  const max = def.arguments.some((a) => a.variadic) ? Infinity : def.arguments.length;
  if (n >= min && n <= max) return;
  const rule = min === max ? `exactly ${min}` : n < min ? `a minimum of ${min}` : `a maximum of ${max}`;
  writeAll(1, "Incorrect Usage.\n\n" + (await helpText(def)));
  throw new UsageError(`"${def.name}" requires ${rule} argument(s)`);
}

/** --root made absolute; "/" is refused (delete would remove <root>/<id> under it). Without
 * --root: /run/ocirun, or $XDG_RUNTIME_DIR/ocirun when runc would use $XDG_RUNTIME_DIR/runc
 * (its shouldHonorXDGRuntimeDir): for a non-root user, and for root in a user namespace unless
 * $USER is "root". That directory is made as runc makes it: 0700, then the sticky bit, which
 * keeps the XDG runtime dir's cleaner from pruning it. */
function resolveRoot(given: string | undefined): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  const useXdg = given === undefined && !!xdg && (process.geteuid?.() !== 0 || (inUserNamespace() && process.env.USER !== "root"));
  const root = given !== undefined ? resolve(given) : useXdg ? resolve(xdg!, "ocirun") : "/run/ocirun";
  if (root === "/") throw new UsageError('--root cannot be "/"');
  if (useXdg) {
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
      chmodSync(root, 0o1700);
    } catch (err) {
      throw new OciError(`the path in $XDG_RUNTIME_DIR must be writable by the user: ${describeError(err)}`);
    }
  }
  return root;
}

/** runc's userns.RunningInUserNS: any uid_map but the initial namespace's "0 0 4294967295". */
function inUserNamespace(): boolean {
  try {
    const fields = readFileSync("/proc/self/uid_map", "utf8").trim().split(/\s+/);
    return fields.join(" ") !== "0 0 4294967295";
  } catch {
    return false;
  }
}

function report(err: unknown, log: Logger): number {
  if (err instanceof OciError) {
    log.error(err.message);
    return err.exitCode;
  }
  log.error(describeError(err)); // a system error (EACCES, ENOSPC, ...) in Go's words
  log.debug(() => (err instanceof Error && err.stack) || String(err));
  return 1;
}

function rootHelp(): string {
  const cmds = Object.entries(COMMANDS).map(([n, e]) => `   ${n.padEnd(10)}${e.summary}\n`).join("");
  const flags = GLOBAL_FLAGS.map((f) => {
    const names = f.names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(", ") + (f.takesValue ? " value" : "");
    return `   ${names.padEnd(22)}${f.help}\n`;
  }).join("");
  return (
    "NAME:\n   ocirun - an Open Container Initiative runtime, a drop-in for runc\n\n" +
    "USAGE:\n   ocirun [global options] command [command options] [arguments...]\n\n" +
    `VERSION:\n   ${VERSION}\nspec: ${SPEC_VERSION}\n\n` +
    `COMMANDS:\n${cmds}   ${"help".padEnd(10)}show the list of commands or the help of one\n\n` +
    `GLOBAL OPTIONS:\n${flags}`
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1), // report() already ran; nothing reaches here but a failed write to stderr
);
