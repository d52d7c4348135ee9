// Recursive mount attributes (rro, rnoexec: mount_setattr with AT_RECURSIVE) and idmapped
// binds (mounts[].uidMappings), read from inside real containers. The host dir has a tmpfs
// submount, so a recursive attribute must reach a mount that plain "ro" leaves alone.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
const host = mkdtempSync(join(tmpdir(), "ocirun-attrs-"));
const sub = join(host, "sub");
chmodSync(host, 0o755);
mkdirSync(sub);
execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", sub]);
const script = "#!/bin/sh\necho ran\n";
for (const dir of [host, sub]) {
  writeFileSync(join(dir, "x.sh"), script);
  chmodSync(join(dir, "x.sh"), 0o755);
}
test.after(() => {
  execFileSync("umount", [sub]);
  rmSync(host, { recursive: true, force: true });
  t.cleanup();
});

/** `run` a shell script with a bind of the host dir on /m; returns its stdout. */
function inContainer(script: string, mount: Record<string, unknown>): string {
  const b = t.bundle(["sh", "-c", script], { "/mounts/7": { destination: "/m", type: "bind", source: host, ...mount } });
  const r = ocirun(["run", "--bundle", b, `a${Math.random().toString(36).slice(2, 8)}`], { root });
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const writeBoth = "for f in /m/f /m/sub/f; do if (echo x > $f) 2>/dev/null; then echo $f ok; else echo $f fails; fi; done; " +
  "grep ' /m' /proc/self/mountinfo | cut -d' ' -f5,6";

test("rro: the bind and its submount are read-only", () => {
  const out = inContainer(writeBoth, { options: ["rbind", "rro"] });
  const lines = out.trim().split("\n");
  assert.equal(lines.slice(0, 2), ["/m/f fails", "/m/sub/f fails"], out);
  // EROFS, not a permission problem: both mounts say ro.
  assert.equal(lines.slice(2).map((l) => l.split(" ")[1].split(",")[0]), ["ro", "ro"], out);
});

test("plain ro on an rbind leaves the submount writable (what rro adds)", () => {
  const out = inContainer(writeBoth, { options: ["rbind", "ro"] });
  assert.equal(out.trim().split("\n").slice(0, 2), ["/m/f fails", "/m/sub/f ok"], out);
  rmSync(join(sub, "f"));
});

test("rro leaves the host's mounts writable", () => {
  inContainer("true", { options: ["rbind", "rro"] });
  writeFileSync(join(host, "f"), "x");
  writeFileSync(join(sub, "f"), "x");
  assert.is(readFileSync(join(sub, "f"), "utf8"), "x");
  rmSync(join(host, "f"));
  rmSync(join(sub, "f"));
});

test("rnoexec: no program runs from the bind or its submount", () => {
  const out = inContainer("/m/x.sh; echo $?; /m/sub/x.sh; echo $?", { options: ["rbind", "rnoexec"] });
  assert.equal(out.trim().split("\n"), ["126", "126"], out);
  // The same scripts run without it.
  assert.equal(inContainer("/m/x.sh; /m/sub/x.sh", { options: ["rbind"] }).trim().split("\n"), ["ran", "ran"]);
});

test("rnoatime and rnosymfollow reach the submount; rstrictatime after rnoatime wins", () => {
  const opts = (options: string[]) => inContainer("grep ' /m' /proc/self/mountinfo | cut -d' ' -f6", { options }).trim().split("\n");
  for (const o of opts(["rbind", "rnoatime", "rnosymfollow"])) {
    assert.ok(o.split(",").includes("noatime") && o.split(",").includes("nosymfollow"), o);
  }
  // strictatime is shown as neither noatime nor relatime.
  for (const o of opts(["rbind", "rnoatime", "rstrictatime"])) assert.not.ok(/(^|,)(no|rel)atime/.test(o), o);
});

test("an idmapped bind: on-disk 0 shows as 1000, on-disk 1000 as the overflow id", () => {
  const dir = mkdtempSync(join(tmpdir(), "ocirun-idmap-"));
  try {
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "root-owned"), "");
    writeFileSync(join(dir, "owned-1000"), "");
    chownSync(join(dir, "owned-1000"), 1000, 1000);
    const map = [{ containerID: 0, hostID: 1000, size: 1 }];
    const overflow = readFileSync("/proc/sys/kernel/overflowuid", "utf8").trim();
    const b = t.bundle(["stat", "-c", "%u %g", "/i/root-owned", "/i/owned-1000"], {
      "/mounts/7": { destination: "/i", type: "bind", source: dir, options: ["bind"], uidMappings: map, gidMappings: map },
    });
    const r = ocirun(["run", "--bundle", b, "idmap1"], { root });
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n"), ["1000 1000", `${overflow} ${overflow}`]);
    // The host's view is unchanged.
    assert.is(execFileSync("stat", ["-c", "%u", join(dir, "owned-1000")], { encoding: "utf8" }).trim(), "1000");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("features lists the r* and idmap options and the idmap extension (idmap-userns.test.ts: in a user namespace)", () => {
  const r = ocirun(["features"]);
  assert.is(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout);
  for (const o of ["rro", "rnoexec", "rnoatime", "idmap", "ridmap"]) assert.ok(f.mountOptions.includes(o), o);
  assert.is(f.linux.mountExtensions.idmap.enabled, true);
});

test.run();
