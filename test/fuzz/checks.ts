// What must hold for every input: no crash, no hang, the same bytes twice, a well-formed
// verdict, pointers into the input, and the core's valid/invalid equal to the oracle's
// (the schema plus the rules below, which JSON Schema cannot say).
import { decodeVerdict, type Verdict } from "../../host/core/protocol";
import type { RunResult } from "./core-runner";
import { parseStrict, resolvePointer, type ParsedJson } from "./json";
import { schemaFindings, normalize, unmodelledCoreRule, type Finding } from "./oracle";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const U32_MAX = 4294967295;
const U64_MAX = 2n ** 64n - 1n;

interface RuleInput { doc: Obj; parsed: ParsedJson; size: number }

/** A rule beyond JSON Schema: returns the pointers where it is broken. */
interface Rule { name: string; why: string; check: (i: RuleInput) => string[] }

function namespaceTypes(doc: Obj): string[] | null {
  const linux = doc.linux;
  if (linux === undefined) return [];
  const ns = obj(linux).namespaces;
  if (ns === undefined) return [];
  if (!Array.isArray(ns)) return null; // a type error already
  return ns.map((n) => obj(n).type).filter((t): t is string => typeof t === "string");
}

function duplicates(items: unknown[], key: string, base: string): string[] {
  const seen = new Set<unknown>();
  const out: string[] = [];
  items.forEach((it, i) => {
    const v = obj(it)[key];
    if (typeof v !== "string") return;
    if (seen.has(v)) out.push(`${base}/${i}/${key}`);
    seen.add(v);
  });
  return out;
}

const isBindMount = (m: Obj) => m.type === "bind" || arr(m.options).some((o) => o === "bind" || o === "rbind");
const mountsWithDestination = (doc: Obj) =>
  arr(doc.mounts).map((m, i) => ({ m: obj(m), i })).filter(({ m }) => typeof m.destination === "string" && m.destination !== "");

/** Options the spec defines that the core cannot execute yet (it says so with E3007). */

