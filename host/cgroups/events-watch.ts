// What the `events` stream watches besides its stats timer: the kernel's OOM kills in the
// container's cgroup, and the container going away (its cgroup empty or removed), which ends
// the stream.
// - v2: inotify (fs.watch) on memory.events, whose oom_kill counter rises with each kill, and on
//   cgroup.events, whose "populated 0" says the last process left; as runc does. Where inotify
//   cannot be had, the same files are polled.
// - v1 and hybrid: memory.oom_control's oom_kill counter and the container's processes, polled
//   (runc waits on an eventfd through cgroup.event_control, and ends only when the cgroup is
//   removed; ocirun ends as on v2, when no process is left, so one rule holds on every host).
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { readCgroupFile } from "./fs.ts";
import { type CgroupManager, controllerDir, hierarchyPath } from "./manager.ts";

export const POLL_MS = 100;

export interface EventsWatch {
  /** What is watched, for the debug log. */
  readonly how: string;
  /** Looks again now (a failed stats read may mean the cgroup has gone). */
  check(): void;
  close(): void;
}

export interface EventsHandlers {
  /** The OOM-kill counter rose: one oom event. */
  oom(): void;
  /** No process is left in the container's cgroup, or it was removed; called once. */
  gone(): void;
}

export function watchEvents(manager: CgroupManager, on: EventsHandlers): EventsWatch {
  const state = manager.state;
  if (state.mode !== "v2") {
    const memory = controllerDir(state, "memory");
    return poll(() => counter(memory && join(memory, "memory.oom_control")), () => manager.pids().length === 0, on, "memory.oom_control and cgroup.procs, polled");
  }
  const dir = hierarchyPath("", state.paths[""] ?? "/");
  const memoryEvents = join(dir, "memory.events");
  const cgroupEvents = join(dir, "cgroup.events");
  const oomKills = () => counter(memoryEvents);
  const empty = () => !/^populated 1$/m.test(readCgroupFile(cgroupEvents) ?? "");
  const watchers: FSWatcher[] = [];
  try {
    for (const file of [memoryEvents, cgroupEvents]) {
      if (readCgroupFile(file) === null) continue; // no memory controller here: no OOM to watch
      watchers.push(watch(file, { persistent: true }, () => w.check()).on("error", () => w.check()));
    }
  } catch {
    for (const x of watchers) x.close();
    return poll(oomKills, empty, on, "memory.events and cgroup.events, polled");
  }
  const w = watcher(oomKills, empty, on, "memory.events and cgroup.events, inotify", () => {
    for (const x of watchers) x.close();
  });
  return w;
}

/** The oom_kill count in a memory.events or memory.oom_control file, or null without one. */
function counter(file: string | undefined): number | null {
  const text = file ? readCgroupFile(file) : null;
  const m = text === null ? null : /^oom_kill ([0-9]+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

function poll(oomKills: () => number | null, empty: () => boolean, on: EventsHandlers, how: string): EventsWatch {
  const timer = setInterval(() => w.check(), POLL_MS);
  const w = watcher(oomKills, empty, on, how, () => clearInterval(timer));
  return w;
}

/** check() compares the counter with the last one seen and looks for the end; the first
 * check runs on the next turn, once the caller holds the watch. */
function watcher(oomKills: () => number | null, empty: () => boolean, on: EventsHandlers, how: string, stop: () => void): EventsWatch {
  let last = oomKills() ?? 0;
  let closed = false;
  const w: EventsWatch = {
    how,
    check() {
      if (closed) return;
      const n = oomKills();
      if (n !== null && n > last) {
        last = n;
        on.oom();
      }
      if (!closed && empty()) {
        w.close();
        on.gone();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      stop();
    },
  };
  setImmediate(() => w.check());
  return w;
}
