// Config patches and the errors (pointer: message) or warnings they must give.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf, warningsOf } from "../../util/core";

type Row = { name: string; patch: Record<string, unknown>; errorAt?: string[]; warnAt?: string[] };

const rows: Row[] = [
  { name: "base config is valid", patch: {} },
  { name: "ociVersion required", patch: { "/ociVersion": undefined }, errorAt: ["/ociVersion"] },
  { name: "ociVersion semver", patch: { "/ociVersion": "invalid" }, errorAt: ["/ociVersion"] },
  { name: "ociVersion major 2", patch: { "/ociVersion": "2.0.0" }, errorAt: ["/ociVersion"] },
  { name: "ociVersion prerelease ok", patch: { "/ociVersion": "1.0.2-dev" } },
  { name: "root required", patch: { "/root": undefined }, errorAt: ["/root"] },
  { name: "root.path required", patch: { "/root/path": undefined }, errorAt: ["/root/path"] },
  { name: "process optional", patch: { "/process": undefined } },
  { name: "args missing", patch: { "/process/args": undefined }, errorAt: ["/process/args"] },
  { name: "args empty", patch: { "/process/args": [] }, errorAt: ["/process/args"] },
  { name: "args a string", patch: { "/process/args": "sh" }, errorAt: ["/process/args"] },
  { name: "args element a number", patch: { "/process/args": ["sh", 1] }, errorAt: ["/process/args/1"] },
  { name: "cwd relative", patch: { "/process/cwd": "tmp" }, errorAt: ["/process/cwd"] },
  { name: "cwd missing", patch: { "/process/cwd": undefined }, errorAt: ["/process/cwd"] },
  { name: "uid a string", patch: { "/process/user": { uid: "0", gid: 0 } }, errorAt: ["/process/user/uid"] },
  { name: "uid too big", patch: { "/process/user": { uid: 4294967296, gid: 0 } }, errorAt: ["/process/user/uid"] },
  { name: "uid a fraction", patch: { "/process/user": { uid: 1.5, gid: 0 } }, errorAt: ["/process/user/uid"] },
  { name: "namespaces an object", patch: { "/linux/namespaces": { type: "pid" } }, errorAt: ["/linux/namespaces"] },
  { name: "duplicate namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "pid" }] }, errorAt: ["/linux/namespaces/2/type"] },
  { name: "unknown namespace", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "pidd" }] }, errorAt: ["/linux/namespaces/1/type"] },
  { name: "relative namespace path", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "net", path: "x" }] }, errorAt: ["/linux/namespaces/1/type"] },
  { name: "no mount namespace", patch: { "/linux/namespaces": [{ type: "pid" }] }, errorAt: ["/linux/namespaces"] },
  { name: "hostname without uts", patch: { "/hostname": "h" }, errorAt: ["/hostname"] },
  { name: "hostname with uts", patch: { "/hostname": "h", "/linux/namespaces": [{ type: "mount" }, { type: "uts" }] } },
  { name: "unknown rlimit", patch: { "/process/rlimits": [{ type: "RLIMIT_FOO", soft: 1, hard: 1 }] }, errorAt: ["/process/rlimits/0/type"] },
  { name: "rlimit soft above hard", patch: { "/process/rlimits": [{ type: "RLIMIT_NOFILE", soft: 2, hard: 1 }] }, errorAt: ["/process/rlimits/0/soft"] },
  { name: "unknown capability warns", patch: { "/process/capabilities": { bounding: ["CAP_FOO", "CAP_KILL"] } }, warnAt: ["/process/capabilities/bounding/0"] },
  { name: "ambient not inheritable warns", patch: { "/process/capabilities": { permitted: ["CAP_KILL"], inheritable: [], ambient: ["CAP_KILL"] } }, warnAt: ["/process/capabilities/ambient/0"] },
  { name: "ambient permitted and inheritable", patch: { "/process/capabilities": { permitted: ["CAP_KILL"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"] } }, warnAt: [] },
  { name: "user namespace needs maps", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "user" }] }, errorAt: ["/linux/uidMappings", "/linux/gidMappings"] },
  { name: "joined user namespace needs no maps", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "user", path: "/proc/1/ns/user" }] } },
  { name: "maps without a user namespace", patch: { "/linux/gidMappings": [{ containerID: 0, hostID: 1, size: 1 }] }, errorAt: ["/linux/gidMappings"] },
  { name: "map without size", patch: { "/linux/namespaces": [{ type: "mount" }, { type: "user" }], "/linux/uidMappings": [{ containerID: 0, hostID: 1 }], "/linux/gidMappings": [{ containerID: 0, hostID: 1, size: 1 }] }, errorAt: ["/linux/uidMappings/0/size"] },
  { name: "ociVersion empty prerelease", patch: { "/ociVersion": "1.0.0-" }, errorAt: ["/ociVersion"] },
  { name: "ociVersion prerelease leading zero", patch: { "/ociVersion": "1.0.0-01" }, errorAt: ["/ociVersion"] },
  { name: "ociVersion empty build", patch: { "/ociVersion": "1.0.0+" }, errorAt: ["/ociVersion"] },
  { name: "ociVersion prerelease and build", patch: { "/ociVersion": "1.2.0-rc.1+git.abc-1" } },
  { name: "user without uid", patch: { "/process/user": { gid: 0 } }, errorAt: ["/process/user/uid"] },
  { name: "empty annotation key", patch: { "/annotations": { "": "x" } }, errorAt: ["/annotations/"] },
  { name: "empty device path", patch: { "/linux/devices": [{ path: "", type: "c", major: 1, minor: 3 }] }, errorAt: ["/linux/devices/0/path"] },
  { name: "empty mount destination", patch: { "/mounts": [{ destination: "", type: "tmpfs", source: "tmpfs" }] }, errorAt: ["/mounts/0/destination"] },
  { name: "no linux at all: the mount namespace error names the document", patch: { "/linux": undefined }, errorAt: [""] },
  { name: "masked path index counts skipped non-strings", patch: { "/linux/maskedPaths": [1, "rel"] }, errorAt: ["/linux/maskedPaths/0", "/linux/maskedPaths/1"] },
  { name: "unknown property ignored", patch: { "/somethingNew": { a: 1 }, "/process/futureField": true } },
  { name: "unknown annotation ignored", patch: { "/annotations": { "org.x": "y" } } },
  { name: "annotation not a string", patch: { "/annotations": { "org.x": 1 } }, errorAt: ["/annotations/org.x"] },
  { name: "mount without destination", patch: { "/mounts": [{ type: "tmpfs", source: "tmpfs" }] }, errorAt: ["/mounts/0/destination"] },
  { name: "bind without source", patch: { "/mounts": [{ destination: "/x", type: "bind" }] }, errorAt: ["/mounts/0/source"] },
  { name: "relative mount destination warns", patch: { "/mounts": [{ destination: "x", type: "tmpfs", source: "tmpfs" }] }, warnAt: ["/mounts/0/destination"] },
  { name: "relative masked path", patch: { "/linux/maskedPaths": ["proc/kcore"] }, errorAt: ["/linux/maskedPaths/0"] },
  { name: "bad rootfsPropagation", patch: { "/linux/rootfsPropagation": "rslave" }, errorAt: ["/linux/rootfsPropagation"] },
  { name: "bad device type", patch: { "/linux/devices": [{ path: "/dev/x", type: "z", major: 1, minor: 1 }] }, errorAt: ["/linux/devices/0/type"] },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("validate", patch(baseConfig(), row.patch));
    const errors = errorsOf(v).map((e) => e.slice(0, e.indexOf(": ")));
    assert.equal(errors, row.errorAt ?? [], errorsOf(v).join("\n"));
    assert.is(v.ok, (row.errorAt ?? []).length === 0);
    if (row.warnAt) assert.equal(warningsOf(v).map((w) => w.slice(0, w.indexOf(": "))), row.warnAt);
  });
}

