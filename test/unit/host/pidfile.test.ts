// --pid-file: decimal pid, no newline, written by rename, never through a symlink.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writePidFile } from "../../../host/store.ts";

const dir = mkdtempSync(join(tmpdir(), "ocirun-pidfile-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("decimal pid with no trailing newline; no temp file left", () => {
  const p = join(dir, "init.pid");
  writePidFile(p, 12345);
  assert.is(readFileSync(p, "utf8"), "12345");
  writePidFile(p, 7);
  assert.is(readFileSync(p, "utf8"), "7");
  assert.equal(readdirSync(dir), ["init.pid"]);
});

test("a symlink at the final path is replaced, its target untouched", () => {
  const victim = join(dir, "victim");
  writeFileSync(victim, "precious");
  const p = join(dir, "link.pid");
  symlinkSync(victim, p);
  writePidFile(p, 42);
  assert.is(readFileSync(victim, "utf8"), "precious");
  assert.ok(lstatSync(p).isFile());
  assert.is(readFileSync(p, "utf8"), "42");
});

test("a stale temp file (even a symlink) is removed, not written through", () => {
  const victim = join(dir, "victim2");
  writeFileSync(victim, "precious");
  symlinkSync(victim, join(dir, ".stale.pid.tmp"));
  writePidFile(join(dir, "stale.pid"), 9);
  assert.is(readFileSync(victim, "utf8"), "precious");
  assert.is(readFileSync(join(dir, "stale.pid"), "utf8"), "9");
});

test("a missing directory is an error", () => {
  assert.throws(() => writePidFile(join(dir, "no/such/dir.pid"), 1), /ENOENT/);
});

test.run();
