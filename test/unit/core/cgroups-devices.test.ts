// linux.resources.devices: the v1 devices.allow/deny lines and the v2 eBPF program, run in
// test/util/bpf-vm.ts on tables of (type, major, minor, access) → allowed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cgroupPlan, v1Facts, v2Facts, renderWrite } from "../../util/cgroup";
import { baseConfig, patch } from "../../util/core";
import { runDeviceProgram, verify, DEV_BLOCK, DEV_CHAR, ACC_MKNOD, ACC_READ, ACC_WRITE } from "../../util/bpf-vm";

const D = "/linux/resources/devices";

function program(devices: unknown, extra: Record<string, unknown> = {}): Uint8Array {
  const config = patch(baseConfig(), devices === undefined ? extra : { [D]: devices, ...extra });
  const { section, errors } = cgroupPlan(config, v2Facts);
  assert.equal(errors, []);
  const prog = Buffer.from(section!.deviceProgram!, "base64");
  verify(prog);
  return prog;
}

const access = (s: string) => (s.includes("m") ? ACC_MKNOD : 0) | (s.includes("r") ? ACC_READ : 0) | (s.includes("w") ? ACC_WRITE : 0);

// [type, major, minor, access, allowed]
type Probe = [string, number, number, string, boolean];

const DENY_ALL = { allow: false, access: "rwm" };

const cases: { name: string; devices: unknown; extra?: Record<string, unknown>; probes: Probe[] }[] = [
  { name: "deny all, then the runtime's defaults (runc spec)", devices: [DENY_ALL], probes: [
    ["c", 1, 3, "rw", true], ["c", 1, 3, "rwm", true], ["c", 1, 5, "r", true], ["c", 1, 7, "w", true], ["c", 1, 8, "r", true],
    ["c", 1, 9, "r", true], ["c", 5, 0, "rw", true], ["c", 5, 2, "rw", true], ["c", 136, 7, "rw", true], ["c", 10, 200, "rw", true],
    ["c", 1, 1, "r", false], ["c", 4, 1, "rw", false], ["b", 8, 0, "r", false], ["b", 8, 0, "w", false], ["c", 5, 1, "w", false],
    ["c", 4, 1, "m", true], ["b", 8, 0, "m", true], ["b", 1, 3, "r", false], ["c", 10, 201, "r", false],
  ] },
  { name: "no rules: default deny all the same", devices: undefined, probes: [
    ["c", 1, 3, "rw", true], ["c", 4, 1, "r", false], ["b", 8, 0, "rw", false],
  ] },
  { name: "runtime-tools linux_cgroups_devices", devices: [DENY_ALL, { allow: true, type: "c", major: 10, minor: 229, access: "rwm" },
    { allow: true, type: "b", major: 8, minor: 20, access: "rw" }, { allow: true, type: "b", major: 10, minor: 200, access: "r" }], probes: [
    ["c", 10, 229, "rw", true], ["b", 8, 20, "rw", true], ["b", 8, 20, "m", true], ["b", 8, 21, "r", false],
    ["b", 10, 200, "r", true], ["b", 10, 200, "w", false], ["b", 10, 200, "rw", false], ["c", 8, 20, "r", false],
  ] },
  { name: "allow all", devices: [{ allow: true, access: "rwm" }], probes: [
    ["c", 4, 1, "rw", true], ["b", 8, 0, "rwm", true], ["c", 1, 3, "r", true],
  ] },
  { name: "a later deny takes some access back", devices: [DENY_ALL, { allow: true, type: "c", access: "rw" }, { allow: false, type: "c", major: 4, minor: 1, access: "w" }], probes: [
    ["c", 4, 1, "r", true], ["c", 4, 1, "w", false], ["c", 4, 1, "rw", false], ["c", 4, 2, "rw", true], ["b", 4, 1, "r", false],
  ] },
  { name: "a later allow overrides an earlier deny", devices: [DENY_ALL, { allow: false, type: "c", major: 4, access: "rwm" }, { allow: true, type: "c", major: 4, minor: 5, access: "r" }], probes: [
    ["c", 4, 5, "r", true], ["c", 4, 5, "w", false], ["c", 4, 6, "r", false],
  ] },
  { name: "allow bits from two rules add up", devices: [DENY_ALL, { allow: true, type: "c", major: 4, minor: 1, access: "r" }, { allow: true, type: "c", major: 4, minor: 1, access: "w" }], probes: [
    ["c", 4, 1, "rw", true], ["c", 4, 1, "r", true], ["c", 4, 1, "w", true],
  ] },
  { name: "type a with a major matches both types", devices: [DENY_ALL, { allow: true, type: "a", major: 7, access: "r" }], probes: [
    ["c", 7, 1, "r", true], ["b", 7, 2, "r", true], ["b", 7, 2, "w", false], ["c", 6, 1, "r", false],
  ] },
  { name: "an empty type is all types, as in runc", devices: [DENY_ALL, { allow: true, type: "", major: 7, minor: 1, access: "r" }], probes: [
    ["c", 7, 1, "r", true], ["b", 7, 1, "r", true], ["b", 7, 1, "w", false],
  ] },
  { name: "the config's own /dev/null replaces the default rule", devices: [DENY_ALL],
    extra: { "/linux/devices": [{ path: "/dev/null", type: "c", major: 1, minor: 3 }] }, probes: [
    ["c", 1, 3, "r", false], ["c", 1, 5, "r", true],
  ] },
  { name: "a user deny cannot remove the defaults (runc appends them)", devices: [{ allow: false, type: "c", major: 1, minor: 3, access: "rwm" }], probes: [
    ["c", 1, 3, "rw", true], ["c", 2, 3, "r", false],
  ] },
];

