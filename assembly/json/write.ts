// JSON text output: string escaping and a small builder for the verdict's JSON sections.
import { JsonValue, JsonKind } from "./value";

export function quote(s: string): string {
  let out = "\"";
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c == 0x22) esc = "\\\"";
    else if (c == 0x5c) esc = "\\\\";
    else if (c == 0x0a) esc = "\\n";
    else if (c == 0x0d) esc = "\\r";
    else if (c == 0x09) esc = "\\t";
    else if (c < 0x20) esc = "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    if (esc !== null) {
      out += s.substring(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.substring(run) + "\"";
}

/** Compact JSON text of a parsed value: numbers as their source text (u64 limits stay exact),
 * an object's repeated key once, with the value get() reads (the last), at its last place. */
export function stringify(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return v.boolValue ? "true" : "false";
    case JsonKind.Number: return v.numText;
    case JsonKind.String: return quote(v.str);
    case JsonKind.Array: {
      let out = "[";
      for (let i = 0; i < v.items.length; i++) out += (i > 0 ? "," : "") + stringify(v.items[i]);
      return out + "]";
    }
    default: {
      let out = "{";
      let first = true;
      for (let i = 0; i < v.keys.length; i++) {
        if (v.get(v.keys[i]) !== v.items[i]) continue;
        out += (first ? "" : ",") + quote(v.keys[i]) + ":" + stringify(v.items[i]);
        first = false;
      }
      return out + "}";
    }
  }
}
