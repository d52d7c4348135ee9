// /linux/seccomp validation: each row lists the pointers of the errors (and warnings) it expects.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { core, baseConfig, patch, errorsOf, warningsOf, repo } from "../../util/core";
import { dockerSeccompToOci } from "../../fixtures/docker-seccomp-to-oci.mjs";

type Row = { name: string; seccomp: unknown; errorAt?: string[]; warnAt?: string[] };

const allow = { defaultAction: "SCMP_ACT_ALLOW" };
const rule = (r: Record<string, unknown>) => ({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO", ...r }] });
const arg = (a: Record<string, unknown>) => rule({ args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ", ...a }] });

const rows: Row[] = [
  { name: "minimal profile", seccomp: allow },
  { name: "defaultAction required", seccomp: {}, errorAt: ["/linux/seccomp/defaultAction"] },
  { name: "defaultAction unknown", seccomp: { defaultAction: "SCMP_ACT_DENY" }, errorAt: ["/linux/seccomp/defaultAction"] },
  { name: "defaultAction a number", seccomp: { defaultAction: 1 }, errorAt: ["/linux/seccomp/defaultAction"] },
  ...["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"]
    .map((a) => ({ name: `defaultAction ${a}`, seccomp: { defaultAction: a } })),
  { name: "defaultErrnoRet with ERRNO", seccomp: { defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38 } },
  { name: "defaultErrnoRet with TRACE", seccomp: { defaultAction: "SCMP_ACT_TRACE", defaultErrnoRet: 1 } },
  { name: "defaultErrnoRet with ALLOW", seccomp: { defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1 }, errorAt: ["/linux/seccomp/defaultErrnoRet"] },
  { name: "defaultErrnoRet negative", seccomp: { defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: -1 }, errorAt: ["/linux/seccomp/defaultErrnoRet"] },
  { name: "defaultErrnoRet beyond 16 bits", seccomp: { defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 65536 }, errorAt: ["/linux/seccomp/defaultErrnoRet"] },
  { name: "architectures known", seccomp: { ...allow, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_SHEB"] } },
  { name: "architecture unknown", seccomp: { ...allow, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_AMD64"] }, errorAt: ["/linux/seccomp/architectures/1"] },
  { name: "architectures a string", seccomp: { ...allow, architectures: "SCMP_ARCH_X86_64" }, errorAt: ["/linux/seccomp/architectures"] },
  { name: "flags known", seccomp: { ...allow, flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] } },
  { name: "flag unknown", seccomp: { ...allow, flags: ["SECCOMP_FILTER_FLAG_NEW_LISTENER"] }, errorAt: ["/linux/seccomp/flags/0"] },
  { name: "NOTIFY with listenerPath", seccomp: { ...rule({ action: "SCMP_ACT_NOTIFY" }), listenerPath: "/run/agent.sock", listenerMetadata: "m" } },
  { name: "NOTIFY without listenerPath", seccomp: rule({ action: "SCMP_ACT_NOTIFY" }), errorAt: ["/linux/seccomp/syscalls/0/action"] },
  { name: "NOTIFY default without listenerPath", seccomp: { defaultAction: "SCMP_ACT_NOTIFY" }, errorAt: ["/linux/seccomp/defaultAction", "/linux/seccomp/defaultAction"] },
  { name: "NOTIFY cannot be the default (runc refuses it too)", seccomp: { defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/run/agent.sock" }, errorAt: ["/linux/seccomp/defaultAction"] },
  { name: "NOTIFY cannot take write", seccomp: { ...rule({ action: "SCMP_ACT_NOTIFY", names: ["read", "write"] }), listenerPath: "/run/agent.sock" }, errorAt: ["/linux/seccomp/syscalls/0/names/1"] },
  { name: "a name no arch knows is a warning", seccomp: rule({ names: ["mkdir", "nosuchcall"] }), warnAt: ["/linux/seccomp/syscalls/0/names/1"] },
  { name: "listenerPath relative", seccomp: { ...rule({ action: "SCMP_ACT_NOTIFY" }), listenerPath: "agent.sock" }, errorAt: ["/linux/seccomp/listenerPath"] },
  { name: "listenerPath without NOTIFY is ignored", seccomp: { ...allow, listenerPath: "/run/agent.sock" }, warnAt: ["/linux/seccomp/listenerPath"] },
  { name: "listenerMetadata without listenerPath", seccomp: { ...allow, listenerMetadata: "m" }, errorAt: ["/linux/seccomp/listenerMetadata"] },
  { name: "syscalls an object", seccomp: { ...allow, syscalls: {} }, errorAt: ["/linux/seccomp/syscalls"] },
  { name: "rule a string", seccomp: { ...allow, syscalls: ["mkdir"] }, errorAt: ["/linux/seccomp/syscalls/0"] },
  { name: "names required", seccomp: { ...allow, syscalls: [{ action: "SCMP_ACT_ERRNO" }] }, errorAt: ["/linux/seccomp/syscalls/0/names"] },
  { name: "names empty", seccomp: rule({ names: [] }), errorAt: ["/linux/seccomp/syscalls/0/names"] },
  { name: "name a number", seccomp: rule({ names: ["mkdir", 83] }), errorAt: ["/linux/seccomp/syscalls/0/names/1"] },
  { name: "name empty", seccomp: rule({ names: [""] }), errorAt: ["/linux/seccomp/syscalls/0/names/0"] },
  { name: "action required", seccomp: { ...allow, syscalls: [{ names: ["mkdir"] }] }, errorAt: ["/linux/seccomp/syscalls/0/action"] },
  { name: "action unknown", seccomp: rule({ action: "SCMP_ACT_ERRNO(1)" }), errorAt: ["/linux/seccomp/syscalls/0/action"] },
  { name: "errnoRet with ERRNO", seccomp: rule({ errnoRet: 1 }) },
  { name: "errnoRet with KILL", seccomp: rule({ action: "SCMP_ACT_KILL", errnoRet: 1 }), errorAt: ["/linux/seccomp/syscalls/0/errnoRet"] },
  { name: "args ok", seccomp: arg({ index: 5, valueTwo: 3, op: "SCMP_CMP_MASKED_EQ" }) },
  { name: "args an object", seccomp: rule({ args: {} }), errorAt: ["/linux/seccomp/syscalls/0/args"] },
  { name: "arg index 6", seccomp: arg({ index: 6 }), errorAt: ["/linux/seccomp/syscalls/0/args/0/index"] },
  { name: "arg index missing", seccomp: arg({ index: undefined }), errorAt: ["/linux/seccomp/syscalls/0/args/0/index"] },
  { name: "arg value missing", seccomp: arg({ value: undefined }), errorAt: ["/linux/seccomp/syscalls/0/args/0/value"] },
  { name: "arg value negative", seccomp: arg({ value: -1 }), errorAt: ["/linux/seccomp/syscalls/0/args/0/value"] },
  { name: "arg valueTwo a string", seccomp: arg({ valueTwo: "1" }), errorAt: ["/linux/seccomp/syscalls/0/args/0/valueTwo"] },
  { name: "arg op missing", seccomp: arg({ op: undefined }), errorAt: ["/linux/seccomp/syscalls/0/args/0/op"] },
  { name: "arg op unknown", seccomp: arg({ op: "SCMP_CMP_MASKED_NE" }), errorAt: ["/linux/seccomp/syscalls/0/args/0/op"] },
  { name: "unknown properties ignored", seccomp: { ...rule({ comment: "x", includes: {} }), futureField: 1 } },
];

for (const row of rows) {
  test(row.name, () => {
    const v = core("validate", patch(baseConfig(), { "/linux/seccomp": row.seccomp }));
    const errors = errorsOf(v);
    const at = (s: string) => s.slice(0, s.indexOf(": "));
    // Every error at once, in config order.
    assert.equal(errors.map(at), row.errorAt ?? [], errors.join("\n"));
    assert.is(v.ok, !row.errorAt);
    assert.equal(warningsOf(v).map(at), row.warnAt ?? []);
  });
}

test("u64 argument values take the whole range", () => {
  const text = JSON.stringify(patch(baseConfig(), { "/linux/seccomp": arg({ value: 1, valueTwo: 2 }) }));
  const max = text.replace('"value":1', '"value":18446744073709551615').replace('"valueTwo":2', '"valueTwo":18446744073709551615');
  assert.equal(errorsOf(core("validate", max)), []);
  const over = text.replace('"value":1', '"value":18446744073709551616');
  assert.equal(errorsOf(core("validate", over)).length, 1);
});

test("seccomp that is not an object is a type error only", () => {
  assert.equal(errorsOf(core("validate", patch(baseConfig(), { "/linux/seccomp": [] }))), ["/linux/seccomp: must be an object, not an array"]);
});

test("a config without seccomp is not refused", () => {
  assert.equal(errorsOf(core("validate", baseConfig())), []);
});

test("the golden profile is containers-common's, converted for podman on amd64", () => {
  const golden = JSON.parse(readFileSync(repo + "test/golden/plans/seccomp-podman/config.json", "utf8")).linux.seccomp;
  const docker = JSON.parse(readFileSync(repo + "test/fixtures/containers-common-seccomp.json", "utf8"));
  assert.equal(dockerSeccompToOci(docker), golden);
  // Rules for capabilities podman does not grant, and for other architectures, are dropped.
  assert.ok(golden.syscalls.length < docker.syscalls.length);
  assert.equal(golden.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
});

test.run();
