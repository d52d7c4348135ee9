// Docker as a client (root, Debian's docker.io): a private dockerd (test/clients/dockerd.ts: its
// own namespaces, data root, exec root and socket) with ocirun registered as a runtime, a busybox
// image made without a registry (docker import), and `docker run` / `exec` / `stop` / `rm` through
// the runtime. Docker puts a prestart hook (libnetwork-setkey) into every container's config,
// `--network none` too (not `--network host`): dockerd sets up the container's network only when
// that hook runs.
//
// OCIRUN_DOCKER_RUNTIME picks the runtime the containers run with: `ocirun` (default:
// $OCIRUN_BIN, else build/ocirun), `runc` (Docker's own, to check the harness itself) or a path.
// OCIRUN_DOCKER_IPTABLES=0 starts dockerd with --iptables=false. Without docker.io, or not as
// root, every test here is skipped, saying why.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { repo } from "../util/ocirun.ts";
import { Dockerd, dockerAvailability, type Result } from "./dockerd.ts";
import { packageMissing, testNeeding } from "../util/needs.ts";
import { waitFor } from "../util/wait.ts";
import { cgroupFileOf, cgroupsNaming, processesMentioning } from "./host-processes.ts";

const image = "ocirun-test-busybox";
const wanted = process.env.OCIRUN_DOCKER_RUNTIME || "ocirun";
const ocirunBin = resolve(repo, process.env.OCIRUN_BIN || "build/ocirun");
// `runc` is built into dockerd; anything else is registered under a name of its own.
const runtime = wanted === "runc" ? "runc" : wanted === "ocirun" ? "ocirun" : "undertest";
const runtimePath = wanted === "ocirun" ? ocirunBin : resolve(wanted);
const where = dockerAvailability();

let d: Dockerd | undefined;
let startError: unknown;
/** The default bridge network's subnet and gateway, as dockerd reports them. */
let bridge = { subnet: "", gateway: "" };

