// Every command ocirun has, its arguments and its flags: one static table, from which the
// parser (cli.ts with argv.ts), `--help` (help.ts) and shell completion (completion.ts) are all
// derived, so they cannot disagree. The runc commands keep runc's names, short names and
// defaults. A command's code is host/commands/<name>.ts, loaded only when it runs (cli.ts).
import type { Context } from "./context.ts";
import { UPDATE_RESOURCE_FLAGS } from "./update-flags.ts";

/** bool: present or not (`--x=false` too); string: one value, the last one given wins; list: every
 * value given, in order. */
export type FlagKind = "bool" | "string" | "list";

export interface FlagDef {
  /** The long name, without dashes; the options object's key is its camelCase (`no-pivot` -> `noPivot`). */
  name: string;
  /** Other names (one letter: `-b`). */
  aliases?: string[];
  kind: FlagKind;
  /** What the value is, for the help (`path`, `n`); string and list flags. */
  value?: string;
  /** The value when the flag is not given (string flags). */
  default?: string;
  help: string;
  /** How shells complete the value. */
  complete?: "file" | "dir";
}

export interface ArgDef {
  name: string;
  required?: boolean;
  /** It takes the rest of the positionals (an array). */
  variadic?: boolean;
  default?: string;
  help: string;
  /** How shells complete it: `container` offers the ids `ocirun list -q` prints. */
  complete?: "container";
}

/** What the command module exports: its action, with one value per ArgDef and the options. */
export interface CommandModule {
  run(ctx: Context, args: unknown[], opts: Record<string, any>): Promise<void> | void;
}

export interface CommandSpec {
  name: string;
  summary: string;
  args: ArgDef[];
  flags: FlagDef[];
  /** Flags end at the first positional (runc's SkipArgReorder), for commands whose trailing
   * arguments are someone else's argv: exec, ps. */
  ordered?: boolean;
  /** The command asks the core for a plan: core.wasm compiles in the background from the start. */
  plans?: boolean;
}

const ID: ArgDef = { name: "container-id", required: true, help: "the container's id", complete: "container" };
const BUNDLE: FlagDef = { name: "bundle", aliases: ["b"], kind: "string", value: "path", help: "path to the bundle directory (default: the current directory)", complete: "dir" };

// create's flags, which run has too.
const CREATE_FLAGS: FlagDef[] = [
  BUNDLE,
  { name: "console-socket", kind: "string", value: "path", help: "AF_UNIX socket that receives the pty master of a terminal container", complete: "file" },
  { name: "pid-file", kind: "string", value: "path", help: "file to write the init's pid to", complete: "file" },
  { name: "no-pivot", kind: "bool", help: "do not use pivot_root (for a rootfs on a ramdisk)" },
  { name: "no-new-keyring", kind: "bool", help: "do not create a new session keyring" },
  { name: "preserve-fds", kind: "string", value: "n", help: "pass N more file descriptors (3 to 3+N-1) to the container" },
];

// The CRIU options checkpoint and restore share (runc's names and words).
const CRIU_FLAGS: FlagDef[] = [
  { name: "image-path", kind: "string", value: "path", help: "path for the criu image files (default: ./checkpoint)", complete: "dir" },
  { name: "work-path", kind: "string", value: "path", help: "path for criu's work files and logs (default: the image path)", complete: "dir" },
  { name: "tcp-established", kind: "bool", help: "allow open tcp connections" },
  { name: "ext-unix-sk", kind: "bool", help: "allow external unix sockets" },
  { name: "shell-job", kind: "bool", help: "allow shell jobs" },
  { name: "file-locks", kind: "bool", help: "handle file locks, for safety" },
  { name: "manage-cgroups-mode", kind: "string", value: "mode", help: "cgroups mode: soft (default), full or strict" },
  { name: "empty-ns", kind: "list", value: "namespace", help: "create a namespace, but do not restore its properties (repeatable)" },
  { name: "auto-dedup", kind: "bool", help: "enable auto deduplication of memory images" },
  { name: "lazy-pages", kind: "bool", help: "use userfaultfd to lazily restore memory pages" },
];

const FORMAT = (values: string, def: string): FlagDef => ({ name: "format", aliases: ["f"], kind: "string", value: "format", default: def, help: `select one of: ${values}` });

