// The schema half of the differential oracle: config.schema.json compiled once by ajv, the
// normalizations that make ajv see what the core sees, and the fields the core does not
// validate yet (a disagreement confined to them is expected, and counted apart).
import Ajv, { type ErrorObject } from "ajv";
import schema from "./config.schema.json";
import { escapeToken } from "./json";

const ajv = new Ajv({ allErrors: true, strictRequired: false });
const validate = ajv.compile(schema);

/**
 * Fields the core does not validate yet, where a disagreement is expected and counted apart.
 * None today: every field of the spec is parsed. `*` stands for one token.
 */
export const PENDING_FIELDS: { pointer: string; reason: string }[] = [];

/**
 * Fields where the core enforces implementation rules beyond the spec that the oracle does not
 * model yet (the core grew them while the fuzzer was written). A "core says invalid" whose every
 * error is under these is counted apart, not failed; each should become a rule in checks.ts.
 */
export const UNMODELLED_CORE_RULES: { pointer: string; rules: string }[] = [
  { pointer: "/linux/resources", rules: "cgroup ranges (cpu.shares 2..262144, quota >= 1000, pids >= -1), memory+swap rules that depend on the cgroup mode" },
  { pointer: "/linux/sysctl", rules: "net.* and ipc sysctls need their namespace" },
  { pointer: "/linux/timeOffsets", rules: "need a time namespace; nanosecs < 1e9" },
  { pointer: "/linux/seccomp", rules: "not supported yet (E3007) in some builds; syscall and action checks" },
  { pointer: "/process/scheduler", rules: "priority ranges per policy (1..99 for SCHED_FIFO/RR)" },
  { pointer: "/process/consoleSize", rules: "height and width fit a u16 (struct winsize)" },
  { pointer: "/process/apparmorProfile", rules: "an error (E3007) unless the request says apparmor 1" },
  { pointer: "/process/selinuxLabel", rules: "an error (E3007) unless the request says selinux 1" },
  { pointer: "/mounts/*/uidMappings", rules: "idmapped mounts: bind only" },
  { pointer: "/mounts/*/gidMappings", rules: "idmapped mounts: bind only" },
];

function underAny(pointer: string, list: { pointer: string }[]): string | null {
  const toks = pointer.split("/");
  for (const p of list) {
    const want = p.pointer.split("/");
    if (want.length <= toks.length && want.every((w, i) => w === "*" || w === toks[i])) return p.pointer;
  }
  return null;
}

export function unmodelledCoreRule(pointer: string): string | null {
  return underAny(pointer, UNMODELLED_CORE_RULES);
}

export function pendingField(pointer: string): string | null {
  return underAny(pointer, PENDING_FIELDS);
}

export interface Finding {
  rule: string;
  pointer: string;
  /** Set when the field is one the core does not validate yet. */
  pending?: string;
}

/** Where an ajv error is: a missing property is named by its own pointer. */
function errorPointer(e: ErrorObject): string {
  const p = e.params as { missingProperty?: string; propertyName?: string };
  if (p.missingProperty !== undefined) return e.instancePath + "/" + escapeToken(p.missingProperty);
  if (e.keyword === "propertyNames" && p.propertyName !== undefined) return e.instancePath + "/" + escapeToken(p.propertyName);
  return e.instancePath;
}

export function schemaFindings(doc: unknown): Finding[] {
  if (validate(doc)) return [];
  const out: Finding[] = [];
  for (const e of validate.errors ?? []) {
    // "if"/"else" and "propertyNames" wrappers repeat an error already listed.
    if (e.keyword === "if") continue;
    const pointer = errorPointer(e);
    const pending = pendingField(pointer);
    out.push({ rule: `schema:${e.keyword}`, pointer, ...(pending ? { pending } : {}) });
  }
  return out;
}

/** Map-typed objects: their members are data, so a null member is a wrong value, not an absent field. */
const MAPS = new Set(["/annotations", "/linux/sysctl", "/linux/resources/unified", "/linux/resources/rdma", "/linux/netDevices", "/linux/timeOffsets"]);

/**
 * What the core reads, as ajv must see it (each normalization is a documented core choice):
 * nullMeansAbsent: a member whose value is null is absent (Go's encoding/json does the same);
 * emptyMeansUnset: `"path": ""` in linux.namespaces (create the namespace) and
 * `"rootfsPropagation": ""` are unset, as runc reads them (Go's omitempty zero values).
 */
export function normalize(doc: unknown, ptr = ""): unknown {
  if (Array.isArray(doc)) return doc.map((v, i) => normalize(v, ptr + "/" + i));
  if (doc === null || typeof doc !== "object") return doc;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === null && !MAPS.has(ptr)) continue;
    if (v === "" && ((k === "path" && /^\/linux\/namespaces\/\d+$/.test(ptr)) || (k === "rootfsPropagation" && ptr === "/linux"))) continue;
    Object.defineProperty(out, k, { value: normalize(v, ptr + "/" + escapeToken(k)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
