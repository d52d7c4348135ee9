// planCgroup: the container's cgroup in each hierarchy, every file write for the host's cgroup
// mode, and the v2 device program; the verdict's `cgroup` section (docs/formats.md §2).
import { Config } from "../config/model";
import { Request } from "../request";
import { Diagnostics, E_UNSUPPORTED, W_IGNORED } from "../diagnostics";
import { quote } from "../json/write";
import { base64 } from "../base64";
import { CgroupMode, CgroupWrite } from "./write";
import { memoryWrites } from "./memory";
import { cpuWrites } from "./cpu";
import { cpusetWrites } from "./cpuset";
import { pidsWrites } from "./pids";
import { blkioWrites } from "./blkio";
import { hugetlbWrites } from "./hugetlb";
import { rdmaWrites } from "./rdma";
import { networkWrites } from "./network";
import { unifiedWrites } from "./unified";
import { deviceRules, deviceWritesV1 } from "./devices";
import { deviceProgram } from "./device-program";
import { CgroupDir, cgroupDirs, innerPath } from "./path";
import { SystemdUnit, systemdUnit } from "./systemd-unit";
import { propertiesJson, resourceProperties, unitProperties, UnitProperty } from "./systemd-properties";

export class CgroupPlan {
  dirs: CgroupDir[] = [];
  writes: CgroupWrite[] = [];
  deviceProgram: Uint8Array | null = null;
  /** --systemd-cgroup: the unit, its StartTransientUnit properties and the resource ones. */
  unit: SystemdUnit | null = null;
  unitProperties: UnitProperty[] = [];
  resourceProperties: UnitProperty[] = [];
}

export function planCgroup(c: Config, req: Request, d: Diagnostics): CgroupPlan {
  const plan = new CgroupPlan();
  const systemd = req.cgroupDriver == "systemd";
  if (systemd && req.euid != 0) {
    // runc's v1 words; on v2 runc asks the user's systemd, which ocirun does not yet.
    d.error(E_UNSUPPORTED, "", req.cgroup == "v2" ? "--systemd-cgroup for a rootless container (systemd --user) is not supported yet" : "cannot use rootless systemd cgroups manager on cgroup v1");
    return plan;
  }
  plan.dirs = cgroupDirs(c, req);
  if (systemd) {
    plan.unit = systemdUnit(c, req, d);
  } else {
    const inner = innerPath(c, req);
    if (c.linux.cgroupsPath.length > 0 && (inner.length == 0 || inner == "/")) d.error(E_UNSUPPORTED, "/linux/cgroupsPath", "must name a cgroup below the root, not the root itself");
  }
  if (req.euid == 0 && req.cgroup != "v2" && req.cgroupV1.length > 0 && hierarchyDir("devices", req) === null) {
    // runc too: without the device controller every device of the host would be open.
    d.error(E_UNSUPPORTED, "/linux/resources/devices", "needs the cgroup v1 devices controller, which this host does not mount");
  }
  const mode = req.cgroup == "v2" ? CgroupMode.V2 : CgroupMode.V1;
  const res = c.linux.resources;
  const rules = deviceRules(c);
  // The order runc applies them; unified last, so its raw values win.
  const writes: CgroupWrite[] = mode == CgroupMode.V1 ? deviceWritesV1(rules, res.devicesPointer) : [];
  const groups: CgroupWrite[][] = [
    pidsWrites(res, mode), memoryWrites(res, mode, d), blkioWrites(res, mode, d), cpuWrites(res, mode, d, null, systemd),
    cpusetWrites(res, mode), hugetlbWrites(res, mode), rdmaWrites(res, mode), networkWrites(res, mode, d),
    unifiedWrites(res, mode, d),
  ];
  for (let g = 0; g < groups.length; g++) for (let i = 0; i < groups[g].length; i++) writes.push(groups[g][i]);
  if (req.euid != 0) return rootlessCgroup(plan, c, writes, d);
  const unit = plan.unit;
  if (unit) {
    plan.unitProperties = unitProperties(unit, c, req);
    plan.resourceProperties = resourceProperties(c.linux.resources, rules, req, mode, d);
  }
  if (mode == CgroupMode.V2) {
    plan.writes = writes;
    plan.deviceProgram = deviceProgram(rules);
  } else {
    plan.writes = placeInHierarchies(writes, req, d);
  }
  return plan;
}

