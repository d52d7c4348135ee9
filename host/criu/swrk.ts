// CRIU's RPC, as runc drives it: `criu swrk 3` with a SOCK_SEQPACKET socket on fd 3, one
// protobuf criu_req per message and criu_resp back (host/criu/rpc.gen.json, generated from
// criu's rpc.proto). While it works CRIU sends NOTIFY messages (its action scripts:
// network-lock, setup-namespaces, post-restore...), each answered before it goes on.
import { spawn } from "node:child_process";
import { closeSync } from "node:fs";
import protobuf from "protobufjs/light";
import { addon } from "../addon.ts";
import { OciError } from "../errors.ts";
import rpcJson from "./rpc.gen.json" with { type: "json" };

const rpc = protobuf.Root.fromJSON(rpcJson as protobuf.INamespace);
const CriuReq = rpc.lookupType("criu_req");
const CriuResp = rpc.lookupType("criu_resp");
// criu_req_type.
export const REQ = { DUMP: 1, RESTORE: 2, PRE_DUMP: 4, NOTIFY: 6 } as const;

export interface CriuResult {
  /** The restored init's pid (RESTORE). */
  pid?: number;
}

/** Runs one request. The options that name fds (images_dir_fd, work_dir_fd) name ours: CRIU
 * opens them through /proc/<our pid>/fd; inherit_fd's name criu's own, childFds from 4 on. onNotify sees each action script with its pid, and the
 * fd CRIU passes with it (orphan-pts-master: a restored terminal's master), which it must close;
 * -1: none. A failure is an OciError naming the log CRIU wrote. */
export async function criuCall(
  type: number, opts: Record<string, unknown>, logPath: string,
  onNotify?: (script: string, pid: number, fd: number) => void, childFds: number[] = [], criuPath = "criu",
): Promise<CriuResult> {
  const pair = addon().seqpacketPair();
  if (typeof pair === "number") throw new OciError(`socketpair: ${addon().strerror(-pair).toLowerCase()}`);
  const [ours, theirs] = pair;
  // childFds become criu's 4, 5, ... (inherit_fd names them so).
  const child = spawn(criuPath, ["swrk", "3"], { stdio: ["ignore", "ignore", "pipe", theirs, ...childFds] });
  closeSync(theirs);
  let stderr = "";
  child.stderr?.on("data", (b) => (stderr += b));
  const exited = new Promise<number>((done) => child.on("close", (code) => done(code ?? -1)));
  const spawnError = new Promise<Error>((done) => child.on("error", done));
  try {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 0))]);
    if (failed) throw new OciError(`criu: ${failed.message}`);
    send(ours, { type, opts, notifySuccess: true });
    let result: CriuResult = {};
    for (;;) {
      const msg = addon().seqpacketRecv(ours);
      if (typeof msg === "number") throw new OciError(`criu: recv: ${addon().strerror(-msg).toLowerCase()}`);
      if (msg.data.length === 0) throw new OciError(`criu failed: it exited without an answer${stderr ? `: ${stderr.trim()}` : ""}: see ${logPath}`);
      const resp = CriuResp.toObject(CriuResp.decode(msg.data), { longs: Number, defaults: true }) as Record<string, any>;
      if (resp.type === REQ.NOTIFY) {
        if (onNotify) onNotify(resp.notify?.script ?? "", resp.notify?.pid ?? 0, msg.fd);
        else if (msg.fd >= 0) closeSync(msg.fd);
        send(ours, { type: REQ.NOTIFY, notifySuccess: true });
        continue;
      }
      if (!resp.success) {
        const why = resp.crErrmsg || (resp.crErrno ? addon().strerror(resp.crErrno).toLowerCase() : "");
        throw new OciError(`criu failed: type ${reqName(resp.type)}${why ? `: ${why}` : ""}: see ${logPath}`);
      }
      if (resp.type === REQ.RESTORE) result = { pid: resp.restore?.pid };
      break;
    }
    return result;
  } finally {
    closeSync(ours);
    await exited;
  }
}

function send(fd: number, req: Record<string, unknown>): void {
  const err = addon().seqpacketSend(fd, CriuReq.encode(CriuReq.fromObject(req)).finish());
  if (err !== 0) throw new OciError(`criu: send: ${addon().strerror(err).toLowerCase()}`);
}

function reqName(type: number): string {
  return Object.entries(REQ).find(([, v]) => v === type)?.[0] ?? String(type);
}
