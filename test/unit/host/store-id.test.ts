// Container ids are checked before any path is built from them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { containerDir, validateId } from "../../../host/store.ts";

test("valid ids", () => {
  for (const id of ["a", "A0", "0", "abc_DEF.1+2-3", "x".repeat(1024), "a..b", "a.", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]) {
    validateId(id);
  }
  assert.is(containerDir("/run/ocirun", "abc"), "/run/ocirun/abc");
});

test("empty id", () => {
  assert.throws(() => validateId(""), (e: Error) => e.message === "container id cannot be empty");
});

test("invalid ids name the id", () => {
  for (const id of [".", "..", "../x", "a/b", "/abs", ".hidden", "-x", "_x", "+x", "a b", "a\nb", "é", "a:b", "x".repeat(1025)]) {
    assert.throws(() => validateId(id), (e: Error) => e.message === `invalid container id format: "${id}"`, JSON.stringify(id));
    assert.throws(() => containerDir("/run/ocirun", id), /invalid container id format/);
  }
});

test.run();
