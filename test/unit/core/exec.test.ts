// op exec (docs/formats.md §1): the exec plan joins the init's namespaces by /proc/<pid>/ns in
// runc's order and runs the process ops, with no mounts and no WAIT_START; the process is
// config.json's changed by exec-flags as runc's exec flags change it, or the `process` line's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baseConfig, core, coreRaw, errorsOf, warningsOf } from "../../util/core";
import type { CoreOp, HostFacts } from "../../../host/core/protocol";

const PID = 4242;

/** ops: the plan's lines after CLONE_INIT (the first, its own: clone). */
function execPlan(config: unknown, facts: Partial<HostFacts> = {}) {
  const v = core("exec", config, { initPid: PID, id: "c1", ...facts });
  const lines = (v.text ?? "").split("\n").slice(1).filter((l) => l.trim()).map((l) => l.replace(/^\s*\d+ /, ""));
  const at = lines.findIndex((l) => l.startsWith("CLONE_INIT"));
  return { v, clone: lines[at] ?? "", ops: lines.filter((_, i) => i !== at) };
}

const opNames = (ops: string[]) => ops.map((l) => l.split(" ")[0]);
const execLine = (ops: string[]) => ops.find((l) => l.startsWith("EXEC "))!;
const envOf = (ops: string[]) => JSON.parse(/envp=(\[.*?\])/.exec(execLine(ops))![1]);

test("joins each namespace of the config through the init's /proc/<pid>/ns, user first and mount last", () => {
  const c = baseConfig();
  c.linux.namespaces = [{ type: "pid" }, { type: "mount" }, { type: "user" }, { type: "network" }, { type: "uts" }, { type: "ipc" }, { type: "cgroup" }];
  c.linux.uidMappings = c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const { v, ops } = execPlan(c, { newKeyring: true, execFlags: { args: ["sh"] } });
  assert.ok(v.ok, errorsOf(v).join("; "));
  assert.ok(v.exec && !v.init, "an exec section, no init section");
  assert.equal(ops.filter((l) => l.startsWith("SETNS")).map((l) => /path="([^"]+)"/.exec(l)![1]),
    ["user", "ipc", "uts", "net", "pid", "cgroup", "mnt"].map((n) => `/proc/${PID}/ns/${n}`));
  assert.equal(opNames(ops).slice(7), [
    "BECOME_ROOT", "FORK_INIT", "SESSION_KEYRING", "ROOTFS", "SETSID", "CHDIR", "EXEC_SEALED", "USER", "UMASK", "FIND_EXEC", "EXEC",
  ]);
  assert.match(ops.find((l) => l.startsWith("ROOTFS"))!, 'path="/"');
  // Nothing of the container's setup is done again, and nothing waits for start.
  for (const name of ["MOUNT", "PIVOT_ROOT", "SETHOSTNAME", "WAIT_START", "UNSHARE", "USERNS_MAPS", "MASK_PATH"]) assert.not.ok(opNames(ops).includes(name), name);
});

test("with the host's pidfd of the init, each namespace is joined through it, in the same order", () => {
  const c = baseConfig();
  c.linux.namespaces = [{ type: "pid" }, { type: "mount" }, { type: "user" }, { type: "network" }];
  c.linux.uidMappings = c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const { v, ops } = execPlan(c, { initPidfd: 7, execFlags: { args: ["sh"] } });
  assert.ok(v.ok, errorsOf(v).join("; "));
  const joins = ops.filter((l) => l.startsWith("SETNS"));
  assert.equal(joins.map((l) => /nstype=(\S+)/.exec(l)![1]), ["CLONE_NEWUSER", "CLONE_NEWNET", "CLONE_NEWPID", "CLONE_NEWNS"]);
  for (const l of joins) assert.ok(l.startsWith("SETNS_PIDFD pidfd=7 "), l);
  assert.not.ok(ops.some((l) => l.includes("/proc/")), "no /proc/<pid> path is opened");
});

test("without a pid or user namespace: no fork, no BECOME_ROOT; no mount namespace is refused", () => {
  const c = baseConfig();
  c.linux.namespaces = [{ type: "mount" }, { type: "uts" }];
  const { ops } = execPlan(c, { execFlags: { args: ["true"] } });
  assert.equal(opNames(ops).slice(0, 3), ["SETNS", "SETNS", "ROOTFS"]);
  c.linux.namespaces = [{ type: "pid" }];
  const { v } = execPlan(c, { execFlags: { args: ["true"] } });
  assert.not.ok(v.ok);
  assert.match(errorsOf(v).join("\n"), /^\/linux\/namespaces: a mount namespace is required/);
});

