// `ps [-f table|json] <id> [ps options...]`: the container's processes (every pid in its cgroup
// and below, as the host sees them). table: the host's ps(1) run with the options given
// (default -ef) and its output filtered to those pids (host/ps-table.ts); json: the pids. As
// runc: no status check (a stopped container lists nothing), flags only before the id.
// A container without a cgroup of its own (rootless without a delegated one) lists nothing:
// its processes share the caller's cgroup, which is not the container's to list.
import type { Context } from "../context.ts";
import { describeError, OciError } from "../errors.ts";
import { mustOpenContainer } from "../store.ts";

interface PsOptions {
  format: string;
}

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id, psArgs] = args as [string, string[]];
  const opts = options as PsOptions;
  const c = mustOpenContainer(ctx.root, id);
  const pids = await containerPids(ctx, c.state.cgroup);
  if (opts.format === "json") {
    ctx.out(pids.length > 0 ? `[${pids.join(",")}]\n` : "null\n"); // Go's encoding of an empty list
    return;
  }
  if (opts.format !== "table") throw new OciError("invalid format option");
  const { filterPsTable } = await import("../ps-table.ts");
  ctx.out(filterPsTable(await runPs(psArgs.length > 0 ? psArgs : ["-ef"]), pids));
}

async function containerPids(ctx: Context, cgroup: import("../cgroups/manager.ts").CgroupState | undefined): Promise<number[]> {
  if (!cgroup) {
    ctx.log.debug("ps: the container has no cgroup of its own: no processes to list");
    return [];
  }
  const { cgroupManager } = await import("../cgroups/open-manager.ts");
  try {
    return (await cgroupManager(cgroup)).pids();
  } catch (err) {
    throw new OciError(`unable to get all container pids: ${err instanceof OciError ? err.message : describeError(err)}`);
  }
}

/** ps(1) from PATH, its stdout then its stderr (runc's CombinedOutput), as UTF-8 text; a
 * failure as Go's os/exec words it, with the output. */
async function runPs(args: string[]): Promise<string> {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync("ps", args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new OciError(code === "ENOENT" ? 'exec: "ps": executable file not found in $PATH' : describeError(r.error));
  }
  const output = r.stdout + r.stderr;
  if (r.status !== 0) {
    const { goSignalText } = await import("../signals.ts");
    const { constants } = await import("node:os");
    const why = r.signal ? `signal: ${goSignalText(constants.signals[r.signal])}` : `exit status ${r.status}`;
    throw new OciError(`${why}: ${output.trim()}`);
  }
  return output;
}
