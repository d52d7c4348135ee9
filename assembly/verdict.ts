// The core's verdict (docs/formats.md §2): a status line, then named, length-prefixed sections.
import { Diagnostic } from "./diagnostics";
import { quote } from "./json/write";

export class Verdict {
  private parts: Uint8Array[] = [];
  private size: i32 = 0;

  constructor(ok: bool) {
    this.text("ocirun-verdict 1 " + (ok ? "ok" : "invalid") + "\n");
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private text(s: string): void {
    this.push(Uint8Array.wrap(String.UTF8.encode(s)));
  }

  section(name: string, bytes: Uint8Array): void {
    this.text(name + " " + bytes.length.toString() + "\n");
    this.push(bytes);
    this.text("\n");
  }

  sectionText(name: string, s: string): void {
    this.section(name, Uint8Array.wrap(String.UTF8.encode(s)));
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (let i = 0; i < this.parts.length; i++) {
      out.set(this.parts[i], pos);
      pos += this.parts[i].length;
    }
    return out;
  }
}

export function diagnosticsJson(list: Diagnostic[]): string {
  let out = "[";
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    out += (i > 0 ? "," : "") + "{\"severity\":" + quote(d.severity) + ",\"code\":" + quote(d.code) +
      ",\"pointer\":" + quote(d.pointer) + ",\"message\":" + quote(d.message) + "}";
  }
  return out + "]";
}
