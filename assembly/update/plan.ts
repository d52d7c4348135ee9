// op update (`ocirun update`): the stored config.json, the resources the update gives (-r, or
// the flags), merged by runc's rules (merge.ts) and checked as config.json's resources are,
// then the cgroup writes for the host's mode: every value update can change, from the merged
// resources, as runc's Set writes them (no device rules: runc's SkipDevices), ordered against
// the stored values the cgroup has now; the restore writes (the stored values, ordered against
// the merged ones) for the host to write back when the kernel refuses one; cgroup v2's
// checkBeforeUpdate usage checks; the merged resources, and the config.json to store.
// The verdict's `update` and `config` sections: docs/formats.md §2.
import { JsonValue, JsonKind, setKey } from "../json/value";
import { parseJson, lineColumn } from "../json/parse";
import { quote, stringify } from "../json/write";
import { Diagnostics, E_JSON_SYNTAX, E_TOO_LARGE, E_TYPE } from "../diagnostics";
import { Request } from "../request";
import { Verdict, diagnosticsJson } from "../verdict";
import { Linux, Resources } from "../config/model";
import { parseResources } from "../config/resources";
import { CgroupMode, CgroupWrite } from "../cgroups/write";
import { pidsWrites } from "../cgroups/pids";
import { memoryWrites } from "../cgroups/memory";
import { blkioWrites } from "../cgroups/blkio";
import { cpuWrites } from "../cgroups/cpu";
import { cpusetWrites } from "../cgroups/cpuset";
import { unifiedWrites } from "../cgroups/unified";
import { placeInHierarchies, writesJson } from "../cgroups/plan";
import { givenResources, RESOURCES } from "./flags";
import { propertiesJson, resourceProperties, UnitProperty } from "../cgroups/systemd-properties";
import { mergeResources } from "./merge";

const MAX_CONFIG_BYTES: i32 = 4 << 20;

/** A usage check before the writes (runc 1.2+'s CheckMemoryUsage): the sum of the files must
 * stay below limit. */
class UsageCheck {
  constructor(public files: string[], public limit: i64, public what: string, public pointer: string) {}
}

export function answerUpdate(req: Request): Verdict {
  const d = new Diagnostics();
  const src = req.config;
  if (src.length > MAX_CONFIG_BYTES) {
    d.error(E_TOO_LARGE, "", "the stored config.json is " + src.length.toString() + " bytes; the limit is " + MAX_CONFIG_BYTES.toString());
    return invalid(d);
  }
  const parsed = parseJson(src);
  if (parsed.error) {
    const lc = lineColumn(src, parsed.error!.offset);
    d.error(E_JSON_SYNTAX, "", "the stored config.json is not valid JSON: line " + lc[0].toString() + ", column " + lc[1].toString() + ": " + parsed.error!.message);
    return invalid(d);
  }
  const config = parsed.value!;
  const stored = storedResources(config, d);
  const g = givenResources(req, d);
  if (!stored) return invalid(d);
  const old = resourcesOf(stored, new Diagnostics());
  const given: string[] = [];
  if (g.tree) mergeResources(stored, g, given, d);
  // Errors anywhere in the merged resources; warnings only about what this update gives (the
  // stored values were warned about at create).
  const parseD = new Diagnostics();
  const merged = resourcesOf(stored, parseD);
  keep(parseD, d, given);
  const mode = req.cgroup == "v2" ? CgroupMode.V2 : CgroupMode.V1;
  let writes: CgroupWrite[] = [];
  let restore: CgroupWrite[] = [];
  let properties: UnitProperty[] = [];
  const checks: UsageCheck[] = [];
  if (req.cgroup != "none") {
    const writeD = new Diagnostics();
    writes = updateWrites(merged, mode, writeD, old, req);
    keep(writeD, d, given);
    restore = updateWrites(old, mode, new Diagnostics(), merged, req);
    // --systemd-cgroup: the unit's properties too, first (runc's Set), without the devices.
    if (req.cgroupDriver == "systemd") properties = resourceProperties(merged, null, req, mode, new Diagnostics());
    if (mode == CgroupMode.V2 && checkBeforeUpdate(stored)) usageChecks(merged, checks);
  }
  // What a flag gave is named by the flag.
  for (let i = 0; i < d.list.length; i++) d.list[i].pointer = g.source(d.list[i].pointer);
  for (let i = 0; i < writes.length; i++) writes[i].pointer = g.source(writes[i].pointer);
  for (let i = 0; i < checks.length; i++) checks[i].pointer = g.source(checks[i].pointer);
  if (d.hasErrors()) return invalid(d);
  const v = new Verdict(true);
  v.sectionText("diagnostics", diagnosticsJson(d.list));
  v.sectionText("update", "{\"writes\":" + writesJson(writes) + ",\"restore\":" + writesJson(restore) +
    ",\"checks\":" + checksJson(checks) + ",\"resources\":" + stringify(stored) +
    (req.cgroupDriver == "systemd" ? ",\"systemd\":" + propertiesJson(properties) : "") + "}");
  v.sectionText("config", stringify(config));
  return v;
}

