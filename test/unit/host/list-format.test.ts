// `list` output as runc prints it (Go's tabwriter, minwidth 12, padding 3).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatTable, ownerName } from "../../../host/commands/list.ts";

test("header only", () => {
  assert.is(formatTable([["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]),
    "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
});

test("runc's output for one created container, byte for byte", () => {
  const out = formatTable([
    ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"],
    ["c1", "9269", "created", "/tmp/rb", "2026-11-23T05:36:58.358315631Z", "root"],
  ]);
  assert.is(out,
    "ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n" +
    "c1          9269        created     /tmp/rb     2026-11-23T05:36:58.358315631Z   root\n");
});

test("a long cell widens its column to its length + 3; the last column is not padded", () => {
  const id = "x".repeat(20);
  const out = formatTable([["ID", "OWNER"], [id, "#1000"]]).split("\n");
  assert.is(out[0], "ID" + " ".repeat(21) + "OWNER");
  assert.is(out[1], id + "   #1000");
});

test("owner: user name from passwd, else #uid", () => {
  const passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n";
  assert.is(ownerName(0, passwd), "root");
  assert.is(ownerName(1000, passwd), "alice");
  assert.is(ownerName(4242, passwd), "#4242");
});

test.run();