test("rlimits take the whole u64 range", () => {
  const text = JSON.stringify(patch(baseConfig(), { "/process/rlimits": [{ type: "RLIMIT_CORE", soft: 1, hard: 2 }] }))
    .replace('"soft":1', '"soft":18446744073709551615').replace('"hard":2', '"hard":18446744073709551615');
  assert.equal(errorsOf(core("validate", text)), []);
  const over = text.replace('"hard":18446744073709551615', '"hard":18446744073709551616');
  assert.equal(errorsOf(core("validate", over)), ["/process/rlimits/0/hard: 18446744073709551616 is out of range [0, 18446744073709551615]"]);
});

test("all errors are reported at once", () => {
  const v = core("validate", patch(baseConfig(), { "/ociVersion": "x", "/process/cwd": "y", "/process/args": [] }));
  assert.is(errorsOf(v).length, 3);
});

test("malformed JSON names line and column", () => {
  const v = core("validate", '{\n  "ociVersion": "1.3.0",\n  "root": {"path": "r"}}\n}');
  assert.equal(errorsOf(v), [": config.json is not valid JSON: line 4, column 1: unexpected data after the top-level value"]);
});

test("truncated and empty input", () => {
  assert.match(errorsOf(core("validate", '{"ociVersion": "1.'))[0], "line 1, column 19: unterminated string");
  assert.match(errorsOf(core("validate", ""))[0], "unexpected end of input");
});

test("the config size is capped before parsing", () => {
  const big = '{"ociVersion":"1.3.0","x":"' + "a".repeat(4 << 20) + '"}';
  assert.match(errorsOf(core("validate", big))[0], "the limit is 4194304");
});

test.run();