/** runc's rootless rules. The device rules are not enforced: only a privileged runtime may
 * attach a device program or write devices.allow (the user namespace is the container's guard
 * there, as with runc). A user with a delegated cgroup v2 subtree gets its cgroup and limits;
 * without one, the container stays in the caller's cgroup, and a limit is an error naming it. */
function rootlessCgroup(plan: CgroupPlan, c: Config, writes: CgroupWrite[], d: Diagnostics): CgroupPlan {
  const res = c.linux.resources;
  if (res.devices.length > 0) d.warn(W_IGNORED, res.devicesPointer, "device rules are not enforced for a rootless container (its user namespace keeps it from the host's devices)");
  const own: CgroupWrite[] = [];
  for (let i = 0; i < writes.length; i++) if (!writes[i].file.startsWith("devices.")) own.push(writes[i]);
  if (plan.dirs.length > 0) {
    plan.writes = own;
    return plan;
  }
  if (c.linux.cgroupsPath.length > 0) d.warn(W_IGNORED, "/linux/cgroupsPath", "ignored: a rootless container gets a cgroup only in a delegated cgroup v2 subtree, and this user has none");
  let said = false;
  for (let i = 0; i < own.length && !said; i++) {
    d.error(E_UNSUPPORTED, own[i].pointer, "cannot be applied: a rootless container gets a cgroup only in a delegated cgroup v2 subtree, and this user has none");
    said = true; // one line: the first limit names the problem
  }
  return plan;
}

/** v1: each controller's writes go to the directory of the host hierarchy that holds it. */
export function placeInHierarchies(writes: CgroupWrite[], req: Request, d: Diagnostics): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const missing: string[] = [];
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    const dir = hierarchyDir(w.controller, req);
    if (dir === null) {
      // The runtime's own device rules need no hierarchy the config did not ask for.
      if (w.pointer.length > 0 && !missing.includes(w.controller)) {
        missing.push(w.controller);
        d.error(E_UNSUPPORTED, w.pointer, "needs the cgroup v1 " + w.controller + " controller, which this host does not mount");
      }
      continue;
    }
    out.push(new CgroupWrite(dir, w.file, w.value, w.pointer, w.optional));
  }
  return out;
}

/** The hierarchy directory whose mount options name `controller`; the name itself when the
 * request lists no hierarchies. */
export function hierarchyDir(controller: string, req: Request): string | null {
  if (req.cgroupV1.length == 0) return controller;
  for (let i = 0; i < req.cgroupV1.length; i++) {
    const opts = req.cgroupV1[i].options.split(",");
    if (opts.includes(controller)) return req.cgroupV1[i].dir;
  }
  return null;
}

export function cgroupJson(plan: CgroupPlan): string {
  let out = "{\"paths\":{";
  for (let i = 0; i < plan.dirs.length; i++) out += (i > 0 ? "," : "") + quote(plan.dirs[i].hierarchy) + ":" + quote(plan.dirs[i].path);
  out += "},\"writes\":" + writesJson(plan.writes);
  const prog = plan.deviceProgram;
  out += ",\"deviceProgram\":" + (prog ? quote(base64(prog)) : "null");
  const unit = plan.unit;
  if (unit) {
    out += ",\"systemd\":{\"unit\":" + quote(unit.unit) + ",\"slice\":" + quote(unit.slice) +
      ",\"properties\":" + propertiesJson(plan.unitProperties) + ",\"resources\":" + propertiesJson(plan.resourceProperties) + "}";
  }
  return out + "}";
}

/** A JSON array of writes, as the `cgroup` and `update` sections give them. */
export function writesJson(writes: CgroupWrite[]): string {
  let out = "[";
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    out += (i > 0 ? "," : "") + "{\"controller\":" + quote(w.controller) + ",\"file\":" + quote(w.file) +
      ",\"value\":" + quote(w.value) + ",\"pointer\":" + quote(w.pointer) + (w.optional ? ",\"optional\":true}" : "}");
  }
  return out + "]";
}