test("execCPUAffinity: initial is the first op, final the last before seccomp and execve; the init plan has neither", () => {
  const c = baseConfig();
  c.process.noNewPrivileges = true;
  c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }] };
  c.process.execCPUAffinity = { initial: "0-1,33", final: "1" };
  const { v, ops } = execPlan(c, { execFlags: { args: ["true"] } });
  assert.ok(v.ok, errorsOf(v).join("; "));
  const names = opNames(ops);
  assert.is(ops[0], "CPU_AFFINITY mask=[3,2]  <- /process/execCPUAffinity/initial");
  assert.equal(names.slice(-3), ["CPU_AFFINITY", "SECCOMP", "EXEC"]);
  assert.match(ops[names.length - 3], /^CPU_AFFINITY mask=\[2\]  <- \/process\/execCPUAffinity\/final$/);
  // Only one given: only its op; neither: none.
  c.process.execCPUAffinity = { initial: "1" };
  assert.equal(opNames(execPlan(c, { execFlags: { args: ["true"] } }).ops).filter((n) => n === "CPU_AFFINITY").length, 1);
  delete c.process.execCPUAffinity;
  assert.not.ok(opNames(execPlan(c, { execFlags: { args: ["true"] } }).ops).includes("CPU_AFFINITY"));
  c.process.execCPUAffinity = { initial: "0", final: "1" };
  assert.not.ok((core("plan", c).text ?? "").includes("CPU_AFFINITY"), "the spec: not the init's");
});

test("seccomp: before the capabilities drop without noNewPrivileges, else right before execve", () => {
  const c = baseConfig();
  c.process.capabilities = { bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"] };
  c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }] };
  c.process.noNewPrivileges = true;
  const late = opNames(execPlan(c, { execFlags: { args: ["true"] } }).ops);
  assert.is(late.indexOf("SECCOMP"), late.indexOf("EXEC") - 1);
  c.process.noNewPrivileges = false;
  const early = opNames(execPlan(c, { execFlags: { args: ["true"] } }).ops);
  assert.ok(early.indexOf("SECCOMP") < early.indexOf("CAP_BOUNDING"), early.join(" "));
  // --no-new-privs turns it on, and the filter moves.
  const flagged = opNames(execPlan(c, { execFlags: { args: ["true"], noNewPrivileges: true } }).ops);
  assert.ok(flagged.includes("NO_NEW_PRIVS"));
  assert.is(flagged.indexOf("SECCOMP"), flagged.indexOf("EXEC") - 1);
});

test("exec-flags: args replaced, env appended with the last value of a name winning, cwd and user set", () => {
  const c = baseConfig();
  c.process.env = ["PATH=/bin", "A=config", "B=kept"];
  const { ops } = execPlan(c, { execFlags: { args: ["id", "-u"], env: ["A=flag", "C=1", "C=2"], cwd: "/tmp", uid: 1000, gid: 1001, additionalGids: [5] } });
  assert.match(execLine(ops), 'argv=["id","-u"]');
  assert.equal(envOf(ops), ["PATH=/bin", "B=kept", "A=flag", "C=2"]);
  assert.ok(ops.includes('CHDIR path="/tmp"  <- /process/cwd'), ops.join("\n"));
  assert.ok(ops.includes("USER uid=1000 gid=1001 groups=[5] keep_groups=0  <- /process/user"), ops.join("\n"));
  // The gid alone keeps config.json's uid; with no user in config.json, runc's zeros.
  c.process.user = { uid: 7, gid: 7, additionalGids: [1] };
  assert.ok(execPlan(c, { execFlags: { args: ["true"], gid: 9, additionalGids: [2] } }).ops.includes("USER uid=7 gid=9 groups=[1,2] keep_groups=0  <- /process/user"));
  delete c.process.user;
  assert.ok(execPlan(c, { execFlags: { args: ["true"], uid: 5 } }).ops.includes("USER uid=5 gid=0 groups=[] keep_groups=0  <- /process/user"));
});

test("exec-flags: a terminal only with -t, whatever config.json says", () => {
  const c = baseConfig();
  c.process.terminal = true;
  assert.not.ok(opNames(execPlan(c, { execFlags: { args: ["true"], terminal: false } }).ops).includes("EXEC_CONSOLE"));
  const { v, ops } = execPlan(c, { execFlags: { args: ["true"], terminal: true, consoleSize: { height: 40, width: 120 } } });
  assert.ok(ops.includes("EXEC_CONSOLE rows=40 cols=120  <- /process/terminal"), ops.join("\n"));
  assert.is(v.container!.terminal, true);
  assert.not.ok(opNames(ops).includes("CONSOLE"), "no /dev/console bind");
});

