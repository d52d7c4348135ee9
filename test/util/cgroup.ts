// The core's cgroup section for a config whose /linux/resources is given, on a v1 (hybrid)
// or v2 host, with writes rendered one per line: "<controller>/<file> = <value>", "?=" for
// an optional write, and no controller on v2.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, baseConfig, patch, errorsOf, warningsOf } from "./core";
import type { HostFacts } from "../../host/core/protocol";

export type CgroupSection = {
  /** hierarchy directory under /sys/fs/cgroup ("" on v2) -> the container's cgroup there. */
  paths: Record<string, string>;
  writes: { controller: string; file: string; value: string; pointer: string; optional?: boolean }[];
  deviceProgram: string | null;
};

/** Every v1 controller, one hierarchy each but net_cls and net_prio, mounted together. */
export const v1Facts: Partial<HostFacts> = {
  cgroup: "hybrid",
  cgroupV1: ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "rdma", "perf_event"]
    .map((c) => ({ dir: c, options: c }))
    .concat([{ dir: "net_cls,net_prio", options: "net_cls,net_prio" }, { dir: "systemd", options: "name=systemd" }]),
};
export const v2Facts: Partial<HostFacts> = { cgroup: "v2", cgroupV1: [] };

export function renderWrite(w: CgroupSection["writes"][number]): string {
  return `${w.controller ? w.controller + "/" : ""}${w.file} ${w.optional ? "?=" : "="} ${w.value}`;
}

export function cgroupPlan(config: unknown, facts: Partial<HostFacts>) {
  const v = core("plan", config, { id: "c1", ...facts });
  const raw = v.sections.cgroup;
  const section: CgroupSection | undefined = raw ? JSON.parse(new TextDecoder().decode(raw)) : undefined;
  const pointer = (s: string) => s.slice(0, s.indexOf(": "));
  return { v, section, errors: errorsOf(v).map(pointer), warnings: warningsOf(v).map(pointer) };
}

/** One row: resources, and for each mode the writes (device rules left out) or the errors. */
export type CgroupRow = {
  name: string;
  resources: unknown;
  v1?: string[];
  v2?: string[];
  /** Errors (pointers) in both modes, or per mode. */
  errorAt?: string[];
  errorV1?: string[];
  errorV2?: string[];
  warnV1?: string[];
  warnV2?: string[];
};

export function cgroupTable(rows: CgroupRow[]): void {
  for (const row of rows) {
    for (const [mode, facts] of [["v1", v1Facts], ["v2", v2Facts]] as const) {
      const want = mode === "v1" ? row.v1 : row.v2;
      const wantErrors = row.errorAt ?? (mode === "v1" ? row.errorV1 : row.errorV2) ?? [];
      if (want === undefined && wantErrors.length === 0) continue;
      test(`${row.name} (${mode})`, () => {
        const { v, section, errors, warnings } = cgroupPlan(patch(baseConfig(), { "/linux/resources": row.resources }), facts);
        assert.equal(errors, wantErrors, JSON.stringify(v.diagnostics));
        if (wantErrors.length > 0) return;
        assert.equal(warnings, (mode === "v1" ? row.warnV1 : row.warnV2) ?? []);
        const lines = section!.writes.filter((w) => !w.file.startsWith("devices.")).map(renderWrite);
        assert.equal(lines, want ?? []);
      });
    }
  }
}
