// Every container in its own cgroup (root, real cgroups): where create puts it by runc's rules
// for linux.cgroupsPath, every resource read back from the host and from inside, limits that
// bite (OOM, pids, devices), a value the kernel refuses, what delete removes, kill --all, exec's
// join, and what the container sees of its cgroups. Runs on this machine's hybrid host and, in
// the VM, on pure cgroup v2 (test/vm/run-suites.mjs): expectations follow the host's mode.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ocirun, errorMessage, ocirunCommand } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { byMode, cgroupDirsNamed, cgroupFileOf, cgroupsOf, hostCgroupMode, readTrim, v1Dir } from "../util/cgroup-host.ts";

const t = new TestBundles();
const root = t.root;
const mode = hostCgroupMode();
const oci = (...args: string[]) => ocirun(args, { root });
const pidOf = (id: string) => JSON.parse(oci("state", id).stdout).pid as number;
const out = join(t.dir, "out");
mkdirSync(out);
// Results of the container's own checks come back through a bind of `out` on /out.
function bundle(script: string, patches: Record<string, unknown> = {}): string {
  const b = t.bundle(["sh", "-c", script], patches);
  t.addMount(b, { destination: "/out", type: "bind", source: out, options: ["rbind", "rw"] });
  return b;
}
const outFile = (name: string) => join(out, name);
const waitOut = (name: string) => waitFor(() => existsSync(outFile(name)) && readFileSync(outFile(name), "utf8").endsWith("END\n"), 10_000);

test.after(() => t.cleanup());

/** The container's cgroup as the host sees its init, per hierarchy (controllers -> path). */
function initCgroups(id: string): Map<string, string> {
  return cgroupsOf(pidOf(id));
}

test("create: the init is in its cgroup in every hierarchy; absent cgroupsPath = the id under the runtime's cgroup", () => {
  const b = bundle("true");
  assert.is(oci("create", "--bundle", b, "cg-path1").code, 0);
  const own = cgroupsOf("self");
  for (const [ctrl, path] of initCgroups("cg-path1")) {
    // Relative: under the runtime's own cgroup on v1, under its parent on v2, from the root in
    // a hybrid host's unified hierarchy (runc's rules).
    const base = ctrl === "" ? (mode === "v2" ? join(own.get("")!, "..") : "/") : own.get(ctrl)!;
    assert.is(path, join(base, "cg-path1"), `${ctrl || "cgroup2"}: ${path}`);
  }
  assert.is(oci("delete", "--force", "cg-path1").code, 0);
  assert.equal(cgroupDirsNamed("cg-path1"), []);
});

test("create: an absolute cgroupsPath is under each hierarchy's root; made parents go at delete", () => {
  const b = bundle("true", { "/linux/cgroupsPath": "/ocirun-test/cg-abs" });
  assert.is(oci("create", "--bundle", b, "cg-abs").code, 0);
  for (const [ctrl, path] of initCgroups("cg-abs")) assert.is(path, "/ocirun-test/cg-abs", ctrl);
  assert.is(oci("delete", "--force", "cg-abs").code, 0);
  assert.equal([...cgroupDirsNamed("cg-abs"), ...cgroupDirsNamed("ocirun-test")], []);
});

test("delete keeps a cgroup the container was given (it did not make it), removing only what is below", () => {
  const given = mode === "v2" ? "/sys/fs/cgroup/ocirun-given" : `/sys/fs/cgroup/${v1Dir("pids")}/ocirun-given`;
  mkdirSync(given);
  try {
    const b = bundle("true", { "/linux/cgroupsPath": "/ocirun-given" });
    assert.is(oci("create", "--bundle", b, "cg-given").code, 0);
    assert.is(oci("delete", "--force", "cg-given").code, 0);
    assert.ok(existsSync(given), "the given cgroup stays");
    assert.equal(cgroupDirsNamed("ocirun-given"), [given], "what create made elsewhere goes");
  } finally {
    rmdirSync(given);
  }
});

test("a relative cgroupsPath: below the runtime's cgroup, parents made and removed", () => {
  const b = bundle("true", { "/linux/cgroupsPath": "testdir/cgrouptest/container" });
  assert.is(oci("create", "--bundle", b, "cg-rel").code, 0);
  const own = cgroupsOf("self");
  for (const [ctrl, path] of initCgroups("cg-rel")) {
    const base = ctrl === "" ? (mode === "v2" ? join(own.get("")!, "..") : "/") : own.get(ctrl)!;
    assert.is(path, join(base, "testdir/cgrouptest/container"), ctrl);
  }
  assert.is(oci("delete", "--force", "cg-rel").code, 0);
  assert.equal(cgroupDirsNamed("testdir"), []);
});

