// Readable names of CLONE_NEW* flags, for the plan text.
const BITS: u32[] = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];
const NAMES: string[] = ["CLONE_NEWNS", "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET", "CLONE_NEWTIME"];

export function cloneFlagNames(flags: u32): string {
  if (flags == 0) return "0";
  let out = "";
  let rest = flags;
  for (let i = 0; i < BITS.length; i++) {
    if (flags & BITS[i]) { out += (out.length > 0 ? "|" : "") + NAMES[i]; rest &= ~BITS[i]; }
  }
  if (rest != 0) out += (out.length > 0 ? "|" : "") + "0x" + rest.toString(16);
  return out;
}
