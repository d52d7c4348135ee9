// Builds the binary init plan (docs/formats.md §3) and, when asked, its disassembly: one
// line per op, each argument with its name, and the config field the op came from.
import { quote } from "../json/write";
import { capabilityName } from "../config/capabilities";
import { mountFlagNames } from "./mount-flags";
import { cloneFlagNames } from "./clone-flags";

import {
  PLAN_MAGIC, PLAN_VERSION, PLAN_HEADER_SIZE, PLAN_VERSION_AT, PLAN_COUNT_AT, PLAN_FIRST_OP_AT, PLAN_STRINGS_AT,
  PLAN_STRINGS_LEN_AT, PLAN_CLONE_FLAGS_AT, PLAN_OP_HEADER_SIZE, PLAN_OP_ARGC_AT, PLAN_OP_SOURCE_AT, PLAN_OP_WHAT_AT,
} from "./ops";

const HEADER_SIZE: i32 = <i32>PLAN_HEADER_SIZE;
const OP_HEADER_SIZE: i32 = <i32>PLAN_OP_HEADER_SIZE;

export class PlanWriter {
  private words: u64[] = [];
  /** Per op: [opcode, argc, source, what], then its args start at argStart. */
  private opHeaders: u32[] = [];
  private argStarts: i32[] = [];
  // The string table as bytes, grown by doubling and filled with memory.copy: byte-by-byte
  // pushes were a large part of the core's run time for big configs.
  private strings: Uint8Array = new Uint8Array(4096);
  private stringsLength: i32 = 1; // offset 0: the empty string
  private stringIndex: Map<string, u32> = new Map();
  private lines: string[] = [];
  private line: string = "";
  private source: string = "";
  cloneFlags: u32 = 0;

  constructor(public withText: bool) {}

