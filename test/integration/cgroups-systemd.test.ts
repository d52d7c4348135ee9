// --systemd-cgroup against a real systemd (root): the container's transient scope appears with
// Delegate in its slice (systemctl over the same bus), its cgroup holds the init and nothing
// else, the resources are the unit's properties and the cgroup's files, exec/pause/kill --all
// work through that cgroup, a refused value takes the unit down with the create, and delete
// stops the unit and leaves no cgroup. The systemd is the host's when it runs one, else a
// throwaway systemd booted inside the cgroup v2 VM only (test/util/throwaway-systemd.ts); with
// neither, those tests are skipped, saying why. A host without systemd gets runc's one error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ocirun, ocirunCommand, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { cgroupDirsNamed, hostCgroupMode } from "../util/cgroup-host.ts";
import { startSystemd, systemdAvailability, type Result, type Systemd } from "../util/throwaway-systemd.ts";
import { waitFor } from "../util/wait.ts";
import { testNeeding } from "../util/needs.ts";

const t = new TestBundles();
const root = t.root;
const where = systemdAvailability();
if ("skip" in where) console.log(`  cgroups-systemd: the tests against systemd are skipped: ${where.skip}`);
let sd: Systemd | undefined;
let bootError: unknown;

test.before(() => {
  if ("skip" in where) return;
  try {
    sd = startSystemd(where.kind);
  } catch (err) {
    bootError = err;
  }
});

test.after(() => {
  // Containers go from where their pids and units are (a state pid means nothing outside).
  if (sd) for (const id of ["sd-scope", "sd-res", "sd-default", "sd-exit", "sd-refused", "sd-first", "sd-second"]) oci("delete", "--force", id);
  sd?.stop();
  t.cleanup();
});

/** A test that needs systemd: skipped (counted as such) when there is none. */
function sdTest(name: string, fn: (sd: Systemd) => void): void {
  if ("skip" in where) return test.skip(name, () => {});
  test(name, () => {
    if (!sd) throw bootError ?? new Error("no systemd");
    fn(sd);
  });
}

function oci(...args: string[]): Result {
  return sd!.run([...ocirunCommand(), "--root", root, "--systemd-cgroup", ...args]);
}
const ok = (r: Result, what: string) => assert.is(r.code, 0, `${what}: ${r.stderr}`);
const pidOf = (id: string) => JSON.parse(oci("state", id).stdout).pid as number;
const statusOf = (id: string) => JSON.parse(oci("state", id).stdout).status as string;

