// Shell completion scripts (`ocirun completion bash|zsh|fish`), from the command table
// (command-table.ts): the commands, each one's flags (with their short names and whether they
// take a value), files or directories for path values, and container ids (`ocirun list -q`,
// with the --root given on the line) where a command takes one.
import { COMMANDS, GLOBAL_FLAGS, type CommandSpec, type FlagDef } from "./command-table.ts";

const dashed = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
const names = (f: FlagDef) => [f.name, ...(f.aliases ?? [])].map(dashed);
const takesContainer = (c: CommandSpec) => c.args.some((a) => a.complete === "container");
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashCompletion(): string {
  const cases = COMMANDS.map((c) => {
    const valued = c.flags.filter((f) => f.kind !== "bool");
    const files = valued.filter((f) => f.complete === "file").flatMap(names);
    const dirs = valued.filter((f) => f.complete === "dir").flatMap(names);
    const plain = valued.filter((f) => !f.complete).flatMap(names);
    return [
      `    ${c.name})`,
      `      flags=${quote(c.flags.flatMap(names).concat("--help").join(" "))}`,
      files.length ? `      case "$prev" in ${files.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); return;; esac` : "",
      dirs.length ? `      case "$prev" in ${dirs.join("|")}) COMPREPLY=($(compgen -d -- "$cur")); return;; esac` : "",
      plain.length ? `      case "$prev" in ${plain.join("|")}) return;; esac` : "",
      `      ids=${takesContainer(c) ? "1" : "0"};;`,
    ].filter(Boolean).join("\n");
  }).join("\n");
  const globalValued = GLOBAL_FLAGS.filter((f) => f.kind !== "bool").flatMap(names);
  return `# bash completion for ocirun (ocirun completion bash); source it, or put it in
# /usr/share/bash-completion/completions/ocirun.
_ocirun() {
  local cur prev cmd="" root="" i flags ids=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --root) root="\${COMP_WORDS[i+1]}"; ((i++));;
      ${globalValued.join("|")}) ((i++));;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break;;
    esac
  done
  if [ -z "$cmd" ]; then
    case "$prev" in --root|--log) COMPREPLY=($(compgen -f -- "$cur")); return;; ${globalValued.join("|")}) return;; esac
    COMPREPLY=($(compgen -W ${quote([...COMMANDS.map((c) => c.name), "help", ...GLOBAL_FLAGS.flatMap(names)].join(" "))} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) return;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ "$ids" = 1 ]; then
    COMPREPLY=($(compgen -W "$(ocirun \${root:+--root "$root"} list -q 2>/dev/null)" -- "$cur"))
  fi
}
complete -F _ocirun ocirun
`;
}

export function zshCompletion(): string {
  // zsh runs the bash script through bashcompinit: one script to keep right.
  return `#compdef ocirun
# zsh completion for ocirun (ocirun completion zsh): the bash one, through bashcompinit.
autoload -U +X bashcompinit && bashcompinit
${bashCompletion()}`;
}

export function fishCompletion(): string {
  const lines = ["# fish completion for ocirun (ocirun completion fish)", "complete -c ocirun -f"];
  const flag = (f: FlagDef, cond: string) => {
    const parts = [`complete -c ocirun -n ${quote(cond)} -l ${f.name}`];
    for (const a of f.aliases ?? []) parts.push(a.length === 1 ? `-s ${a}` : `-l ${a}`);
    if (f.kind !== "bool") parts.push(f.complete === "file" || f.complete === "dir" ? "-r -F" : "-r");
    parts.push(`-d ${quote(f.help)}`);
    return parts.join(" ");
  };
  for (const f of GLOBAL_FLAGS) lines.push(flag(f, "__fish_use_subcommand"));
  for (const c of COMMANDS) {
    lines.push(`complete -c ocirun -n __fish_use_subcommand -a ${c.name} -d ${quote(c.summary)}`);
    const cond = `__fish_seen_subcommand_from ${c.name}`;
    for (const f of c.flags) lines.push(flag(f, cond));
    if (takesContainer(c)) lines.push(`complete -c ocirun -n ${quote(cond)} -a '(ocirun list -q 2>/dev/null)'`);
  }
  return lines.join("\n") + "\n";
}
