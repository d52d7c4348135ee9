// The host's one decoder of init plans (docs/formats.md §3): for `ocirun plan --format json`, the
// `ocirun/core` entry point and the op that failed in an init (init-failure.ts). The layout and
// argument kinds come from ops.gen.ts (generated from assembly/plan/ops.ts), never from here.
import {
  OPS, PLAN_CLONE_FLAGS_AT, PLAN_COUNT_AT, PLAN_FIRST_OP_AT, PLAN_HEADER_SIZE, PLAN_MAGIC, PLAN_OP_ARGC_AT,
  PLAN_OP_HEADER_SIZE, PLAN_OP_SOURCE_AT, PLAN_OP_WHAT_AT, PLAN_STRINGS_AT, PLAN_VERSION_AT,
} from "./ops.gen";

export type ArgValue = string | number | Array<string | number>;

export interface PlanOp {
  index: number;
  op: string;
  opcode: number;
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
  if (plan.length < PLAN_HEADER_SIZE || view.getUint32(0, true) !== PLAN_MAGIC) throw new Error("init plan: bad magic");
  const version = view.getUint32(PLAN_VERSION_AT, true);
  const count = view.getUint32(PLAN_COUNT_AT, true);
  const strOff = view.getUint32(PLAN_STRINGS_AT, true);
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
  let pos = view.getUint32(PLAN_FIRST_OP_AT, true);
  for (let index = 0; index < count; index++) {
    const opcode = view.getUint16(pos, true);
    const argc = view.getUint16(pos + PLAN_OP_ARGC_AT, true);
    const def = OPS[opcode];
    const words = pos + PLAN_OP_HEADER_SIZE;
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
      index, op: def?.name ?? `op${opcode}`, opcode, args,
      source: str(view.getUint32(pos + PLAN_OP_SOURCE_AT, true)), what: str(view.getUint32(pos + PLAN_OP_WHAT_AT, true)),
    });
    pos = words + 8 * argc;
  }
  return { version, cloneFlags: view.getUint32(PLAN_CLONE_FLAGS_AT, true), ops };
}
