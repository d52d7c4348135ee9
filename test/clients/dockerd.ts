// A private dockerd for client tests (root): Debian's docker.io, started in its own mount and
// network namespaces (unshare), with its data root, exec root, pid file, socket and daemon.json
// under one temporary directory. The namespaces keep everything it makes off the host: the
// default bridge docker0, the veths, its iptables rules and ip_forward are in its network
// namespace, and a tmpfs over /run takes what dockerd and containerd put there whatever their
// flags say (/run/docker/plugins, the shims' sockets in /run/containerd/s). When dockerd and its
// processes are gone, so are the namespaces and all of that; stop() then removes the cgroups under
// the unique --cgroup-parent and the directory.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../util/wait.ts";
import { alive, reaped, removeLeftovers, signal } from "./host-processes.ts";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The dockerd and docker CLI of docker.io, or why there are none. The CLI is /usr/bin/docker on
 * purpose: another docker on PATH (here /usr/local/bin/docker, a Docker 28 CLI) may come first. */
/** The binaries, or why there are none (pkg: the Debian package that would bring them). */
export function dockerAvailability(): { dockerd: string; docker: string } | { skip: string; pkg?: string } {
  if (process.getuid?.() !== 0) return { skip: "not root (dockerd needs root)" };
  const onPath = (name: string) => {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => existsSync(p)) ?? onPath("dockerd");
  const docker = ["/usr/bin/docker"].find((p) => existsSync(p)) ?? onPath("docker");
  if (!dockerd || !docker) return { skip: "docker.io is not installed (apt-get install docker.io)", pkg: "docker.io" };
  if (!onPath("unshare")) return { skip: "unshare is missing (apt-get install util-linux)", pkg: "util-linux" };
  return { dockerd, docker };
}

export interface DockerdOptions {
  dockerd: string;
  docker: string;
  /** Runtimes to register by name, as the README says: daemon.json's "runtimes". */
  runtimes: Record<string, string>;
  /** true: --iptables=false (the bridge is still made; no NAT, nothing filtered). */
  noIptables?: boolean;
}

