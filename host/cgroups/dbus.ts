// A small D-Bus client, enough to drive systemd (host/cgroups/systemd-bus.ts): the wire format
// (marshalling by signature with the specification's alignment rules, both byte orders on
// input), the message header, SASL EXTERNAL on a unix socket, method calls with their replies
// routed by serial, and signals handed to a callback. No unix fds, no introspection, no server.
// Written here rather than taken from npm: the few maintained packages (dbus-next) are much
// larger than this, pull in dependencies, and are not made for Bun's compiled executable.
import { createConnection, type Socket } from "node:net";

export type DbusValue = boolean | number | bigint | string | DbusValue[] | Variant;

/** A `v`: a value with its own signature (one complete type). */
export class Variant {
  constructor(readonly signature: string, readonly value: DbusValue) {}
}

export const enum MessageType { MethodCall = 1, MethodReturn = 2, Error = 3, Signal = 4 }

export interface Message {
  type: MessageType;
  flags?: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature ("" or absent: no body). */
  signature?: string;
  body?: DbusValue[];
}

/** An ERROR reply: `name` is the D-Bus error name (org.freedesktop.systemd1.NoSuchUnit). */
export class DbusError extends Error {
  constructor(readonly name: string, readonly text: string) {
    super(`${name}: ${text}`);
  }
}

const MAX_MESSAGE = 128 << 20;
const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, v: 1, a: 4, "(": 8, "{": 8 };
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The index just past the complete type that starts at sig[i]. */
function typeEnd(sig: string, i: number): number {
  const c = sig[i];
  if (c === undefined) throw new TypeError(`invalid signature "${sig}": a type is missing`);
  if ("ybnqiuxtdhsogv".includes(c)) return i + 1;
  if (c === "a") {
    if (sig[i + 1] !== "{") return typeEnd(sig, i + 1);
    if (!"ybnqiuxtdhsog".includes(sig[i + 2] ?? "")) throw new TypeError(`invalid signature "${sig}": a dict entry's key must be a basic type`);
    const end = typeEnd(sig, i + 3);
    if (sig[end] !== "}") throw new TypeError(`invalid signature "${sig}": a dict entry has two types`);
    return end + 1;
  }
  if (c === "(") {
    let j = i + 1;
    if (sig[j] === ")") throw new TypeError(`invalid signature "${sig}": an empty struct`);
    while (sig[j] !== ")") {
      if (j >= sig.length) throw new TypeError(`invalid signature "${sig}": a struct is not closed`);
      j = typeEnd(sig, j);
    }
    return j + 1;
  }
  throw new TypeError(`invalid signature "${sig}": unknown type "${c}"`);
}

