// `events [--interval D] [--stats] <id>`: the container's cgroup figures as runc prints them, one
// JSON record per line. --stats prints one stats record and exits; otherwise a stream: a stats
// record every interval (the first after one interval, as runc's ticker), an oom record each
// time the kernel OOM-kills in the container, until no process is left in its cgroup (or the
// cgroup is removed); then exit 0. The figures come from stats-v1.ts or stats-v2.ts by the
// host's cgroup mode; the watching from cgroups/events-watch.ts.
import type { Context } from "../context.ts";
import { describeError, OciError, UsageError } from "../errors.ts";
import { parseGoDuration } from "../duration.ts";
import { mustOpenContainer, statusOf } from "../store.ts";
import { type CgroupState, controllerDir, hierarchyPath } from "../cgroups/manager.ts";
import type { Stats } from "../cgroups/stats-types.ts";

interface EventsOptions {
  interval: string;
  stats?: boolean;
}

/** setInterval's longest delay (a longer one would fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function run(ctx: Context, args: unknown[], options: Record<string, any>): Promise<void> {
  const [id] = args as [string];
  const opts = options as EventsOptions;
  let intervalMs: number;
  try {
    intervalMs = parseGoDuration(opts.interval);
  } catch {
    throw new UsageError(`invalid value ${JSON.stringify(opts.interval)} for flag -interval: parse error`);
  }
  const c = mustOpenContainer(ctx.root, id); // no lock: a stream must not hold off delete
  if (intervalMs <= 0) throw new OciError("duration interval must be greater than 0");
  if (statusOf(c) === "stopped") throw new OciError(`container with id ${id} is not running`);
  const cgroup = c.state.cgroup;
  if (!cgroup) throw new OciError("unable to get container cgroup stats: the container has no cgroup of its own (rootless without a delegated cgroup)");
  const { eventJson } = await import("../cgroups/stats-types.ts");
  const read = await statsReader(cgroup);
  if (opts.stats) {
    ctx.out(eventJson("stats", id, read()));
    return;
  }
  await stream(ctx, id, cgroup, Math.min(intervalMs, MAX_TIMER_MS), read, eventJson);
}

/** The figures of the container's cgroup by the host's mode; a failure in runc's words. */
async function statsReader(cgroup: CgroupState): Promise<() => Stats> {
  const { hugePageSizes } = await import("../cgroups/stats-files.ts");
  const sizes = hugePageSizes();
  const wrap = (read: () => Stats) => () => {
    try {
      return read();
    } catch (err) {
      throw new OciError(`unable to get container cgroup stats: ${describeError(err)}`);
    }
  };
  if (cgroup.mode === "v2") {
    const { statsV2 } = await import("../cgroups/stats-v2.ts");
    const dir = hierarchyPath("", cgroup.paths[""] ?? "/");
    return wrap(() => statsV2(dir, sizes));
  }
  const { statsV1 } = await import("../cgroups/stats-v1.ts");
  return wrap(() => statsV1((controller) => controllerDir(cgroup, controller), sizes));
}

async function stream(
  ctx: Context, id: string, cgroup: CgroupState, intervalMs: number, read: () => Stats,
  eventJson: typeof import("../cgroups/stats-types.ts").eventJson,
): Promise<void> {
  const { cgroupManager } = await import("../cgroups/open-manager.ts");
  const { watchEvents } = await import("../cgroups/events-watch.ts");
  const manager = await cgroupManager(cgroup);
  await new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      watch.close();
      resolve();
    };
    // A reader that went away ends the stream, with the status runc gets from SIGPIPE.
    const emit = (line: string) => {
      if (!ctx.out(line)) {
        ctx.exitCode = 141;
        end();
      }
    };
    const timer = setInterval(() => {
      let stats: Stats;
      try {
        stats = read();
      } catch (err) {
        watch.check(); // the cgroup may have just gone: then that is the end, not an error
        if (!done) ctx.log.error((err as Error).message); // and the stream goes on, as runc's
        return;
      }
      emit(eventJson("stats", id, stats));
    }, intervalMs);
    const watch = watchEvents(manager, { oom: () => emit(eventJson("oom", id)), gone: end });
    ctx.log.debug(`events ${id}: watching ${watch.how}, stats every ${intervalMs} ms`);
  });
}
