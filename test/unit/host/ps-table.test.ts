// `ps` table mode: ps(1)'s output filtered to the container's pids by runc's rules (its header
// kept as it is, the PID column found by name, matching lines printed verbatim).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { filterPsTable } from "../../../host/ps-table.ts";

const EF = [
  "UID          PID    PPID  C STIME TTY          TIME CMD",
  "root           1       0  0 10:00 ?        00:00:01 /sbin/init",
  "root         812       1  0 10:00 ?        00:00:00 sleep 1000",
  "root         813     812  0 10:01 ?        00:00:00 sleep 999",
  "root        1812       1  0 10:02 pts/0    00:00:00 bash",
  "",
].join("\n");

test("the header, then the lines of the container's pids, verbatim", () => {
  assert.is(
    filterPsTable(EF, [812, 813]),
    "UID          PID    PPID  C STIME TTY          TIME CMD\n" +
      "root         812       1  0 10:00 ?        00:00:00 sleep 1000\n" +
      "root         813     812  0 10:01 ?        00:00:00 sleep 999\n",
  );
});

test("no pid of the container: the header alone", () => {
  assert.is(filterPsTable(EF, []), EF.split("\n")[0] + "\n");
  assert.is(filterPsTable(EF, [4242]), EF.split("\n")[0] + "\n");
});

test("the PID column is found by its name (PPID is another column), leading blanks kept", () => {
  const out = ["COMMAND           PPID     PID", "sleep              812     813", "sleep                1     812", "bash                 1    1812", ""].join("\n");
  assert.is(filterPsTable(out, [812]), "COMMAND           PPID     PID\nsleep                1     812\n");
  const padded = ["  PID COMMAND", "  812 sleep", " 1812 bash", ""].join("\n");
  assert.is(filterPsTable(padded, [812, 1812]), "  PID COMMAND\n  812 sleep\n 1812 bash\n");
});

test("blank lines are skipped; output without a final newline works", () => {
  assert.is(filterPsTable("PID CMD\n\n812 sleep\n\n42 x", [812, 42]), "PID CMD\n812 sleep\n42 x\n");
});

test("runc's errors: no PID column, a PID that is not a number", () => {
  assert.throws(() => filterPsTable("COMMAND\nsleep\n", [1]), (e: Error) => e.message === "couldn't find PID field in ps output");
  assert.throws(() => filterPsTable("", [1]), (e: Error) => e.message === "couldn't find PID field in ps output");
  assert.throws(() => filterPsTable("PID CMD\nabc sleep\n", [1]), (e: Error) => e.message === 'unable to parse pid: strconv.Atoi: parsing "abc": invalid syntax');
  assert.throws(() => filterPsTable("CMD PID\nsleep\n", [1]), (e: Error) => e.message === 'unable to parse pid: strconv.Atoi: parsing "": invalid syntax');
});

test.run();
