// op exec: the process to run in a running container, as runc's exec builds it (exec.go
// getProcess). The request's `process` (`exec --process FILE`) replaces config.json's process
// whole. Otherwise config.json's process is changed by the command line (`exec-flags`): args
// replaced; env appended, then deduplicated (the last value of a name wins, in its place, as runc's
// prepareEnv does); cwd, uid, gid, noNewPrivileges, apparmorProfile and selinuxLabel replaced
// when given; additional gids appended; each --cap added to bounding, effective and permitted,
// and to ambient only when inheritable is there (never to inheritable: CVE-2022-29162); terminal
// is false unless -t (runc does not take config.json's); consoleSize is the caller's terminal's
// for a foreground -t, set before the process starts (the host copies the pty). The changes are made on the parsed JSON,
// so the result is checked by the same parser as config.json, field by field.
import { JsonValue, JsonKind, setKey, numberValue } from "../json/value";
import { parseJson } from "../json/parse";
import { Diagnostics, E_JSON_SYNTAX, E_REQUIRED, E_TYPE } from "../diagnostics";
import { Request } from "../request";

export function execConfigTree(config: JsonValue, req: Request, d: Diagnostics): void {
  if (config.kind != JsonKind.Object) return; // parseConfig reports it
  if (req.process.length > 0) {
    const p = parseLine(req.process, "the --process file", d);
    if (p) setKey(config, "process", p);
    return;
  }
  const proc = config.get("process");
  if (!proc || proc.kind == JsonKind.Null) {
    d.error(E_REQUIRED, "/process", "is required to exec a process without --process");
    return;
  }
  if (proc.kind != JsonKind.Object || req.execFlags.length == 0) return; // a wrong type: parseConfig says it
  const flags = parseLine(req.execFlags, "exec-flags", d);
  if (!flags) return;
  if (flags.kind != JsonKind.Object) { d.error(E_TYPE, "", "exec-flags must be a JSON object"); return; }
  for (let i = 0; i < flags.keys.length; i++) {
    const key = flags.keys[i];
    const v = flags.items[i];
    if (key == "args" || key == "cwd" || key == "terminal" || key == "consoleSize" || key == "noNewPrivileges" || key == "apparmorProfile" || key == "selinuxLabel") setKey(proc, key, v);
    else if (key == "env") setKey(proc, "env", dedupEnv(concat(proc.get("env"), v)));
    else if (key == "uid" || key == "gid") setKey(userOf(proc), key, v);
    else if (key == "additionalGids") { const u = userOf(proc); setKey(u, key, concat(u.get(key), v)); }
    else if (key == "caps") addCaps(proc, v);
    else d.error(E_TYPE, "", "exec-flags: unknown key \"" + key + "\"");
  }
}

function parseLine(text: string, what: string, d: Diagnostics): JsonValue | null {
  const r = parseJson(Uint8Array.wrap(String.UTF8.encode(text)));
  if (r.error) {
    const err = r.error!;
    d.error(E_JSON_SYNTAX, "", what + " is not valid JSON: at byte " + (err.offset + 1).toString() + ": " + err.message);
    return null;
  }
  return r.value;
}

/** The user object, made with runc's zero values (uid 0, gid 0) when config.json has none. */
function userOf(proc: JsonValue): JsonValue {
  const u = proc.get("user");
  if (u && u.kind == JsonKind.Object) return u;
  const made = new JsonValue(JsonKind.Object, 0);
  setKey(made, "uid", numberValue("0"));
  setKey(made, "gid", numberValue("0"));
  setKey(proc, "user", made);
  return made;
}

/** The items of a then b; b alone when a is not an array (the parser then checks b's type). */
function concat(a: JsonValue | null, b: JsonValue): JsonValue {
  if (!a || a.kind != JsonKind.Array || b.kind != JsonKind.Array) return b;
  const out = new JsonValue(JsonKind.Array, b.offset);
  for (let i = 0; i < a.items.length; i++) out.items.push(a.items[i]);
  for (let i = 0; i < b.items.length; i++) out.items.push(b.items[i]);
  return out;
}

/** Each variable once, with its last value at its last place. */
function dedupEnv(env: JsonValue): JsonValue {
  if (env.kind != JsonKind.Array) return env;
  const out = new JsonValue(JsonKind.Array, env.offset);
  for (let i = 0; i < env.items.length; i++) {
    const name = envName(env.items[i]);
    let later = false;
    for (let k = i + 1; !later && k < env.items.length && name.length > 0; k++) later = envName(env.items[k]) == name;
    if (!later) out.items.push(env.items[i]);
  }
  return out;
}

function envName(v: JsonValue): string {
  if (v.kind != JsonKind.String) return "";
  const eq = v.str.indexOf("=");
  return eq < 0 ? v.str : v.str.substring(0, eq);
}

function addCaps(proc: JsonValue, caps: JsonValue): void {
  const c = proc.get("capabilities");
  // Without capabilities in config.json the process keeps all of root's: nothing to add to.
  if (!c || c.kind != JsonKind.Object) return;
  setKey(c, "bounding", concat(c.get("bounding"), caps));
  setKey(c, "effective", concat(c.get("effective"), caps));
  setKey(c, "permitted", concat(c.get("permitted"), caps));
  const inh = c.get("inheritable");
  if (inh && inh.kind != JsonKind.Null) setKey(c, "ambient", concat(c.get("ambient"), caps));
}
