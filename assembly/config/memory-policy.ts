// linux.memoryPolicy: mode, nodes, flags, as set_mempolicy(2) takes them.
import { JsonValue, childPointer, indexPointer } from "../json/value";
import { Diagnostics, E_RANGE, E_CONFLICT, E_REQUIRED } from "../diagnostics";
import { readEnum, readEnumArray } from "./enums";
import { MemoryPolicy } from "./model";
import { field, readString, requireField } from "./read";
import { parseCpuList } from "./cpu-list";

// Index = MPOL_* of linux/mempolicy.h.
const MODES: string[] = [
  "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY",
  "MPOL_WEIGHTED_INTERLEAVE",
];
const MPOL_DEFAULT: u32 = 0;
const MPOL_PREFERRED: u32 = 1;
const MPOL_LOCAL: u32 = 4;
// Bits 13, 14, 15 of the mode word.
const FLAGS: string[] = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"];
const FLAG_SHIFT: u32 = 13;
const MAX_NODE: u32 = 1023; // the kernel's largest MAX_NUMNODES

export function memoryPolicyModeName(mode: u32): string {
  let out = MODES[mode & 0xff];
  for (let i = 0; i < FLAGS.length; i++) if ((mode >> (FLAG_SHIFT + <u32>i)) & 1) out += "|" + FLAGS[i];
  return out;
}

export function parseMemoryPolicy(v: JsonValue, ptr: string, d: Diagnostics): MemoryPolicy | null {
  const m = new MemoryPolicy();
  const before = d.errorCount;
  let mode: i32 = -1;
  if (requireField(v, "mode", ptr, d)) mode = readEnum(v, "mode", ptr, "", MODES, "memory policy mode", d);
  m.nodes = readString(v, "nodes", ptr, d);
  const np = childPointer(ptr, "nodes");
  const mask = parseCpuList(m.nodes, MAX_NODE);
  if (mask === null) d.error(E_RANGE, np, "\"" + m.nodes + "\" is not a node list such as \"0-3,7\" (nodes 0 to " + MAX_NODE.toString() + ")");
  else m.nodeMask = mask;
  if (mode >= 0) {
    const umode = <u32>mode;
    // The kernel's rule: default and local take no nodes, preferred may, the others need some.
    const noNodes = umode == MPOL_DEFAULT || umode == MPOL_LOCAL;
    if (noNodes && m.nodes.length > 0) d.error(E_CONFLICT, np, "must be empty for " + MODES[mode]);
    if (!noNodes && umode != MPOL_PREFERRED && m.nodes.length == 0) d.error(E_REQUIRED, np, "is required for " + MODES[mode]);
  }
  let flags: u32 = 0;
  if (field(v, "flags")) {
    const fp = childPointer(ptr, "flags");
    const bits = readEnumArray(v, "flags", ptr, "", FLAGS, "memory policy flag", d);
    for (let i = 0; i < bits.length; i++) flags |= (<u32>1) << (FLAG_SHIFT + <u32>bits[i]);
    const both = (<u32>3) << (FLAG_SHIFT + 1);
    if ((flags & both) == both) d.error(E_CONFLICT, fp, "MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES exclude each other");
    if (flags != 0 && mode == <i32>MPOL_DEFAULT) d.error(E_CONFLICT, fp, "must be empty for MPOL_DEFAULT");
  }
  if (d.errorCount != before) return null;
  m.mode = <u32>mode | flags;
  return m;
}
