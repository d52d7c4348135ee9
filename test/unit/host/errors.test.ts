// System errors are reported in Go's words, which clients match (podman: "no such file or directory").
import { openSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { containerNotExist, describeError, OciError } from "../../../host/errors.ts";

test("Node's ENOENT as Go's 'open PATH: no such file or directory'", () => {
  try {
    openSync("/nonexistent/config.json", "r");
    assert.unreachable();
  } catch (err) {
    assert.is(describeError(err), "open /nonexistent/config.json: no such file or directory");
  }
});

test("other errors keep their message", () => {
  assert.is(describeError(new OciError("x")), "x");
  assert.is(describeError("plain"), "plain");
  assert.is(containerNotExist("a").message, 'container "a" does not exist');
  assert.is(new OciError("e", 255).exitCode, 255);
});

test.run();
