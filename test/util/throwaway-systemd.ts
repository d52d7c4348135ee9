// A real systemd for the --systemd-cgroup tests. On a host whose systemd runs (pid 1 made
// /run/systemd/system), that one. Otherwise a throwaway systemd 252 booted as pid 1 of new pid,
// mount and cgroup namespaces, but ONLY inside the cgroup v2 VM (test/vm/v2vm.sh: the guest
// sees the host's / read-only under a tmpfs overlay, so nothing it does reaches the host): never
// on a real host, where a systemd once pulled in sysinit.target, wiped /tmp and set sysctls.
// The VM runner asks for it (OCIRUN_TEST_THROWAWAY_SYSTEMD=1) and the guest is recognised by
// its /run/v2vm; both must hold.
//
// Its namespaces: a fresh cgroup2 mount rooted at its own cgroup (/sys/fs/cgroup/<name>), a
// fresh /run (its /run/systemd/private), and a target with no dependencies so that it starts
// nothing but its slices; the sysinit services are masked besides, /sys and /proc/sys are read-
// only. Commands run through `nsenter` into all three namespaces (pids in PIDs= are systemd's,
// cgroup paths are its), from a cgroup inside its tree (<name>/clients: under nsdelegate the
// kernel moves a process only between cgroups the mover's namespace sees).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants } from "node:os";
import { sleepSync } from "./wait.ts";

export interface Result { code: number; stdout: string; stderr: string }

export interface Systemd {
  /** How it was found: the host's own, or booted for the tests. */
  kind: "host" | "throwaway";
  /** Runs argv where systemd's namespaces and cgroups are (as is for the host's). */
  run(argv: string[], env?: NodeJS.ProcessEnv): Result;
  /** Ends a throwaway systemd and removes its cgroups; nothing for the host's. */
  stop(): void;
}

const SYSTEMD = "/lib/systemd/systemd";
const BOOT_TIMEOUT_MS = 180_000; // systemd under qemu's emulation on a busy machine

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** stdout and stderr go to files: a container made by `create` keeps the caller's stdio, and a
 * pipe would stay open for its whole life (as in ocirun.ts). */