  str(s: string): u32 {
    if (s.length == 0) return 0;
    if (this.stringIndex.has(s)) return this.stringIndex.get(s);
    const off = <u32>this.stringsLength;
    const n = String.UTF8.byteLength(s, true); // NUL-terminated
    if (this.stringsLength + n > this.strings.length) {
      let size = this.strings.length * 2;
      while (size < this.stringsLength + n) size *= 2;
      const bigger = new Uint8Array(size);
      memory.copy(bigger.dataStart, this.strings.dataStart, this.stringsLength);
      this.strings = bigger;
    }
    // Encoded in place: no buffer per string.
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.strings.dataStart + this.stringsLength, true);
    this.stringsLength += n;
    this.stringIndex.set(s, off);
    return off;
  }

  /** Starts an op. `source` is the JSON pointer of its config field ("" for built-in defaults). */
  op(code: u16, name: string, source: string, what: string): PlanWriter {
    this.endLine();
    this.opHeaders.push(code);
    this.opHeaders.push(0);
    this.opHeaders.push(this.str(source));
    this.opHeaders.push(this.str(what));
    this.argStarts.push(this.words.length);
    if (this.withText) {
      const index = this.argStarts.length - 1;
      this.line = pad(index.toString(), 3) + " " + name;
      this.source = source;
    }
    return this;
  }

  private arg(word: u64, text: string): PlanWriter {
    this.words.push(word);
    this.opHeaders[this.opHeaders.length - 3]++;
    if (this.withText) this.line += " " + text;
    return this;
  }

  // The labels are built only for the disassembly: at create they were a large share of the
  // core's time.
  s(name: string, value: string): PlanWriter { return this.arg(<u64>this.str(value), this.withText ? name + "=" + quote(value) : ""); }
  n(name: string, value: u64): PlanWriter { return this.arg(value, this.withText ? name + "=" + value.toString() : ""); }
  octal(name: string, value: u64): PlanWriter { return this.arg(value, this.withText ? name + "=0" + value.toString(8) : ""); }
  mountFlags(name: string, value: u64): PlanWriter { return this.arg(value, this.withText ? name + "=" + mountFlagNames(value) : ""); }
  cloneFlags_(name: string, value: u64): PlanWriter { return this.arg(value, this.withText ? name + "=" + cloneFlagNames(<u32>value) : ""); }
  named(name: string, value: u64, label: string): PlanWriter { return this.arg(value, this.withText ? name + "=" + label : ""); }

  where(value: u64): PlanWriter {
    if (!this.withText) return this.arg(value, "");
    let label = "";
    if (value & 1) label += "target-in-root";
    if (value & 2) label += (label.length > 0 ? "|" : "") + "source-in-root";
    if (value & 4) label += (label.length > 0 ? "|" : "") + "propagation";
    if (value & 8) label += (label.length > 0 ? "|" : "") + "real-dir";
    return this.arg(value, "where=" + (label.length > 0 ? label : "host"));
  }

  caps(name: string, mask: u64): PlanWriter {
    if (!this.withText) return this.arg(mask, "");
    let label = "";
    for (let bit = 0; bit < 64; bit++) {
      if ((mask >> bit) & 1) label += (label.length > 0 ? "," : "") + capabilityName(bit);
    }
    return this.arg(mask, name + "=[" + label + "]");
  }

  strList(name: string, values: string[]): PlanWriter {
    this.arg(<u64>values.length, "");
    let label = "";
    for (let i = 0; i < values.length; i++) {
      this.words.push(<u64>this.str(values[i]));
      this.opHeaders[this.opHeaders.length - 3]++;
      if (this.withText) label += (i > 0 ? "," : "") + quote(values[i]);
    }
    if (this.withText) this.line += name + "=[" + label + "]";
    return this;
  }

  numList(name: string, values: u32[]): PlanWriter {
    this.arg(<u64>values.length, "");
    let label = "";
    for (let i = 0; i < values.length; i++) {
      this.words.push(<u64>values[i]);
      this.opHeaders[this.opHeaders.length - 3]++;
      if (this.withText) label += (i > 0 ? "," : "") + values[i].toString();
    }
    if (this.withText) this.line += name + "=[" + label + "]";
    return this;
  }

  /** A list of u64 words, shown in the disassembly by its length only. */
  u64List(name: string, values: u64[]): PlanWriter {
    this.arg(<u64>values.length, "");
    for (let i = 0; i < values.length; i++) this.words.push(values[i]);
    this.opHeaders[this.opHeaders.length - 3] += values.length;
    if (this.withText) this.line += name + "=<" + values.length.toString() + " words>";
    return this;
  }

  private endLine(): void {
    if (this.withText && this.line.length > 0) {
      this.lines.push(this.source.length > 0 ? this.line + "  <- " + this.source : this.line);
    }
    this.line = "";
  }

  opCount(): i32 { return this.argStarts.length; }

  text(): string {
    this.endLine();
    return "clone " + cloneFlagNames(this.cloneFlags) + "\n" + this.lines.join("\n") + "\n";
  }

  finish(): Uint8Array {
    const n = this.argStarts.length;
    const opsSize = n * OP_HEADER_SIZE + this.words.length * 8;
    const strOff = HEADER_SIZE + opsSize;
    const out = new Uint8Array(strOff + this.stringsLength);
    const view = new DataView(out.buffer);
    view.setUint32(0, PLAN_MAGIC, true); // "OCIP"
    view.setUint32(PLAN_VERSION_AT, PLAN_VERSION, true);
    view.setUint32(PLAN_COUNT_AT, n, true);
    view.setUint32(PLAN_FIRST_OP_AT, HEADER_SIZE, true);
    view.setUint32(PLAN_STRINGS_AT, strOff, true);
    view.setUint32(PLAN_STRINGS_LEN_AT, this.stringsLength, true);
    view.setUint32(PLAN_CLONE_FLAGS_AT, this.cloneFlags, true);
    let pos = HEADER_SIZE;
    for (let i = 0; i < n; i++) {
      const argc = this.opHeaders[i * 4 + 1];
      view.setUint16(pos, <u16>this.opHeaders[i * 4], true);
      view.setUint16(pos + PLAN_OP_ARGC_AT, <u16>argc, true);
      view.setUint32(pos + PLAN_OP_SOURCE_AT, this.opHeaders[i * 4 + 2], true);
      view.setUint32(pos + PLAN_OP_WHAT_AT, this.opHeaders[i * 4 + 3], true);
      pos += OP_HEADER_SIZE;
      const start = this.argStarts[i];
      for (let k: u32 = 0; k < argc; k++) {
        view.setUint64(pos, this.words[start + k], true);
        pos += 8;
      }
    }
    memory.copy(out.dataStart + strOff, this.strings.dataStart, this.stringsLength);
    return out;
  }
}

function pad(s: string, width: i32): string {
  while (s.length < width) s = " " + s;
  return s;
}
