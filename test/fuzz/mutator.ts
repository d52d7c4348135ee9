// Mutations of a JSON tree (types, required fields, duplicates, number edges, paths, unknown
// keys, nesting) and of the JSON text's bytes (truncation, bit flips, inserted bytes, bad UTF-8).
import { Rng } from "./prng";
import { RawNumber, isObject, setKey, type Tree } from "./tree";
import type { ConfigGenerator } from "./generator";

type Slot = { parent: Tree[] | { [k: string]: Tree }; key: string | number; value: Tree };

/** Every (parent, key) in the tree, the root excluded. */
function slots(t: Tree, out: Slot[] = []): Slot[] {
  if (Array.isArray(t)) t.forEach((v, i) => { out.push({ parent: t, key: i, value: v }); slots(v, out); });
  else if (isObject(t)) for (const k of Object.keys(t)) { out.push({ parent: t, key: k, value: t[k] }); slots(t[k], out); }
  return out;
}

function set(s: Slot, v: Tree): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = v;
  else setKey(s.parent, s.key as string, v);
}

const EDGE_NUMBERS = ["-1", "0", "-0", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1.0", "1e3", "0.5", "1E+2", "123456789012345678901234567890"];
const UNKNOWN_KEYS = ["x-unknown", "futureField", "__proto__", "constructor", "a/b", "m~n", "", "ünï", "toString"];
const NASTY_STRINGS = ["", " ", "/", "\u0000", "\u001f", "\ud800", "\uffff", "\"", "\\", "~1", "é", "𝄞", "a".repeat(300)];

export class TreeMutator {
  constructor(private rng: Rng, private gen: ConfigGenerator) {}

  /** Applies 1..n mutations in place; returns the (possibly new) root. */
  mutate(root: Tree, n: number): Tree {
    for (let i = 0; i < n; i++) root = this.once(root);
    return root;
  }

  private once(root: Tree): Tree {
    const r = this.rng;
    const all = slots(root);
    if (all.length === 0) return r.chance(0.5) ? this.gen.wrongType() : root;
    const s = r.pick(all);
    switch (r.int(0, 10)) {
      case 0: set(s, this.gen.wrongType()); break; // change the type
      case 1: // drop a field (often a required one)
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete s.parent[s.key as string];
        break;
      case 2: { // duplicate an array entry (namespaces, rlimits, mounts...)
        const arrays = all.filter((x) => Array.isArray(x.value) && x.value.length > 0);
        if (arrays.length === 0) break;
        const a = r.pick(arrays).value as Tree[];
        a.splice(r.int(0, a.length), 0, a[r.int(0, a.length - 1)]);
        break;
      }
      case 3: set(s, new RawNumber(r.pick(EDGE_NUMBERS))); break;
      case 4: // a relative path, or an absolute one made odd
        if (typeof s.value === "string") set(s, s.value.startsWith("/") ? s.value.slice(1) : "/" + s.value);
        else set(s, r.pick(["rel/path", "/abs", ".."]));
        break;
      case 5: { // an unknown key in some object
        const objs = [root, ...all.map((x) => x.value)].filter(isObject);
        if (objs.length > 0) setKey(r.pick(objs), r.pick(UNKNOWN_KEYS), this.gen.wrongType());
        break;
      }
      case 6: { // deep nesting around a value, sometimes past the core's limit
        let v = s.value;
        const depth = r.pick([5, 50, 198, 199, 200, 201, 250]);
        for (let i = 0; i < depth; i++) v = r.chance(0.5) ? [v] : { a: v };
        set(s, v);
        break;
      }
      case 7: set(s, r.pick(NASTY_STRINGS)); break;
      case 8: set(s, null); break;
      case 9: // swap in a freshly generated section
        set(s, r.pick<() => Tree>([() => this.gen.mount(), () => this.gen.rlimit(), () => this.gen.device(), () => this.gen.idMapping(), () => this.gen.process()])());
        break;
      default: // an empty container of the same kind
        set(s, Array.isArray(s.value) ? [] : isObject(s.value) ? {} : s.value);
    }
    return root;
  }
}

const INVALID_UTF8 = [[0xff], [0xc0, 0xaf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0x80], [0xef, 0xbb, 0xbf]];
const JSON_BYTES = '{}[]":,0-.eE\\ntfu \n\t'.split("").map((c) => c.charCodeAt(0));

export class ByteMutator {
  constructor(private rng: Rng) {}

  mutate(bytes: Uint8Array, n: number): Uint8Array {
    let b = bytes;
    for (let i = 0; i < n; i++) b = this.once(b);
    return b;
  }

  private once(b: Uint8Array): Uint8Array {
    const r = this.rng;
    const at = r.int(0, b.length);
    const splice = (del: number, ins: number[]) => {
      const out = new Uint8Array(b.length - Math.min(del, b.length - at) + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(Math.min(b.length, at + del)), at + ins.length);
      return out;
    };
    switch (r.int(0, 6)) {
      case 0: return b.slice(0, at); // truncation
      case 1: { // bit flip
        if (b.length === 0) return b;
        const out = b.slice();
        const i = r.int(0, b.length - 1);
        out[i] ^= 1 << r.int(0, 7);
        return out;
      }
      case 2: return splice(0, [r.int(0, 255)]); // a random byte
      case 3: return splice(0, [r.pick(JSON_BYTES)]); // a byte that means something in JSON
      case 4: return splice(r.int(0, 1), r.pick(INVALID_UTF8)); // invalid UTF-8 (or a BOM)
      case 5: return splice(r.int(1, 8), []); // deletion
      default: { // a copied chunk
        const from = r.int(0, b.length);
        return splice(0, [...b.subarray(from, from + r.int(1, 32))]);
      }
    }
  }
}
