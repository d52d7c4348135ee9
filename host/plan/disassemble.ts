// Decodes a whole init plan (docs/formats.md §3) into objects for `ocirun plan --format json`
// and the `ocirun/core` entry point. Argument kinds come from ops.gen.ts, never from here.
import { OPS } from "./ops.gen";

export type ArgValue = string | number | Array<string | number>;

export interface PlanOp {
  index: number;
  op: string;
  args: Record<string, ArgValue>;
  /** The JSON pointer of the config field the op comes from ("" for built-in defaults). */
  source: string;
  what: string;
}

export interface DecodedPlan {
  version: number;
  /** CLONE_NEW* flags the init is born in. */
  cloneFlags: number;
  ops: PlanOp[];
}

export function disassemble(plan: Uint8Array): DecodedPlan {
  const view = new DataView(plan.buffer, plan.byteOffset, plan.byteLength);
  const magic = new TextDecoder().decode(plan.subarray(0, 4));
  if (plan.length < 32 || magic !== "OCIP") throw new Error("init plan: bad magic");
  const version = view.getUint32(4, true);
  const count = view.getUint32(8, true);
  const strOff = view.getUint32(16, true);
  const decoder = new TextDecoder();
  const str = (off: number) => {
    const start = strOff + off;
    return decoder.decode(plan.subarray(start, plan.indexOf(0, start)));
  };
  // u64 words above 2^53 (RLIM_INFINITY, full masks) stay exact as decimal strings.
  const u64 = (at: number): number | string => {
    const v = view.getBigUint64(at, true);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  };
  const ops: PlanOp[] = [];
  let pos = view.getUint32(12, true);
  for (let index = 0; index < count; index++) {
    const opcode = view.getUint16(pos, true);
    const argc = view.getUint16(pos + 2, true);
    const def = OPS[opcode];
    const words = pos + 16;
    const args: Record<string, ArgValue> = {};
    let w = 0;
    const word = () => words + 8 * w++;
    for (const a of def?.args ?? []) {
      if (a.kind === "str") args[a.name] = str(Number(u64(word())));
      else if (a.kind === "u64") args[a.name] = u64(word());
      else if (a.kind.startsWith("list ")) {
        const n = Number(u64(word()));
        const items: Array<string | number> = [];
        for (let i = 0; i < n; i++) items.push(a.kind === "list str" ? str(Number(u64(word()))) : u64(word()));
        args[a.name] = items;
      }
    }
    // An opcode this host does not know keeps its raw words.
    if (!def) for (let i = 0; i < argc; i++) args[`arg${i}`] = u64(words + 8 * i);
    ops.push({
      index, op: def?.name ?? `op${opcode}`, args,
      source: str(view.getUint32(pos + 4, true)), what: str(view.getUint32(pos + 8, true)),
    });
    pos = words + 8 * argc;
  }
  return { version, cloneFlags: view.getUint32(24, true), ops };
}
