// Runs hooks through the addon (one process each, exactly its argv and env, the state on stdin,
// killed after its timeout) and words a failure as one line that names the hook by its JSON
// pointer: "/hooks/createRuntime/1: /usr/bin/hook: exit status 3, stderr: \"...\"".
import { addon } from "../addon.ts";
import { OciError } from "../errors.ts";
import { goSignalText } from "../signals.ts";
import type { Hook } from "./hooks.ts";

export interface HookPlace {
  /** The working directory (the bundle, as runc runs in it). */
  cwd: string;
  /** Run in this process's namespaces (createContainer: the waiting init's), else ours. */
  nsPid?: number;
}

/** How a finished hook went, for the message: "exit status 3", "signal: killed", ... */
export interface HookOutcome {
  errno: number;
  step?: string;
  code: number;
  signal: number;
  timedOut: boolean;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** Runs each hook in order; the first that fails throws its one line. */
export function runHooks(hooks: Hook[] | undefined, state: string, place: HookPlace): void {
  for (const hook of hooks ?? []) {
    const failure = runHook(hook, state, place);
    if (failure) throw new OciError(failure);
  }
}

/** Runs every hook; a failure is only a warning (poststop), and the next still runs. */
export function runHooksWarning(hooks: Hook[] | undefined, state: string, place: HookPlace, warn: (line: string) => void): void {
  for (const hook of hooks ?? []) {
    const failure = runHook(hook, state, place);
    if (failure) warn(failure);
  }
}

/** One hook: undefined when it exits 0, else the line that says why not. */
export function runHook(hook: Hook, state: string, place: HookPlace): string | undefined {
  const r = addon().runHook({
    path: hook.path, args: hook.args.length > 0 ? hook.args : [hook.path], env: hook.env, stdin: state, cwd: place.cwd,
    timeoutMs: (hook.timeout ?? 0) * 1000, ...(place.nsPid ? { nsPid: place.nsPid } : {}),
  });
  if (r.errno === 0 && !r.timedOut && r.code === 0) return undefined;
  return hookFailure(hook, r);
}

export function hookFailure(hook: Hook, r: HookOutcome): string {
  let why: string;
  if (r.timedOut) why = `timed out after ${hook.timeout}s`;
  else if (r.errno) why = `${r.step === "setns" ? "cannot enter the container's namespaces" : "cannot run it"}: ${addon().strerror(r.errno).toLowerCase()}`;
  else if (r.signal) why = `signal: ${goSignalText(r.signal)}`;
  else why = `exit status ${r.code}`;
  return `${hook.pointer}: ${hook.path}: ${why}${output("stdout", r.stdout)}${output("stderr", r.stderr)}`;
}

/** A hook's own words, on the same line: its last 512 bytes, quoted. */
function output(name: string, bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("utf8").trim();
  if (text === "") return "";
  return `, ${name}: ${JSON.stringify(text.length > 512 ? "…" + text.slice(-512) : text)}`;
}
