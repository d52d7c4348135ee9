// /hooks in the init's plan: the create-time hook point, which the host serves, and the
// startContainer hooks, which the init runs itself after start. The hooks section of the verdict
// (config/hooks.ts) gives the host the rest.
import { Config, Hook } from "../config/model";
import { Request } from "../request";
import { quote } from "../json/write";
import { PlanWriter } from "./writer";
import { emitCreateHooks, emitStartHook } from "./emit.gen";

/** Before pivot_root: where prestart, createRuntime and createContainer hooks run. */
export function planCreateHooks(c: Config, w: PlanWriter): void {
  let any = false;
  for (let i = 0; i < c.hooks.length; i++) {
    const phase = c.hooks[i].phase;
    if (phase == "prestart" || phase == "createRuntime" || phase == "createContainer") any = true;
  }
  if (any) emitCreateHooks(w, "/hooks", "run the prestart, createRuntime and createContainer hooks");
}

/** After start, before the user's process execs: each startContainer hook, in config order. */
export function planStartHooks(c: Config, req: Request, w: PlanWriter): void {
  let n = 0;
  for (let i = 0; i < c.hooks.length; i++) {
    const h = c.hooks[i];
    if (h.phase != "startContainer") continue;
    const state = hookStateParts(c, req, "created");
    emitStartHook(w, h.pointer, "run the startContainer hook \"" + h.path + "\"",
      h.path, hookArgv(h), h.env, <u64>h.timeout, state[0], state[1], <u64>n);
    n++;
  }
}

/** args as given (args[0] is argv[0]); none: the path alone, as runc's exec.Cmd does. */
function hookArgv(h: Hook): string[] {
  return h.args.length > 0 ? h.args : [h.path];
}

/** The state JSON a hook reads, in runc's field order, split where the pid goes (the init
 * knows it only once it runs). Annotations sorted by key, as Go marshals a map. */
export function hookStateParts(c: Config, req: Request, status: string): string[] {
  return [
    "{\"ociVersion\":" + quote(c.ociVersion) + ",\"id\":" + quote(req.id) + ",\"status\":" + quote(status) + ",\"pid\":",
    ",\"bundle\":" + quote(req.bundle) + sortedAnnotations(c.annotationsJson) + "}",
  ];
}

/** ",\"annotations\":{...}" with the keys sorted, or "" when there are none (omitempty). */
function sortedAnnotations(json: string): string {
  if (json == "{}") return "";
  // annotationsJson is {"k":"v",...} of quoted strings: split it back into its members.
  const members: string[] = [];
  const keys: string[] = [];
  let i = 1;
  while (i < json.length - 1) {
    const start = i;
    let quotes = 0;
    let keyEnd = 0;
    while (quotes < 4) {
      const ch = json.charCodeAt(i);
      if (ch == 92) i++; // a backslash escapes the next character
      else if (ch == 34 && ++quotes == 2) keyEnd = i;
      i++;
    }
    keys.push(json.substring(start + 1, keyEnd));
    members.push(json.substring(start, i));
    i++; // the comma
  }
  // Insertion sort by key (no closures in AssemblyScript; annotations are few).
  for (let a = 1; a < keys.length; a++) {
    const key = keys[a];
    const member = members[a];
    let b = a - 1;
    while (b >= 0 && keys[b] > key) {
      keys[b + 1] = keys[b];
      members[b + 1] = members[b];
      b--;
    }
    keys[b + 1] = key;
    members[b + 1] = member;
  }
  return ",\"annotations\":{" + members.join(",") + "}";
}