test.before(async () => {
  if ("skip" in where) return;
  try {
    if (runtime !== "runc" && !existsSync(runtimePath)) throw new Error(`${runtimePath} is missing (npm run build)`);
    d = new Dockerd({ ...where, runtimes: runtime === "runc" ? {} : { [runtime]: runtimePath }, noIptables: process.env.OCIRUN_DOCKER_IPTABLES === "0" });
    await d.start();
    const rootfs = mkdtempSync(join(tmpdir(), "ocirun-docker-rootfs-"));
    try {
      execFileSync(join(repo, "test/fixtures/make-rootfs.sh"), [rootfs]);
      ok(d.importDir(rootfs, image), "docker import");
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
    const ipam = JSON.parse(ok(d.docker(["network", "inspect", "bridge", "--format", "{{json .IPAM.Config}}"]), "network inspect").stdout);
    // The default bridge's IPAM config has no Gateway (20.10): then it is docker0's address.
    bridge = { subnet: ipam[0]?.Subnet ?? "", gateway: ipam[0]?.Gateway || d.bridgeAddress() };
  } catch (err) {
    startError = err;
  }
});

test.after(async () => {
  await d?.stop();
});

/** A test that needs the dockerd: skipped (counted as such) without docker.io. */
function dockerTest(name: string, fn: (d: Dockerd) => void): void {
  const full = `docker (--runtime ${runtime}): ${name}`;
  testNeeding(full, "skip" in where ? (where.pkg ? packageMissing(where.pkg, false) : where.skip) : null, () => {
    if (!d || startError) throw startError ?? new Error("no dockerd");
    fn(d);
  });
}

function ok(r: Result, what: string): Result {
  assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}

/** docker run --rm with the runtime under test; the options go before the image. */
function run(d: Dockerd, options: string[], args: string[]): Result {
  return d.docker(["run", "--rm", "--runtime", runtime, ...options, image, ...args]);
}

function ipv4(text: string): number {
  return text.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function inSubnet(addr: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(addr) / size) === Math.floor(ipv4(net) / size);
}

dockerTest("run --rm: stdout, stderr and the exit status", (d) => {
  const r = run(d, ["--network", "none"], ["sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal([r.code, r.stdout], [3, "out\n"], r.stderr);
  assert.match(r.stderr, "err");
});

dockerTest("run --rm --network none echo hi", (d) => {
  const r = ok(run(d, ["--network", "none"], ["echo", "hi"]), "docker run");
  assert.is(r.stdout, "hi\n");
});

// The one network mode whose config has no hooks (the container joins the daemon's network
// namespace by path): it tells a hooks failure from any other.
dockerTest("run --rm --network host echo hi (a config without hooks)", (d) => {
  const r = ok(run(d, ["--network", "host"], ["echo", "hi"]), "docker run");
  assert.is(r.stdout, "hi\n");
});

dockerTest("run on the default bridge: eth0 is up with an address in the bridge's subnet", (d) => {
  assert.match(bridge.subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/, "the bridge network has an IPv4 subnet");
  const r = ok(run(d, [], ["ip", "addr", "show", "eth0"]), "docker run");
  const flags = /^\d+:\s+eth0(?:@\S+)?:\s+<([^>]*)>/m.exec(r.stdout);
  assert.ok(flags, `no eth0 line in:\n${r.stdout}`);
  assert.ok(flags![1].split(",").includes("UP"), `eth0 is not UP: <${flags![1]}>`);
  const inet = /^\s+inet (\d+\.\d+\.\d+\.\d+)\/\d+/m.exec(r.stdout);
  assert.ok(inet, `eth0 has no IPv4 address:\n${r.stdout}`);
  assert.ok(inSubnet(inet![1], bridge.subnet), `${inet![1]} is not in ${bridge.subnet}`);
});

dockerTest("run on the default bridge: the container reaches the bridge's gateway (ping)", (d) => {
  assert.match(bridge.gateway, /^\d+\.\d+\.\d+\.\d+$/, "the bridge network has a gateway");
  const r = run(d, [], ["ping", "-c1", "-W2", bridge.gateway]);
  assert.is(r.code, 0, `ping ${bridge.gateway} exited ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`);
  assert.match(r.stdout, /1 packets received/);
});

dockerTest("a command that cannot run: 127 (missing) or 126 (not executable), with the runtime's reason", (d) => {
  for (const [cmd, code] of [["/no/such/program", 127], ["nosuch", 127], ["/etc/passwd", 126]] as const) {
    const r = run(d, ["--network", "none"], [cmd]);
    assert.is(r.code, code, `${cmd}: ${r.stderr}`);
    // The runtime's line; the docker CLI logs a line of its own after it ("error waiting for container").
    const line = r.stderr.split("\n").find((l) => l.includes("OCI runtime")) ?? "";
    assert.match(line, /no such file or directory|not found|permission denied/i, r.stderr);
    assert.not.match(line, /time="|level=error/, `${cmd}: ${line}`);
  }
});

dockerTest("run -d, exec, stop, rm", (d) => {
  // sh as pid 1 ignores TERM unless it traps it: the trap makes `stop` quick and the exit 0.
  const started = ok(d.docker(["run", "-d", "--runtime", runtime, "--network", "none", image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]), "docker run -d");
  const id = started.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  try {
    assert.is(ok(d.docker(["inspect", "--format", "{{.State.Status}}", id]), "inspect").stdout.trim(), "running");
    assert.is(ok(d.docker(["exec", id, "echo", "from-exec"]), "docker exec").stdout, "from-exec\n");
    const ps = ok(d.docker(["exec", id, "ps", "-o", "pid,args"]), "docker exec ps").stdout;
    assert.match(ps, /^\s*1\s+sh -c trap/m, `pid 1 is not the container's sh:\n${ps}`);
    const exit = d.docker(["exec", id, "sh", "-c", "exit 3"]);
    assert.is(exit.code, 3, `exec's exit status: ${exit.stderr}`);
    ok(d.docker(["stop", "-t", "10", id]), "docker stop");
    assert.is(ok(d.docker(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", id]), "inspect").stdout.trim(), "exited 0");
    ok(d.docker(["rm", id]), "docker rm");
    assert.is(d.docker(["ps", "-aq", "--no-trunc", "--filter", `id=${id}`]).stdout.trim(), "");
  } finally {
    d.docker(["rm", "-f", id]);
  }
});

/** A detached busybox container that sleeps, with these options; its full id. */
function detached(d: Dockerd, options: string[] = []): string {
  const r = ok(d.docker(["run", "-d", "--runtime", runtime, "--network", "none", ...options, image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]), "docker run -d");
  return r.stdout.trim();
}

/** The container's init pid on the host. */
const pidOf = (d: Dockerd, id: string) => Number(ok(d.docker(["inspect", "--format", "{{.State.Pid}}", id]), "inspect").stdout.trim());

/** Nothing of the container is left: no process, mount, cgroup or runtime state naming it. */
function nothingLeft(d: Dockerd, id: string): void {
  assert.ok(waitFor(() => processesMentioning(id).length === 0, 5000, 100), `left running: ${processesMentioning(id).join(" ")}`);
  const dockerdMounts = readFileSync(`/proc/${d.pid}/mountinfo`, "utf8");
  assert.not.ok(dockerdMounts.includes(id), "mounts left in dockerd's namespace");
  const state = join(d.execRoot, `runtime-${runtime}`, "moby");
  assert.ok(!existsSync(state) || !readdirSync(state).includes(id), `runtime state left under ${state}`);
  assert.equal(cgroupsNaming(d.cgroupParent, id), [], "cgroups left");
}

dockerTest("exec -u, -w, -e, -i; run -t; kill with a signal; restart; top", (d) => {
  const id = detached(d);
  try {
    assert.is(ok(d.docker(["exec", "-u", "1000:1000", id, "id", "-u"]), "exec -u").stdout, "1000\n");
    assert.is(ok(d.docker(["exec", "-w", "/tmp", id, "pwd"]), "exec -w").stdout, "/tmp\n");
    assert.is(ok(d.docker(["exec", "-e", "FOO=bar", id, "sh", "-c", "echo $FOO"]), "exec -e").stdout, "bar\n");
    assert.is(ok(d.docker(["exec", "-i", id, "cat"], { input: "piped\n" }), "exec -i").stdout, "piped\n");
    assert.match(ok(d.docker(["exec", "-t", id, "tty"]), "exec -t").stdout, /^\/dev\/pts\/\d+\r\n$/);
    const top = ok(d.docker(["top", id]), "docker top").stdout;
    assert.match(top, /sh -c trap/);
    ok(d.docker(["restart", "-t", "5", id]), "docker restart");
    assert.is(ok(d.docker(["inspect", "--format", "{{.State.Status}} {{.RestartCount}}", id]), "inspect").stdout.trim().split(" ")[0], "running");
    ok(d.docker(["kill", "-s", "KILL", id]), "docker kill -s KILL");
    assert.ok(waitFor(() => d.docker(["inspect", "--format", "{{.State.Status}}", id]).stdout.trim() === "exited", 10_000));
    assert.is(d.docker(["inspect", "--format", "{{.State.ExitCode}}", id]).stdout.trim(), "137");
    ok(d.docker(["rm", id]), "docker rm");
    nothingLeft(d, id);
  } finally {
    d.docker(["rm", "-f", id]);
  }
  // A pseudo-terminal: the output's newlines come back as CRLF.
  const t = ok(run(d, ["-t", "--network", "none"], ["sh", "-c", "tty; echo done"]), "docker run -t");
  assert.match(t.stdout, /^\/dev\/pts\/\d+\r\ndone\r\n$/);
});

dockerTest("limits take effect and update changes them: memory, pids, cpu; stats reads the container's cgroup", (d) => {
  const id = detached(d, ["--memory", "64m", "--memory-swap", "64m", "--pids-limit", "20", "--cpu-quota", "50000"]);
  try {
    const pid = pidOf(d, id);
    const memory = () => Number(cgroupFileOf(pid, "memory", existsSync("/sys/fs/cgroup/cgroup.controllers") ? "memory.max" : "memory.limit_in_bytes"));
    assert.is(memory(), 64 << 20);
    assert.is(cgroupFileOf(pid, "pids", "pids.max"), "20");
    // More processes than the limit: forks fail inside.
    const forks = d.docker(["exec", id, "sh", "-c", "for i in $(seq 30); do sleep 5 & done; wait"]);
    assert.match(forks.stderr, /can't fork/, `forks past pids.max: ${forks.stdout}${forks.stderr}`);
    ok(d.docker(["update", "--memory", "96m", "--memory-swap", "96m", "--pids-limit", "40", id]), "docker update");
    assert.is(memory(), 96 << 20);
    assert.is(cgroupFileOf(pid, "pids", "pids.max"), "40");
    const stats = ok(d.docker(["stats", "--no-stream", "--format", "{{.MemUsage}} {{.PIDs}}", id]), "docker stats").stdout.trim();
    assert.match(stats, /\/ 96MiB/, stats);
    // Past the memory limit the kernel kills it: a shell variable of 200 MB.
    const oom = d.docker(["exec", id, "sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived ${#x}"]);
    assert.is(oom.code, 137, `200 MB in a 96 MB container: ${oom.stdout}${oom.stderr}`);
    ok(d.docker(["pause", id]), "docker pause");
    assert.is(d.docker(["inspect", "--format", "{{.State.Status}}", id]).stdout.trim(), "paused");
    ok(d.docker(["unpause", id]), "docker unpause");
    ok(d.docker(["stop", "-t", "10", id]), "docker stop");
    ok(d.docker(["rm", id]), "docker rm");
    nothingLeft(d, id);
  } finally {
    d.docker(["rm", "-f", id]);
  }
});

dockerTest("read-only root, bind volumes (rw and ro), --init, capabilities and the default seccomp profile", (d) => {
  const vol = mkdtempSync(join(tmpdir(), "ocirun-docker-vol-"));
  try {
    const r = ok(run(d, ["--network", "none", "--read-only", "-v", `${vol}:/data`, "-v", `${vol}:/ro:ro`, "--init", "--cap-add", "SYS_ADMIN"], ["sh", "-c", [
      "touch /x 2>/dev/null && echo root-rw || echo root-ro",
      "echo hi > /data/f && echo data-rw",
      "touch /ro/g 2>/dev/null && echo ro-rw || echo ro-ro",
      "cat /proc/1/comm",
      "grep -E '^(CapEff|Seccomp):' /proc/self/status",
    ].join("; ")]), "docker run").stdout;
    const lines = r.trim().split("\n");
    assert.equal(lines.slice(0, 4), ["root-ro", "data-rw", "ro-ro", "docker-init"]);
    assert.is(readFileSync(join(vol, "f"), "utf8"), "hi\n");
    const capEff = BigInt("0x" + /CapEff:\s+([0-9a-f]+)/.exec(r)![1]);
    assert.ok((capEff >> 21n) & 1n, "CAP_SYS_ADMIN added");
    assert.not.ok((capEff >> 16n) & 1n, "CAP_SYS_MODULE is not in Docker's default set");
    assert.match(r, /Seccomp:\s+2/);
  } finally {
    rmSync(vol, { recursive: true, force: true });
  }
});

test.run();
