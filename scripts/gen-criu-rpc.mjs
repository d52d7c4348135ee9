// Generates host/criu/rpc.gen.json (protobufjs's JSON form of CRIU's RPC messages) from the
// rpc.proto the criu package installs, as the syscall tables come from the kernel headers: the
// messages ocirun sends to `criu swrk` and reads back. `--check` exits 1 if it is stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const proto = "/usr/include/criu/rpc.proto";
const out = root + "host/criu/rpc.gen.json";
if (!existsSync(proto)) {
  console.error(`${proto} is missing (package criu): ${out} is left as it is`);
  process.exit(process.argv.includes("--check") ? 0 : 1);
}
const json = JSON.stringify(protobuf.loadSync(proto).toJSON(), null, 1) + "\n";
if (process.argv.includes("--check")) {
  const current = existsSync(out) ? readFileSync(out, "utf8") : "";
  if (current !== json) { console.error(`${out} is stale: run node scripts/gen-criu-rpc.mjs`); process.exit(1); }
} else {
  writeFileSync(out, json);
}