/** The complete types of a signature. */
function splitTypes(sig: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sig.length; ) {
    const end = typeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

class Writer {
  buf = new Uint8Array(256);
  len = 0;
  /** base: where the first byte sits in the message (alignment is from the message's start). */
  constructor(readonly base: number) {}

  private room(n: number): DataView {
    if (this.len + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    const view = new DataView(this.buf.buffer, this.len, n);
    this.len += n;
    return view;
  }

  align(n: number): void {
    const pad = (n - ((this.base + this.len) % n)) % n;
    this.room(pad); // zeroed: the buffer is only ever grown
  }

  bytes(b: Uint8Array): void {
    this.room(0);
    const start = this.len;
    this.room(b.length);
    this.buf.set(b, start);
  }

  value(t: string, v: DbusValue): void {
    const c = t[0];
    this.align(ALIGN[c]);
    switch (c) {
      case "y": return this.room(1).setUint8(0, int(v, 0, 0xff, "byte"));
      case "b":
        if (typeof v !== "boolean") throw new TypeError(`a boolean is needed, not ${JSON.stringify(v)}`);
        return this.room(4).setUint32(0, v ? 1 : 0, true);
      case "n": return this.room(2).setInt16(0, int(v, -0x8000, 0x7fff, "int16"), true);
      case "q": return this.room(2).setUint16(0, int(v, 0, 0xffff, "uint16"), true);
      case "i": return this.room(4).setInt32(0, int(v, -0x80000000, 0x7fffffff, "int32"), true);
      case "u": case "h": return this.room(4).setUint32(0, int(v, 0, 0xffffffff, "uint32"), true);
      case "x": return this.room(8).setBigInt64(0, big(v, -(2n ** 63n), 2n ** 63n - 1n, "int64"), true);
      case "t": return this.room(8).setBigUint64(0, big(v, 0n, 2n ** 64n - 1n, "uint64"), true);
      case "d":
        if (typeof v !== "number") throw new TypeError(`a double is needed, not ${JSON.stringify(v)}`);
        return this.room(8).setFloat64(0, v, true);
      case "s": case "o": {
        const b = text(v);
        this.room(4).setUint32(0, b.length, true);
        this.bytes(b);
        return this.room(1).setUint8(0, 0);
      }
      case "g": {
        const b = text(v);
        if (b.length > 255) throw new TypeError("a signature is at most 255 bytes");
        this.room(1).setUint8(0, b.length);
        this.bytes(b);
        return this.room(1).setUint8(0, 0);
      }
      case "v": {
        if (!(v instanceof Variant)) throw new TypeError(`a Variant is needed, not ${JSON.stringify(v)}`);
        if (typeEnd(v.signature, 0) !== v.signature.length) throw new TypeError(`a variant holds one complete type, not "${v.signature}"`);
        this.value("g", v.signature);
        return this.value(v.signature, v.value);
      }
      case "a": {
        if (!Array.isArray(v)) throw new TypeError(`an array is needed for "${t}", not ${JSON.stringify(v)}`);
        const lenAt = this.len;
        this.room(4);
        const elem = t.slice(1);
        this.align(ALIGN[elem[0]]); // even when empty
        const start = this.len;
        for (const item of v) this.value(elem, item);
        new DataView(this.buf.buffer).setUint32(lenAt, this.len - start, true);
        return;
      }
      case "(": case "{": {
        const fields = splitTypes(t.slice(1, -1));
        if (!Array.isArray(v) || v.length !== fields.length) throw new TypeError(`"${t}" needs ${fields.length} values, not ${JSON.stringify(v)}`);
        fields.forEach((f, k) => this.value(f, v[k]));
        return;
      }
    }
    throw new TypeError(`invalid signature "${t}"`);
  }
}

function int(v: DbusValue, min: number, max: number, type: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new TypeError(`${JSON.stringify(v)} is not a ${type}`);
  return v;
}

function big(v: DbusValue, min: bigint, max: bigint, type: string): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === "string" && /^-?[0-9]+$/.test(v)) b = BigInt(v);
  else throw new TypeError(`${String(v)} is not a ${type}`);
  if (b < min || b > max) throw new TypeError(`${String(v)} is not a ${type}`);
  return b;
}

function text(v: DbusValue): Uint8Array {
  if (typeof v !== "string") throw new TypeError(`a string is needed, not ${JSON.stringify(v)}`);
  if (v.includes("\0")) throw new TypeError("a D-Bus string cannot hold NUL");
  return encoder.encode(v);
}

/** The values of a signature, laid out as if the first byte were at `offset` of a message. */
export function marshal(signature: string, values: DbusValue[], offset = 0): Uint8Array {
  const types = splitTypes(signature);
  if (types.length !== values.length) throw new TypeError(`signature "${signature}" has ${types.length} values, not ${values.length}`);
  const w = new Writer(offset);
  types.forEach((t, i) => w.value(t, values[i]));
  return w.buf.slice(0, w.len);
}

class Reader {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array, public pos: number, readonly le: boolean) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private take(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) throw new RangeError("a D-Bus message ends inside a value");
    this.pos += n;
    return at;
  }

  align(n: number): void {
    this.take((n - (this.pos % n)) % n);
  }

  private string(lenBytes: 1 | 4): string {
    const n = lenBytes === 1 ? this.view.getUint8(this.take(1)) : this.view.getUint32(this.take(4), this.le);
    const at = this.take(n + 1);
    return decoder.decode(this.buf.subarray(at, at + n));
  }

  value(t: string): DbusValue {
    const c = t[0];
    this.align(ALIGN[c]);
    const v = this.view;
    switch (c) {
      case "y": return v.getUint8(this.take(1));
      case "b": return v.getUint32(this.take(4), this.le) !== 0;
      case "n": return v.getInt16(this.take(2), this.le);
      case "q": return v.getUint16(this.take(2), this.le);
      case "i": return v.getInt32(this.take(4), this.le);
      case "u": case "h": return v.getUint32(this.take(4), this.le);
      case "x": return v.getBigInt64(this.take(8), this.le);
      case "t": return v.getBigUint64(this.take(8), this.le);
      case "d": return v.getFloat64(this.take(8), this.le);
      case "s": case "o": return this.string(4);
      case "g": return this.string(1);
      case "v": {
        const sig = this.string(1);
        if (typeEnd(sig, 0) !== sig.length) throw new TypeError(`a variant holds one complete type, not "${sig}"`);
        return new Variant(sig, this.value(sig));
      }
      case "a": {
        const n = v.getUint32(this.take(4), this.le);
        const elem = t.slice(1);
        this.align(ALIGN[elem[0]]);
        const end = this.pos + n;
        if (end > this.buf.length) throw new RangeError("a D-Bus array is longer than its message");
        const out: DbusValue[] = [];
        while (this.pos < end) out.push(this.value(elem));
        return out;
      }
      case "(": case "{": return splitTypes(t.slice(1, -1)).map((f) => this.value(f));
    }
    throw new TypeError(`invalid signature "${t}"`);
  }
}

