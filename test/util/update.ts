// The core's op update for a stored config whose /linux/resources is given, with -r's resources
// and/or the flags as given, on a v1 (hybrid) or v2 host: the writes rendered one per line as
// test/util/cgroup.ts renders them, the merged resources, the diagnostics' pointers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch } from "./core";
import { renderWrite, v1Facts, v2Facts } from "./cgroup";
import type { HostFacts, UpdateSection, Verdict } from "../../host/core/protocol";

export interface UpdateInput {
  /** The stored config's linux.resources (absent: none). */
  stored?: unknown;
  /** -r's resources: an object, or raw text. */
  resources?: unknown;
  /** The flags as given: name without dashes -> raw string. */
  flags?: Record<string, string>;
  facts?: Partial<HostFacts>;
}

export function storedConfig(stored: unknown): any {
  return stored === undefined ? baseConfig() : patch(baseConfig(), { "/linux/resources": stored });
}

export function updateVerdict(input: UpdateInput, modeFacts: Partial<HostFacts>): Verdict {
  const updateResources = input.resources === undefined ? undefined
    : typeof input.resources === "string" ? input.resources : JSON.stringify(input.resources);
  return core("update", storedConfig(input.stored), { id: "u1", ...modeFacts, ...input.facts, updateResources, updateFlags: input.flags ?? (updateResources === undefined ? {} : undefined) });
}

export function updateResult(input: UpdateInput, modeFacts: Partial<HostFacts>) {
  const v = updateVerdict(input, modeFacts);
  const pointer = (d: { pointer: string }) => d.pointer;
  const section: UpdateSection | undefined = v.update;
  return {
    v,
    section,
    errors: v.diagnostics.filter((d) => d.severity === "error").map(pointer),
    warnings: v.diagnostics.filter((d) => d.severity === "warning").map(pointer),
    messages: v.diagnostics.map((d) => `${d.pointer}: ${d.message}`),
    writes: section ? section.writes.map(renderWrite) : [],
    restore: section ? section.restore.map(renderWrite) : [],
  };
}

/** One row: the stored resources, what the update gives, and for each mode the writes, the
 * merged resources, or the errors (pointers: a JSON pointer or a flag). */
export type UpdateRow = UpdateInput & {
  name: string;
  v1?: string[];
  v2?: string[];
  /** The merged linux.resources (both modes). */
  merged?: unknown;
  errorAt?: string[];
  errorV1?: string[];
  errorV2?: string[];
  warnAt?: string[];
  warnV1?: string[];
  warnV2?: string[];
  restoreV1?: string[];
  restoreV2?: string[];
};

export function updateTable(rows: UpdateRow[]): void {
  for (const row of rows) {
    for (const [mode, facts] of [["v1", v1Facts], ["v2", v2Facts]] as const) {
      const want = mode === "v1" ? row.v1 : row.v2;
      const wantErrors = row.errorAt ?? (mode === "v1" ? row.errorV1 : row.errorV2) ?? [];
      if (want === undefined && wantErrors.length === 0 && row.merged === undefined) continue;
      test(`${row.name} (${mode})`, () => {
        const r = updateResult(row, facts);
        assert.equal(r.errors, wantErrors, r.messages.join("; "));
        if (wantErrors.length > 0) {
          assert.is(r.v.ok, false);
          return;
        }
        assert.equal(r.warnings, row.warnAt ?? (mode === "v1" ? row.warnV1 : row.warnV2) ?? [], r.messages.join("; "));
        if (want !== undefined) assert.equal(r.writes, want);
        if (row.merged !== undefined) assert.equal(r.section!.resources, row.merged);
        const restore = mode === "v1" ? row.restoreV1 : row.restoreV2;
        if (restore !== undefined) assert.equal(r.restore, restore);
      });
    }
  }
}
