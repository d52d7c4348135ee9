// The kernel's list syntax for CPUs and NUMA nodes ("0-3,7"), as in cpuset.cpus and
// process.execCPUAffinity and linux.memoryPolicy.nodes: comma-separated numbers and ranges.

/** The bitmask of a list, in 32-bit words (bit n = word n/32, bit n%32); null if malformed
 * or a number is above max. An empty list is an empty mask. */
export function parseCpuList(text: string, max: u32): u32[] | null {
  const words: u32[] = [];
  if (text.length == 0) return words;
  const parts = text.split(",");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const dash = part.indexOf("-");
    const lo = listNumber(dash < 0 ? part : part.substring(0, dash));
    const hi = dash < 0 ? lo : listNumber(part.substring(dash + 1));
    if (lo < 0 || hi < 0 || lo > hi || <u32>hi > max) return null;
    while (words.length <= hi >> 5) words.push(0);
    for (let n = lo; n <= hi; n++) words[n >> 5] |= (<u32>1) << (<u32>(n & 31));
  }
  return words;
}

/** A decimal of at most 7 digits, or -1. */
function listNumber(s: string): i32 {
  if (s.length == 0 || s.length > 7) return -1;
  let r: i32 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    r = r * 10 + (c - 0x30);
  }
  return r;
}