/** The values of a signature from bytes laid out from the message's start at index 0. */
export function unmarshal(signature: string, bytes: Uint8Array, offset = 0, littleEndian = true): DbusValue[] {
  const r = new Reader(bytes, offset, littleEndian);
  return splitTypes(signature).map((t) => r.value(t));
}

// Header field codes.
const FIELDS: [keyof Message, number, string][] = [
  ["path", 1, "o"], ["interface", 2, "s"], ["member", 3, "s"], ["errorName", 4, "s"], ["replySerial", 5, "u"],
  ["destination", 6, "s"], ["sender", 7, "s"], ["signature", 8, "g"],
];

export function encodeMessage(m: Message): Uint8Array {
  const body = m.signature ? marshal(m.signature, m.body ?? []) : new Uint8Array(0);
  const fields: DbusValue[] = [];
  for (const [key, code, sig] of FIELDS) {
    const v = m[key];
    if (v !== undefined && v !== "") fields.push([code, new Variant(sig, v as DbusValue)]);
  }
  const header = marshal("yyyyuua(yv)", [0x6c, m.type, m.flags ?? 0, 1, body.length, m.serial, fields]);
  const start = Math.ceil(header.length / 8) * 8;
  const out = new Uint8Array(start + body.length);
  out.set(header);
  out.set(body, start);
  return out;
}

