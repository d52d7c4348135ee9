// The addon's small calls: flock, mkfifo, strerror (host/addon.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import type { Addon } from "../../host/addon.ts";

const require = createRequire(import.meta.url);
const addon = require(path.resolve(import.meta.dirname, "../../addon/build/Release/ocirun.node")) as Addon;
const E = os.constants.errno;

test("flock: exclusive against a second open file description; 0 or errno", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocirun-flock-"));
  const a = fs.openSync(path.join(dir, "lock"), "w");
  const b = fs.openSync(path.join(dir, "lock"), "r");
  try {
    assert.is(addon.flock(a, true, false), 0);
    assert.is(addon.flock(b, false, false), E.EWOULDBLOCK);
    assert.is(addon.flock(a, false, false), 0, "downgrade to shared");
    assert.is(addon.flock(b, false, true), 0, "two shared locks");
    assert.is(addon.flock(9999, true, false), E.EBADF);
  } finally {
    fs.closeSync(a);
    fs.closeSync(b);
    fs.rmSync(dir, { recursive: true });
  }
});

test("mkfifo: makes a FIFO with the mode; EEXIST after", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocirun-fifo-"));
  const fifo = path.join(dir, "exec.fifo");
  try {
    const umask = process.umask(0);
    try {
      assert.is(addon.mkfifo(fifo, 0o622), 0);
    } finally {
      process.umask(umask);
    }
    const st = fs.statSync(fifo);
    assert.ok(st.isFIFO());
    assert.is(st.mode & 0o777, 0o622);
    assert.is(addon.mkfifo(fifo, 0o600), E.EEXIST);
    assert.is(addon.mkfifo(path.join(dir, "no/such/dir"), 0o600), E.ENOENT);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test("strerror", () => {
  assert.is(addon.strerror(E.ENODEV), "No such device");
  assert.is(addon.strerror(E.ENOENT), "No such file or directory");
});

test.run();