test("exec-flags: --cap goes to bounding, effective and permitted; to ambient only with inheritable; never to inheritable", () => {
  const c = baseConfig();
  c.process.capabilities = { bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"] };
  const caps = (ops: string[]) => ops.filter((l) => l.startsWith("CAP"));
  assert.equal(caps(execPlan(c, { execFlags: { args: ["true"], caps: ["CAP_SYS_ADMIN"] } }).ops), [
    "CAP_BOUNDING keep=[CAP_KILL,CAP_SYS_ADMIN]  <- /process/capabilities/bounding",
    "CAPS effective=[CAP_KILL,CAP_SYS_ADMIN] permitted=[CAP_KILL,CAP_SYS_ADMIN] inheritable=[] ambient=[]  <- /process/capabilities",
  ]);
  c.process.capabilities.inheritable = ["CAP_KILL", "CAP_NET_RAW"];
  c.process.capabilities.permitted.push("CAP_NET_RAW");
  const { v, ops } = execPlan(c, { execFlags: { args: ["true"], caps: ["CAP_SYS_ADMIN", "CAP_NET_RAW"] } });
  assert.is(caps(ops)[1], "CAPS effective=[CAP_KILL,CAP_NET_RAW,CAP_SYS_ADMIN] permitted=[CAP_KILL,CAP_NET_RAW,CAP_SYS_ADMIN] " +
    "inheritable=[CAP_KILL,CAP_NET_RAW] ambient=[CAP_NET_RAW]  <- /process/capabilities");
  assert.equal(warningsOf(v), ["/process/capabilities/ambient/0: CAP_SYS_ADMIN is not both permitted and inheritable, so it cannot be ambient; it is left out"]);
});

test("the process line replaces config.json's process, and is checked like it", () => {
  const c = baseConfig();
  c.process.env = ["FROM_CONFIG=1"];
  const file = JSON.stringify({ args: ["sh", "-c", "echo\nhi"], env: ["ONLY=file"], cwd: "/srv", user: { uid: 3, gid: 4 } }, null, 2);
  const { v, ops } = execPlan(c, { process: file });
  assert.ok(v.ok, errorsOf(v).join("; "));
  assert.match(execLine(ops), 'argv=["sh","-c","echo\\nhi"] envp=["ONLY=file"]');
  assert.ok(ops.includes('CHDIR path="/srv"  <- /process/cwd'));
  const bad = execPlan(c, { process: JSON.stringify({ args: [], cwd: "srv" }) }).v;
  assert.equal(errorsOf(bad), ["/process/args: must name a command: the array is empty", '/process/cwd: must be an absolute path, not "srv"']);
  assert.match(errorsOf(execPlan(c, { process: "{" }).v)[0], /the --process file is not valid JSON/);
});

test("exec without --process needs a process in config.json", () => {
  const c = baseConfig();
  delete c.process;
  assert.equal(errorsOf(execPlan(c, { execFlags: { args: ["true"] } }).v), ["/process: is required to exec a process without --process"]);
});

for (const [op, facts, message] of [
  ["exec", {}, "op exec needs init-pid"],
  ["exec", { initPid: 0 }, 'init-pid must be a positive integer: "0"'],
  ["plan", { initPid: 5 }, "init-pid, process, exec-flags and exec-cgroups are for op exec only"],
  ["plan", { execCgroups: { paths: { "": "/c1" }, sub: [] } }, "init-pid, process, exec-flags and exec-cgroups are for op exec only"],
  ["exec", { initPid: 5, process: "{}", execFlags: { args: ["x"] } }, "process and exec-flags exclude each other"],
] as [CoreOp, Partial<HostFacts>, string][]) {
  test(`request refused: ${op} ${JSON.stringify(facts)}`, () => {
    try {
      coreRaw(op, JSON.stringify(baseConfig()), facts);
      assert.unreachable("should have failed");
    } catch (e) {
      assert.match(String(e), message);
    }
  });
}

// The exec'd process joins the container's cgroups (as create stored them), or runc's --cgroup
// sub-cgroups of them, first after the initial CPUs.
const hybrid: Partial<HostFacts> = {
  cgroup: "hybrid",
  cgroupV1: [{ dir: "cpu,cpuacct", options: "cpu,cpuacct" }, { dir: "memory", options: "memory" }, { dir: "systemd", options: "name=systemd" }],
};
const stored = { "cpu,cpuacct": "/c1", memory: "/mem/c1", systemd: "/c1", unified: "/c1" };
const procsOf = (ops: string[]) => JSON.parse(/procs=(\[.*?\])/.exec(ops.find((l) => l.startsWith("CGROUP_JOIN"))!)![1]);

const cgroupRows: [string, Partial<HostFacts>, string[], string[] | string][] = [
  ["the container's own cgroups", hybrid, [], ["/sys/fs/cgroup/cpu,cpuacct/c1", "/sys/fs/cgroup/memory/mem/c1", "/sys/fs/cgroup/systemd/c1", "/sys/fs/cgroup/unified/c1"]],
  ["one plain --cgroup: that sub-cgroup in every hierarchy", hybrid, ["sub/x"], ["/sys/fs/cgroup/cpu,cpuacct/c1/sub/x", "/sys/fs/cgroup/memory/mem/c1/sub/x", "/sys/fs/cgroup/systemd/c1/sub/x", "/sys/fs/cgroup/unified/c1/sub/x"]],
  ["controller:path for those controllers' hierarchies", hybrid, ["cpuacct,memory:a", "name=systemd:b"], ["/sys/fs/cgroup/cpu,cpuacct/c1/a", "/sys/fs/cgroup/memory/mem/c1/a", "/sys/fs/cgroup/systemd/c1/b", "/sys/fs/cgroup/unified/c1"]],
  ["--cgroup / is the container's own", hybrid, ["/"], ["/sys/fs/cgroup/cpu,cpuacct/c1", "/sys/fs/cgroup/memory/mem/c1", "/sys/fs/cgroup/systemd/c1", "/sys/fs/cgroup/unified/c1"]],
  ["v2: a plain path", { cgroup: "v2", cgroupV1: [] }, ["x"], ["/sys/fs/cgroup/c1/x"]],
  ["a path above the container's cgroup is refused", hybrid, ["../other"], '--cgroup: "../other" is not a sub-cgroup of the container\'s cgroup'],
  ["two plain paths are refused", hybrid, ["a", "b"], '--cgroup: invalid argument "a" (missing <controller>: prefix)'],
  ["two colons are refused", hybrid, ["cpu:a:b"], '--cgroup: invalid argument "cpu:a:b"'],
  ["an unknown controller is refused", hybrid, ["pids:a"], '--cgroup: unknown controller "pids" in "pids:a"'],
  ["v2 has no controllers to name", { cgroup: "v2", cgroupV1: [] }, ["memory:a"], '--cgroup: unknown controller "memory" in "memory:a"'],
];
for (const [name, facts, sub, want] of cgroupRows) {
  test(`exec cgroups: ${name}`, () => {
    const paths = facts.cgroup === "v2" ? { "": "/c1" } : stored;
    const { v, ops } = execPlan(baseConfig(), { ...facts, execCgroups: { paths, sub }, execFlags: { args: ["true"] } });
    if (typeof want === "string") return assert.equal(errorsOf(v), [want]);
    assert.ok(v.ok, errorsOf(v).join("; "));
    assert.equal(procsOf(ops), want.map((d) => d + "/cgroup.procs"));
    assert.is(opNames(ops)[0], "CGROUP_JOIN");
  });
}

test("exec cgroups: on v2 the process is born in its cgroup, unless it first runs on the initial CPUs", () => {
  const v2 = { cgroup: "v2" as const, cgroupV1: [], execCgroups: { paths: { "": "/c1" }, sub: [] }, execFlags: { args: ["true"] } };
  assert.match(execPlan(baseConfig(), v2).clone, 'clone_into="/sys/fs/cgroup/c1"');
  const c = baseConfig();
  c.process.execCPUAffinity = { initial: "0", final: "0" };
  const { ops, clone } = execPlan(c, v2);
  assert.equal(opNames(ops).slice(0, 2), ["CPU_AFFINITY", "CGROUP_JOIN"]);
  assert.match(clone, 'clone_into=""');
});

test("exec cgroups: on v2 without --cgroup, the init's cgroup is the fallback for a container's cgroup that refuses (EBUSY)", () => {
  const v2 = { cgroup: "v2" as const, cgroupV1: [], execFlags: { args: ["true"] } };
  const fallback = (facts: Partial<HostFacts>) => /busy_fallback="([^"]*)"/.exec(execPlan(baseConfig(), { ...v2, ...facts }).ops[0])![1];
  assert.is(fallback({ execCgroups: { paths: { "": "/c1" }, sub: [] }, initCgroup: "/c1/init.scope" }), "/sys/fs/cgroup/c1/init.scope/cgroup.procs");
  assert.is(fallback({ execCgroups: { paths: { "": "/c1" }, sub: [] }, initCgroup: "/c1" }), "", "the init is in the container's own");
  assert.is(fallback({ execCgroups: { paths: { "": "/c1" }, sub: ["x"] }, initCgroup: "/c1/init.scope" }), "", "not with --cgroup, as runc");
  assert.is(fallback({ execCgroups: { paths: { "": "/c1" }, sub: [] } }), "", "no init cgroup known");
  assert.is(/busy_fallback="([^"]*)"/.exec(execPlan(baseConfig(), { ...hybrid, execCgroups: { paths: stored, sub: [] }, initCgroup: "/c1/x", execFlags: { args: ["true"] } }).ops[0])![1], "", "v1: none");
});

test("exec cgroups: none stored, no join", () => {
  assert.not.ok(opNames(execPlan(baseConfig(), { execFlags: { args: ["true"] } }).ops).includes("CGROUP_JOIN"));
});

test.run();
