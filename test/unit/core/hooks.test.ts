// /hooks: validation rows, and the verdict's "hooks" section the host runs them from.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, coreRaw, baseConfig, patch, errorsOf, warningsOf } from "../../util/core";

type Row = { name: string; patch: Record<string, unknown>; errorAt?: string[]; warnAt?: string[] };

const hook = { path: "/usr/bin/hook", args: ["hook", "x"], env: ["A=1"], timeout: 5 };

const rows: Row[] = [
  { name: "no hooks", patch: {} },
  { name: "every phase", patch: { "/hooks": { createRuntime: [hook], createContainer: [hook], startContainer: [hook], poststart: [hook], poststop: [hook] } } },
  { name: "prestart is deprecated", patch: { "/hooks/prestart": [hook] }, warnAt: ["/hooks/prestart"] },
  { name: "empty prestart does not warn", patch: { "/hooks/prestart": [] }, warnAt: [] },
  { name: "only path is required", patch: { "/hooks/poststop": [{ path: "/bin/true" }] } },
  { name: "hooks an array", patch: { "/hooks": [hook] }, errorAt: ["/hooks"] },
  { name: "phase an object", patch: { "/hooks/poststart": hook }, errorAt: ["/hooks/poststart"] },
  { name: "entry a string", patch: { "/hooks/poststart": ["/bin/true"] }, errorAt: ["/hooks/poststart/0"] },
  { name: "path missing", patch: { "/hooks/createRuntime": [{ args: ["x"] }] }, errorAt: ["/hooks/createRuntime/0/path"] },
  { name: "path relative", patch: { "/hooks/createRuntime": [{ path: "bin/hook" }] }, errorAt: ["/hooks/createRuntime/0/path"] },
  { name: "args not strings", patch: { "/hooks/startContainer": [{ path: "/h", args: ["h", 1] }] }, errorAt: ["/hooks/startContainer/0/args/1"] },
  { name: "env a string", patch: { "/hooks/startContainer": [{ path: "/h", env: "A=1" }] }, errorAt: ["/hooks/startContainer/0/env"] },
  { name: "timeout zero", patch: { "/hooks/poststop": [{ path: "/h", timeout: 0 }] }, errorAt: ["/hooks/poststop/0/timeout"] },
  { name: "timeout negative", patch: { "/hooks/poststop": [{ path: "/h", timeout: -1 }] }, errorAt: ["/hooks/poststop/0/timeout"] },
  { name: "timeout a fraction", patch: { "/hooks/poststop": [{ path: "/h", timeout: 1.5 }] }, errorAt: ["/hooks/poststop/0/timeout"] },
  { name: "unknown phase ignored", patch: { "/hooks/postpone": [{ path: "x" }] } },
  { name: "all errors at once", patch: { "/hooks/createRuntime": [{ path: "a", timeout: 0 }, {}] }, errorAt: ["/hooks/createRuntime/0/path", "/hooks/createRuntime/0/timeout", "/hooks/createRuntime/1/path"] },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("validate", patch(baseConfig(), row.patch));
    const at = (s: string) => s.slice(0, s.indexOf(": "));
    assert.equal(errorsOf(v).map(at), row.errorAt ?? [], errorsOf(v).join("\n"));
    assert.is(v.ok, (row.errorAt ?? []).length === 0);
    if (row.warnAt) assert.equal(warningsOf(v).map(at), row.warnAt);
  });
}

/** The verdict's sections by name (the host's decoder keeps only the ones it knows). */
function sections(bytes: Uint8Array): Record<string, string> {
  const text = new TextDecoder().decode(bytes);
  const out: Record<string, string> = {};
  let pos = text.indexOf("\n") + 1;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const [name, len] = text.slice(pos, nl).split(" ");
    out[name] = text.slice(nl + 1, nl + 1 + Number(len));
    pos = nl + 2 + Number(len);
  }
  return out;
}

function hooksSection(config: unknown, op: "plan" | "validate" = "plan"): unknown {
  const s = sections(coreRaw(op, JSON.stringify(config)));
  return s.hooks === undefined ? undefined : JSON.parse(s.hooks);
}

test("plan: phases in lifecycle order, entries in config order, empty phases left out", () => {
  const config = patch(baseConfig(), {
    "/hooks": {
      poststop: [{ path: "/stop" }],
      createRuntime: [{ path: "/a", args: ["a", "1"] }, { path: "/b", env: ["X=y"], timeout: 3 }],
      createContainer: [],
      prestart: [{ path: "/pre" }],
    },
  });
  assert.equal(hooksSection(config), {
    prestart: [{ path: "/pre", args: [], env: [], pointer: "/hooks/prestart/0" }],
    createRuntime: [
      { path: "/a", args: ["a", "1"], env: [], pointer: "/hooks/createRuntime/0" },
      { path: "/b", args: [], env: ["X=y"], timeout: 3, pointer: "/hooks/createRuntime/1" },
    ],
    poststop: [{ path: "/stop", args: [], env: [], pointer: "/hooks/poststop/0" }],
  });
  assert.equal(Object.keys(hooksSection(config) as object), ["prestart", "createRuntime", "poststop"]);
});

test("plan without hooks has an empty hooks section", () => {
  assert.equal(hooksSection(baseConfig()), {});
});

test("strings are JSON-escaped", () => {
  const config = patch(baseConfig(), { "/hooks/poststart": [{ path: "/h", args: ["a\"b\\c\n"] }] });
  assert.equal(hooksSection(config), { poststart: [{ path: "/h", args: ["a\"b\\c\n"], env: [], pointer: "/hooks/poststart/0" }] });
});

test("validate and an invalid plan give no hooks section", () => {
  const config = patch(baseConfig(), { "/hooks/poststart": [{ path: "/h" }] });
  assert.is(hooksSection(config, "validate"), undefined);
  assert.is(hooksSection(patch(config, { "/process/cwd": "x" })), undefined);
});

test.run();
