// The command table (host/command-table.ts) is the one source of the parser's flags, the
// options a command gets, --help and the completion scripts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { actionArgs, flagSpecs, optionValues, parseArgs } from "../../../host/argv.ts";
import { COMMANDS, findCommand, GLOBAL_FLAGS } from "../../../host/command-table.ts";
import { commandHelp, rootHelp } from "../../../host/help.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "../../../host/completion.ts";

const run = findCommand("run")!;

function parse(args: string[]) {
  const p = parseArgs(args, flagSpecs(run.flags), true);
  return { args: actionArgs(run.args, p.positionals), opts: optionValues(run.flags, p) };
}

test("defaults: bools false, lists empty, declared defaults; keys are camelCase of the long name", () => {
  const { args, opts } = parse(["x"]);
  assert.equal(args, ["x"]);
  assert.is(opts.noPivot, false);
  assert.is(opts.detach, false);
  assert.is(opts.bundle, undefined);
  assert.equal(optionValues(findCommand("exec")!.flags, parseArgs([], [], true)).env, []);
  assert.is(optionValues(findCommand("list")!.flags, parseArgs([], [], true)).format, "table");
});

test("values in argv order: the last string wins, lists collect, --x=false clears a bool", () => {
  const r = parse(["-no-pivot", "x", "--pid-file=/p", "-d", "-b", "/a", "--bundle", "/b"]);
  assert.equal([r.opts.noPivot, r.opts.pidFile, r.opts.detach, r.opts.bundle], [true, "/p", true, "/b"]);
  assert.is(parse(["x", "--detach=false"]).opts.detach, false);
  const exec = findCommand("exec")!;
  const p = parseArgs(["-e", "A=1", "--env", "B=2", "id", "sh"], flagSpecs(exec.flags), false);
  assert.equal(optionValues(exec.flags, p).env, ["A=1", "B=2"]);
  assert.equal(actionArgs(exec.args, p.positionals), ["id", ["sh"]]);
});

test("positional parameters: an optional one's default, a variadic one as an array", () => {
  assert.equal(actionArgs(findCommand("kill")!.args, ["a"]), ["a", "SIGTERM"]);
  assert.equal(actionArgs(findCommand("exec")!.args, ["a"]), ["a", []]);
});

test("every flag name is unique within its command, and one letter at most for aliases", () => {
  for (const c of [...COMMANDS, { name: "(global)", flags: GLOBAL_FLAGS }]) {
    const seen = new Set<string>();
    for (const f of c.flags) {
      for (const n of [f.name, ...(f.aliases ?? [])]) {
        assert.not.ok(seen.has(n), `${c.name}: ${n} twice`);
        seen.add(n);
      }
      for (const a of f.aliases ?? []) assert.is(a.length, 1, `${c.name}: alias ${a}`);
    }
  }
});

test("every command of the table has its module, which exports run()", async () => {
  for (const c of COMMANDS) {
    const m = await import(`../../../host/commands/${c.name}.ts`);
    assert.type(m.run, "function", c.name);
  }
});

test("--help comes from the table: every flag, its short name, value and default", () => {
  const h = commandHelp(run);
  assert.ok(h.startsWith("NAME:\n   ocirun run - create and start a container"), h);
  for (const f of run.flags) assert.ok(h.includes(`--${f.name}`), f.name);
  assert.ok(h.includes("--bundle path, -b path"), h);
  assert.ok(commandHelp(findCommand("list")!).includes('(default: "table")'));
  for (const c of COMMANDS) assert.ok(rootHelp().includes(`   ${c.name}`), c.name);
});

test("completion scripts name every command and flag; bash parses them", () => {
  const bash = bashCompletion();
  const fish = fishCompletion();
  for (const c of COMMANDS) {
    assert.ok(bash.includes(`    ${c.name})`), `bash: ${c.name}`);
    assert.ok(fish.includes(`-a ${c.name} `), `fish: ${c.name}`);
    for (const f of c.flags) {
      assert.ok(bash.includes(`--${f.name}`), `bash: ${c.name} --${f.name}`);
      assert.ok(fish.includes(`-l ${f.name}`), `fish: ${c.name} --${f.name}`);
    }
  }
  assert.ok(zshCompletion().startsWith("#compdef ocirun"));
  const syntax = spawnSync("bash", ["-n"], { input: bash, encoding: "utf8" });
  assert.is(syntax.status, 0, syntax.stderr);
  // bash offers the commands, then a command's flags.
  const complete = (line: string) => spawnSync("bash", ["-c", `${bash}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _ocirun; echo "\${COMPREPLY[*]}"`], { encoding: "utf8" }).stdout.trim();
  assert.equal(complete("ocirun cre").split(" "), ["create"]);
  assert.equal(complete("ocirun delete --fo").split(" "), ["--force"]);
});

test.run();
