// Bundles for integration tests: one busybox rootfs per test file (made once), and a config
// from `ocirun spec`'s default with terminal off and the given command and patches.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { defaultConfig } from "../../host/default-config/config.ts";
import { patch } from "./core.ts";
import { ocirun, repo } from "./ocirun.ts";

export class TestBundles {
  readonly dir = mkdtempSync(join(tmpdir(), "ocirun-it-"));
  // Traversable by ids a user namespace maps root to (mkdtemp makes it 0700).
  private readonly traversable = chmodSync(this.dir, 0o755);
  readonly rootfs = join(this.dir, "rootfs");
  readonly root = join(this.dir, "state");
  private count = 0;

  constructor() {
    execFileSync(join(repo, "test/fixtures/make-rootfs.sh"), [this.rootfs]);
  }

  /** A bundle dir whose config runs `args`; root.path points at the shared rootfs. */
  bundle(args: string[], patches: Record<string, unknown> = {}): string {
    const dir = join(this.dir, `bundle${++this.count}`);
    mkdirSync(dir);
    const config = defaultConfig() as any;
    config.process.terminal = false;
    config.process.args = args;
    config.root.path = this.rootfs;
    writeFileSync(join(dir, "config.json"), JSON.stringify(patch(config, patches), null, 2));
    return dir;
  }

  /** Appends a mount to a bundle's config (after the default ones). */
  addMount(bundle: string, mount: { destination: string; type?: string; source?: string; options?: string[] }): void {
    const file = join(bundle, "config.json");
    const config = JSON.parse(readFileSync(file, "utf8"));
    config.mounts.push(mount);
    writeFileSync(file, JSON.stringify(config, null, 2));
  }

  /** Deletes every container left under root (a failed test may leave one running), then the files. */
  cleanup(): void {
    if (existsSync(this.root)) for (const id of readdirSync(this.root)) ocirun(["delete", "--force", id], { root: this.root });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
