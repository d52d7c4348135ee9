// host/cgroups/dbus.ts: the D-Bus wire format (marshalling with its alignment rules, the message
// header, both byte orders) byte by byte against the specification's layout and bytes systemd
// 252 accepted, and the connection (SASL EXTERNAL, replies routed by serial, signals, errors,
// messages split across reads) against a fake peer on a unix socket.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  authCommands, busSocketPath, DbusConnection, DbusError, decodeMessage, encodeMessage, marshal, MessageType, unmarshal, Variant,
} from "../../../host/cgroups/dbus.ts";
import { fakePeer } from "../../util/fake-dbus.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (...parts: (number[] | string)[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

test("a(sv) as systemd 252 took it: padding to 8 before each struct, the variant's value aligned by its own type", () => {
  // Marshalled at offset 6 of a body, as in StartTransientUnit after its first strings.
  const got = marshal("a(sv)", [[["Delegate", new Variant("b", true)], ["PIDs", new Variant("au", [1234])]]], 6);
  const want = bytes(
    [0, 0], [48, 0, 0, 0], [0, 0, 0, 0], // pad to 8, the array's length, pad to the struct's 8
    [8, 0, 0, 0], "Delegate\0", [1], "b\0", [1, 0, 0, 0], // (s "Delegate", v b true) ends at 36
    [0, 0, 0, 0], // pad to 40
    [4, 0, 0, 0], "PIDs\0", [2], "au\0", [0, 0, 0], [4, 0, 0, 0], [0xd2, 0x04, 0, 0],
  );
  assert.is(hex(got), hex(want));
});

test("an empty array still pads to its element's alignment (StartTransientUnit's aux)", () => {
  // At 5: pad to 8, the length 0, pad to 16 for the struct that is not there.
  assert.is(hex(marshal("a(sa(sv))", [[]], 5)), hex(bytes([0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0])));
  // At 1 (after StartTransientUnit's strings ended at 1 mod 8) the length ends at 8: no more padding.
  assert.is(hex(marshal("a(sa(sv))", [[]], 1)), hex(bytes([0, 0, 0], [0, 0, 0, 0])));
});

test("every basic type round-trips, 64-bit ones as bigint", () => {
  const sig = "ybnqiuxtdsogh";
  const values = [255, true, -2, 65535, -100000, 4000000000, -(2n ** 63n), 2n ** 64n - 1n, 1.5, "héllo", "/org/x", "a(sv)", 3];
  assert.equal(unmarshal(sig, marshal(sig, values)), values);
});

test("containers round-trip: arrays, structs, dict entries, nested variants, byte arrays", () => {
  const sig = "a{sv}a(ss)ayv(yay)";
  const values = [
    [["MemoryMax", new Variant("t", 67108864n)], ["AllowedCPUs", new Variant("ay", [7, 2])]],
    [["/dev/char/1:3", "rwm"], ["char-*", "m"]],
    [1, 2, 3],
    new Variant("v", new Variant("s", "inner")),
    [9, []],
  ];
  assert.equal(unmarshal(sig, marshal(sig, values)), values);
});

test("uint64 is also taken as a decimal string or a safe number", () => {
  assert.is(hex(marshal("t", ["18446744073709551615"])), "ffffffffffffffff");
  assert.is(hex(marshal("t", [5])), "0500000000000000");
});

test("a value that does not fit its type is refused", () => {
  assert.throws(() => marshal("u", [-1]), /uint32/);
  assert.throws(() => marshal("y", [256]), /byte/);
  assert.throws(() => marshal("t", ["-1"]), /uint64/);
  assert.throws(() => marshal("as", ["x"]), /array/);
  assert.throws(() => marshal("a(s", [[]]), /signature/);
  assert.throws(() => marshal("s", ["a\0b"]), /NUL/);
});

