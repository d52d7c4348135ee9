// What create refuses and delete does, for any kind of cgroup: a cgroup in use by others is not
// the container's; at delete, kill what is left in it, then remove the directories create made
// (and the cgroups the container made below them), and only those.
import { rmdirSync } from "../files.ts";
import { dirname } from "node:path";
import { OciError } from "../errors.ts";
import type { CgroupManager } from "./manager.ts";
import { errnoText, removeChildren, removeTree, sleepMs, treePids } from "./fs.ts";

const SIGKILL = 9;
const KILL_TIMEOUT_MS = 10_000;

/** runc's rules for an existing cgroup: one with processes, or frozen, is refused. */
export function refuseIfInUse(dir: string, frozenAt: string | undefined): void {
  const n = treePids(dir).length;
  if (n > 0) throw new OciError(`/linux/cgroupsPath: container's cgroup ${dir} is not empty: ${n} process(es) found`);
  if (frozenAt) throw new OciError(`/linux/cgroupsPath: container's cgroup ${frozenAt} is unexpectedly frozen`);
}

/** signal to every process of the container, frozen meanwhile (when it has a freezer and is not
 * paused already) so that none can fork a new one in between. */
export async function signalWhileFrozen(m: CgroupManager, signal: number, hasFreezer: boolean): Promise<void> {
  const freeze = hasFreezer && !m.frozen();
  if (freeze) await m.freeze().catch(() => {});
  try {
    for (const pid of m.pids()) {
      try { process.kill(pid, signal); } catch {}
    }
  } finally {
    if (freeze) m.thaw();
  }
}

/** SIGKILL every process of the container and wait until the cgroup has none. A container with
 * its own pid namespace has none left once its init died; one without may leave many. */
export async function killAll(m: CgroupManager): Promise<void> {
  if (m.pids().length === 0) return;
  await m.signalAll(SIGKILL);
  const deadline = Date.now() + KILL_TIMEOUT_MS;
  for (let delay = 1; m.pids().length > 0; delay = Math.min(delay * 2, 50)) {
    if (Date.now() > deadline) throw new OciError(`processes of the container are still alive 10s after SIGKILL: ${m.pids().join(" ")}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The container's cgroup in one hierarchy and what is below it, if create made it (else only
 * what is below), then each ancestor create made, innermost first, while it is empty (another
 * container may have its cgroup there too). A cgroup whose last process has just died may be
 * busy a moment longer: retried for about a second, as runc does. */
export function removeCreated(leaf: string, created: string[]): void {
  const own = created.includes(leaf);
  let err: unknown = null;
  for (let delay = 1; delay <= 512; delay *= 2) {
    err = own ? removeTree(leaf) : removeChildren(leaf);
    if (!err) break;
    sleepMs(delay);
  }
  if (err) throw new OciError(`unable to remove the container's cgroup ${leaf}: ${errnoText(err)}`);
  for (let dir = dirname(leaf); created.includes(dir); dir = dirname(dir)) {
    try {
      rmdirSync(dir); // only when empty: never another container's cgroup below it
    } catch {
      break;
    }
  }
}
