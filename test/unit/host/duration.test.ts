// Go's time.ParseDuration, which runc's `events --interval` takes (urfave/cli's DurationFlag).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGoDuration } from "../../../host/duration.ts";

const ok: Array<[string, number]> = [
  ["5s", 5000],
  ["200ms", 200],
  ["0", 0],
  ["+0", 0],
  ["-0", 0],
  ["0s", 0],
  ["1m30s", 90_000],
  ["1h", 3_600_000],
  ["1.5h", 5_400_000],
  [".5s", 500],
  ["5.s", 5000],
  ["-1.5s", -1500],
  ["+2m", 120_000],
  ["300us", 0.3],
  ["300µs", 0.3], // U+00B5
  ["300μs", 0.3], // U+03BC
  ["1500000ns", 1.5],
  ["1h2m3s4ms", 3_723_004],
  ["2562047h", 2562047 * 3_600_000], // just below Go's limit of 2^63-1 ns
];

test("durations Go accepts, in milliseconds", () => {
  for (const [text, ms] of ok) assert.ok(Math.abs(parseGoDuration(text) - ms) < 1e-9, `${text}: ${parseGoDuration(text)} != ${ms}`);
});

const bad: Array<[string, string]> = [
  ["", 'time: invalid duration ""'],
  ["1", 'time: missing unit in duration "1"'],
  ["10", 'time: missing unit in duration "10"'],
  ["1x", 'time: unknown unit "x" in duration "1x"'],
  ["5 s", 'time: unknown unit " s" in duration "5 s"'],
  ["s", 'time: invalid duration "s"'],
  [".s", 'time: invalid duration ".s"'],
  ["-", 'time: invalid duration "-"'],
  ["1s2", 'time: missing unit in duration "1s2"'],
  ["abc", 'time: invalid duration "abc"'],
  ["3000000h", 'time: invalid duration "3000000h"'], // past 2^63-1 ns
];

test("durations Go refuses, with its error text", () => {
  for (const [text, message] of bad) {
    assert.throws(() => parseGoDuration(text), (err: Error) => err.message === message, `${JSON.stringify(text)}`);
  }
});

test.run();