test("a method call's header: fields 8-aligned, the header padded to 8, the body after it", () => {
  const m = encodeMessage({
    type: MessageType.MethodCall, serial: 7, path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager",
    member: "StopUnit", destination: "org.freedesktop.systemd1", signature: "ss", body: ["a.scope", "replace"],
  });
  assert.is(m[0], 0x6c); // 'l'
  assert.is(m[1], 1);
  assert.is(m[3], 1);
  const view = new DataView(m.buffer, m.byteOffset);
  const bodyLen = view.getUint32(4, true);
  assert.is(view.getUint32(8, true), 7);
  const headerEnd = Math.ceil((16 + view.getUint32(12, true)) / 8) * 8;
  assert.is(m.length, headerEnd + bodyLen);
  assert.equal(unmarshal("ss", m.subarray(headerEnd)), ["a.scope", "replace"]);
  // The first field: code 1 (PATH), variant signature "o", the path.
  assert.is(hex(m.subarray(16, 24)), hex(bytes([1, 1], "o\0", [25, 0, 0, 0])));
  const back = decodeMessage(m)!;
  assert.is(back.size, m.length);
  assert.equal(
    { ...back.message, body: back.message.body },
    { type: 1, flags: 0, serial: 7, path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager", member: "StopUnit", destination: "org.freedesktop.systemd1", signature: "ss", body: ["a.scope", "replace"] },
  );
});

test("a big-endian error reply, written out by hand, decodes", () => {
  const name = "org.freedesktop.systemd1.NoSuchUnit";
  const text = "Unit x.scope not loaded.";
  const header = bytes(
    "B", [3, 1, 1], [0, 0, 0, 4 + text.length + 1], [0, 0, 0, 9],
    [0, 0, 0, 63], // the fields' length: 16..79
    [4, 1], "s\0", [0, 0, 0, name.length], name + "\0", [0, 0, 0, 0], // code 4 ERROR_NAME, ends at 60: pad to 64
    [5, 1], "u\0", [0, 0, 0, 7], // code 5 REPLY_SERIAL 7
    [8, 1], "g\0", [1], "s\0", // code 8 SIGNATURE "s"
  );
  const padded = Buffer.concat([header, Buffer.alloc((8 - (header.length % 8)) % 8)]);
  const msg = Buffer.concat([padded, bytes([0, 0, 0, text.length], text + "\0")]);
  const d = decodeMessage(new Uint8Array(msg))!;
  assert.is(d.size, msg.length);
  assert.equal([d.message.type, d.message.flags, d.message.serial, d.message.errorName, d.message.replySerial, d.message.signature, d.message.body],
    [MessageType.Error, 1, 9, name, 7, "s", [text]]);
});

test("an incomplete message is not decoded yet", () => {
  const m = encodeMessage({ type: MessageType.Signal, serial: 1, path: "/a", interface: "a.b", member: "C", signature: "s", body: ["x"] });
  assert.is(decodeMessage(m.subarray(0, 10)), null);
  assert.is(decodeMessage(m.subarray(0, m.length - 1)), null);
  assert.ok(decodeMessage(m));
});

test("AUTH EXTERNAL names the uid in hex of its decimal digits; BEGIN follows at once", () => {
  assert.is(authCommands(0), "\0AUTH EXTERNAL 30\r\nBEGIN\r\n");
  assert.is(authCommands(1000), "\0AUTH EXTERNAL 31303030\r\nBEGIN\r\n");
});

test("a bus address: unix:path=, with other keys and escapes", () => {
  assert.is(busSocketPath("unix:path=/run/dbus/system_bus_socket"), "/run/dbus/system_bus_socket");
  assert.is(busSocketPath("unix:guid=abc,path=/tmp/a%20b;tcp:host=x"), "/tmp/a b");
  assert.is(busSocketPath("tcp:host=localhost,port=1"), undefined);
});

test("a connection authenticates, routes replies by serial, hands signals over, and turns ERROR into DbusError", async () => {
  const peer = await fakePeer((m, p, sock) => {
    if (m.member === "Fail") return p.error(m, "org.example.Nope", "no such thing");
    // A signal first, and the reply split in two writes.
    const signal = encodeMessage({ type: MessageType.Signal, serial: 101, path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager", member: "JobRemoved", signature: "uoss", body: [5, "/job/5", "x.scope", "done"] });
    const reply = encodeMessage({ type: MessageType.MethodReturn, serial: 102, replySerial: m.serial, signature: "o", body: ["/job/5"] });
    const both = Buffer.concat([signal, reply]);
    sock.write(both.subarray(0, 13));
    setTimeout(() => sock.write(both.subarray(13)), 5);
  });
  const conn = await DbusConnection.connect(peer.path, { uid: 0 });
  try {
    const signals: unknown[] = [];
    conn.onSignal = (s) => signals.push([s.member, s.body]);
    const reply = await conn.call({ destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager", member: "StopUnit", signature: "ss", body: ["x.scope", "replace"] });
    assert.equal(reply.body, ["/job/5"]);
    assert.equal(signals, [["JobRemoved", [5, "/job/5", "x.scope", "done"]]]);
    try {
      await conn.call({ path: "/", interface: "org.example", member: "Fail" });
      assert.unreachable("an ERROR reply rejects");
    } catch (err) {
      assert.instance(err, DbusError);
      assert.is((err as DbusError).name, "org.example.Nope");
      assert.is((err as DbusError).message, "org.example.Nope: no such thing");
    }
    assert.equal(peer.auth, ["\0AUTH EXTERNAL 30\r\nBEGIN\r\n"]);
  } finally {
    conn.close();
    peer.close();
  }
});

test("a peer that refuses the authentication, or closes, fails the pending call with one clear error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-dbus-"));
  const path = join(dir, "bus");
  const server = createServer((sock) => sock.on("data", () => sock.end("REJECTED EXTERNAL\r\n")));
  await new Promise<void>((r) => server.listen(path, r));
  try {
    await DbusConnection.connect(path, { uid: 0 }).then(() => assert.unreachable(), (err) => assert.match(String(err), /authentication rejected/));
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const peer = await fakePeer((_m, _p, sock) => sock.destroy());
  const conn = await DbusConnection.connect(peer.path, { uid: 0 });
  try {
    await conn.call({ path: "/", interface: "a.b", member: "C" }).then(() => assert.unreachable(), (err) => assert.match(String(err), /connection closed/));
  } finally {
    conn.close();
    peer.close();
  }
});

test("on a bus, Hello comes first", async () => {
  const calls: string[] = [];
  const peer = await fakePeer((m, p) => {
    calls.push(`${m.destination} ${m.interface}.${m.member}`);
    if (m.member === "Hello") p.reply(m, "s", [":1.7"]);
  });
  const conn = await DbusConnection.connect(peer.path, { uid: 0, hello: true });
  conn.close();
  peer.close();
  assert.equal(calls, ["org.freedesktop.DBus org.freedesktop.DBus.Hello"]);
});

test("connecting to a socket nobody listens on says so", async () => {
  await DbusConnection.connect("/nonexistent/bus", { uid: 0 }).then(() => assert.unreachable(), (err) => assert.match(String(err), /\/nonexistent\/bus: no such file or directory/));
});

test.run();
