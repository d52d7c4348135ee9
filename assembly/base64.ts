// Standard base64 with padding (RFC 4648 §4), for binary data inside JSON sections.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD: u16 = 0x3d; // "="

export function base64(bytes: Uint8Array): string {
  // Written as UTF-16 code units into one buffer: concatenating per character was a visible
  // share of the core's time for a device program.
  const n = bytes.length;
  const out = new Uint16Array(((n + 2) / 3) * 4);
  let o = 0;
  for (let i = 0; i < n; i += 3) {
    const left = n - i;
    const v: u32 = (<u32>bytes[i] << 16) | (left > 1 ? <u32>bytes[i + 1] << 8 : 0) | (left > 2 ? <u32>bytes[i + 2] : 0);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 18) & 63);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 12) & 63);
    out[o++] = left > 1 ? <u16>ALPHABET.charCodeAt((v >> 6) & 63) : PAD;
    out[o++] = left > 2 ? <u16>ALPHABET.charCodeAt(v & 63) : PAD;
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>out.length << 1);
}