export const RULES: Rule[] = [
  { name: "ociVersionMajorOne", why: "the runtime implements runtime-spec 1.x only", check: ({ doc }) =>
    typeof doc.ociVersion === "string" && /^\d+\./.test(doc.ociVersion) && !doc.ociVersion.startsWith("1.") ? ["/ociVersion"] : [] },
  { name: "rootPathNotEmpty", why: "an empty root.path names no directory", check: ({ doc }) => (obj(doc.root).path === "" ? ["/root/path"] : []) },
  { name: "firstArgNotEmpty", why: "args[0] is execvp's file", check: ({ doc }) => (arr(obj(doc.process).args)[0] === "" ? ["/process/args/0"] : []) },
  { name: "mountNamespaceRequired", why: "without one the container's mounts would change the host (core policy)", check: ({ doc }) => {
    const types = namespaceTypes(doc);
    return types && !types.includes("mount") ? ["/linux/namespaces"] : [];
  } },
  { name: "namespaceTypesUnique", why: "config-linux.md: a duplicated namespace type is an error", check: ({ doc }) =>
    duplicates(arr(obj(doc.linux).namespaces), "type", "/linux/namespaces") },
  { name: "rlimitTypesUnique", why: "config.md: a duplicated rlimit type is an error", check: ({ doc }) =>
    duplicates(arr(obj(doc.process).rlimits), "type", "/process/rlimits") },
  { name: "rlimitSoftNotAboveHard", why: "setrlimit(2) refuses soft > hard", check: ({ doc, parsed }) => {
    const out: string[] = [];
    arr(obj(doc.process).rlimits).forEach((_, i) => {
      const [s, h] = ["soft", "hard"].map((k) => parsed.numbers.get(`/process/rlimits/${i}/${k}`));
      if (!s || !h || !/^\d+$/.test(s) || !/^\d+$/.test(h)) return;
      const [sb, hb] = [BigInt(s), BigInt(h)];
      if (sb <= U64_MAX && hb <= U64_MAX && sb > hb) out.push(`/process/rlimits/${i}/soft`);
    });
    return out;
  } },
  { name: "hostnameNeedsUtsNamespace", why: "sethostname would change the host's (runc refuses it too)", check: ({ doc }) =>
    typeof doc.hostname === "string" && doc.hostname !== "" && !(namespaceTypes(doc) ?? []).includes("uts") ? ["/hostname"] : [] },
  { name: "domainnameNeedsUtsNamespace", why: "setdomainname would change the host's", check: ({ doc }) =>
    typeof doc.domainname === "string" && doc.domainname !== "" && !(namespaceTypes(doc) ?? []).includes("uts") ? ["/domainname"] : [] },
  { name: "idMappingsNeedUserNamespace", why: "there is no uid_map to write without a user namespace", check: ({ doc }) => {
    const types = namespaceTypes(doc);
    const l = obj(doc.linux);
    if (!types || types.includes("user")) return [];
    return ["uidMappings", "gidMappings"].filter((k) => arr(l[k]).length > 0).map((k) => `/linux/${k}`);
  } },
  { name: "newUserNamespaceNeedsMappings", why: "a new user namespace without maps runs as nobody (runc refuses it)", check: ({ doc }) => {
    const l = obj(doc.linux);
    const fresh = arr(l.namespaces).some((n) => obj(n).type === "user" && obj(n).path === undefined);
    return fresh ? ["uidMappings", "gidMappings"].filter((k) => l[k] === undefined).map((k) => `/linux/${k}`) : [];
  } },
  { name: "idMappingSizeNotZero", why: "the kernel refuses a uid_map line of size 0", check: ({ doc }) =>
    ["uidMappings", "gidMappings"].flatMap((k) => arr(obj(doc.linux)[k]).flatMap((m, i) => (obj(m).size === 0 ? [`/linux/${k}/${i}/size`] : []))) },
  { name: "umaskPermissionBitsOnly", why: "umask(2) keeps only 0777 (core policy: more is a mistake)", check: ({ doc }) => {
    const u = obj(obj(doc.process).user).umask;
    return typeof u === "number" && Number.isInteger(u) && u > 0o777 ? ["/process/user/umask"] : [];
  } },
  { name: "deviceFileModePermissionBitsOnly", why: "the file type comes from devices[].type (core policy)", check: ({ doc }) =>
    arr(obj(doc.linux).devices).flatMap((d, i) => {
      const m = obj(d).fileMode;
      return typeof m === "number" && Number.isInteger(m) && m > 0o7777 ? [`/linux/devices/${i}/fileMode`] : [];
    }) },
  { name: "deviceNumbersUnsigned32", why: "Linux major and minor numbers are unsigned 32-bit", check: ({ doc }) =>
    arr(obj(doc.linux).devices).flatMap((d, i) => ["major", "minor"].flatMap((k) => {
      const v = obj(d)[k];
      return typeof v === "number" && Number.isInteger(v) && (v < 0 || v > U32_MAX) ? [`/linux/devices/${i}/${k}`] : [];
    })) },
  { name: "mountTypeRequiredUnlessBind", why: "mount(2) needs a filesystem type", check: ({ doc }) =>
    mountsWithDestination(doc).filter(({ m }) => !isBindMount(m) && (m.type === undefined || m.type === "")).map(({ i }) => `/mounts/${i}/type`) },
  { name: "bindMountNeedsSource", why: "a bind mount binds its source", check: ({ doc }) =>
    mountsWithDestination(doc).filter(({ m }) => isBindMount(m) && (m.source === undefined || m.source === "")).map(({ i }) => `/mounts/${i}/source`) },
  { name: "tmpcopyupOnlyTmpfs", why: "tmpcopyup copies a directory into a new tmpfs: other mount types refuse it (E3009)", check: ({ doc }) =>
    mountsWithDestination(doc).filter(({ m }) => m.type !== "tmpfs" || isBindMount(m))
      .flatMap(({ m, i }) => arr(m.options).flatMap((o, k) => (o === "tmpcopyup" ? [`/mounts/${i}/options/${k}`] : []))) },
  { name: "idmapOnlyBind", why: "idmapped mounts are binds (mount_setattr on a cloned tree, E3009)", check: ({ doc }) =>
    mountsWithDestination(doc).filter(({ m }) => !isBindMount(m))
      .flatMap(({ m, i }) => arr(m.options).flatMap((o, k) => (o === "idmap" || o === "ridmap" ? [`/mounts/${i}/options/${k}`] : []))) },
  { name: "idmapNeedsMaps", why: "idmap/ridmap without the mount's maps take the user namespace's; with neither it is an error (E3006)", check: ({ doc }) => {
    const userns = arr(obj(doc.linux).namespaces).some((n) => obj(n).type === "user");
    return mountsWithDestination(doc).filter(({ m }) => !userns && m.uidMappings === undefined && m.gidMappings === undefined)
      .flatMap(({ m, i }) => arr(m.options).flatMap((o, k) => (o === "idmap" || o === "ridmap" ? [`/mounts/${i}/options/${k}`] : [])));
  } },
  { name: "mountDestinationNotEmpty", why: "an empty destination names no path in the rootfs (E3005)", check: ({ doc }) =>
    arr(doc.mounts).flatMap((m, i) => (obj(m).destination === "" ? [`/mounts/${i}/destination`] : [])) },
  { name: "jsonNestingAtMost200", why: "the core's parser limit", check: ({ parsed }) => (parsed.maxDepth > 200 ? [""] : []) },
  { name: "configAtMost4MiB", why: "the core's size limit", check: ({ size }) => (size > 4 << 20 ? [""] : []) },
];

export interface Oracle { json: ParsedJson | null; findings: Finding[] }

export function oracleOf(config: Uint8Array): Oracle {
  const json = parseStrict(config);
  if (!json) return { json, findings: [{ rule: "jsonSyntax", pointer: "" }] };
  if (config.length > 4 << 20) return { json, findings: [{ rule: "configAtMost4MiB", pointer: "" }] };
  if (json.maxDepth > 200) return { json, findings: [{ rule: "jsonNestingAtMost200", pointer: "" }] };
  const doc = normalize(json.value);
  const findings = schemaFindings(doc);
  if (isObj(doc)) {
    for (const r of RULES) for (const pointer of r.check({ doc, parsed: json, size: config.length })) findings.push({ rule: r.name, pointer });
  }
  return { json, findings };
}

