// /hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop.
// The core only checks them and hands them to the host in the verdict's "hooks" section;
// the host runs them (a hook runs outside the plan: it needs the state JSON and a clock).
import { JsonValue, childPointer, indexPointer } from "../json/value";
import { quote } from "../json/write";
import { Diagnostics, E_NOT_ABSOLUTE, W_DEPRECATED } from "../diagnostics";
import { Hook } from "./model";
import { readArray, readString, readStringArray, readInt, isObject, requireField } from "./read";

/** The phases in lifecycle order (runtime.md#runtimeLifecycle). */
export const HOOK_PHASES: string[] = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

export function parseHooks(v: JsonValue, ptr: string, d: Diagnostics): Hook[] {
  const out: Hook[] = [];
  for (let p = 0; p < HOOK_PHASES.length; p++) {
    const phase = HOOK_PHASES[p];
    const arr = readArray(v, phase, ptr, d);
    if (!arr) continue;
    const pp = childPointer(ptr, phase);
    if (p == 0 && arr.items.length > 0) d.warn(W_DEPRECATED, pp, "is deprecated: use createRuntime, createContainer or startContainer");
    for (let i = 0; i < arr.items.length; i++) {
      const item = arr.items[i];
      const ip = indexPointer(pp, i);
      if (!isObject(item, ip, d)) continue;
      const path = requireField(item, "path", ip, d) ? readString(item, "path", ip, d) : "";
      if (path.length > 0 && !path.startsWith("/")) d.error(E_NOT_ABSOLUTE, childPointer(ip, "path"), "must be an absolute path, not \"" + path + "\"");
      const args = readStringArray(item, "args", ip, d);
      const env = readStringArray(item, "env", ip, d);
      const timeout = <i32>readInt(item, "timeout", ip, d, 1, I32.MAX_VALUE, 0);
      out.push(new Hook(ip, phase, path, args, env, timeout));
    }
  }
  return out;
}

/** The verdict's "hooks" section: {phase: [{path, args, env, timeout?, pointer}]}, non-empty phases only. */
export function hooksJson(hooks: Hook[]): string {
  let out = "{";
  for (let i = 0; i < hooks.length; i++) {
    const h = hooks[i];
    const first = i == 0 || hooks[i - 1].phase != h.phase;
    if (first) out += (i > 0 ? "]," : "") + quote(h.phase) + ":[";
    else out += ",";
    out += "{\"path\":" + quote(h.path) + ",\"args\":" + stringsJson(h.args) + ",\"env\":" + stringsJson(h.env) +
      (h.timeout > 0 ? ",\"timeout\":" + h.timeout.toString() : "") + ",\"pointer\":" + quote(h.pointer) + "}";
  }
  return out + (hooks.length > 0 ? "]}" : "}");
}

function stringsJson(list: string[]): string {
  let out = "[";
  for (let i = 0; i < list.length; i++) out += (i > 0 ? "," : "") + quote(list[i]);
  return out + "]";
}