// Each resource: the file on the host, and the same file as the container sees it.
const resources = {
  memory: { limit: 64 << 20, reservation: 32 << 20 },
  pids: { limit: 64 },
  cpu: { shares: 512, quota: 50000, period: 100000, cpus: "0" },
};
const reads: [string, string, string][] = byMode(
  [
    ["memory", "memory.limit_in_bytes", String(64 << 20)],
    ["memory", "memory.soft_limit_in_bytes", String(32 << 20)],
    ["pids", "pids.max", "64"],
    ["cpu", "cpu.shares", "512"],
    ["cpu", "cpu.cfs_quota_us", "50000"],
    ["cpu", "cpu.cfs_period_us", "100000"],
    ["cpuset", "cpuset.cpus", "0"],
  ],
  [
    ["memory", "memory.max", String(64 << 20)],
    ["memory", "memory.low", String(32 << 20)],
    ["pids", "pids.max", "64"],
    ["cpu", "cpu.max", "50000 100000"],
    ["cpuset", "cpuset.cpus", "0"],
  ],
);

test("every planned resource is in the container's cgroup: read from the host and from inside", () => {
  const inside = reads.map(([ctrl, file]) => `cat /sys/fs/cgroup/${mode === "v2" ? "" : v1Dir(ctrl) + "/"}${file}`).join("; ");
  const b = bundle(`{ ${inside}; echo END; } > /out/res`, { "/linux/resources": resources });
  const r = oci("create", "--bundle", b, "cg-res");
  assert.is(r.code, 0, r.stderr);
  const pid = pidOf("cg-res");
  for (const [ctrl, file, want] of reads) assert.is(readTrim(cgroupFileOf(pid, ctrl, file)), want, file);
  assert.is(oci("start", "cg-res").code, 0);
  assert.ok(waitOut("res"), "the container wrote its reads");
  assert.equal(readFileSync(outFile("res"), "utf8").trim().split("\n").slice(0, -1), reads.map(([, , v]) => v));
  assert.is(oci("delete", "--force", "cg-res").code, 0);
});

test("a memory limit OOM-kills the container's process", () => {
  // 16 MiB, swap included: dd's 64 MiB buffer cannot fit.
  const b = bundle("dd if=/dev/zero of=/dev/null bs=64M count=1", { "/linux/resources": { memory: { limit: 16 << 20, swap: 16 << 20 } } });
  const r = oci("run", "--bundle", b, "cg-oom");
  assert.is(r.code, 137, `killed by SIGKILL: ${r.stderr}`);
  assert.equal(cgroupDirsNamed("cg-oom"), []);
});

test("a pids limit makes fork fail", () => {
  const b = bundle("for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1 & done 2>/out/pids-err; echo END >> /out/pids-err; wait", { "/linux/resources": { pids: { limit: 4 } } });
  oci("run", "--bundle", b, "cg-pids");
  assert.match(readFileSync(outFile("pids-err"), "utf8"), /can't fork|Resource temporarily unavailable/);
});

// A container with CAP_MKNOD whose config denies every device but /dev/fuse when it says so.
const caps = ["CAP_MKNOD", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID"];
const capsPatch = { "/process/capabilities": { bounding: caps, effective: caps, permitted: caps } };
test("devices: a denied device can be made but not opened; an allowed one opens; the defaults stay", () => {
  const script = "mknod /dev/f c 10 229 && echo made; (exec 3</dev/f) 2>&1 | grep -q 'not permitted' && echo denied || echo opened; echo x > /dev/null && echo null; echo END";
  const deny = bundle(`{ ${script}; } > /out/dev-deny 2>&1`, { ...capsPatch, "/linux/resources": { devices: [{ allow: false, access: "rwm" }] } });
  oci("run", "--bundle", deny, "cg-dev1");
  assert.equal(readFileSync(outFile("dev-deny"), "utf8").split("\n"), ["made", "denied", "null", "END", ""]);
  const allow = bundle(`{ ${script}; } > /out/dev-allow 2>&1`, {
    ...capsPatch,
    "/linux/resources": { devices: [{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 10, minor: 229, access: "rwm" }] },
  });
  oci("run", "--bundle", allow, "cg-dev2");
  assert.equal(readFileSync(outFile("dev-allow"), "utf8").split("\n"), ["made", "opened", "null", "END", ""]);
});

test("an exec'd process cannot open a host device the config denies (/dev/kmsg)", () => {
  const b = bundle("sleep 1000", { "/linux/resources": { devices: [{ allow: false, access: "rwm" }] } });
  t.addMount(b, { destination: "/dev/kmsg", type: "bind", source: "/dev/kmsg", options: ["bind"] });
  assert.is(oci("run", "-d", "--bundle", b, "cg-kmsg").code, 0);
  const r = oci("exec", "cg-kmsg", "sh", "-c", "echo hi > /dev/kmsg");
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /not permitted/);
  assert.is(oci("delete", "--force", "cg-kmsg").code, 0);
});

test("a value the kernel refuses fails create naming its field, and leaves no cgroup and no state", () => {
  const b = bundle("true", { "/linux/resources": { cpu: { cpus: "63" } } });
  const r = oci("create", "--bundle", b, "cg-bad");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), /^\/linux\/resources\/cpu\/cpus: write "63" to cpuset\.cpus: /);
  assert.equal(cgroupDirsNamed("cg-bad"), []);
  assert.not.ok(existsSync(join(root, "cg-bad")));
});