export const COMMANDS: CommandSpec[] = [
  {
    name: "checkpoint", summary: "checkpoint a running container (CRIU)", args: [ID],
    flags: [
      ...CRIU_FLAGS,
      { name: "parent-path", kind: "string", value: "path", help: "path of the previous criu image files (a pre-dump), relative to the image path" },
      { name: "leave-running", kind: "bool", help: "leave the process running after checkpointing" },
      { name: "status-fd", kind: "string", value: "fd", default: "-1", help: "criu writes \\0 to this fd once lazy-pages is ready" },
      { name: "page-server", kind: "string", value: "address:port", help: "ADDRESS:PORT of the page server" },
      { name: "pre-dump", kind: "bool", help: "dump the container's memory only, and leave it running" },
    ],
  },
  {
    name: "create", summary: "create a container", args: [ID], flags: CREATE_FLAGS, plans: true,
  },
  {
    name: "delete", summary: "delete any resources held by the container", args: [ID],
    flags: [{ name: "force", aliases: ["f"], kind: "bool", help: "kill the container first if it is running (SIGKILL)" }],
  },
  {
    name: "events", summary: "display container events such as OOM notifications, cpu, memory, and IO usage statistics", args: [ID],
    flags: [
      { name: "interval", kind: "string", value: "duration", default: "5s", help: "set the stats collection interval (Go duration: 5s, 200ms, 1m30s)" },
      { name: "stats", kind: "bool", help: "display the container's stats then exit" },
    ],
  },
  {
    name: "exec", summary: "execute new process inside the container", ordered: true, plans: true,
    args: [ID, { name: "command", variadic: true, help: "the command to run and its arguments (none with --process)" }],
    flags: [
      { name: "console-socket", kind: "string", value: "path", help: "AF_UNIX socket that receives the pty master (with --tty and --detach)", complete: "file" },
      { name: "pidfd-socket", kind: "string", value: "path", help: "not supported yet", complete: "file" },
      { name: "cwd", kind: "string", value: "path", help: "current working directory in the container" },
      { name: "env", aliases: ["e"], kind: "list", value: "name=value", help: "set an environment variable (repeatable)" },
      { name: "tty", aliases: ["t"], kind: "bool", help: "allocate a pseudo-TTY" },
      { name: "user", aliases: ["u"], kind: "string", value: "uid[:gid]", help: "UID (format: <uid>[:<gid>])" },
      { name: "additional-gids", aliases: ["g"], kind: "list", value: "gid", help: "additional gids (repeatable)" },
      { name: "process", aliases: ["p"], kind: "string", value: "path", help: "path to the process.json; replaces everything config.json and the other flags say", complete: "file" },
      { name: "detach", aliases: ["d"], kind: "bool", help: "detach from the container's process" },
      { name: "pid-file", kind: "string", value: "path", help: "specify the file to write the process id to", complete: "file" },
      { name: "process-label", kind: "string", value: "label", help: "set the asm process label for the process commonly used with selinux" },
      { name: "apparmor", kind: "string", value: "profile", help: "set the apparmor profile for the process" },
      { name: "no-new-privs", kind: "bool", help: "set the no new privileges value for the process" },
      { name: "cap", aliases: ["c"], kind: "list", value: "cap", help: "add a capability to the bounding set for the process (repeatable)" },
      { name: "preserve-fds", kind: "string", value: "n", help: "pass N additional file descriptors to the container (3 to 3+N-1)" },
      { name: "cgroup", kind: "list", value: "path", help: "run the process in an (existing) sub-cgroup of the container: [<controller>[,<controller>]:]<path> (repeatable)" },
      { name: "ignore-paused", kind: "bool", help: "allow exec in a paused container" },
    ],
  },
  { name: "features", summary: "show the enabled features", args: [], flags: [] },
  {
    name: "kill", summary: "send a signal (default: SIGTERM) to the container's init process",
    args: [ID, { name: "signal", default: "SIGTERM", help: "a number, or a name with or without SIG (KILL, SIGKILL)" }],
    flags: [{ name: "all", aliases: ["a"], kind: "bool", help: "send the signal to every process of the container (its cgroups); a stopped container is not an error" }],
  },
  {
    name: "list", summary: "lists containers started by ocirun with the given root", args: [],
    flags: [FORMAT("table or json", "table"), { name: "quiet", aliases: ["q"], kind: "bool", help: "display only container IDs" }],
  },
  { name: "pause", summary: "suspend all processes inside the container", args: [ID], flags: [] },
  {
    name: "plan", summary: "show the plan the core makes for a bundle, without running anything", args: [], plans: true,
    flags: [
      BUNDLE,
      { ...FORMAT("text (one op a line) or json", "text") },
      { name: "cgroup", kind: "string", value: "mode", help: "plan for this cgroup mode instead of the host's: v1, hybrid, v2 or none" },
    ],
  },
  {
    name: "ps", summary: "ps displays the processes running inside a container", ordered: true,
    args: [ID, { name: "ps-options", variadic: true, help: "options for ps(1) (default: -ef)" }],
    flags: [FORMAT("table or json", "table")],
  },
  {
    name: "restore", summary: "restore a container from a checkpoint (CRIU)", args: [ID], plans: true,
    flags: [
      ...CRIU_FLAGS,
      { ...BUNDLE },
      { name: "console-socket", kind: "string", value: "path", help: "AF_UNIX socket that receives the pty master of a terminal container", complete: "file" },
      { name: "detach", aliases: ["d"], kind: "bool", help: "detach from the container's process" },
      { name: "pid-file", kind: "string", value: "path", help: "file to write the restored process's pid to", complete: "file" },
      { name: "no-subreaper", kind: "bool", help: "accepted for runc compatibility" },
      { name: "no-pivot", kind: "bool", help: "do not use pivot_root (for a rootfs on a ramdisk)" },
      { name: "lsm-profile", kind: "string", value: "type:name", help: "an LSM profile to restore with, in the form TYPE:NAME" },
      { name: "lsm-mount-context", kind: "string", value: "context", help: "an LSM mount context to restore with" },
    ],
  },
  { name: "resume", summary: "resume all processes that have been previously paused", args: [ID], flags: [] },
  {
    name: "run", summary: "create and start a container", args: [ID], plans: true,
    flags: [
      ...CREATE_FLAGS,
      { name: "detach", aliases: ["d"], kind: "bool", help: "detach from the container's process" },
      { name: "keep", kind: "bool", help: "do not delete the container after it exits" },
      { name: "no-subreaper", kind: "bool", help: "accepted for runc compatibility; the init is always our child" },
    ],
  },
  {
    name: "spec", summary: "create a new specification file (config.json)", args: [],
    flags: [
      { name: "bundle", aliases: ["b"], kind: "string", value: "path", help: "path to the root of the bundle directory", complete: "dir" },
      { name: "rootless", kind: "bool", help: "generate a configuration for a rootless container" },
    ],
  },
  { name: "start", summary: "execute the user process in a created container", args: [ID], flags: [] },
  { name: "state", summary: "output the state of a container", args: [ID], flags: [] },
  {
    name: "update", summary: "update container resource constraints", args: [ID], plans: true,
    flags: [
      { name: "resources", aliases: ["r"], kind: "string", value: "file", complete: "file",
        help: "path to the file containing the resources to update (a LinuxResources object), or '-' to read from the standard input; the other flags are then ignored" },
      ...UPDATE_RESOURCE_FLAGS.map(([name, help]): FlagDef => ({ name, kind: "string", value: "value", help })),
    ],
  },
  {
    name: "validate", summary: "check a bundle's config.json and list every error and warning", args: [],
    flags: [BUNDLE, FORMAT("text (one line per diagnostic) or json", "text")],
  },
  {
    name: "completion", summary: "print a shell completion script: bash, zsh or fish",
    args: [{ name: "shell", required: true, help: "bash, zsh or fish" }], flags: [],
  },
];

/** The flags before the command (runc's global flags). */
export const GLOBAL_FLAGS: FlagDef[] = [
  { name: "debug", kind: "bool", help: "enable debug logging" },
  { name: "log", kind: "string", value: "path", help: "write ocirun's log records to this file (default: stderr)", complete: "file" },
  { name: "log-format", kind: "string", value: "format", default: "text", help: "log format: text or json" },
  { name: "root", kind: "string", value: "path", help: 'state directory, preferably on tmpfs (default: "/run/ocirun"; "$XDG_RUNTIME_DIR/ocirun" when rootless)', complete: "dir" },
  { name: "systemd-cgroup", kind: "bool", help: 'cgroupsPath is "slice:prefix:name", e.g. "system.slice:ocirun:434234"' },
  { name: "rootless", kind: "string", value: "value", default: "auto", help: "ignore cgroup permission errors: true, false or auto" },
  { name: "help", aliases: ["h"], kind: "bool", help: "show help" },
  { name: "version", aliases: ["v"], kind: "bool", help: "print the version" },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
