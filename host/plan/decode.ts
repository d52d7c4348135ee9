// Reads an init plan's op headers (docs/formats.md §3): enough to name the config field and
// the action of a failed op. The host never interprets op arguments.
import { OPS } from "./ops.gen";

export interface OpHeader { index: number; opcode: number; name: string; source: string; what: string }

export function opHeader(plan: Uint8Array, index: number): OpHeader | undefined {
  const view = new DataView(plan.buffer, plan.byteOffset, plan.byteLength);
  const count = view.getUint32(8, true);
  if (index < 0 || index >= count) return undefined;
  const strOff = view.getUint32(16, true);
  let pos = view.getUint32(12, true);
  for (let i = 0; i < index; i++) pos += 16 + 8 * view.getUint16(pos + 2, true);
  const str = (off: number) => {
    const start = strOff + off;
    const end = plan.indexOf(0, start);
    return new TextDecoder().decode(plan.subarray(start, end));
  };
  const opcode = view.getUint16(pos, true);
  return { index, opcode, name: OPS[opcode]?.name ?? `op${opcode}`, source: str(view.getUint32(pos + 4, true)), what: str(view.getUint32(pos + 8, true)) };
}
