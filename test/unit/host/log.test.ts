// Log records as podman and go-runc parse them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatRecord, Logger } from "../../../host/log.ts";

const dir = mkdtempSync(join(tmpdir(), "ocirun-log-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const at = new Date("2026-11-23T05:37:12.345Z");

test("json record: logrus' keys and order, RFC 3339 time", () => {
  const line = formatRecord("json", "error", 'container "x" does not exist', at);
  assert.is(line, '{"level":"error","msg":"container \\"x\\" does not exist","time":"2026-11-23T05:37:12Z"}');
  assert.equal(Object.keys(JSON.parse(line)), ["level", "msg", "time"]);
});

test("text record: logrus' TextFormatter quoting", () => {
  assert.is(formatRecord("text", "error", 'container "x" does not exist', at),
    'time="2026-11-23T05:37:12Z" level=error msg="container \\"x\\" does not exist"');
  assert.is(formatRecord("text", "debug", "plain", at), 'time="2026-11-23T05:37:12Z" level=debug msg=plain');
  assert.is(formatRecord("text", "error", "two\nlines", at).split("\n").length, 1);
});

test("default level: an error is the only record, and the file parses as one JSON object", () => {
  const file = join(dir, "oci-log");
  const log = new Logger({ file, format: "json", debug: false });
  log.debug("not written");
  log.warn("a warning is not written at the default level");
  log.error("boom");
  const text = readFileSync(file, "utf8");
  assert.is(text.trimEnd().split("\n").length, 1);
  const rec = JSON.parse(text);
  assert.equal([rec.level, rec.msg], ["error", "boom"]);
  assert.ok(!Number.isNaN(Date.parse(rec.time)));
});

test("--debug adds debug records; the file is appended to", () => {
  const file = join(dir, "log.json");
  new Logger({ file, format: "json", debug: true }).debug(() => "lazy");
  new Logger({ file, format: "json", debug: true }).error("boom");
  const recs = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.map((r) => [r.level, r.msg]), [["debug", "lazy"], ["error", "boom"]]);
});

test("nothing logged, no file created", () => {
  const file = join(dir, "unused.json");
  new Logger({ file, format: "json", debug: false }).debug("x");
  assert.not.ok(existsSync(file));
});

test.run();