export class Dockerd {
  readonly dir = mkdtempSync(join(tmpdir(), "ocirun-docker-"));
  readonly dataRoot = join(this.dir, "root");
  readonly execRoot = join(this.dir, "exec");
  readonly socket = join(this.dir, "docker.sock");
  readonly log = join(this.dir, "dockerd.log");
  /** Unique, so the cgroups Docker's containers leave (the parent dirs) can be found and removed. */
  readonly cgroupParent = `/ocirun-docker-test-${process.pid}`;
  pid = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly opts: DockerdOptions) {
    chmodSync(this.dir, 0o755);
  }

  /** The dockerd command line (after unshare and the namespace setup). */
  args(): string[] {
    return [
      this.opts.dockerd,
      "--config-file", join(this.dir, "daemon.json"),
      "--data-root", this.dataRoot,
      "--exec-root", this.execRoot,
      "--pidfile", join(this.dir, "dockerd.pid"),
      "-H", `unix://${this.socket}`,
      "--storage-driver", "vfs",
      "--exec-opt", "native.cgroupdriver=cgroupfs",
      "--cgroup-parent", this.cgroupParent,
      "--userland-proxy=false",
      ...(this.opts.noIptables ? ["--iptables=false", "--ip-masq=false"] : []),
      "--ip6tables=false",
    ];
  }

  /** Starts dockerd and waits until it answers (at most `ms`); throws with its log's tail if not. */
  async start(ms = 60_000): Promise<void> {
    // deprecated-key-path: the libtrust key dockerd 20.10 otherwise writes to /etc/docker/key.json
    // (there is no command-line flag for it).
    const runtimes = Object.fromEntries(Object.entries(this.opts.runtimes).map(([name, path]) => [name, { path }]));
    writeFileSync(join(this.dir, "daemon.json"), JSON.stringify({ "deprecated-key-path": join(this.dir, "key.json"), runtimes }));
    const setup = 'ip link set lo up && mount -t tmpfs -o mode=0755 tmpfs /run && exec "$@"';
    const out = openSync(this.log, "a");
    try {
      // unshare execs (no --fork), so the child's pid is the shell's and then dockerd's. Its
      // output goes to a file: a pipe would stay open in every process it starts.
      const child = spawn("unshare", ["--mount", "--net", "--propagation", "private", "sh", "-c", setup, "sh", ...this.args()], {
        detached: true,
        stdio: ["ignore", out, out],
      });
      this.child = child;
      this.pid = child.pid ?? 0;
    } finally {
      closeSync(out);
    }
    const up = waitFor(() => !alive(this.pid) || this.docker(["version", "--format", "{{.Server.Version}}"], { timeout: 5000 }).code === 0, ms, 200);
    if (!up || !alive(this.pid)) {
      const tail = this.logTail();
      await this.stop();
      throw new Error(`dockerd did not come up (${alive(this.pid) ? "no answer" : "it exited"}); its log ends:\n${tail}`);
    }
  }

  /** The docker CLI against this dockerd. */
  docker(args: string[], opts: { input?: string | Buffer; timeout?: number } = {}): Result {
    const r = spawnSync(this.opts.docker, ["-H", `unix://${this.socket}`, ...args], {
      input: opts.input,
      stdio: [opts.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
      env: { ...process.env, DOCKER_CONFIG: join(this.dir, "cli"), DOCKER_CLI_HINTS: "false" },
      encoding: "utf8",
      maxBuffer: 64 << 20,
      timeout: opts.timeout ?? 120_000,
    });
    if (r.error) return { code: -1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error.message}` };
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  }

  /** A directory imported as a one-layer image (docker import of a tar stream). */
  importDir(dir: string, tag: string): Result {
    const tar = spawnSync("tar", ["-C", dir, "-c", "."], { maxBuffer: 256 << 20 });
    if (tar.status !== 0) return { code: tar.status ?? 1, stdout: "", stderr: `tar: ${tar.stderr}` };
    return this.docker(["import", "-", tag], { input: tar.stdout });
  }

  /** The bundle directory of a running container under this dockerd's containerd. */
  bundleOf(id: string): string {
    return join(this.execRoot, "containerd/daemon/io.containerd.runtime.v2.task/moby", id);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** The IPv4 address of docker0 (the default bridge's gateway), read in dockerd's network namespace. */
  bridgeAddress(): string {
    const r = spawnSync("nsenter", ["-t", String(this.pid), "-n", "ip", "-4", "-o", "addr", "show", "dev", "docker0"], { encoding: "utf8" });
    return /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout ?? "")?.[1] ?? "";
  }

  /** Removes every container, stops dockerd (TERM, then KILL after 20 s) and reaps it, then
   * whatever it left running (its containerd, shims), found by the private paths in their
   * command lines, by pid; then the cgroups under cgroupParent and the directory (kept with
   * OCIRUN_DOCKER_KEEP=1, to read dockerd.log). */
  async stop(): Promise<void> {
    const child = this.child;
    const exited = child && child.exitCode === null && child.signalCode === null ? new Promise((done) => child.once("exit", done)) : Promise.resolve();
    if (this.pid && alive(this.pid)) {
      const ids = this.docker(["ps", "-aq"], { timeout: 10_000 }).stdout.split("\n").filter(Boolean);
      if (ids.length > 0) this.docker(["rm", "-f", ...ids], { timeout: 60_000 });
      signal(this.pid, "SIGTERM");
      if (!waitFor(() => !alive(this.pid), 20_000, 100)) signal(this.pid, "SIGKILL");
    }
    await reaped(exited);
    removeLeftovers(this.dir, this.cgroupParent, "OCIRUN_DOCKER_KEEP", "dockerd");
  }
}
