// Runs the ocirun CLI as a separate process, as clients do: the executable users get,
// build/ocirun (or $OCIRUN_BIN), so the embedded core, addon and bytecode are what is tested;
// OCIRUN_FROM_SOURCE=1 runs `bun host/cli.ts` from the work tree instead, for debugging.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../..", import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** --root, put before the other arguments; omit for none. */
  root?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Run as this user (setpriv --reuid --regid --init-groups), for rootless tests. */
  user?: { uid: number; gid: number };
}

const fromSource = process.env.OCIRUN_FROM_SOURCE === "1";

/** The command line that starts the CLI, for tests that spawn it themselves. */
export function ocirunCommand(): string[] {
  return fromSource ? [join(repo, "node_modules/.bin/bun"), join(repo, "host/cli.ts")] : [resolve(repo, process.env.OCIRUN_BIN || "build/ocirun")];
}

/** The executable file the CLI runs from: build/ocirun, or Bun's binary when from source. */
export function ocirunExecutable(): string {
  return fromSource ? realpathSync(join(repo, "node_modules/.bin/bun")) : resolve(repo, process.env.OCIRUN_BIN || "build/ocirun");
}

/** ocirunCommand() as one shell word list (paths here have no spaces). */
export const ocirunShell = (): string => ocirunCommand().join(" ");

export function ocirun(args: string[], opts: RunOptions = {}): Result {
  const [bin, ...pre] = ocirunCommand();
  const setpriv = opts.user ? ["/usr/bin/setpriv", `--reuid=${opts.user.uid}`, `--regid=${opts.user.gid}`, "--init-groups", bin] : [bin];
  const [cmd, ...argv] = [...setpriv, ...pre, ...(opts.root !== undefined ? ["--root", opts.root] : []), ...args];
  // stdout and stderr go to files, not pipes: a container created with `create` or `run -d`
  // keeps the caller's stdio (as with runc), and a pipe would stay open for its whole life.
  const dir = mkdtempSync(join(tmpdir(), "ocirun-out-"));
  const outFd = openSync(join(dir, "out"), "w+");
  const errFd = openSync(join(dir, "err"), "w+");
  try {
    const r = spawnSync(cmd, argv, {
      cwd: opts.cwd ?? repo,
      env: opts.env ?? process.env,
      stdio: [opts.input !== undefined ? "pipe" : "ignore", outFd, errFd],
      input: opts.input,
      timeout: 30_000,
    });
    if (r.error) throw r.error;
    const code = r.status ?? 128 + (r.signal ? constants.signals[r.signal] : 0);
    return { code, stdout: readFileSync(join(dir, "out"), "utf8"), stderr: readFileSync(join(dir, "err"), "utf8") };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh temporary directory; its `root` path does not exist yet, so a test can check that a
 * command did not create it. */
export function tempRoot(): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-test-"));
  return { dir, root: join(dir, "root") };
}

/** The message of a logrus text error record `time="..." level=error msg="..."` (runc's stderr
 * form without --log), or the line itself when it is not one. */
export function errorMessage(line: string): string {
  const m = /level=error msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(line);
  if (!m) return line;
  return m[1].startsWith('"') ? JSON.parse(m[1]) : m[1];
}
