// A strict RFC 8259 parser for the oracle. JSON.parse is not enough: it loses u64 precision,
// accepts invalid UTF-8 once decoded, and has no depth limit. This one keeps each number's
// source text and the nesting depth, and folds numbers so ajv can judge them exactly.

export interface ParsedJson {
  value: unknown;
  /** Source text of every number, by JSON pointer (last duplicate key wins, as in the core). */
  numbers: Map<string, string>;
  /** Deepest value; the document itself is depth 0. */
  maxDepth: number;
}

const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** null when the bytes are not one JSON value in UTF-8. */
export function parseStrict(bytes: Uint8Array): ParsedJson | null {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  const numbers = new Map<string, string>();
  let pos = 0;
  let maxDepth = 0;

  const ws = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };
  const fail = (): never => { throw new SyntaxError(String(pos)); };

  const str = (): string => {
    pos++;
    let out = "";
    for (;;) {
      if (pos >= text.length) fail();
      const c = text.charCodeAt(pos);
      if (c === 0x22) { pos++; return out; }
      if (c < 0x20) fail();
      if (c !== 0x5c) { out += text[pos++]; continue; }
      const e = text[pos + 1];
      pos += 2;
      if (e !== undefined && e in ESCAPES) out += ESCAPES[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(pos, pos + 4))) { out += String.fromCharCode(parseInt(text.slice(pos, pos + 4), 16)); pos += 4; }
      else fail();
    }
  };

  const value = (ptr: string, depth: number): unknown => {
    if (depth > maxDepth) maxDepth = depth;
    ws();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[pos] === "}") { pos++; return obj; }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail();
        const key = str();
        ws();
        if (text[pos++] !== ":") fail();
        // defineProperty: a key named __proto__ must be data, not the prototype.
        Object.defineProperty(obj, key, { value: value(ptr + "/" + escapeToken(key), depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        const d = text[pos++];
        if (d === "}") return obj;
        if (d !== ",") fail();
      }
    }
    if (c === "[") {
      pos++;
      const arr: unknown[] = [];
      ws();
      if (text[pos] === "]") { pos++; return arr; }
      for (;;) {
        arr.push(value(ptr + "/" + arr.length, depth + 1));
        ws();
        const d = text[pos++];
        if (d === "]") return arr;
        if (d !== ",") fail();
      }
    }
    if (c === '"') return str();
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      numbers.set(ptr, m[0]);
      return foldNumber(m[0]);
    }
    for (const [w, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(w, pos)) { pos += w.length; return v; }
    }
    return fail();
  };

  try {
    const v = value("", 0);
    ws();
    if (pos !== text.length) return null;
    return { value: v, numbers, maxDepth };
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
}

const TWO53 = 2n ** 53n;
const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/**
 * The number ajv sees. Integer literals past 2^53 become a stand-in on the same side of every
 * int64/uint64 bound (doubles cannot tell 2^64-1 from 2^64). A fraction or an exponent makes
 * a non-integer even when the value is whole: the runtime-spec's integer fields are Go integer
 * types, whose decoder refuses "1.0" and "1e3" (named rule: goIntegerLiterals).
 */
export function foldNumber(lit: string): number {
  if (/[.eE]/.test(lit)) {
    const n = Number(lit);
    return Number.isFinite(n) && Number.isInteger(n) ? n + 0.5 : n;
  }
  const b = BigInt(lit);
  if (b >= -TWO53 && b <= TWO53) return Number(b);
  if (b > U64_MAX) return 1e30;
  if (b > I64_MAX) return 1e19;
  if (b > 0n) return 1e18;
  if (b < I64_MIN) return -1e30;
  return -1e18;
}

/** RFC 6901 reference token. */
export function escapeToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The value at an RFC 6901 pointer, or `undefined` when no such field exists. */
export function resolvePointer(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === "") return { found: true, value: doc };
  if (!pointer.startsWith("/")) return { found: false };
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const tok = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(tok) || Number(tok) >= cur.length) return { found: false };
      cur = cur[Number(tok)];
    } else if (cur !== null && typeof cur === "object" && Object.prototype.hasOwnProperty.call(cur, tok)) {
      cur = (cur as Record<string, unknown>)[tok];
    } else return { found: false };
  }
  return { found: true, value: cur };
}
