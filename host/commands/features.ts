// `features`: the runtime-spec features document (what this runtime supports), as the core
// lays it out (4-space indent, as runc prints it). No bundle, no kernel.
import type { Context } from "../context.ts";
import { OciError } from "../errors.ts";
import { askCore } from "../core/load.ts";
import type { Verdict } from "../core/protocol.ts";

export function featuresText(v: Verdict): string {
  const bytes = v.sections?.features;
  if (v.features === undefined || !bytes) throw new OciError("core: the verdict has no features section");
  // The core lays the document out as runc does (4-space indent); print it unchanged.
  const text = new TextDecoder().decode(bytes);
  return text.endsWith("\n") ? text : text + "\n";
}

export async function run(ctx: Context, _args: unknown[], _options: Record<string, any>): Promise<void> {
  // The features document does not depend on the host: fixed facts keep it the same everywhere.
  const v = askCore("features", { bundle: "/", euid: 0, cgroup: "v2", noPivot: false, cgroupV1: [] }, new Uint8Array(0));
  ctx.out(featuresText(v));
}
