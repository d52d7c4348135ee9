// A JSON parser (RFC 8259) over UTF-8 bytes that keeps source offsets and reports
// the line and column of the first syntax error.
import { JsonKind, JsonValue } from "./value";

const MAX_DEPTH: i32 = 200;

export class JsonError {
  constructor(public offset: i32, public message: string) {}
}

export class ParseResult {
  value: JsonValue | null = null;
  error: JsonError | null = null;
}

class Parser {
  pos: i32 = 0;
  error: JsonError | null = null;
  constructor(public src: Uint8Array) {}

  fail(message: string): JsonValue | null {
    if (!this.error) this.error = new JsonError(this.pos, message);
    return null;
  }

  skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) this.pos++;
      else break;
    }
  }

  value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than " + MAX_DEPTH.toString() + " levels");
    this.skipSpace();
    if (this.pos >= this.src.length) return this.fail("unexpected end of input");
    const c = this.src[this.pos];
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const v = new JsonValue(JsonKind.String, this.pos);
      const s = this.string();
      if (s === null) return null;
      v.str = s;
      return v;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.word("true")) { const v = new JsonValue(JsonKind.Bool, this.pos - 4); v.boolValue = true; return v; }
    if (this.word("false")) return new JsonValue(JsonKind.Bool, this.pos - 5);
    if (this.word("null")) return new JsonValue(JsonKind.Null, this.pos - 4);
    return this.fail("unexpected character " + describeByte(c));
  }

  word(w: string): bool {
    const n = w.length;
    if (this.pos + n > this.src.length) return false;
    for (let i = 0; i < n; i++) {
      if (<i32>this.src[this.pos + i] != w.charCodeAt(i)) return false;
    }
    this.pos += n;
    return true;
  }

  object(depth: i32): JsonValue | null {
    const v = new JsonValue(JsonKind.Object, this.pos);
    this.pos++;
    this.skipSpace();
    if (this.pos < this.src.length && this.src[this.pos] == 0x7d) { this.pos++; return v; }
    while (true) {
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail("unexpected end of input in an object");
      if (this.src[this.pos] != 0x22) return this.fail("expected a string key, found " + describeByte(this.src[this.pos]));
      const key = this.string();
      if (key === null) return null;
      this.skipSpace();
      if (this.pos >= this.src.length || this.src[this.pos] != 0x3a) return this.fail("expected ':' after an object key");
      this.pos++;
      const item = this.value(depth + 1);
      if (!item) return null;
      v.keys.push(key);
      v.items.push(item);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail("unexpected end of input in an object");
      const c = this.src[this.pos++];
      if (c == 0x7d) return v;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or '}' in an object, found " + describeByte(c)); }
    }
  }

  array(depth: i32): JsonValue | null {
    const v = new JsonValue(JsonKind.Array, this.pos);
    this.pos++;
    this.skipSpace();
    if (this.pos < this.src.length && this.src[this.pos] == 0x5d) { this.pos++; return v; }
    while (true) {
      const item = this.value(depth + 1);
      if (!item) return null;
      v.items.push(item);
      this.skipSpace();
      if (this.pos >= this.src.length) return this.fail("unexpected end of input in an array");
      const c = this.src[this.pos++];
      if (c == 0x5d) return v;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or ']' in an array, found " + describeByte(c)); }
    }
  }

  number(): JsonValue | null {
    const s = this.src;
    const start = this.pos;
    if (s[this.pos] == 0x2d) this.pos++;
    if (this.pos >= s.length || !isDigit(s[this.pos])) return this.fail("invalid number");
    if (s[this.pos] == 0x30) this.pos++;
    else while (this.pos < s.length && isDigit(s[this.pos])) this.pos++;
    if (this.pos < s.length && s[this.pos] == 0x2e) {
      this.pos++;
      if (this.pos >= s.length || !isDigit(s[this.pos])) return this.fail("invalid number");
      while (this.pos < s.length && isDigit(s[this.pos])) this.pos++;
    }
    if (this.pos < s.length && (s[this.pos] == 0x65 || s[this.pos] == 0x45)) {
      this.pos++;
      if (this.pos < s.length && (s[this.pos] == 0x2b || s[this.pos] == 0x2d)) this.pos++;
      if (this.pos >= s.length || !isDigit(s[this.pos])) return this.fail("invalid number");
      while (this.pos < s.length && isDigit(s[this.pos])) this.pos++;
    }
    const v = new JsonValue(JsonKind.Number, start);
    v.numText = String.UTF8.decodeUnsafe(s.dataStart + start, this.pos - start);
    return v;
  }

  /** A string token starting at '"'; null on error. */
  string(): string | null {
    const s = this.src;
    this.pos++;
    let out = "";
    let runStart = this.pos;
    while (true) {
      if (this.pos >= s.length) { this.fail("unterminated string"); return null; }
      const c = s[this.pos];
      if (c == 0x22) {
        out += this.utf8(runStart, this.pos);
        this.pos++;
        return this.error ? null : out;
      }
      if (c < 0x20) { this.fail("control character in a string"); return null; }
      if (c != 0x5c) { this.pos++; continue; }
      out += this.utf8(runStart, this.pos);
      this.pos++;
      if (this.pos >= s.length) { this.fail("unterminated string"); return null; }
      const e = s[this.pos++];
      if (e == 0x22) out += "\"";
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) {
        const unit = this.hex4();
        if (unit < 0) { this.fail("invalid \\u escape"); return null; }
        out += this.surrogatePair(unit);
      } else { this.pos--; this.fail("invalid escape " + describeByte(e)); return null; }
      runStart = this.pos;
    }
  }

  /** A \u escape's code unit, joined with a following low surrogate escape; an unpaired
   * surrogate becomes U+FFFD, as Go's decoder does, so no invalid UTF-16 reaches the output. */
  surrogatePair(unit: i32): string {
    if (unit >= 0xdc00 && unit <= 0xdfff) return "\uFFFD";
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    const s = this.src;
    if (this.pos + 6 <= s.length && s[this.pos] == 0x5c && s[this.pos + 1] == 0x75) {
      const save = this.pos;
      this.pos += 2;
      const low = this.hex4();
      if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
      this.pos = save;
    }
    return "\uFFFD";
  }

  hex4(): i32 {
    if (this.pos + 4 > this.src.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>this.src[this.pos + i];
      let d = -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  utf8(start: i32, end: i32): string {
    if (end <= start) return "";
    if (!validUtf8(this.src, start, end)) {
      this.pos = start;
      this.fail("invalid UTF-8 in a string");
      return "";
    }
    return String.UTF8.decodeUnsafe(this.src.dataStart + start, end - start);
  }
}

function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }

function describeByte(c: u8): string {
  if (c >= 0x21 && c < 0x7f) return "'" + String.fromCharCode(c) + "'";
  return "byte 0x" + (<u32>c).toString(16);
}

function validUtf8(s: Uint8Array, start: i32, end: i32): bool {
  let i = start;
  while (i < end) {
    const c = <u32>s[i];
    let n = 0;
    let min: u32 = 0;
    if (c < 0x80) { i++; continue; }
    else if ((c & 0xe0) == 0xc0) { n = 1; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { n = 2; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { n = 3; min = 0x10000; }
    else return false;
    if (i + n >= end) return false;
    let cp: u32 = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const b = <u32>s[i + k];
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

export function parseJson(src: Uint8Array): ParseResult {
  const p = new Parser(src);
  const r = new ParseResult();
  const v = p.value(0);
  if (v) {
    p.skipSpace();
    if (p.pos < src.length) p.fail("unexpected data after the top-level value");
  }
  if (p.error) r.error = p.error;
  else r.value = v;
  return r;
}

/** 1-based line and column (in bytes) of an offset. */
export function lineColumn(src: Uint8Array, offset: i32): i32[] {
  let line = 1;
  let col = 1;
  const end = min(offset, src.length);
  for (let i = 0; i < end; i++) {
    if (src[i] == 0x0a) { line++; col = 1; } else col++;
  }
  return [line, col];
}