/** The first message in buf and its size, or null when buf does not hold all of it yet. */
export function decodeMessage(buf: Uint8Array): { message: Message; size: number } | null {
  if (buf.length < 16) return null;
  const le = buf[0] === 0x6c;
  if (!le && buf[0] !== 0x42) throw new TypeError(`not a D-Bus message (byte order ${buf[0]})`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bodyLen = view.getUint32(4, le);
  const headerEnd = Math.ceil((16 + view.getUint32(12, le)) / 8) * 8;
  const size = headerEnd + bodyLen;
  if (size > MAX_MESSAGE) throw new RangeError(`a D-Bus message of ${size} bytes is over the limit`);
  if (buf.length < size) return null;
  const [, type, flags, , , serial, fields] = unmarshal("yyyyuua(yv)", buf.subarray(0, headerEnd), 0, le) as [number, number, number, number, number, number, [number, Variant][]];
  const message: Message = { type, flags, serial };
  for (const [code, v] of fields) {
    const f = FIELDS.find(([, c]) => c === code);
    if (f) (message as unknown as Record<string, DbusValue>)[f[0]] = v.value;
  }
  message.body = message.signature ? unmarshal(message.signature, buf.subarray(headerEnd, size), 0, le) : [];
  return { message, size };
}

/** SASL: the NUL byte every D-Bus client sends first, EXTERNAL with the uid in hex of its decimal
 * digits (the server compares it with SO_PEERCRED), and BEGIN at once after it (pipelined). */
export function authCommands(uid: number): string {
  return `\0AUTH EXTERNAL ${Buffer.from(String(uid), "latin1").toString("hex")}\r\nBEGIN\r\n`;
}

/** The socket of a bus address's first `unix:path=` entry (DBUS_SYSTEM_BUS_ADDRESS). */
export function busSocketPath(address: string): string | undefined {
  for (const entry of address.split(";")) {
    if (!entry.startsWith("unix:")) continue;
    for (const kv of entry.slice(5).split(",")) {
      if (kv.startsWith("path=")) return decodeURIComponent(kv.slice(5));
    }
  }
  return undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory", ECONNREFUSED: "connection refused", EACCES: "permission denied",
  EPERM: "operation not permitted", ECONNRESET: "connection reset by peer", ENOTSOCK: "socket operation on non-socket",
};

export interface CallOptions {
  destination?: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: DbusValue[];
  timeoutMs?: number;
}

/** One connection: a peer (systemd's private socket) or a bus (then Hello first). */
export class DbusConnection {
  /** Every signal that arrives, in order. */
  onSignal?: (m: Message) => void;
  private serial = 0;
  private buf = new Uint8Array(0);
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private closed: Error | undefined;

  private constructor(private readonly sock: Socket, readonly path: string) {}

  /** Connects, authenticates as uid, and on a bus says Hello. */
  static connect(path: string, opts: { uid: number; hello?: boolean; timeoutMs?: number }): Promise<DbusConnection> {
    return new Promise((resolve, reject) => {
      const sock = createConnection({ path });
      const conn = new DbusConnection(sock, path);
      const timer = setTimeout(() => fail(new Error(`${path}: no answer to the authentication`)), opts.timeoutMs ?? 25_000);
      let line = "";
      let authed = false;
      const fail = (err: Error) => {
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      };
      sock.on("connect", () => sock.write(authCommands(opts.uid)));
      sock.on("error", (err: NodeJS.ErrnoException) => {
        const why = new Error(`${path}: ${ERRNO_TEXT[err.code ?? ""] ?? err.message}`);
        if (!authed) fail(why);
        else conn.shut(why);
      });
      sock.on("close", () => conn.shut(new Error(`${path}: connection closed`)));
      sock.on("data", (chunk: Buffer) => {
        if (authed) return conn.receive(chunk);
        const all = line + chunk.toString("latin1");
        const eol = all.indexOf("\r\n");
        if (eol < 0) {
          line = all;
          return;
        }
        const answer = all.slice(0, eol);
        if (!answer.startsWith("OK ")) return fail(new Error(`${path}: authentication rejected: ${answer}`));
        authed = true;
        clearTimeout(timer);
        conn.receive(Buffer.from(all.slice(eol + 2), "latin1"));
        if (!opts.hello) return resolve(conn);
        conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "Hello" })
          .then(() => resolve(conn), (err) => fail(err));
      });
    });
  }

  call(o: CallOptions): Promise<Message> {
    if (this.closed) return Promise.reject(this.closed);
    const serial = ++this.serial;
    const bytes = encodeMessage({
      type: MessageType.MethodCall, serial, destination: o.destination, path: o.path, interface: o.interface, member: o.member,
      signature: o.signature, body: o.body,
    });
    return new Promise((resolve, reject) => {
      const timeoutMs = o.timeoutMs ?? 25_000;
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        reject(new Error(`${o.interface}.${o.member}: no reply within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.pending.set(serial, { resolve, reject, timer });
      this.sock.write(bytes);
    });
  }

  close(): void {
    this.shut(new Error(`${this.path}: connection closed`));
    this.sock.destroy();
  }

  private receive(chunk: Uint8Array): void {
    const all = new Uint8Array(this.buf.length + chunk.length);
    all.set(this.buf);
    all.set(chunk, this.buf.length);
    let at = 0;
    try {
      for (let d = decodeMessage(all); d; d = decodeMessage(all.subarray(at))) {
        at += d.size;
        this.dispatch(d.message);
      }
    } catch (err) {
      this.shut(new Error(`${this.path}: ${(err as Error).message}`));
      this.sock.destroy();
      return;
    }
    this.buf = all.slice(at);
  }

  private dispatch(m: Message): void {
    if (m.type === MessageType.Signal) return this.onSignal?.(m);
    if (m.type !== MessageType.MethodReturn && m.type !== MessageType.Error) return;
    const p = m.replySerial === undefined ? undefined : this.pending.get(m.replySerial);
    if (!p) return;
    this.pending.delete(m.replySerial!);
    clearTimeout(p.timer);
    if (m.type === MessageType.Error) p.reject(new DbusError(m.errorName ?? "org.freedesktop.DBus.Error.Failed", String(m.body?.[0] ?? "")));
    else p.resolve(m);
  }

  private shut(err: Error): void {
    if (this.closed) return;
    this.closed = err;
    for (const [serial, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(serial);
      p.reject(err);
    }
  }
}
