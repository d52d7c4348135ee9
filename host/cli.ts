// ocirun's entry point: global flags, then one subcommand of the static table (command-table.ts).
// A start must stay cheap (containerd and conmon run a new ocirun for every operation), so
// nothing is imported eagerly: the command's module is loaded once the command is known, and it
// loads the addon or the core only if it needs them.
import { chmodSync, mkdirSync, readFileSync } from "./files.ts";
import { resolve } from "node:path";
import { actionArgs, flagSpecs, lastFlag, optionValues, parseArgs } from "./argv.ts";
import { type CommandModule, type CommandSpec, findCommand, GLOBAL_FLAGS } from "./command-table.ts";
import type { Context } from "./context.ts";
import { describeError, OciError, UsageError } from "./errors.ts";
import { Logger } from "./log.ts";
import { writeAll } from "./stdio.ts";
import { mark } from "./trace.ts";
import { SPEC_VERSION, VERSION } from "./version.ts";
// The commands engines call for every container operation are in the entry module itself:
// loading a module of the split bundle costs about 1 ms each (docs/startup.md).
import * as deleteCommand from "./commands/delete.ts";
import * as killCommand from "./commands/kill.ts";
import * as startCommand from "./commands/start.ts";
import * as stateCommand from "./commands/state.ts";

// Each other command's code, loaded once the command is known (literal paths: `bun build
// --compile` bundles them).
const MODULES: Record<string, () => Promise<CommandModule>> = {
  checkpoint: () => import("./commands/checkpoint.ts"),
  create: () => import("./commands/create.ts"),
  delete: async () => deleteCommand,
  events: () => import("./commands/events.ts"),
  exec: () => import("./commands/exec.ts"),
  features: () => import("./commands/features.ts"),
  kill: async () => killCommand,
  list: () => import("./commands/list.ts"),
  pause: () => import("./commands/pause.ts"),
  plan: () => import("./commands/plan.ts"),
  ps: () => import("./commands/ps.ts"),
  restore: () => import("./commands/restore.ts"),
  resume: () => import("./commands/resume.ts"),
  run: () => import("./commands/run.ts"),
  spec: () => import("./commands/spec.ts"),
  start: async () => startCommand,
  state: async () => stateCommand,
  update: () => import("./commands/update.ts"),
  validate: () => import("./commands/validate.ts"),
  completion: () => import("./commands/completion.ts"),
};

async function main(argv: string[]): Promise<number> {
  mark("main: entered");
  let log = new Logger({ format: "text", debug: false });
  try {
    const g = parseArgs(argv, flagSpecs(GLOBAL_FLAGS), false);
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
      writeAll(1, (await import("./help.ts")).rootHelp());
      return 0;
    }
    if (name === "help") [name, args] = [args[0], ["--help"]]; // `help <command>`
    const entry = findCommand(name);
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
    return await runCommand(entry, args, ctx);
  } catch (err) {
    return report(err, log);
  }
}

async function runCommand(spec: CommandSpec, args: string[], ctx: Context): Promise<number> {
  const parsed = parseArgs(args, [...flagSpecs(spec.flags), { names: ["help", "h"], takesValue: false }], !spec.ordered);
  if (lastFlag(parsed, "help") === true) {
    writeAll(1, (await import("./help.ts")).commandHelp(spec));
    return 0;
  }
  await checkArgCount(spec, parsed.positionals.length);
  const command = await MODULES[spec.name]();
  mark(`${spec.name}: module loaded`);
  await command.run(ctx, actionArgs(spec.args, parsed.positionals), optionValues(spec.flags, parsed));
  return ctx.exitCode;
}

/** runc's checkArgs: the message as the error, and "Incorrect Usage." with the help on stdout. */
async function checkArgCount(spec: CommandSpec, n: number): Promise<void> {
  const min = spec.args.filter((a) => a.required).length;
  const max = spec.args.some((a) => a.variadic) ? Infinity : spec.args.length;
  if (n >= min && n <= max) return;
  const rule = min === max ? `exactly ${min}` : n < min ? `a minimum of ${min}` : `a maximum of ${max}`;
  writeAll(1, "Incorrect Usage.\n\n" + (await import("./help.ts")).commandHelp(spec));
  throw new UsageError(`"${spec.name}" requires ${rule} argument(s)`);
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

main(process.argv.slice(2)).then(
  (code) => {
    mark("main: done");
    process.exit(code);
  },
  () => process.exit(1), // report() already ran; nothing reaches here but a failed write to stderr
);