export interface Failure {
  check: "crash" | "hang" | "determinism" | "verdict" | "pointer" | "disagreement";
  detail: string;
  /** When the core says valid: what the oracle found that the core missed. */
  missed?: Finding[];
}

export interface Outcome {
  failures: Failure[];
  /** The agreement was only reached by discounting fields the core does not validate yet. */
  pending: string[];
  /** The core refused for rules the oracle does not model yet (UNMODELLED_CORE_RULES). */
  unmodelled?: string[];
  verdict?: Verdict;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The text sections of a verdict whose bytes are not UTF-8 (a lone surrogate written raw, say). */
function badUtf8Sections(bytes: Uint8Array): string[] {
  const bad: string[] = [];
  let pos = bytes.indexOf(0x0a) + 1;
  while (pos > 0 && pos < bytes.length) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) break;
    const [name, len] = new TextDecoder().decode(bytes.subarray(pos, nl)).split(" ");
    const body = bytes.subarray(nl + 1, nl + 1 + Number(len));
    if (name !== "init") {
      try { strictUtf8.decode(body); } catch { bad.push(name); }
    }
    pos = nl + 1 + Number(len) + 1;
  }
  return bad;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A pointer is fine if it resolves, or names a missing member of an object that exists. */
function pointerProblem(doc: unknown, pointer: string, message: string): string | null {
  if (pointer !== "" && !pointer.startsWith("/")) return "is not a JSON pointer";
  const r = resolvePointer(doc, pointer);
  if (!r.found) {
    const parent = resolvePointer(doc, pointer.slice(0, pointer.lastIndexOf("/")));
    return parent.found && isObj(parent.value) ? null : "names a field whose parent does not exist";
  }
  // A message that quotes a value must be about the value it points at, or about the member's
  // name (a sysctl key, an annotation).
  // (A lone surrogate cannot survive UTF-8; the verdict check reports that case.)
  const key = pointer.slice(pointer.lastIndexOf("/") + 1).replace(/~1/g, "/").replace(/~0/g, "~");
  if (typeof r.value === "string" && r.value.isWellFormed() && message.includes('"') && !message.includes(`"${r.value}"`) && !message.includes(`"${key}"`)) return `points at "${r.value}", but the message is about another value`;
  return null;
}

export function checkRun(config: Uint8Array, run: RunResult, oracle: Oracle): Outcome {
  if (run.kind === "crash") return { failures: [{ check: "crash", detail: run.message }], pending: [] };
  if (run.kind === "hang") return { failures: [{ check: "hang", detail: `core ran ${Math.round(Math.max(...run.ms))} ms` }], pending: [] };
  const failures: Failure[] = [];
  const [a, b] = run.outputs;
  if (!sameBytes(a, b)) failures.push({ check: "determinism", detail: `two runs gave ${a.length} and ${b.length} bytes that differ` });
  let v: Verdict;
  try {
    v = decodeVerdict(a);
  } catch (e) {
    return { failures: [...failures, { check: "verdict", detail: (e as Error).message }], pending: [] };
  }
  const errors = v.diagnostics.filter((d) => d.severity === "error");
  if (v.ok !== (errors.length === 0)) failures.push({ check: "verdict", detail: `status ${v.ok ? "ok" : "invalid"} with ${errors.length} errors` });
  if (v.ok && !v.init) failures.push({ check: "verdict", detail: "ok without an init plan" });
  for (const name of badUtf8Sections(a)) failures.push({ check: "verdict", detail: `section ${name} is not valid UTF-8` });

  if (oracle.json) {
    for (const d of v.diagnostics) {
      const p = pointerProblem(oracle.json.value, d.pointer, d.message);
      if (p) failures.push({ check: "pointer", detail: `${d.code} ${JSON.stringify(d.pointer)} ${p}: ${d.message}` });
    }
  }

  const firm = oracle.findings.filter((f) => !f.pending);
  const full = oracle.findings.length === 0;
  const base = firm.length === 0;
  let pending: string[] = [];
  let unmodelled: string[] | undefined;
  const unmodelledErrors = errors.map((d) => unmodelledCoreRule(d.pointer));
  if (v.ok !== full) {
    if (v.ok === base) pending = [...new Set(oracle.findings.map((f) => f.pending!))];
    else if (!v.ok && errors.length > 0 && unmodelledErrors.every((u) => u)) unmodelled = [...new Set(unmodelledErrors as string[])];
    else {
      const why = v.ok ? firm.map((f) => `${f.rule} at ${f.pointer}`).join(", ") : errors.map((d) => `${d.code} ${d.pointer}: ${d.message}`).join("; ");
      if (v.ok) failures.push({ check: "disagreement", detail: `core says valid; the oracle finds ${why}`, missed: firm });
      else failures.push({ check: "disagreement", detail: `core says invalid (${why}); the oracle finds it valid` });
    }
  }
  return { failures, pending, unmodelled, verdict: v };
}
