// A private containerd for client tests (root): Debian's containerd with its runc v2 shim,
// started in its own mount and network namespaces (unshare), with its root, state, sockets and
// config under one temporary directory, and a tmpfs over /run for what the shims put there
// whatever the config says (/run/containerd/s, and the runtime's --root under
// /run/containerd/runc). It is driven with ctr; the runtime is chosen per container with ctr's
// --runc-binary (the shim's BinaryName option). stop() kills what is left by the private paths
// in command lines, removes the cgroups under the namespace's cgroup parent and the directory.
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

/** The binaries, or why there are none (pkg: the Debian package that would bring them). */
export function containerdAvailability(): { containerd: string; ctr: string } | { skip: string; pkg?: string } {
  if (process.getuid?.() !== 0) return { skip: "not root (containerd needs root)" };
  const containerd = ["/usr/bin/containerd", "/usr/sbin/containerd"].find((p) => existsSync(p));
  const ctr = ["/usr/bin/ctr"].find((p) => existsSync(p));
  const shim = ["/usr/bin/containerd-shim-runc-v2"].find((p) => existsSync(p));
  if (!containerd || !ctr || !shim) return { skip: "containerd is not installed (apt-get install containerd)", pkg: "containerd" };
  if (spawnSync("sh", ["-c", "command -v unshare"]).status !== 0) return { skip: "unshare is missing (apt-get install util-linux)", pkg: "util-linux" };
  return { containerd, ctr };
}

export class Containerd {
  readonly dir = mkdtempSync(join(tmpdir(), "ocirun-containerd-"));
  readonly socket = join(this.dir, "containerd.sock");
  readonly log = join(this.dir, "containerd.log");
  /** Where ctr makes a task's stdio fifos: a path the shim (under the private /run) sees too. */
  readonly fifoDir = join(this.dir, "fifo");
  /** ctr's namespace: containerd's default cgroup parent for its containers is /<namespace>. */
  readonly namespace = `ocirun-test-${process.pid}`;
  pid = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly bins: { containerd: string; ctr: string }) {
    chmodSync(this.dir, 0o755);
  }

  /** Starts containerd and waits until it answers (at most `ms`); throws with its log's tail if not. */
  async start(ms = 60_000): Promise<void> {
    // No CRI (it wants CNI and an image service of its own); the runc v2 shim is the only runtime.
    writeFileSync(join(this.dir, "config.toml"), [
      "version = 2",
      `root = "${join(this.dir, "root")}"`,
      `state = "${join(this.dir, "state")}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${this.socket}"`,
      "[ttrpc]",
      `  address = "${this.socket}.ttrpc"`,
      "[debug]",
      `  address = "${join(this.dir, "debug.sock")}"`,
      "",
    ].join("\n"));
    const setup = 'ip link set lo up && mount -t tmpfs -o mode=0755 tmpfs /run && exec "$@"';
    const out = openSync(this.log, "a");
    try {
      const child = spawn("unshare", ["--mount", "--net", "--propagation", "private", "sh", "-c", setup, "sh",
        this.bins.containerd, "--config", join(this.dir, "config.toml")], { detached: true, stdio: ["ignore", out, out] });
      this.child = child;
      this.pid = child.pid ?? 0;
    } finally {
      closeSync(out);
    }
    const up = waitFor(() => !alive(this.pid) || this.ctr(["version"], { timeout: 5000 }).code === 0, ms, 200);
    if (!up || !alive(this.pid)) {
      const tail = this.logTail();
      await this.stop();
      throw new Error(`containerd did not come up (${alive(this.pid) ? "no answer" : "it exited"}); its log ends:\n${tail}`);
    }
  }

  /** ctr against this containerd, in the test namespace. */
  ctr(args: string[], opts: { input?: string; timeout?: number } = {}): Result {
    const r = spawnSync(this.bins.ctr, ["--address", this.socket, "--namespace", this.namespace, ...args], {
      input: opts.input,
      stdio: [opts.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
      encoding: "utf8",
      maxBuffer: 64 << 20,
      timeout: opts.timeout ?? 120_000,
    });
    if (r.error) return { code: -1, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error.message}` };
    return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  }

  /** The runtime's state directory for this namespace (the shim's default --root), as seen in
   * containerd's mount namespace. */
  runtimeRoot(): string {
    return `/proc/${this.pid}/root/run/containerd/runc/${this.namespace}`;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Removes every task and container, stops containerd (TERM, then KILL) and whatever it left
   * (its shims, found by the private directory in their command lines), the cgroups under the
   * namespace's parent, and the directory (kept with OCIRUN_CONTAINERD_KEEP=1). */
  async stop(): Promise<void> {
    const child = this.child;
    const exited = child && child.exitCode === null && child.signalCode === null ? new Promise((done) => child.once("exit", done)) : Promise.resolve();
    if (this.pid && alive(this.pid)) {
      for (const id of this.ctr(["task", "ls", "-q"], { timeout: 10_000 }).stdout.split("\n").filter(Boolean)) {
        this.ctr(["task", "kill", "-s", "SIGKILL", id], { timeout: 10_000 });
        this.ctr(["task", "delete", "-f", id], { timeout: 30_000 });
      }
      for (const id of this.ctr(["container", "ls", "-q"], { timeout: 10_000 }).stdout.split("\n").filter(Boolean)) {
        this.ctr(["container", "delete", id], { timeout: 30_000 });
      }
      signal(this.pid, "SIGTERM");
      if (!waitFor(() => !alive(this.pid), 20_000, 100)) signal(this.pid, "SIGKILL");
    }
    await reaped(exited);
    removeLeftovers(this.dir, `/${this.namespace}`, "OCIRUN_CONTAINERD_KEEP", "containerd");
  }
}
