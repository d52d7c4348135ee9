// A fake D-Bus peer on a unix socket for the host's D-Bus tests: it answers AUTH with OK, then
// hands every message it gets to `serve`, which answers through reply/error/signal.
import { createServer, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeMessage, encodeMessage, type DbusValue, type Message, MessageType } from "../../host/cgroups/dbus.ts";

export interface Peer {
  /** The socket's path. */
  path: string;
  /** The authentication each connection sent, up to BEGIN. */
  auth: string[];
  reply(to: Message, signature?: string, body?: DbusValue[]): void;
  error(to: Message, name: string, text: string): void;
  signal(path: string, iface: string, member: string, signature: string, body: DbusValue[]): void;
  close(): void;
}

export async function fakePeer(serve: (m: Message, peer: Peer, sock: Socket) => void): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-dbus-"));
  const path = join(dir, "bus");
  let serial = 1000;
  let current: Socket | undefined;
  const peer: Peer = {
    path,
    auth: [],
    reply: (to, signature, body) => current!.write(encodeMessage({ type: MessageType.MethodReturn, serial: ++serial, replySerial: to.serial, signature, body })),
    error: (to, name, text) => current!.write(encodeMessage({ type: MessageType.Error, serial: ++serial, replySerial: to.serial, errorName: name, signature: "s", body: [text] })),
    signal: (p, iface, member, signature, body) => current!.write(encodeMessage({ type: MessageType.Signal, serial: ++serial, path: p, interface: iface, member, signature, body })),
    close: () => {
      server.close();
      current?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = createServer((sock) => {
    current = sock;
    let buf = Buffer.alloc(0);
    let authed = false;
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!authed) {
        const end = buf.indexOf("BEGIN\r\n");
        if (end < 0) return;
        peer.auth.push(buf.subarray(0, end + 7).toString("latin1"));
        buf = buf.subarray(end + 7);
        authed = true;
        sock.write("OK 0123456789abcdef0123456789abcdef\r\n");
      }
      for (let d = decodeMessage(new Uint8Array(buf)); d; d = decodeMessage(new Uint8Array(buf))) {
        buf = buf.subarray(d.size);
        serve(d.message, peer, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return peer;
}
