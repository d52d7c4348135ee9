// Standard base64 with padding (RFC 4648 §4), for binary data inside JSON sections.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = bytes.length - i;
    const v: u32 = (<u32>bytes[i] << 16) | (n > 1 ? <u32>bytes[i + 1] << 8 : 0) | (n > 2 ? <u32>bytes[i + 2] : 0);
    out += ALPHABET.charAt((v >> 18) & 63) + ALPHABET.charAt((v >> 12) & 63);
    out += n > 1 ? ALPHABET.charAt((v >> 6) & 63) : "=";
    out += n > 2 ? ALPHABET.charAt(v & 63) : "=";
  }
  return out;
}