test("a cgroup that has processes already is refused, and left as it was", () => {
  const b = bundle("sleep 1000");
  assert.is(oci("run", "-d", "--bundle", b, "cg-busy1").code, 0);
  const path = cgroupsOf(pidOf("cg-busy1")).get(mode === "v2" ? "" : [...cgroupsOf("self").keys()].find((k) => k.includes("devices"))!)!;
  const b2 = bundle("true", { "/linux/cgroupsPath": path });
  const r = oci("create", "--bundle", b2, "cg-busy2");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), /^\/linux\/cgroupsPath: container's cgroup .* is not empty: 1 process\(es\) found$/);
  assert.is(JSON.parse(oci("state", "cg-busy1").stdout).status, "running");
  assert.is(oci("delete", "--force", "cg-busy1").code, 0);
});

test("without its own pid namespace the container leaves processes when its init dies: delete kills them all", () => {
  const b = bundle("sleep 1000 & sleep 1000 & exec sleep 1000", { "/linux/namespaces": [{ type: "mount" }], "/hostname": undefined });
  assert.is(oci("run", "-d", "--bundle", b, "cg-nopidns").code, 0);
  const pid = pidOf("cg-nopidns");
  assert.ok(waitFor(() => readFileSync(cgroupFileOf(pid, "pids", "cgroup.procs"), "utf8").trim().split("\n").length === 3));
  const procs = readFileSync(cgroupFileOf(pid, "pids", "cgroup.procs"), "utf8").trim().split("\n").map(Number);
  process.kill(pid, "SIGKILL");
  assert.ok(waitFor(() => JSON.parse(oci("state", "cg-nopidns").stdout).status === "stopped"));
  assert.ok(procs.some((p) => p !== pid && existsSync(`/proc/${p}`)), "the others outlive the init");
  assert.is(oci("delete", "cg-nopidns").code, 0);
  for (const p of procs) assert.ok(waitFor(() => !existsSync(`/proc/${p}/cgroup`) || readFileSync(`/proc/${p}/stat`, "utf8").includes(") Z ")), `pid ${p} killed`);
  assert.equal(cgroupDirsNamed("cg-nopidns"), []);
});

test("kill --all signals every process in the container's cgroups", () => {
  const b = bundle("sleep 1000 & sleep 1000 & exec sleep 1000", { "/linux/namespaces": [{ type: "mount" }], "/hostname": undefined });
  assert.is(oci("run", "-d", "--bundle", b, "cg-killall").code, 0);
  const pid = pidOf("cg-killall");
  const procsFile = cgroupFileOf(pid, "pids", "cgroup.procs");
  assert.ok(waitFor(() => readTrim(procsFile).split("\n").length === 3));
  assert.is(oci("kill", "--all", "cg-killall", "KILL").code, 0);
  assert.ok(waitFor(() => readTrim(procsFile) === ""), "no process left");
  assert.is(oci("delete", "cg-killall").code, 0);
});