for (const c of cases) {
  test(`device program: ${c.name}`, () => {
    const prog = program(c.devices, c.extra);
    for (const [type, major, minor, acc, want] of c.probes) {
      const got = runDeviceProgram(prog, type === "b" ? DEV_BLOCK : DEV_CHAR, access(acc), major, minor);
      assert.is(got, want ? 1 : 0, `${type} ${major}:${minor} ${acc}`);
    }
  });
}

test("device program is absent on v1, and v1 gets deny-all then the rules in order", () => {
  const config = patch(baseConfig(), { [D]: [DENY_ALL, { allow: true, type: "b", major: 8, minor: 20, access: "rw" }] });
  const { section } = cgroupPlan(config, v1Facts);
  assert.is(section!.deviceProgram, null);
  const lines = section!.writes.filter((w) => w.file.startsWith("devices.")).map((w) => `${renderWrite(w)}  <- ${w.pointer}`);
  assert.equal(lines, [
    `devices/devices.deny = a  <- ${D}`,
    `devices/devices.deny = a *:* rwm  <- ${D}/0`,
    `devices/devices.allow = b 8:20 rw  <- ${D}/1`,
    "devices/devices.allow = c *:* m  <- ", "devices/devices.allow = b *:* m  <- ",
    "devices/devices.allow = c 1:3 rwm  <- ", "devices/devices.allow = c 1:8 rwm  <- ", "devices/devices.allow = c 1:7 rwm  <- ",
    "devices/devices.allow = c 5:0 rwm  <- ", "devices/devices.allow = c 1:5 rwm  <- ", "devices/devices.allow = c 1:9 rwm  <- ",
    "devices/devices.allow = c 136:* rwm  <- ", "devices/devices.allow = c 5:2 rwm  <- ", "devices/devices.allow = c 10:200 rwm  <- ",
  ]);
});

test("v2 has no devices.* writes", () => {
  const { section } = cgroupPlan(patch(baseConfig(), { [D]: [DENY_ALL] }), v2Facts);
  assert.equal(section!.writes.filter((w) => w.file.startsWith("devices.")), []);
});

const invalid: [string, unknown, string[]][] = [
  ["type z", [{ allow: true, type: "z", access: "r" }], [`${D}/0/type`]],
  ["access with none of r, w, m", [{ allow: true, access: "xa" }], [`${D}/0/access`]],
  ["access empty", [{ allow: true, access: "" }], [`${D}/0/access`]],
  ["allow missing", [{ access: "r" }], [`${D}/0/allow`]],
  ["allow a string", [{ allow: "yes" }], [`${D}/0/allow`]],
  ["major below -1", [{ allow: true, type: "c", major: -2 }], [`${D}/0/major`]],
  ["minor too big for the program", [{ allow: true, type: "c", major: 1, minor: 2147483648 }], [`${D}/0/minor`]],
  ["rule not an object", ["c 1:3 rwm"], [`${D}/0`]],
];
for (const [name, devices, errorAt] of invalid) {
  test(`device rules: ${name}`, () => {
    assert.equal(cgroupPlan(patch(baseConfig(), { [D]: devices }), v2Facts).errors, errorAt);
  });
}

test("access as runc reads it: a set of r, w, m in any order; other letters ignored, with a warning (update.bats' \"rwa\")", () => {
  const rules = [DENY_ALL, { allow: false, type: "c", major: 1, minor: 11, access: "rwa" }, { allow: true, type: "c", major: 1, minor: 99, access: "mrr" }];
  const { section, errors, warnings } = cgroupPlan(patch(baseConfig(), { [D]: rules }), v1Facts);
  assert.equal(errors, []);
  assert.equal(warnings, [`${D}/1/access`]);
  const lines = section!.writes.filter((w) => w.pointer === `${D}/1` || w.pointer === `${D}/2`).map(renderWrite);
  assert.equal(lines, ["devices/devices.deny = c 1:11 rw", "devices/devices.allow = c 1:99 rm"]);
  const prog = program(rules);
  assert.is(runDeviceProgram(prog, DEV_CHAR, ACC_READ, 1, 99), 1);
  assert.is(runDeviceProgram(prog, DEV_CHAR, ACC_WRITE, 1, 99), 0);
  assert.is(runDeviceProgram(prog, DEV_CHAR, ACC_READ, 1, 11), 0, "rwa denies read");
});

test("access defaults to rwm and major/minor to any", () => {
  const prog = program([DENY_ALL, { allow: true, type: "c" }]);
  assert.is(runDeviceProgram(prog, DEV_CHAR, ACC_READ | ACC_WRITE | ACC_MKNOD, 99, 99), 1);
  assert.is(runDeviceProgram(prog, DEV_BLOCK, ACC_READ, 99, 99), 0);
});

test("the VM refuses programs the kernel would", () => {
  const exitOnly = new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => runDeviceProgram(exitOnly, DEV_CHAR, ACC_READ, 1, 3), /unset r0/);
  const dead = new Uint8Array([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => verify(dead), /unreachable/);
});

test.run();
