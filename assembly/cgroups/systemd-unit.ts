// The container's systemd unit under --systemd-cgroup (request fact `cgroup-driver systemd`), by
// runc's systemd driver: linux.cgroupsPath is "slice:prefix:name", taken as it is (not a path);
// absent, runc's defaults with this runtime's name as the prefix and the container id as the
// name. The unit is the scope "<prefix>-<name>.scope" in the slice (system.slice when empty),
// and its cgroup is the slice's path (runc's ExpandSlice: "a-b.slice" is /a.slice/a-b.slice)
// then the unit, under every hierarchy's root.
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_RANGE } from "../diagnostics";
import { quote } from "../json/write";

/** The prefix when cgroupsPath is empty (runc's is "runc", crun's "crun"). */
export const DEFAULT_SCOPE_PREFIX = "ocirun";
export const DEFAULT_SLICE = "system.slice";
const POINTER = "/linux/cgroupsPath";

export class SystemdUnit {
  constructor(
    /** The Slice= property: the first part of cgroupsPath, or system.slice. */
    public slice: string,
    /** "<prefix>-<name>.scope". */
    public unit: string,
    /** The name part (runc's Description says it). */
    public name: string,
    /** The unit's cgroup below each hierarchy's root. */
    public path: string,
  ) {}
}

/** The container's unit, or null when there is none (no cgroupsPath and no id) or the path is
 * invalid; each problem goes to d when given. */
export function systemdUnit(c: Config, req: Request, d: Diagnostics | null): SystemdUnit | null {
  const given = c.linux.cgroupsPath;
  let slice = "";
  let prefix = DEFAULT_SCOPE_PREFIX;
  let name = req.id;
  if (given.length > 0) {
    const parts = given.split(":");
    if (parts.length != 3) {
      if (d) d.error(E_RANGE, POINTER, "expected cgroupsPath to be of format \"slice:prefix:name\" for systemd cgroups, got " + quote(given) + " instead");
      return null;
    }
    slice = parts[0];
    prefix = parts[1];
    name = parts[2];
  } else if (name.length == 0) {
    return null;
  }
  if (name.endsWith(".slice")) {
    // runc would make a slice unit and then fail to put the init in it.
    if (d) d.error(E_RANGE, POINTER, "the container's unit would be the slice " + quote(name) + ": a slice cannot hold processes, the name must not end in \".slice\"");
    return null;
  }
  if (slice.length == 0) slice = DEFAULT_SLICE;
  const expanded = expandSlice(slice);
  if (expanded === null) {
    if (d) d.error(E_RANGE, POINTER, "invalid slice name: " + slice);
    return null;
  }
  const unit = prefix + "-" + name + ".scope";
  const problem = unitNameProblem(unit);
  if (problem.length > 0) {
    if (d) d.error(E_RANGE, POINTER, quote(unit) + " is not a valid systemd unit name: " + problem);
    return null;
  }
  return new SystemdUnit(slice, unit, name, (expanded == "/" ? "" : expanded) + "/" + unit);
}

/** runc's ExpandSlice: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", "-.slice" -> "/";
 * null for a name that is not a slice (no ".slice" suffix, a "/", an empty dash component), and,
 * as systemd refuses them, for characters a unit name cannot have. */
export function expandSlice(slice: string): string | null {
  const suffix = ".slice";
  if (slice.length <= suffix.length || !slice.endsWith(suffix) || slice.includes("/")) return null;
  if (unitNameProblem(slice).length > 0) return null;
  const base = slice.substring(0, slice.length - suffix.length);
  if (base == "-") return "/";
  const parts = base.split("-");
  let path = "";
  let prefix = "";
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].length == 0) return null; // "a--b.slice", "-a.slice", "a-.slice"
    path += "/" + prefix + parts[i] + suffix;
    prefix += parts[i] + "-";
  }
  return path;
}

/** systemd's unit_name_is_valid for a plain unit: at most 255 characters of [A-Za-z0-9:_.\-\\],
 * a non-empty name before the type suffix; "" when valid, else why not. */
export function unitNameProblem(name: string): string {
  if (name.length > 255) return "longer than 255 characters";
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    const ok = (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a) ||
      ch == 0x3a || ch == 0x2d || ch == 0x5f || ch == 0x2e || ch == 0x5c;
    if (!ok) return "only ASCII letters, digits, \":\", \"-\", \"_\", \".\" and \"\\\" are allowed";
  }
  if (name.lastIndexOf(".") <= 0) return "no name before the unit type";
  return "";
}
