// op exec: the cgroups an exec'd process joins. The container's own, as create stored them, or
// runc's `exec --cgroup` sub-cgroups of them: one plain path for every hierarchy, or
// `controller[,controller]:path` for those controllers' hierarchies (cgroup v1), each relative
// to the container's cgroup there and never above it. The sub-cgroup must exist (the kernel says
// so at the join), as runc does not make it either.
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED, E_JSON_SYNTAX, E_TYPE } from "../diagnostics";
import { JsonKind } from "../json/value";
import { parseJson } from "../json/parse";
import { cleanPath } from "../paths";
import { CgroupDir, dirOf } from "./path";
import { hierarchyDir } from "./plan";

const FLAG = "--cgroup";

export class ExecJoin {
  dirs: CgroupDir[] = [];
  /** v2 without --cgroup: the init's cgroup procs file, joined when the container's refuses the
   * process with EBUSY, as runc falls back to it; else "". */
  busyFallback: string = "";
}

export function execCgroupJoin(req: Request, d: Diagnostics): ExecJoin {
  const join = new ExecJoin();
  const sub = execCgroupDirs(req, d, join.dirs);
  if (req.cgroup == "v2" && !sub && req.initCgroup.length > 0 && join.dirs.length == 1) {
    const init = new CgroupDir("", cleanPath(req.initCgroup));
    if (init.path != join.dirs[0].path) join.busyFallback = init.full() + "/cgroup.procs";
  }
  return join;
}

/** Fills out with the cgroups to join; true when --cgroup named sub-cgroups. */
function execCgroupDirs(req: Request, d: Diagnostics, out: CgroupDir[]): bool {
  if (req.execCgroups.length == 0) return false;
  const r = parseJson(Uint8Array.wrap(String.UTF8.encode(req.execCgroups)));
  if (r.error || r.value!.kind != JsonKind.Object) { d.error(E_JSON_SYNTAX, "", "exec-cgroups is not a JSON object"); return false; }
  const o = r.value!;
  const paths = o.get("paths");
  if (!paths || paths.kind != JsonKind.Object) { d.error(E_TYPE, "", "exec-cgroups: paths must be an object"); return false; }
  for (let i = 0; i < paths.keys.length; i++) {
    const p = paths.items[i];
    if (p.kind != JsonKind.String || !p.str.startsWith("/")) { d.error(E_TYPE, "", "exec-cgroups: paths must be absolute"); return false; }
    out.push(new CgroupDir(paths.keys[i], cleanPath(p.str)));
  }
  const sub = o.get("sub");
  if (!sub || sub.kind != JsonKind.Array || sub.items.length == 0) return false;
  // The first argument that is wrong is the one error.
  for (let i = 0; i < sub.items.length; i++) {
    const arg = sub.items[i].kind == JsonKind.String ? sub.items[i].str : "";
    const colon = arg.indexOf(":");
    if (colon < 0) {
      if (sub.items.length > 1) { d.error(E_UNSUPPORTED, FLAG, "invalid argument " + quoted(arg) + " (missing <controller>: prefix)"); return true; }
      for (let k = 0; k < out.length; k++) if (!below(out[k], arg, d)) return true;
      continue;
    }
    if (arg.indexOf(":", colon + 1) >= 0) { d.error(E_UNSUPPORTED, FLAG, "invalid argument " + quoted(arg)); return true; }
    const controllers = arg.substring(0, colon).split(",");
    for (let k = 0; k < controllers.length; k++) {
      let target: CgroupDir | null = null;
      const dir: string | null = req.cgroup == "v2" ? null : hierarchyDir(controllers[k], req);
      if (dir !== null) target = dirOf(out, dir);
      if (target === null) { d.error(E_UNSUPPORTED, FLAG, "unknown controller " + quoted(controllers[k]) + " in " + quoted(arg)); return true; }
      if (!below(target, arg.substring(colon + 1), d)) return true;
    }
  }
  return true;
}

/** dir's path becomes its sub-cgroup `sub`, which must stay inside it; false when it does not. */
function below(dir: CgroupDir, sub: string, d: Diagnostics): bool {
  const joined = cleanPath(dir.path + "/" + sub);
  if (joined != dir.path && !joined.startsWith(dir.path == "/" ? "/" : dir.path + "/")) {
    d.error(E_UNSUPPORTED, FLAG, quoted(sub) + " is not a sub-cgroup of the container's cgroup");
    return false;
  }
  dir.path = joined;
  return true;
}

function quoted(s: string): string {
  return "\"" + s + "\"";
}
