// The config's hooks as the core hands them over (its verdict's "hooks" section), kept in the
// state dir at create (hooks.json) for the commands that run them later (start: poststart;
// delete: poststop), and the state JSON a hook reads on its stdin.
import { readFileSync, writeFileSync } from "../files.ts";
import { join } from "node:path";
import { goJson } from "../gojson.ts";

export type HookPhase = "prestart" | "createRuntime" | "createContainer" | "startContainer" | "poststart" | "poststop";

export interface Hook {
  path: string;
  /** argv as given; empty: the path alone (runc). */
  args: string[];
  /** The hook's whole environment: nothing else is passed. */
  env: string[];
  /** Seconds; absent: none. */
  timeout?: number;
  /** Its JSON pointer, e.g. /hooks/createRuntime/1: every message about it starts with it. */
  pointer: string;
}

export type Hooks = Partial<Record<HookPhase, Hook[]>>;

/** What the state JSON says of the container, but its status and pid. */
export interface HookContainer {
  ociVersion: string;
  id: string;
  bundle: string;
  annotations: Record<string, string>;
}

const FILE = "hooks.json";

/** What the state JSON needs of a stored container. */
export function hookContainerOf(s: HookContainer): HookContainer {
  return { ociVersion: s.ociVersion, id: s.id, bundle: s.bundle, annotations: s.annotations };
}

export function parseHooksSection(bytes: Uint8Array | undefined): Hooks {
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Hooks) : {};
}

export function hasHooks(hooks: Hooks, ...phases: HookPhase[]): boolean {
  return phases.some((p) => (hooks[p]?.length ?? 0) > 0);
}

/** Kept only when there are hooks that a later command runs. */
export function writeStoredHooks(dir: string, hooks: Hooks): void {
  if (hasHooks(hooks, "startContainer", "poststart", "poststop")) writeFileSync(join(dir, FILE), JSON.stringify(hooks));
}

export function readStoredHooks(dir: string): Hooks {
  try {
    return JSON.parse(readFileSync(join(dir, FILE), "utf8")) as Hooks;
  } catch {
    return {};
  }
}

/** runtime-spec's state, in runc's field order (specs.State), the annotations' keys sorted as
 * Go marshals a map; no pid once the container is gone. */
export function hookState(c: HookContainer, status: string, pid?: number): string {
  const annotations = Object.fromEntries(Object.entries(c.annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return goJson({
    ociVersion: c.ociVersion, id: c.id, status, ...(pid ? { pid } : {}), bundle: c.bundle,
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  });
}
