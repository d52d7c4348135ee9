// The seccomp program the core puts in a plan (OP_SECCOMP), as the kernel would read it.
import { OPS } from "../../host/plan/ops.gen";
import { core, baseConfig, patch, errorsOf } from "./core";
import type { OciSeccomp } from "./libseccomp-referee";
import type { HostFacts } from "../../host/core/protocol";

const OP_SECCOMP = Number(Object.keys(OPS).find((k) => OPS[Number(k)].name === "SECCOMP"));

export type PlannedFilter = { flags: bigint; program: Uint8Array; notify: boolean; index: number };

/** The OP_SECCOMP ops of a plan, in order. */
export function plannedFilters(plan: Uint8Array): PlannedFilter[] {
  const view = new DataView(plan.buffer, plan.byteOffset, plan.byteLength);
  const count = view.getUint32(8, true);
  let pos = view.getUint32(12, true);
  const out: PlannedFilter[] = [];
  for (let i = 0; i < count; i++) {
    const opcode = view.getUint16(pos, true);
    const argc = view.getUint16(pos + 2, true);
    if (opcode === OP_SECCOMP) {
      const word = (k: number) => view.getBigUint64(pos + 16 + 8 * k, true);
      const n = Number(word(1));
      const program = plan.slice(pos + 16 + 16, pos + 16 + 16 + 8 * n);
      out.push({ flags: word(0), program, notify: word(2 + n) === 1n, index: i });
    }
    pos += 16 + 8 * argc;
  }
  return out;
}

/** config.json's text for a seccomp profile in a minimal config. */
export function seccompConfig(seccomp: OciSeccomp | string, config = baseConfig()): string {
  // u64 argument values may be given as strings or bigints: they go in as JSON numbers. A
  // string is the profile's own JSON text, spliced in as it is (JSON.parse rounds big numbers).
  return typeof seccomp === "string"
    ? JSON.stringify(patch(config, { "/linux/seccomp": "@profile@" })).replace('"@profile@"', seccomp)
    : JSON.stringify(patch(config, { "/linux/seccomp": seccomp }), (_, v) => (typeof v === "bigint" ? String(v) : v))
      .replace(/"(value|valueTwo)":"(\d+)"/g, '"$1":$2');
}

/** The core's program for a seccomp profile (in a minimal config), or throws its errors. */
export function coreProgram(seccomp: OciSeccomp | string, facts: Partial<HostFacts> = {}, config = baseConfig()): Uint8Array {
  const v = core("plan", seccompConfig(seccomp, config), facts);
  if (!v.ok || !v.init) throw new Error(errorsOf(v).join("\n"));
  const filters = plannedFilters(v.init);
  if (filters.length !== 1) throw new Error(`${filters.length} SECCOMP ops in the plan`);
  return filters[0].program;
}