/** systemctl show's properties of a unit, as a record. */
function show(unit: string, ...props: string[]): Record<string, string> {
  const r = sd!.run(["systemctl", "show", unit, ...props.flatMap((p) => ["-p", p])]);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The container's cgroup as systemd's side sees it, in the hierarchy that holds every process. */
function cgroupDir(controlGroup: string): string {
  return hostCgroupMode() === "v2" ? join("/sys/fs/cgroup", controlGroup) : join("/sys/fs/cgroup/systemd", controlGroup);
}
const read = (path: string) => sd!.run(["cat", path]);
const dirExists = (path: string) => sd!.run(["test", "-d", path]).code === 0;
const gone = (unit: string) => {
  const s = show(unit, "LoadState", "ActiveState");
  return s.LoadState === "not-found" || s.ActiveState === "inactive";
};

testNeeding("a host without systemd: runc's one error, exit 1, nothing left behind", existsSync("/run/systemd/system") ? "this host runs systemd" : null, () => {
  const b = t.bundle(["true"], { "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-nosd" });
  const r = ocirun(["--systemd-cgroup", "create", "--bundle", b, "sd-nosd"], { root });
  assert.is(r.code, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.map(errorMessage), ["systemd not running on this host, cannot use systemd cgroups manager"]);
  assert.not.ok(existsSync(join(root, "sd-nosd")), "no state dir");
  assert.equal([...cgroupDirsNamed("sd-nosd"), ...cgroupDirsNamed("ocirun-test-sd-nosd.scope")], []);
});

sdTest("create: a delegated scope in its slice, whose cgroup holds the init alone; delete stops it and leaves no cgroup", () => {
  const unit = "ocirun-test-sd-scope.scope";
  const b = t.bundle(["sleep", "100"], { "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-scope" });
  ok(oci("create", "--bundle", b, "sd-scope"), "create");
  const s = show(unit, "ActiveState", "Delegate", "Slice", "ControlGroup", "Description", "DefaultDependencies");
  assert.equal(s, {
    ActiveState: "active", Delegate: "yes", Slice: "machine.slice", ControlGroup: `/machine.slice/${unit}`,
    Description: "ocirun container sd-scope", DefaultDependencies: "no",
  });
  const pid = pidOf("sd-scope");
  const dir = cgroupDir(s.ControlGroup);
  // The process that kept the scope until the init joined is gone.
  assert.equal(read(join(dir, "cgroup.procs")).stdout.trim().split("\n"), [String(pid)]);
  assert.ok(read(`/proc/${pid}/cgroup`).stdout.split("\n").some((l) => l.endsWith(`:${s.ControlGroup}`)), read(`/proc/${pid}/cgroup`).stdout);
  ok(oci("start", "sd-scope"), "start");
  assert.is(statusOf("sd-scope"), "running");
  ok(oci("delete", "--force", "sd-scope"), "delete");
  assert.ok(gone(unit), JSON.stringify(show(unit, "LoadState", "ActiveState")));
  assert.not.ok(dirExists(dir), `${dir} is left`);
});

sdTest("the resources are the unit's properties, and the cgroup's files say the same; update changes both", () => {
  const unit = "ocirun-test-sd-res.scope";
  const b = t.bundle(["sleep", "100"], {
    "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-res",
    "/linux/resources": { memory: { limit: 64 << 20 }, pids: { limit: 32 }, cpu: { quota: 33333, period: 100000, cpus: "0" } },
  });
  ok(oci("create", "--bundle", b, "sd-res"), "create");
  assert.equal(show(unit, "MemoryMax", "TasksMax", "CPUQuotaPerSecUSec", "CPUQuotaPeriodUSec", "AllowedCPUs", "DevicePolicy"), {
    MemoryMax: String(64 << 20), TasksMax: "32", CPUQuotaPerSecUSec: "340ms", CPUQuotaPeriodUSec: "100ms", AllowedCPUs: "0", DevicePolicy: "strict",
  });
  const dir = cgroupDir(`/machine.slice/${unit}`);
  if (hostCgroupMode() === "v2") {
    assert.is(read(join(dir, "memory.max")).stdout.trim(), String(64 << 20));
    assert.is(read(join(dir, "pids.max")).stdout.trim(), "32");
    assert.is(read(join(dir, "cpu.max")).stdout.trim(), "34000 100000"); // systemd's whole percents, as runc writes it
    assert.is(read(join(dir, "cpuset.cpus")).stdout.trim(), "0");
  }
  // update changes both: systemd's properties (else its next reload would put the old ones
  // back) and the files.
  ok(oci("update", "--memory", String(128 << 20), "--pids-limit", "40", "sd-res"), "update");
  assert.equal(show(unit, "MemoryMax", "TasksMax"), { MemoryMax: String(128 << 20), TasksMax: "40" });
  if (hostCgroupMode() === "v2") assert.is(read(join(dir, "memory.max")).stdout.trim(), String(128 << 20));
  ok(oci("delete", "--force", "sd-res"), "delete");
  assert.ok(gone(unit));
});

sdTest("no cgroupsPath: runc's default, <prefix>-<id>.scope in system.slice; exec, pause, resume and kill --all through its cgroup", () => {
  const unit = "ocirun-sd-default.scope";
  const b = t.bundle(["sleep", "100"]);
  ok(oci("create", "--bundle", b, "sd-default"), "create");
  assert.equal(show(unit, "ActiveState", "Slice"), { ActiveState: "active", Slice: "system.slice" });
  ok(oci("start", "sd-default"), "start");
  const e = oci("exec", "sd-default", "cat", "/proc/self/cgroup");
  ok(e, "exec");
  assert.match(e.stdout, /^0::\/$/m); // the container's cgroup namespace is rooted at the scope
  ok(oci("pause", "sd-default"), "pause");
  assert.is(statusOf("sd-default"), "paused");
  ok(oci("resume", "sd-default"), "resume");
  assert.is(statusOf("sd-default"), "running");
  ok(oci("kill", "--all", "sd-default", "KILL"), "kill --all");
  assert.ok(waitFor(() => statusOf("sd-default") === "stopped", 10_000), "stopped");
  ok(oci("delete", "sd-default"), "delete");
  assert.ok(gone(unit));
  assert.not.ok(dirExists(cgroupDir(`/system.slice/${unit}`)));
});

sdTest("the init's exit ends the scope (systemd collects it); delete after that succeeds and nothing is left", () => {
  const unit = "ocirun-test-sd-exit.scope";
  const b = t.bundle(["true"], { "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-exit" });
  ok(oci("create", "--bundle", b, "sd-exit"), "create");
  ok(oci("start", "sd-exit"), "start");
  assert.ok(waitFor(() => statusOf("sd-exit") === "stopped", 10_000), "stopped");
  assert.ok(waitFor(() => gone(unit), 10_000), "the empty scope is stopped by systemd");
  ok(oci("delete", "sd-exit"), "delete");
  assert.not.ok(dirExists(cgroupDir(`/machine.slice/${unit}`)));
});

sdTest("a value the kernel refuses fails create naming its field, and the unit goes with it", () => {
  const unit = "ocirun-test-sd-refused.scope";
  const b = t.bundle(["true"], { "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-refused", "/linux/resources": { cpu: { cpus: "63" } } });
  const r = oci("create", "--bundle", b, "sd-refused");
  assert.is(r.code, 1);
  const lines = r.stderr.trim().split("\n").map(errorMessage);
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /^\/linux\/resources\/cpu\/cpus: write "63" to cpuset\.cpus: [a-z ]+$/); // EINVAL, or ERANGE on newer kernels
  assert.ok(gone(unit), JSON.stringify(show(unit, "LoadState", "ActiveState")));
  assert.not.ok(dirExists(cgroupDir(`/machine.slice/${unit}`)));
  assert.not.ok(existsSync(join(root, "sd-refused")), "no state dir");
});

sdTest("a second container on the same scope is refused, and the first one's unit is left alone", () => {
  const unit = "ocirun-test-sd-shared.scope";
  const path = { "/linux/cgroupsPath": "machine.slice:ocirun-test:sd-shared" };
  ok(oci("create", "--bundle", t.bundle(["sleep", "100"], path), "sd-first"), "create");
  const r = oci("create", "--bundle", t.bundle(["sleep", "100"], path), "sd-second");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr.trim()), /^\/linux\/cgroupsPath: container's cgroup .*sd-shared\.scope is not empty: 1 process\(es\) found$/);
  assert.equal(show(unit, "ActiveState"), { ActiveState: "active" });
  assert.is(statusOf("sd-first"), "created");
  ok(oci("delete", "--force", "sd-first"), "delete");
  assert.ok(gone(unit));
});

test.run();
