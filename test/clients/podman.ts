// A private podman for client tests (root): Debian's podman 4.3 with its storage (vfs), run root,
// tmp dir, events log, network config and containers.conf/storage.conf/registries.conf under one
// temporary directory, and every podman command run in one mount namespace of its own (nsenter
// into a holder process). The namespace takes what podman and the runtimes write to fixed paths
// whatever their flags say: the lock file /dev/shm/libpod_lock, the runtime's state under /run
// (/run/runc, /run/ocirun: a `--runtime-flag root=...` would not reach the runtime calls of the
// `podman container cleanup` that conmon starts), /var/lib/containers/cache (the blob info cache
// of `podman import`) and /var/cache/containers; /var/lib and /var/cache are overlays whose upper
// layer is a tmpfs. The containers' cgroups (and conmon's, PARENT/conmon) are under a unique
// --cgroup-parent. stop() removes the containers, ends what is left by pid (conmon, by the private
// paths in its command line; container processes, by cgroup), the holder (then the namespace and
// its tmpfs go), the cgroups and the directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { sleepSync, waitFor } from "../util/wait.ts";
import { alive, signal, processesMentioning, processesInCgroups, thawCgroups, removeCgroups } from "./host-processes.ts";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** podman, or why there is none. conmon is a package of its own (podman depends on it). */
/** The binary, or why there is none (pkg: the Debian package that would bring it). */
export function podmanAvailability(): { podman: string } | { skip: string; pkg?: string } {
  if (process.getuid?.() !== 0) return { skip: "not root (the tests run podman as root)" };
  const onPath = (name: string) => {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const podman = ["/usr/bin/podman"].find((p) => existsSync(p)) ?? onPath("podman");
  if (!podman) return { skip: "podman is not installed (apt-get install podman)", pkg: "podman" };
  // The places podman 4.3 looks for conmon (containers.conf's conmon_path default), then PATH.
  const conmon = ["/usr/libexec/podman/conmon", "/usr/local/libexec/podman/conmon", "/usr/bin/conmon", "/usr/sbin/conmon"].find((p) => existsSync(p)) ?? onPath("conmon");
  if (!conmon) return { skip: "conmon is not installed (apt-get install conmon)", pkg: "conmon" };
  if (!onPath("unshare") || !onPath("nsenter")) return { skip: "unshare or nsenter is missing (apt-get install util-linux)", pkg: "util-linux" };
  return { podman };
}

export interface PodmanOptions {
  podman: string;
  /** --runtime: a name podman knows (runc, or one of `runtimes`) or a path. */
  runtime: string;
  /** Runtimes to configure by name, as the README says: containers.conf's [engine.runtimes]
   * with the path, and the name in runtime_supports_json (podman then reads the runtime's
   * errors from its JSON log). */
  runtimes?: Record<string, string>;
}

/** One record the hook script (hookScript) wrote. */
export interface HookRecord {
  /** The hook's arguments after argv[0] (a script cannot see its argv[0]). */
  argv: string[];
  /** Its environment (as env(1) prints it, plus what sh adds: PWD). */
  env: string[];
  state: { ociVersion?: string; id?: string; status?: string; pid?: number; bundle?: string; annotations?: Record<string, string> };
  /** Whether the state's bundle directory existed when the hook ran. */
  bundleExists: boolean;
}

export class Podman {
  readonly dir = mkdtempSync(join(tmpdir(), "ocirun-podman-"));
  readonly root = join(this.dir, "root");
  readonly runroot = join(this.dir, "runroot");
  readonly tmp = join(this.dir, "tmp");
  /** The hooks directory of every command that passes no --hooks-dir: empty, so that hooks the
   * host has in /usr/share/containers/oci/hooks.d or /etc/containers/oci/hooks.d stay out. */
  readonly noHooks = join(this.dir, "no-hooks");
  /** The hook script the hooks tests point their hook JSON at. */
  readonly hookScript = join(this.dir, "hook.sh");
  readonly log = join(this.dir, "holder.log");
  /** Unique, so the cgroups the containers and conmon leave can be found and removed. */
  readonly cgroupParent = `/ocirun-podman-test-${process.pid}`;
  /** The process holding the mount namespace every podman command runs in. */
  holderPid = 0;
  private holder: ChildProcess | undefined;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: PodmanOptions) {
    chmodSync(this.dir, 0o755);
    this.env = {
      ...process.env,
      // containers.conf for what has no flag (ulimits, network mode, events log, hooks dir); with
      // CONTAINERS_CONF set, podman reads no other containers.conf, and passes it on to conmon and
      // so to `podman container cleanup`.
      CONTAINERS_CONF: join(this.dir, "containers.conf"),
      CONTAINERS_STORAGE_CONF: join(this.dir, "storage.conf"),
      CONTAINERS_REGISTRIES_CONF: join(this.dir, "registries.conf"),
    };
  }

  /** podman's global flags (before the command). */
  globalArgs(hooksDir?: string): string[] {
    return [
      "--root", this.root,
      "--runroot", this.runroot,
      "--tmpdir", this.tmp,
      "--storage-driver", "vfs",
      "--cgroup-manager", "cgroupfs",
      "--events-backend", "file",
      "--network-config-dir", join(this.dir, "networks"),
      "--runtime", this.opts.runtime,
      ...(hooksDir ? ["--hooks-dir", hooksDir] : []),
    ];
  }

  /** Options for every container: its cgroups under cgroupParent. */
  containerArgs(): string[] {
    return ["--cgroup-parent", this.cgroupParent];
  }

  /** Writes the configuration files and the hook script and starts the namespace holder. */
  async start(ms = 10_000): Promise<void> {
    const q = (s: string) => JSON.stringify(s);
    mkdirSync(this.noHooks);
    writeFileSync(
      join(this.dir, "containers.conf"),
      [
        "[containers]",
        // Without CAP_SYS_RESOURCE no runtime can raise these to podman's defaults (the host's
        // hard limits, 1048576 for nofile).
        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
        // No network namespace setup (netavark, iptables) to depend on or to leave behind.
        'netns = "none"',
        "[engine]",
        `events_logfile_path = ${q(join(this.dir, "events.log"))}`,
        `hooks_dir = [${q(this.noHooks)}]`,
        // --init: Debian's podman has no catatonit; docker.io's static tini does the same job.
        'init_path = "/usr/bin/tini-static"',
        ...(this.opts.runtimes ? [
          // podman 4.3's own list, and ours.
          `runtime_supports_json = ${JSON.stringify(["crun", "runc", "kata", "runsc", "youki", "krun", ...Object.keys(this.opts.runtimes)])}`,
          "[engine.runtimes]",
          ...Object.entries(this.opts.runtimes).map(([name, path]) => `${name} = [${q(path)}]`),
        ] : []),
        "[network]",
        'network_backend = "netavark"',
        `network_config_dir = ${q(join(this.dir, "networks"))}`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(this.dir, "storage.conf"), ["[storage]", 'driver = "vfs"', `graphroot = ${q(this.root)}`, `runroot = ${q(this.runroot)}`, ""].join("\n"));
    // Images by their full names only: no registry, no short-name alias cache.
    writeFileSync(join(this.dir, "registries.conf"), ['unqualified-search-registries = []', 'short-name-mode = "disabled"', ""].join("\n"));
    writeFileSync(
      this.hookScript,
      [
        "#!/bin/sh",
        "# A hook for test/clients/podman.test.ts: appends one record to $HOOK_LOG (its arguments, its",
        "# environment, the state from stdin, whether the bundle directory exists), then `end`.",
        "e=$(/usr/bin/env)",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "s=$(cat)",
        `b=$(printf '%s' "$s" | sed -n 's/.*"bundle":"\\([^"]*\\)".*/\\1/p')`,
        'if [ -n "$b" ] && [ -d "$b" ]; then bundle=yes; else bundle=no; fi',
        `r=$(printf 'argv: %s\\n%s\\nstate: %s\\nbundle: %s\\nend' "$*" "$(printf '%s\\n' "$e" | sed 's/^/env: /')" "$s" "$bundle")`,
        // One write (O_APPEND) per record: records of hooks that overlap stay whole.
        'printf \'%s\\n\' "$r" >> "$HOOK_LOG"',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const ns = join(this.dir, "ns");
    mkdirSync(ns);
    const setup = [
      "set -e",
      "mount -t tmpfs -o mode=0755 tmpfs /run",
      "mount -t tmpfs -o mode=1777 tmpfs /dev/shm",
      `mount -t tmpfs -o mode=0700 tmpfs ${ns}`,
      `for v in /var/lib /var/cache; do mkdir -p ${ns}$v/upper ${ns}$v/work; mount -t overlay overlay -o lowerdir=$v,upperdir=${ns}$v/upper,workdir=${ns}$v/work $v; done`,
      `: > ${join(this.dir, "ns-ready")}`,
      "exec sleep infinity",
    ].join("\n");
    const out = openSync(this.log, "a");
    try {
      // unshare execs (no --fork): the child's pid is the shell's and then sleep's.
      const child = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", setup], { detached: true, stdio: ["ignore", out, out] });
      this.holder = child;
      this.holderPid = child.pid ?? 0;
    } finally {
      closeSync(out);
    }
    if (!waitFor(() => existsSync(join(this.dir, "ns-ready")) || !alive(this.holderPid), ms, 20) || !alive(this.holderPid)) {
      const log = this.logText();
      await this.stop();
      throw new Error(`the mount namespace for podman was not set up: ${log}`);
    }
  }

  /** podman in the private mount namespace. stdout and stderr go to files: a process podman
   * starts (conmon) must not keep a pipe of ours open. */
  podman(args: string[], opts: { input?: string | Buffer; timeout?: number; hooksDir?: string } = {}): Result {
    const out = join(this.dir, "out");
    const err = join(this.dir, "err");
    const outFd = openSync(out, "w+");
    const errFd = openSync(err, "w+");
    try {
      const r = spawnSync("nsenter", ["-t", String(this.holderPid), "-m", "--", this.opts.podman, ...this.globalArgs(opts.hooksDir), ...args], {
        input: opts.input,
        stdio: [opts.input !== undefined ? "pipe" : "ignore", outFd, errFd],
        env: this.env,
        maxBuffer: 64 << 20,
        timeout: opts.timeout ?? 60_000,
      });
      const stdout = readFileSync(out, "utf8");
      const stderr = readFileSync(err, "utf8");
      if (r.error) return { code: -1, stdout, stderr: `${stderr}${r.error.message}` };
      return { code: r.status ?? 128 + (r.signal ? constants.signals[r.signal] : 0), stdout, stderr };
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
  }

  /** A directory imported as a one-layer image (podman import of a tar stream). */
  importDir(dir: string, name: string): Result {
    const tar = spawnSync("tar", ["-C", dir, "-c", "."], { maxBuffer: 256 << 20 });
    if (tar.status !== 0) return { code: tar.status ?? 1, stdout: "", stderr: `tar: ${tar.stderr}` };
    return this.podman(["import", "-", name], { input: tar.stdout });
  }

  /** A hooks directory with one JSON file (oci-hooks(5), schema 1.0.0) per entry; each entry's
   * hook is the hook script unless it names a path. */
  hooksDir(name: string, hooks: Record<string, { path?: string; args: string[]; env?: string[]; when: object; stages: string[] }>): string {
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, h] of Object.entries(hooks)) {
      const hook = { path: h.path ?? this.hookScript, args: h.args, ...(h.env ? { env: h.env } : {}) };
      writeFileSync(join(dir, `${file}.json`), JSON.stringify({ version: "1.0.0", hook, when: h.when, stages: h.stages }, null, 2));
    }
    return dir;
  }

  /** The records in a hook log (none when there is no log yet). */
  static hookRecords(log: string): HookRecord[] {
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      return [];
    }
    return text
      .split(/^end$/m)
      .filter((r) => r.trim() !== "")
      .map((r) => {
        const lines = r.split("\n");
        const field = (key: string) => lines.find((l) => l.startsWith(`${key}: `))?.slice(key.length + 2) ?? "";
        let state = {};
        try {
          state = JSON.parse(field("state"));
        } catch {}
        return {
          argv: field("argv").split(" ").filter(Boolean),
          env: lines.filter((l) => l.startsWith("env: ")).map((l) => l.slice(5)),
          state,
          bundleExists: field("bundle") === "yes",
        };
      });
  }

  logText(): string {
    try {
      return readFileSync(this.log, "utf8").trim() || "(the holder's log is empty)";
    } catch {
      return "(no log)";
    }
  }

  /** Removes every container, ends what is left (processes naming the directory: conmon, podman;
   * processes in cgroupParent: the containers'), then the holder, the cgroups and the directory
   * (kept with OCIRUN_PODMAN_KEEP=1). */
  async stop(): Promise<void> {
    if (alive(this.holderPid)) this.podman(["rm", "--all", "--force", "--time", "0"], { timeout: 60_000 });
    for (let round = 0; round < 2; round++) {
      const left = [...processesMentioning(this.dir), ...processesInCgroups(this.cgroupParent)];
      if (left.length === 0) break;
      // A frozen process does not die until thawed (a container left paused).
      thawCgroups(this.cgroupParent);
      for (const pid of left) signal(pid, round === 0 ? "SIGTERM" : "SIGKILL");
      if (waitFor(() => processesMentioning(this.dir).length + processesInCgroups(this.cgroupParent).length === 0, 5000, 100)) break;
    }
    const child = this.holder;
    if (child && child.exitCode === null && child.signalCode === null) {
      // The exit event reaps it (this machine's pid 1 does not reap orphans).
      const exited = new Promise((done) => child.once("exit", done));
      signal(this.holderPid, "SIGKILL");
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, 5000)))]);
      clearTimeout(timer);
    }
    removeCgroups(this.cgroupParent);
    if (process.env.OCIRUN_PODMAN_KEEP === "1") return console.log(`  podman's directory kept: ${this.dir}`);
    // The namespace's mounts (the tmpfs at ns/, the containers' /dev/shm) went with it: what is
    // left is plain files.
    for (let i = 0; i < 5 && existsSync(this.dir); i++) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch {
        sleepSync(500);
      }
    }
  }
}
