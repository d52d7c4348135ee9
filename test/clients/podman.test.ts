// Podman as a client (root, Debian's podman 4.3 and conmon): a private podman setup
// (test/clients/podman.ts: its own storage, run root, tmp dir, configuration files, cgroup parent
// and mount namespace) with the runtime under test as --runtime, a busybox image made without a
// registry (podman import), `podman run` / `exec` / `pause` / `stop` / `rm` through the runtime,
// and OCI hooks from a --hooks-dir (oci-hooks(5), schema 1.0.0). Podman puts the hooks that match
// a container into the config.json it hands the runtime when it initializes the container, all
// but poststop: that one podman runs itself when it removes the container, after the runtime's
// delete (the bundle directory is still there).
//
// OCIRUN_PODMAN_RUNTIME picks the runtime: `ocirun` (default: $OCIRUN_BIN, else build/ocirun),
// `runc` (to check the harness itself) or a path. Without podman and conmon, or not as root,
// every test here is skipped, saying why.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { repo } from "../util/ocirun.ts";
import { waitFor } from "../util/wait.ts";
import { Podman, podmanAvailability, type HookRecord, type Result } from "./podman.ts";
import { cgroupFileOf, cgroupsNaming, processesMentioning } from "./host-processes.ts";
import { packageMissing, testNeeding } from "../util/needs.ts";

// A full name: short names would go through registries.conf and the alias cache.
const image = "localhost/ocirun-test-busybox:latest";
const wanted = process.env.OCIRUN_PODMAN_RUNTIME || "ocirun";
const ocirunBin = resolve(repo, process.env.OCIRUN_BIN || "build/ocirun");
// `runc` is a name podman finds by itself (containers.conf's runtimes); `ocirun` is configured by
// name as the README says (test/clients/podman.ts, runtimes); anything else goes by path.
const runtime = wanted === "runc" || wanted === "ocirun" ? wanted : resolve(wanted);
const label = runtime;
const where = podmanAvailability();

let p: Podman | undefined;
let startError: unknown;
let cids = 0;

