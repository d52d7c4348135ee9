// The recorded command definitions give actions what commander would give them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseArgs } from "../../../host/argv.ts";
import { helpText, ProgramDef } from "../../../host/command-def.ts";

function def() {
  return new ProgramDef()
    .command("run")
    .description("create and run a container")
    .argument("<container-id>", "the id")
    .option("-b, --bundle <path>", "bundle")
    .option("--pid-file <path>", "pid file")
    .option("--no-pivot", "no pivot_root")
    .option("-d, --detach", "detach")
    .option("-f, --format <format>", "format", "table")
    .option("-e, --env <var>", "env", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(() => {});
}

function run(args: string[]) {
  const d = def();
  const p = parseArgs(args, d.flagSpecs(), true);
  return { args: d.actionArgs(p.positionals), opts: d.optionValues(p.flags) };
}

test("defaults: negated bools true, declared defaults, collectors' initial value", () => {
  assert.equal(run(["x"]), { args: ["x"], opts: { pivot: true, format: "table", env: [] } });
});

test("camelCase keys, --no-x sets x false, bools true, values and collectors in argv order", () => {
  const r = run(["-no-pivot", "x", "--pid-file=/p", "-d", "-e", "A=1", "--env", "B=2", "-b", "/b", "-f", "json"]);
  assert.equal(r.args, ["x"]);
  assert.equal(r.opts, { pivot: false, format: "json", env: ["A=1", "B=2"], pidFile: "/p", detach: true, bundle: "/b" });
  assert.equal(run(["x", "--detach=false", "--no-pivot=false"]).opts, { pivot: true, format: "table", env: [] });
});

test("positional parameters: optional with default, variadic as an array", () => {
  const d = new ProgramDef().command("k").argument("<id>").argument("[signal]", "", "SIGTERM");
  assert.equal(d.actionArgs(["a"]), ["a", "SIGTERM"]);
  assert.equal(d.actionArgs(["a", "9"]), ["a", "9"]);
  const e = new ProgramDef().command("exec").argument("<id>").argument("[command...]");
  assert.equal(e.actionArgs(["a"]), ["a", []]);
  assert.equal(e.actionArgs(["a", "sh", "-c", "x"]), ["a", ["sh", "-c", "x"]]);
  assert.equal([e.arguments[1].required, e.arguments[1].variadic], [false, true]);
});

test("flag specs: long name first, short alias, value or bool", () => {
  assert.equal(def().flagSpecs().slice(0, 4), [
    { names: ["bundle", "b"], takesValue: true },
    { names: ["pid-file"], takesValue: true },
    { names: ["no-pivot"], takesValue: false },
    { names: ["detach", "d"], takesValue: false },
  ]);
});

test("help is rendered by commander from the definition", async () => {
  const h = await helpText(def());
  assert.ok(h.startsWith("Usage: ocirun run [options] <container-id>"), h);
  for (const s of ["create and run a container", "-b, --bundle <path>", "--no-pivot", '(default: "table")']) assert.ok(h.includes(s), s);
});

test.run();
