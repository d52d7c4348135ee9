import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseSignal } from "../../../host/signals.ts";

test("numbers, names with and without SIG, any case", () => {
  const cases: Array<[string, number]> = [
    ["9", 9], ["15", 15], ["0", 0], ["KILL", 9], ["SIGKILL", 9], ["kill", 9], ["sigterm", 15], ["TERM", 15],
    ["USR1", 10], ["SIGUSR2", 12], ["HUP", 1], ["WINCH", 28], ["CHLD", 17], ["IOT", 6], ["64", 64],
    ["RTMIN", 34], ["SIGRTMIN+3", 37], ["RTMAX", 64], ["RTMAX-2", 62],
  ];
  for (const [raw, n] of cases) assert.is(parseSignal(raw), n, raw);
});

test("unknown signals", () => {
  for (const raw of ["FOO", "SIG", "", "65", "-9", "9x", "SIGKILLX", "RTMIN+31", "RTMAX+1", "1.5"]) {
    assert.throws(() => parseSignal(raw), (e: Error) => e.message === `unknown signal "${raw}"`, raw);
  }
});

test.run();