function runDirect(argv: string[], env?: NodeJS.ProcessEnv): Result {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-out-"));
  const outFd = openSync(join(dir, "out"), "w+");
  const errFd = openSync(join(dir, "err"), "w+");
  try {
    const r = spawnSync(argv[0], argv.slice(1), { env: env ?? process.env, timeout: 120_000, stdio: ["ignore", outFd, errFd] });
    if (r.error) throw r.error;
    const code = r.status ?? 128 + (r.signal ? constants.signals[r.signal] : 0);
    return { code, stdout: readFileSync(join(dir, "out"), "utf8"), stderr: readFileSync(join(dir, "err"), "utf8") };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which systemd the tests can have (cheap: nothing is started), or why none. */
export function systemdAvailability(): { kind: Systemd["kind"] } | { skip: string } {
  if (isDir("/run/systemd/system")) return { kind: "host" };
  const inVm = existsSync("/run/v2vm/cmd") && process.env.OCIRUN_TEST_THROWAWAY_SYSTEMD === "1";
  if (!inVm) {
    return { skip: "no systemd runs here (/run/systemd/system is missing); a throwaway one is booted only in the cgroup v2 VM (node scripts/run-tests.mjs test/vm)" };
  }
  if (!existsSync(SYSTEMD)) return { skip: `${SYSTEMD} is not installed (package systemd)` };
  return { kind: "throwaway" };
}

/** The host's systemd, or a throwaway one booted now (in the VM only: systemdAvailability). */
export function startSystemd(kind: Systemd["kind"]): Systemd {
  if (kind === "host") return { kind, run: runDirect, stop: () => {} };
  if (!(existsSync("/run/v2vm/cmd") && process.env.OCIRUN_TEST_THROWAWAY_SYSTEMD === "1")) throw new Error("a throwaway systemd runs only in the VM");
  return bootThrowaway();
}

function bootThrowaway(): Systemd {
  const name = `ocirun-sd-${process.pid}`;
  const root = join("/sys/fs/cgroup", name);
  mkdirSync(root);
  mkdirSync(join(root, "clients"));
  const logDir = mkdtempSync(join(tmpdir(), "ocirun-sd-log-"));
  const log = openSync(join(logDir, "log"), "w");
  const masked = [
    "systemd-tmpfiles-setup.service", "systemd-tmpfiles-setup-dev.service", "systemd-tmpfiles-clean.timer", "systemd-sysctl.service",
    "systemd-udevd.service", "systemd-udev-trigger.service", "systemd-sysusers.service", "systemd-modules-load.service",
    "systemd-remount-fs.service", "systemd-journald.service", "systemd-journald.socket", "sysinit.target",
  ];
  // Inside the new pid and mount namespaces: into its cgroup, a new cgroup namespace rooted there
  // (unshare without --fork: this shell, pid 1, is the only process in it), then systemd.
  const inner = [
    "mount --make-rprivate /",
    "umount -l /sys/fs/cgroup",
    "mount --bind /sys /sys && mount -o remount,bind,ro /sys",
    "mount -t cgroup2 cgroup2 /sys/fs/cgroup",
    "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys",
    "mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run && mkdir -p /run/lock /run/systemd/system",
    "printf '[Unit]\\nDescription=ocirun tests\\nAllowIsolate=yes\\n' > /run/systemd/system/ocirun-test.target",
    ...masked.map((u) => `ln -s /dev/null /run/systemd/system/${u}`),
    `exec env -i container=ocirun-test PATH=/usr/sbin:/usr/bin:/sbin:/bin ${SYSTEMD} --system --unit=ocirun-test.target --show-status=no --log-level=notice`,
  ].join("\n");
  const outer = `echo $$ > ${root}/cgroup.procs && exec unshare --cgroup sh -ec '${inner.replace(/'/g, "'\\''")}'`;
  const unshare: ChildProcess = spawn("unshare", ["--pid", "--fork", "--mount", "--mount-proc", "sh", "-ec", outer], { stdio: ["ignore", log, log] });
  closeSync(log);
  let pid = 0;
  const stop = () => {
    if (pid > 0) {
      try { process.kill(pid, "SIGKILL"); } catch {} // pid 1 of its namespace: everything in it dies
    }
    unshare.kill("SIGKILL");
    for (let i = 0; i < 200 && existsSync(join(root, "init.scope")) && cgroupHasProcesses(root); i++) sleepSync(50);
    removeCgroupTree(root);
    rmSync(logDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      pid ||= childOf(unshare.pid!);
      if (pid > 0 && existsSync(`/proc/${pid}/root/run/systemd/private`)) break;
      if (unshare.exitCode !== null) throw new Error(`the throwaway systemd ended: ${readFileSync(join(logDir, "log"), "utf8")}`);
      sleepSync(200);
    }
    if (pid === 0 || !existsSync(`/proc/${pid}/root/run/systemd/private`)) throw new Error(`the throwaway systemd did not come up in ${BOOT_TIMEOUT_MS / 1000}s`);
    const run = (argv: string[], env?: NodeJS.ProcessEnv): Result =>
      runDirect(["sh", "-c", `echo $$ > ${root}/clients/cgroup.procs && exec nsenter -t ${pid} -m -p -C -- "$@"`, "sh", ...argv], env);
    const up = run(["systemctl", "is-system-running", "--wait"]);
    if (!/^(running|degraded)/.test(up.stdout)) throw new Error(`the throwaway systemd is ${up.stdout.trim() || up.stderr.trim()}`);
    return { kind: "throwaway", run, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

function childOf(pid: number): number {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (kids) return Number(kids.split(" ")[0]);
    }
  } catch {}
  return 0;
}

function cgroupHasProcesses(dir: string): boolean {
  try {
    if (readFileSync(join(dir, "cgroup.procs"), "utf8").trim()) return true;
    return readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory() && cgroupHasProcesses(join(dir, e.name)));
  } catch {
    return false;
  }
}

function removeCgroupTree(dir: string): void {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      sleepSync(50); // a process killed a moment ago may still be leaving
    }
  }
}