function invalid(d: Diagnostics): Verdict {
  const v = new Verdict(false);
  v.sectionText("diagnostics", diagnosticsJson(d.list));
  return v;
}

/** The stored config's linux.resources object, made (empty) when it has none. */
function storedResources(config: JsonValue, d: Diagnostics): JsonValue | null {
  if (config.kind != JsonKind.Object) { d.error(E_TYPE, "", "the stored config.json must be an object"); return null; }
  let linux = config.get("linux");
  if (!linux || linux.kind == JsonKind.Null) { linux = new JsonValue(JsonKind.Object, 0); setKey(config, "linux", linux); }
  if (linux.kind != JsonKind.Object) { d.error(E_TYPE, "/linux", "must be an object"); return null; }
  let res = linux.get("resources");
  if (!res || res.kind == JsonKind.Null) { res = new JsonValue(JsonKind.Object, 0); setKey(linux, "resources", res); }
  if (res.kind != JsonKind.Object) { d.error(E_TYPE, RESOURCES, "must be an object"); return null; }
  return res;
}

/** The resources object parsed as config.json's linux.resources. */
function resourcesOf(res: JsonValue, d: Diagnostics): Resources {
  const linux = new JsonValue(JsonKind.Object, 0);
  setKey(linux, "resources", res);
  const l = new Linux();
  parseResources(linux, "/linux", d, l);
  return l.resources;
}

/** Errors all, warnings only about a given field (or a flag). */
function keep(from: Diagnostics, into: Diagnostics, given: string[]): void {
  for (let i = 0; i < from.list.length; i++) {
    const x = from.list[i];
    if (x.severity == "error") into.error(x.code, x.pointer, x.message);
    else if (isGiven(x.pointer, given)) into.warn(x.code, x.pointer, x.message);
  }
}

function isGiven(pointer: string, given: string[]): bool {
  if (pointer.startsWith("--")) return true;
  for (let i = 0; i < given.length; i++) {
    if (pointer == given[i] || pointer.startsWith(given[i] + "/")) return true;
  }
  return false;
}

/** The writes of every value update can change, in the order of create's cgroup plan (runc's
 * Set order on v2); `current` is what the cgroup has now. */
function updateWrites(res: Resources, mode: CgroupMode, d: Diagnostics, current: Resources, req: Request): CgroupWrite[] {
  // Not update's to change, so not written again (runc writes them again; nothing changes them).
  const m = res.memory;
  if (m) { m.swappiness = null; m.disableOOMKiller = null; }
  res.devices = [];
  res.hugepageLimits = [];
  res.network = null;
  res.rdma = [];
  const groups: CgroupWrite[][] = [
    pidsWrites(res, mode), memoryWrites(res, mode, d, current), blkioWrites(res, mode, d), cpuWrites(res, mode, d, current, req.cgroupDriver == "systemd"),
    cpusetWrites(res, mode), unifiedWrites(res, mode, d),
  ];
  const writes: CgroupWrite[] = [];
  for (let i = 0; i < groups.length; i++) for (let k = 0; k < groups[i].length; k++) writes.push(groups[i][k]);
  return mode == CgroupMode.V1 ? placeInHierarchies(writes, req, d) : writes;
}

function checkBeforeUpdate(res: JsonValue): bool {
  const m = res.get("memory");
  const c = m && m.kind == JsonKind.Object ? m.get("checkBeforeUpdate") : null;
  return c !== null && c.kind == JsonKind.Bool && c.boolValue;
}

/** runc's CheckMemoryUsage: memory+swap usage below the swap limit, memory usage below the limit. */
function usageChecks(res: Resources, out: UsageCheck[]): void {
  const m = res.memory;
  if (!m) return;
  const swap = m.swap;
  const limit = m.limit;
  if (swap && swap.value > 0) out.push(new UsageCheck(["memory.current", "memory.swap.current"], swap.value, "memory+swap limit", swap.pointer));
  if (limit && limit.value > 0) out.push(new UsageCheck(["memory.current"], limit.value, "memory limit", limit.pointer));
}

function checksJson(checks: UsageCheck[]): string {
  let out = "[";
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i];
    let files = "[";
    for (let k = 0; k < c.files.length; k++) files += (k > 0 ? "," : "") + quote(c.files[k]);
    out += (i > 0 ? "," : "") + "{\"controller\":\"\",\"files\":" + files + "],\"limit\":" + quote(c.limit.toString()) +
      ",\"what\":" + quote(c.what) + ",\"pointer\":" + quote(c.pointer) + "}";
  }
  return out + "]";
}