test("exec puts the process in the container's cgroups; --cgroup in an existing sub-cgroup", () => {
  const b = bundle("sleep 1000");
  assert.is(oci("run", "-d", "--bundle", b, "cg-exec").code, 0);
  const init = cgroupsOf(pidOf("cg-exec"));
  const r = oci("exec", "cg-exec", "cat", "/proc/self/cgroup");
  assert.is(r.code, 0, r.stderr);
  // With the container's cgroup namespace the process sees "/" in every hierarchy, as the init.
  for (const line of r.stdout.trim().split("\n")) assert.match(line, /:\/$/);
  // A sub-cgroup that exists: there; one that does not: the kernel's ENOENT, exit 255.
  const sub = mode === "v2" ? join("/sys/fs/cgroup", init.get("")!, "sub") : join("/sys/fs/cgroup", v1Dir("pids"), init.get("pids")!, "sub");
  mkdirSync(sub);
  const inSub = oci("exec", "--cgroup", mode === "v2" ? "sub" : "pids:sub", "cg-exec", "cat", "/proc/self/cgroup");
  assert.is(inSub.code, 0, inSub.stderr);
  assert.match(inSub.stdout, mode === "v2" ? /^0::\/sub$/m : /:pids:\/sub$/m);
  const missing = oci("exec", "--cgroup", "nope", "cg-exec", "true");
  assert.is(missing.code, 255);
  assert.match(errorMessage(missing.stderr), /^exec failed: .*join the container's cgroups: no such file or directory$/);
  const above = oci("exec", "--cgroup", "../x", "cg-exec", "true");
  assert.is(above.code, 255);
  assert.match(errorMessage(above.stderr), /is not a sub-cgroup/);
  assert.is(oci("delete", "--force", "cg-exec").code, 0);
  assert.not.ok(existsSync(sub), "sub-cgroups go with the container's");
});

const v2Only = mode === "v2";
if (!v2Only) console.log("  skipped: exec into a v2 cgroup that delegates its controllers (this host is not cgroup v2)");
(v2Only ? test : test.skip)("v2: a container's cgroup that delegates domain controllers to its own sub-cgroups: exec joins the init's cgroup, as runc", () => {
  const b = bundle("sleep 1000");
  assert.is(oci("run", "-d", "--bundle", b, "cg-nested").code, 0);
  const pid = pidOf("cg-nested");
  // What systemd in a container does: the init in a leaf, the controllers handed down.
  const top = join("/sys/fs/cgroup", cgroupsOf(pid).get("")!);
  mkdirSync(join(top, "init.scope"));
  writeFileSync(join(top, "init.scope", "cgroup.procs"), String(pid));
  writeFileSync(join(top, "cgroup.subtree_control"), "+memory");
  const r = oci("exec", "cg-nested", "cat", "/proc/self/cgroup");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), "0::/init.scope");
  assert.is(oci("delete", "--force", "cg-nested").code, 0);
  assert.equal(cgroupDirsNamed("cg-nested"), []);
});

test("inside: with a cgroup namespace the container's cgroup is the root; without one, the mount shows only its own", () => {
  const files = mode === "v2" ? "cat /sys/fs/cgroup/pids.max" : `cat /sys/fs/cgroup/${v1Dir("pids")}/pids.max`;
  const b = bundle(`{ cat /proc/self/cgroup; ${files}; echo END; } > /out/ns 2>&1`, { "/linux/resources": { pids: { limit: 33 } } });
  oci("run", "--bundle", b, "cg-ns");
  const lines = readFileSync(outFile("ns"), "utf8").trim().split("\n");
  assert.ok(lines.slice(0, -2).every((l) => l.endsWith(":/")), lines.join("|"));
  assert.is(lines[lines.length - 2], "33");

  const noNs = bundle(`{ cat /proc/self/cgroup; ${files}; ls /sys/fs/cgroup; echo END; } > /out/nons 2>&1`, {
    "/linux/resources": { pids: { limit: 34 } },
    "/linux/namespaces": [{ type: "mount" }, { type: "pid" }],
    "/hostname": undefined,
  });
  oci("run", "--bundle", noNs, "cg-nons");
  const text = readFileSync(outFile("nons"), "utf8");
  // /proc/self/cgroup shows the host's path (no namespace), but the mount is the container's own.
  assert.match(text, /cg-nons/);
  assert.match(text, /^34$/m);
  if (mode !== "v2") assert.not.match(text, /unified/, "a hybrid host's unified hierarchy is not mounted, as with runc");
});

test("a create killed at any point leaves nothing that delete --force does not remove", () => {
  const b = bundle("true", { "/linux/resources": { pids: { limit: 20 }, memory: { limit: 64 << 20 } } });
  const [bin, ...pre] = ocirunCommand();
  for (let i = 0; i < 8; i++) {
    const id = `cg-killed${i}`;
    spawnSync(bin, [...pre, "--root", root, "create", "--bundle", b, id], { stdio: "ignore", timeout: 10 + i * 20, killSignal: "SIGKILL" });
    assert.is(oci("delete", "--force", id).code, 0);
    assert.equal(cgroupDirsNamed(id), [], `${id}: no cgroup left`);
    assert.not.ok(existsSync(join(root, id)), `${id}: no state left`);
  }
});

test.run();
