// A parsed JSON value that remembers where it came from, so every diagnostic can point back
// into config.json.

export const enum JsonKind { Null, Bool, Number, String, Array, Object }

const NO_ITEMS: JsonValue[] = [];
const NO_KEYS: string[] = [];

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  boolValue: bool = false;
  /** Numbers keep their source text: u64 limits such as 18446744073709551615 do not fit an f64. */
  numText: string = "";
  str: string = "";
  items: JsonValue[];
  /** Object keys, parallel to items. A repeated key: the last one wins, as in Go's encoding/json. */
  keys: string[];
  offset: i32 = 0;

  constructor(kind: JsonKind, offset: i32) {
    this.kind = kind;
    this.offset = offset;
    // Scalars share empty lists (nothing pushes to them): two fewer allocations per value.
    const container = kind == JsonKind.Array || kind == JsonKind.Object;
    this.items = container ? [] : NO_ITEMS;
    this.keys = kind == JsonKind.Object ? [] : NO_KEYS;
  }

  get(key: string): JsonValue | null {
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

  isNull(): bool { return this.kind == JsonKind.Null; }
}

export function kindName(kind: JsonKind): string {
  switch (kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "a boolean";
    case JsonKind.Number: return "a number";
    case JsonKind.String: return "a string";
    case JsonKind.Array: return "an array";
    default: return "an object";
  }
}

/** JSON pointer of a child: RFC 6901 escaping of "~" and "/". */
export function childPointer(parent: string, key: string): string {
  if (key.indexOf("~") < 0 && key.indexOf("/") < 0) return parent + "/" + key;
  return parent + "/" + key.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function indexPointer(parent: string, index: i32): string {
  return parent + "/" + index.toString();
}

/** obj[key] = v: the value get() reads is replaced, or the key added. */
export function setKey(obj: JsonValue, key: string, v: JsonValue): void {
  for (let i = obj.keys.length - 1; i >= 0; i--) {
    if (obj.keys[i] == key) { obj.items[i] = v; return; }
  }
  obj.keys.push(key);
  obj.items.push(v);
}

/** Every entry of key removed from obj. */
export function removeKey(obj: JsonValue, key: string): void {
  for (let i = obj.keys.length - 1; i >= 0; i--) {
    if (obj.keys[i] == key) { obj.keys.splice(i, 1); obj.items.splice(i, 1); }
  }
}

/** A number made in place of parsed text (text must be a JSON number). */
export function numberValue(text: string): JsonValue {
  const v = new JsonValue(JsonKind.Number, 0);
  v.numText = text;
  return v;
}

export function stringValue(s: string): JsonValue {
  const v = new JsonValue(JsonKind.String, 0);
  v.str = s;
  return v;
}
