// runc's argument rules (oci-surface §1.0), as host/argv.ts applies them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type FlagSpec, lastFlag, parseArgs } from "../../../host/argv.ts";

const DELETE: FlagSpec[] = [{ names: ["force", "f"], takesValue: false }];
const CREATE: FlagSpec[] = [
  { names: ["bundle", "b"], takesValue: true },
  { names: ["pid-file"], takesValue: true },
  { names: ["no-pivot"], takesValue: false },
  { names: ["detach", "d"], takesValue: false },
];

test("--flag value and --flag=value", () => {
  for (const args of [["--bundle", "/b", "id"], ["--bundle=/b", "id"], ["-b", "/b", "id"], ["-b=/b", "id"]]) {
    const p = parseArgs(args, CREATE, true);
    assert.is(lastFlag(p, "bundle"), "/b", args.join(" "));
    assert.equal(p.positionals, ["id"]);
  }
});

test("a single dash works for long flags", () => {
  assert.is(lastFlag(parseArgs(["-no-pivot", "x"], CREATE, true), "no-pivot"), true);
  assert.is(lastFlag(parseArgs(["-force", "x"], DELETE, true), "force"), true);
  assert.is(lastFlag(parseArgs(["-pid-file", "/p", "x"], CREATE, true), "pid-file"), "/p");
});

test("flags after positional arguments are reordered", () => {
  const p = parseArgs(["id", "--bundle", "/b", "--detach"], CREATE, true);
  assert.equal(p.positionals, ["id"]);
  assert.is(lastFlag(p, "bundle"), "/b");
  assert.is(lastFlag(p, "detach"), true);
});

test("without reorder (exec, ps, globals) flags end at the first positional", () => {
  const p = parseArgs(["--detach", "id", "sh", "-c", "--bundle"], CREATE, false);
  assert.is(lastFlag(p, "detach"), true);
  assert.equal(p.positionals, ["id", "sh", "-c", "--bundle"]);
});

test("-- ends the flags", () => {
  const p = parseArgs(["--", "-f", "x"], DELETE, true);
  assert.equal(p.positionals, ["-f", "x"]);
  assert.equal(p.flags, []);
});

test("bool flags take no separate value; =true/=false and Go's other spellings set them", () => {
  const p = parseArgs(["--detach", "true"], CREATE, true);
  assert.is(lastFlag(p, "detach"), true);
  assert.equal(p.positionals, ["true"]);
  for (const [v, want] of [["true", true], ["1", true], ["T", true], ["false", false], ["0", false], ["F", false]] as const) {
    assert.is(lastFlag(parseArgs([`--detach=${v}`], CREATE, true), "detach"), want, v);
  }
  assert.throws(() => parseArgs(["--detach=yes"], CREATE, true), /invalid boolean value "yes" for -detach/);
});

test("repeated flags: each value kept in order, the last wins", () => {
  const p = parseArgs(["--bundle", "/a", "x", "--bundle=/b", "-d", "--detach=false"], CREATE, true);
  assert.equal(p.flags, [["bundle", "/a"], ["bundle", "/b"], ["detach", true], ["detach", false]]);
  assert.is(lastFlag(p, "bundle"), "/b");
  assert.is(lastFlag(p, "detach"), false);
});

test("a value flag takes the next word even if it starts with a dash", () => {
  assert.is(lastFlag(parseArgs(["--pid-file", "-x", "id"], CREATE, true), "pid-file"), "-x");
  assert.throws(() => parseArgs(["id", "--bundle"], CREATE, true), /flag needs an argument: -bundle/);
});

test("unknown flags are errors, before or after positionals; -fd is one name, not two", () => {
  assert.throws(() => parseArgs(["--bogus", "x"], DELETE, true), /^flag provided but not defined: -bogus$/);
  assert.throws(() => parseArgs(["x", "--bogus"], DELETE, true), /flag provided but not defined: -bogus/);
  assert.throws(() => parseArgs(["-fd", "x"], CREATE, true), /flag provided but not defined: -fd/);
  assert.throws(() => parseArgs(["---force"], DELETE, true), /bad flag syntax: ---force/);
});

test("'-' alone is a positional", () => {
  assert.equal(parseArgs(["-", "x"], DELETE, true).positionals, ["-", "x"]);
});

test.run();
