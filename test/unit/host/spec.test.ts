// `ocirun spec` against `runc spec` (runc 1.1.5 here): the same document, key order included,
// except for the differences ocirun means to have (see host/default-config/config.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { defaultConfig } from "../../../host/default-config/config.ts";
import { toRootless } from "../../../host/default-config/rootless.ts";
import { packageMissing, testNeeding } from "../../util/needs.ts";

const dir = mkdtempSync(join(tmpdir(), "ocirun-spec-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function runcSpec(args: string[]): any | null {
  const b = mkdtempSync(join(dir, "b-"));
  try {
    execFileSync("runc", ["spec", "-b", b, ...args], { stdio: "ignore" });
  } catch {
    return null; // no runc on this machine
  }
  return JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
}

/** runc's document with ocirun's intended differences applied. */
function expected(runc: any): any {
  runc.ociVersion = "1.3.0";
  runc.hostname = "ocirun";
  delete runc.process.capabilities.ambient; // CapAmb stays 0
  delete runc.process.capabilities.inheritable;
  const ns: Array<{ type: string }> = runc.linux.namespaces;
  if (!ns.some((n) => n.type === "cgroup")) {
    const user = ns.findIndex((n) => n.type === "user");
    ns.splice(user < 0 ? ns.length : user, 0, { type: "cgroup" });
  }
  return runc;
}

const runcMissing = packageMissing("runc", spawnSync("sh", ["-c", "command -v runc"]).status === 0);

testNeeding("default config matches runc spec", runcMissing, () => {
  const runc = runcSpec([])!;
  assert.is(JSON.stringify(defaultConfig()), JSON.stringify(expected(runc)));
});

testNeeding("rootless config matches runc spec --rootless", runcMissing, () => {
  const runc = runcSpec(["--rootless"])!;
  const ours = toRootless(defaultConfig(), process.geteuid!(), process.getegid!());
  assert.is(JSON.stringify(ours), JSON.stringify(expected(runc)));
});

test("rootless maps the given euid/egid and drops what an unprivileged user cannot have", () => {
  const c = toRootless(defaultConfig(), 1000, 1001) as any;
  assert.equal(c.linux.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }]);
  assert.equal(c.linux.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }]);
  assert.equal(c.linux.namespaces.map((n: any) => n.type), ["pid", "ipc", "uts", "mount", "cgroup", "user"]);
  assert.is(c.linux.resources, undefined);
  assert.ok(c.mounts.every((m: any) => !(m.options ?? []).some((o: string) => /^[ug]id=/.test(o))));
  assert.is(c.mounts.find((m: any) => m.destination === "/sys").type, "none");
});

test.run();
