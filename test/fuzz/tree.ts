// JSON trees as the generator and mutator build them: plain values, plus RawNumber for number
// literals a double cannot hold (u64 edges) or that must keep their spelling ("1.0", "1e3").
export class RawNumber {
  constructor(public text: string) {}
}

export type Tree = null | boolean | number | string | RawNumber | Tree[] | { [key: string]: Tree };

export function isObject(t: Tree): t is { [key: string]: Tree } {
  return t !== null && typeof t === "object" && !Array.isArray(t) && !(t instanceof RawNumber);
}

/** JSON text; indent 0 is compact. */
export function serialize(t: Tree, indent = 0): string {
  const nl = indent > 0 ? "\n" : "";
  const walk = (v: Tree, pad: string): string => {
    if (v instanceof RawNumber) return v.text;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      const inner = pad + " ".repeat(indent);
      return "[" + nl + v.map((x) => inner + walk(x, inner)).join("," + nl) + nl + pad + "]";
    }
    if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return "{}";
      const inner = pad + " ".repeat(indent);
      const sep = indent > 0 ? ": " : ":";
      return "{" + nl + keys.map((k) => inner + JSON.stringify(k) + sep + walk(v[k], inner)).join("," + nl) + nl + pad + "}";
    }
    return JSON.stringify(v);
  };
  return walk(t, "");
}

export function clone(t: Tree): Tree {
  if (t instanceof RawNumber) return new RawNumber(t.text);
  if (Array.isArray(t)) return t.map(clone);
  if (isObject(t)) {
    const out: { [key: string]: Tree } = {};
    for (const k of Object.keys(t)) setKey(out, k, clone(t[k]));
    return out;
  }
  return t;
}

/** obj[key] = value, also for "__proto__" (which must stay a plain member). */
export function setKey(obj: { [key: string]: Tree }, key: string, value: Tree): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