test.before(async () => {
  if ("skip" in where) return;
  try {
    if (wanted === "ocirun" && !existsSync(ocirunBin)) throw new Error(`${ocirunBin} is missing (npm run build)`);
    p = new Podman({ podman: where.podman, runtime, runtimes: wanted === "ocirun" ? { ocirun: ocirunBin } : undefined });
    await p.start();
    const rootfs = mkdtempSync(join(tmpdir(), "ocirun-podman-rootfs-"));
    try {
      execFileSync(join(repo, "test/fixtures/make-rootfs.sh"), [rootfs]);
      ok(p.importDir(rootfs, image), "podman import");
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  } catch (err) {
    startError = err;
  }
});

test.after(async () => {
  await p?.stop();
});

/** A test that needs podman: skipped (counted as such) without it. */
function podmanTest(name: string, fn: (p: Podman) => void): void {
  const full = `podman (--runtime ${label}): ${name}`;
  testNeeding(full, "skip" in where ? (where.pkg ? packageMissing(where.pkg, false) : where.skip) : null, () => {
    if (!p || startError) throw startError ?? new Error("no podman setup");
    fn(p);
  });
}

function ok(r: Result, what: string): Result {
  assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** A --cidfile path that does not exist yet (podman refuses one that does). */
function cidfile(p: Podman): string {
  return join(p.dir, `cid-${++cids}`);
}

/** `podman run --rm` of `echo hi` with these options, through the runtime; returns the id. */
function runEchoHi(p: Podman, options: string[], hooksDir?: string): string {
  const cid = cidfile(p);
  const r = ok(p.podman(["run", "--rm", "--cidfile", cid, ...p.containerArgs(), ...options, image, "echo", "hi"], { hooksDir }), "podman run");
  assert.is(r.stdout, "hi\n");
  return readFileSync(cid, "utf8").trim();
}

/** The hook records, once one for poststop (podman runs it after the removal, perhaps in the
 * `podman container cleanup` conmon starts) is there. */
function recordsThroughPoststop(log: string, poststop: (r: HookRecord) => boolean): HookRecord[] {
  waitFor(() => Podman.hookRecords(log).some(poststop), 15_000, 100);
  return Podman.hookRecords(log);
}

/** "ARG STATUS" for each record: the hook's first argument names it. */
function summary(records: HookRecord[]): string[] {
  return records.map((r) => `${r.argv[0]} ${r.state.status}`);
}

podmanTest("run --rm: stdout, stderr and the exit status", (p) => {
  const r = p.podman(["run", "--rm", ...p.containerArgs(), image, "sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal([r.code, r.stdout], [3, "out\n"], r.stderr);
  assert.match(r.stderr, "err");
});

podmanTest("run --rm echo hi", (p) => {
  runEchoHi(p, []);
});

podmanTest("hooks: a prestart hook from --hooks-dir runs with the state (creating, the pid); poststop when --rm removes the container", (p) => {
  const log = join(p.dir, "hooks-prestart.log");
  const dir = p.hooksDir("hooks-prestart", {
    "01-always": { args: ["hook.sh", "always", "second-arg"], env: ["X=1", `HOOK_LOG=${log}`], when: { always: true }, stages: ["prestart", "poststop"] },
    "02-annotated": { args: ["hook.sh", "annotated"], env: [`HOOK_LOG=${log}`], when: { annotations: { "^com\\.example\\.hook$": "^yes$" } }, stages: ["prestart"] },
  });
  // The annotation's value does not match: only the unconditional hook runs.
  const id = runEchoHi(p, ["--annotation", "com.example.hook=no"], dir);
  const records = recordsThroughPoststop(log, (r) => r.state.status === "stopped");
  assert.equal(summary(records), ["always creating", "always stopped"], "the hooks that ran");
  const [pre, post] = records;
  assert.equal(pre.argv, ["always", "second-arg"]);
  assert.is(pre.state.id, id);
  assert.ok(Number.isInteger(pre.state.pid) && pre.state.pid! > 0, `prestart's state has no pid: ${JSON.stringify(pre.state)}`);
  assert.ok(pre.bundleExists, `prestart's bundle ${pre.state.bundle} does not exist`);
  assert.is(pre.state.annotations?.["com.example.hook"], "no");
  assert.ok(pre.env.includes("X=1") && pre.env.includes(`HOOK_LOG=${log}`), `the hook's env: ${pre.env.join(" ")}`);
  // A hook gets the env its entry names, not the runtime's (which has podman's CONTAINERS_CONF).
  assert.not.ok(pre.env.some((e) => e.startsWith("CONTAINERS_CONF=")), `the hook's env: ${pre.env.join(" ")}`);
  assert.is(post.state.id, id);
  assert.is(ok(p.podman(["ps", "--all", "--quiet", "--no-trunc", "--filter", `id=${id}`]), "podman ps").stdout.trim(), "", "the container is gone");
});

podmanTest("hooks: a hook whose `when` names an annotation runs only for a container with it", (p) => {
  const log = join(p.dir, "hooks-annotation.log");
  const dir = p.hooksDir("hooks-annotation", {
    "01-always": { args: ["hook.sh", "always"], env: [`HOOK_LOG=${log}`], when: { always: true }, stages: ["prestart", "poststop"] },
    "02-annotated": { args: ["hook.sh", "annotated"], env: [`HOOK_LOG=${log}`], when: { annotations: { "^com\\.example\\.hook$": "^yes$" } }, stages: ["prestart"] },
  });
  const id = runEchoHi(p, ["--annotation", "com.example.hook=yes"], dir);
  const records = recordsThroughPoststop(log, (r) => r.state.status === "stopped");
  assert.equal(summary(records), ["always creating", "annotated creating", "always stopped"], "the hooks that ran");
  const annotated = records[1];
  assert.is(annotated.state.id, id);
  assert.is(annotated.state.annotations?.["com.example.hook"], "yes");
  // Without the annotation (the first hooks test has it with another value) it does not run.
  rmSync(log, { force: true });
  runEchoHi(p, [], dir);
  assert.equal(summary(recordsThroughPoststop(log, (r) => r.state.status === "stopped")), ["always creating", "always stopped"], "the hooks that ran");
});

podmanTest("hooks: every stage; config.json has all but poststop, which podman runs itself", (p) => {
  const logDir = join(p.dir, "hooks-stages-log");
  mkdirSync(logDir);
  const log = join(logDir, "hook.log");
  const host = (stage: string) => ({ args: ["hook.sh", stage], env: [`HOOK_LOG=${log}`], when: { always: true }, stages: [stage] });
  const dir = p.hooksDir("hooks-stages", {
    "01-prestart": host("prestart"),
    "02-createRuntime": host("createRuntime"),
    "03-createContainer": host("createContainer"),
    // startContainer runs in the container, where the path must resolve: its sh, writing a record
    // to the log's directory, bind-mounted at /hooklog.
    "04-startContainer": {
      path: "/bin/sh",
      args: ["sh", "-c", `printf 'argv: startContainer\\nstate: %s\\nbundle: no\\nend\\n' "$(cat)" >> /hooklog/hook.log`],
      when: { always: true },
      stages: ["startContainer"],
    },
    "05-poststart": host("poststart"),
    "06-poststop": host("poststop"),
  });
  const cid = cidfile(p);
  ok(p.podman(["create", "--rm", "--cidfile", cid, ...p.containerArgs(), "-v", `${logDir}:/hooklog`, image, "echo", "hi"], { hooksDir: dir }), "podman create");
  const id = readFileSync(cid, "utf8").trim();
  try {
    // `init` writes the bundle's config.json (with the hooks of its own --hooks-dir) and runs the
    // runtime's create, so the create hooks run here.
    ok(p.podman(["init", id], { hooksDir: dir }), "podman init");
    const configPath = ok(p.podman(["inspect", "--format", "{{.OCIConfigPath}}", id]), "podman inspect").stdout.trim();
    const hooks = JSON.parse(readFileSync(configPath, "utf8")).hooks ?? {};
    assert.equal(Object.keys(hooks).sort(), ["createContainer", "createRuntime", "poststart", "prestart", "startContainer"], "config.json's hook stages");
    assert.equal(hooks.prestart, [{ path: p.hookScript, args: ["hook.sh", "prestart"], env: [`HOOK_LOG=${log}`] }]);
    // runc 1.1 runs poststart hooks when it creates the container (`runc create`), not after start.
    const early = summary(Podman.hookRecords(log)).filter((s) => !(wanted === "runc" && s.startsWith("poststart ")));
    assert.equal(early, ["prestart creating", "createRuntime creating", "createContainer creating"], "the hooks after init");
    assert.is(ok(p.podman(["start", "--attach", id], { hooksDir: dir }), "podman start").stdout, "hi\n");
    const records = recordsThroughPoststop(log, (r) => r.argv[0] === "poststop");
    const names = records.map((r) => r.argv[0]);
    assert.is(names.length, 6, `the hooks that ran: ${names.join(" ")}`);
    // startContainer runs in the container, poststart on the host after start: no order between them.
    assert.equal([...names.slice(3, 5)].sort(), ["poststart", "startContainer"], `the hooks that ran: ${names.join(" ")}`);
    assert.is(names[5], "poststop");
    for (const r of records) assert.is(r.state.id, id, `${r.argv[0]}'s state: ${JSON.stringify(r.state)}`);
    assert.is(records[5].state.status, "stopped");
  } finally {
    p.podman(["rm", "--force", "--time", "0", id]);
  }
});

podmanTest("a command that cannot run: 127 (missing) or 126 (not executable), with the runtime's reason as one clean line", (p) => {
  for (const [cmd, code] of [["/no/such/program", 127], ["nosuch", 127], ["/etc/passwd", 126]] as const) {
    const r = p.podman(["run", "--rm", ...p.containerArgs(), image, cmd]);
    assert.is(r.code, code, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /no such file or directory|not found|permission denied/i, cmd);
    // With the runtime in runtime_supports_json podman reads its JSON log; else the text record's
    // timestamp and level end up in the message.
    assert.not.match(r.stderr, /time="|level=error/, `${cmd}: ${r.stderr}`);
  }
});

podmanTest("run -d, exec, stop, rm", (p) => {
  // sh as pid 1 ignores TERM unless it traps it: the trap makes `stop` quick and the exit 0.
  const started = ok(p.podman(["run", "-d", ...p.containerArgs(), image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]), "podman run -d");
  const id = started.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  try {
    assert.is(ok(p.podman(["inspect", "--format", "{{.State.Status}}", id]), "inspect").stdout.trim(), "running");
    assert.is(ok(p.podman(["exec", id, "echo", "from-exec"]), "podman exec").stdout, "from-exec\n");
    const ps = ok(p.podman(["exec", id, "ps", "-o", "pid,args"]), "podman exec ps").stdout;
    assert.match(ps, /^\s*1\s+sh -c trap/m, `pid 1 is not the container's sh:\n${ps}`);
    const exit = p.podman(["exec", id, "sh", "-c", "exit 3"]);
    assert.is(exit.code, 3, `exec's exit status: ${exit.stderr}`);
    ok(p.podman(["stop", "--time", "10", id]), "podman stop");
    assert.is(ok(p.podman(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", id]), "inspect").stdout.trim(), "exited 0");
    ok(p.podman(["rm", id]), "podman rm");
    assert.is(ok(p.podman(["ps", "--all", "--quiet", "--no-trunc", "--filter", `id=${id}`]), "podman ps").stdout.trim(), "");
    // conmon (its command line names the container) is gone with the container.
    assert.ok(waitFor(() => processesMentioning(id).length === 0, 5000, 100), `left running: ${processesMentioning(id).join(" ")}`);
  } finally {
    p.podman(["rm", "--force", "--time", "0", id]);
  }
});

podmanTest("pause, unpause (the freezer)", (p) => {
  const id = ok(p.podman(["run", "-d", ...p.containerArgs(), image, "sleep", "1000"]), "podman run -d").stdout.trim();
  try {
    ok(p.podman(["pause", id]), "podman pause");
    assert.is(ok(p.podman(["inspect", "--format", "{{.State.Status}}", id]), "inspect").stdout.trim(), "paused");
    ok(p.podman(["unpause", id]), "podman unpause");
    assert.is(ok(p.podman(["inspect", "--format", "{{.State.Status}}", id]), "inspect").stdout.trim(), "running");
    assert.is(ok(p.podman(["exec", id, "echo", "thawed"]), "podman exec").stdout, "thawed\n");
  } finally {
    ok(p.podman(["rm", "--force", "--time", "0", id]), "podman rm -f");
  }
});

/** A detached busybox container that sleeps, with these options; its full id. */
function detached(p: Podman, options: string[] = []): string {
  return ok(p.podman(["run", "-d", ...p.containerArgs(), ...options, image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]), "podman run -d").stdout.trim();
}

const memoryFile = () => (existsSync("/sys/fs/cgroup/cgroup.controllers") ? "memory.max" : "memory.limit_in_bytes");

podmanTest("exec -u, -w, -e, -i; run -t; kill with a signal; restart; top", (p) => {
  const id = detached(p);
  try {
    assert.is(ok(p.podman(["exec", "-u", "1000:1000", id, "id", "-u"]), "exec -u").stdout, "1000\n");
    assert.is(ok(p.podman(["exec", "-w", "/tmp", id, "pwd"]), "exec -w").stdout, "/tmp\n");
    assert.is(ok(p.podman(["exec", "-e", "FOO=bar", id, "sh", "-c", "echo $FOO"]), "exec -e").stdout, "bar\n");
    assert.is(ok(p.podman(["exec", "-i", id, "cat"], { input: "piped\n" }), "exec -i").stdout, "piped\n");
    assert.match(ok(p.podman(["exec", "-t", id, "tty"]), "exec -t").stdout, /^\/dev\/pts\/\d+\r\n$/);
    assert.match(ok(p.podman(["top", id]), "podman top").stdout, /sh -c trap/);
    ok(p.podman(["restart", "--time", "5", id]), "podman restart");
    assert.is(ok(p.podman(["inspect", "--format", "{{.State.Status}}", id]), "inspect").stdout.trim(), "running");
    ok(p.podman(["kill", "--signal", "KILL", id]), "podman kill");
    assert.ok(waitFor(() => p.podman(["inspect", "--format", "{{.State.Status}}", id]).stdout.trim() === "exited", 10_000));
    assert.is(p.podman(["inspect", "--format", "{{.State.ExitCode}}", id]).stdout.trim(), "137");
    ok(p.podman(["rm", id]), "podman rm");
    assert.ok(waitFor(() => processesMentioning(id).length === 0, 5000, 100), `left running: ${processesMentioning(id).join(" ")}`);
    assert.equal(cgroupsNaming(p.cgroupParent, id), [], "cgroups left");
  } finally {
    p.podman(["rm", "--force", "--time", "0", id]);
  }
  const t = ok(p.podman(["run", "--rm", "-t", ...p.containerArgs(), image, "sh", "-c", "tty; echo done"]), "podman run -t");
  assert.match(t.stdout, /^\/dev\/pts\/\d+\r\ndone\r\n$/);
});

podmanTest("limits take effect (memory, pids) and update changes the memory limit; stats reads the container's cgroup", (p) => {
  const id = detached(p, ["--memory", "64m", "--memory-swap", "64m", "--pids-limit", "20"]);
  try {
    const pid = Number(ok(p.podman(["inspect", "--format", "{{.State.Pid}}", id]), "inspect").stdout.trim());
    assert.is(Number(cgroupFileOf(pid, "memory", memoryFile())), 64 << 20);
    assert.is(cgroupFileOf(pid, "pids", "pids.max"), "20");
    // Past the memory limit the kernel kills it: a shell variable of 200 MB.
    const oom = p.podman(["exec", id, "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived ${#x}"]);
    assert.is(oom.code, 137, `200 MB in a 64 MB container: ${oom.stdout}${oom.stderr}`);
    const forks = p.podman(["exec", id, "sh", "-c", "for i in $(seq 30); do sleep 5 & done; wait"]);
    assert.match(forks.stderr, /can't fork/, `forks past pids.max: ${forks.stdout}${forks.stderr}`);
    // The container's own figures: some usage, under its limit (64 MiB = 67.11 MB).
    const stats = ok(p.podman(["stats", "--no-stream", "--format", "{{.MemUsage}}", id]), "podman stats").stdout.trim();
    assert.match(stats, /^[1-9][\d.]*[kM]B \/ 67\.11MB$/, stats);
    // podman 4.3's update has no --pids-limit.
    ok(p.podman(["update", "--memory", "96m", "--memory-swap", "96m", id]), "podman update");
    assert.is(Number(cgroupFileOf(pid, "memory", memoryFile())), 96 << 20);
    ok(p.podman(["stop", "--time", "10", id]), "podman stop");
    ok(p.podman(["rm", id]), "podman rm");
  } finally {
    p.podman(["rm", "--force", "--time", "0", id]);
  }
});

podmanTest("read-only root, bind volumes (rw and ro), --init, capabilities and the default seccomp profile", (p) => {
  const vol = mkdtempSync(join(tmpdir(), "ocirun-podman-vol-"));
  try {
    const r = ok(p.podman(["run", "--rm", ...p.containerArgs(), "--read-only", "-v", `${vol}:/data`, "-v", `${vol}:/ro:ro`, "--init", "--cap-add", "SYS_ADMIN", image, "sh", "-c", [
      "touch /x 2>/dev/null && echo root-rw || echo root-ro",
      "echo hi > /data/f && echo data-rw",
      "touch /ro/g 2>/dev/null && echo ro-rw || echo ro-ro",
      "cat /proc/1/comm",
      "grep -E '^(CapEff|Seccomp):' /proc/self/status",
    ].join("; ")]), "podman run").stdout;
    const lines = r.trim().split("\n");
    assert.equal(lines.slice(0, 3), ["root-ro", "data-rw", "ro-ro"]);
    assert.match(lines[3], /tini|podman-init/);
    assert.is(readFileSync(join(vol, "f"), "utf8"), "hi\n");
    const capEff = BigInt("0x" + /CapEff:\s+([0-9a-f]+)/.exec(r)![1]);
    assert.ok((capEff >> 21n) & 1n, "CAP_SYS_ADMIN added");
    assert.not.ok((capEff >> 16n) & 1n, "CAP_SYS_MODULE is not in podman's default set");
    assert.match(r, /Seccomp:\s+2/);
  } finally {
    rmSync(vol, { recursive: true, force: true });
  }
});

test.run();

