// Idmapped binds in a container with a user namespace (runc's idmap.bats "[userns]" cases): the
// host builds the idmapped tree and the init mounts it. The container maps its 0..65535 to the
// host's 100000..165535, so a plain bind of a host dir shows the overflow id for root's files;
// an idmapped one shows whatever its maps say. Read with busybox `stat` inside the container.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { sleepSync } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
const overflow = readFileSync("/proc/sys/kernel/overflowuid", "utf8").trim();
const overflowGid = readFileSync("/proc/sys/kernel/overflowgid", "utf8").trim();

// src/root-owned (0:0) and src/owned-1000 (1000:1000); tree/root-owned and a tmpfs submount
// tree/sub with sub/root-owned. (A plain bind of tree fails in a user namespace: its submount is
// locked there, and only an rbind may take it.)
const src = mkdtempSync(join(tmpdir(), "ocirun-idmap-userns-"));
const tree = mkdtempSync(join(tmpdir(), "ocirun-idmap-tree-"));
const sub = join(tree, "sub");
for (const dir of [src, tree]) {
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "root-owned"), "");
}
writeFileSync(join(src, "owned-1000"), "");
chownSync(join(src, "owned-1000"), 1000, 1000);
mkdirSync(sub);
execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=755", "tmpfs", sub]);
writeFileSync(join(sub, "root-owned"), "");
// The mount points: the container's root (the host's 100000) cannot make them in the rootfs.
for (const dir of ["i", "j", "p"]) mkdirSync(join(t.rootfs, dir));
test.after(() => {
  execFileSync("umount", [sub]);
  for (const dir of [src, tree]) rmSync(dir, { recursive: true, force: true });
  t.cleanup();
});

const nss = [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "cgroup" }];
const containerMap = [{ containerID: 0, hostID: 100000, size: 65536 }];
const userns = {
  "/linux/namespaces": [...nss, { type: "user" }],
  "/linux/uidMappings": containerMap,
  "/linux/gidMappings": containerMap,
};

let n = 0;
/** `run` a shell script with these patches; asserts it exits 0 and returns its stdout lines. */
function sh(script: string, patches: Record<string, unknown>): string[] {
  const r = ocirun(["run", "--bundle", t.bundle(["sh", "-c", script], patches), `idmapns${++n}`], { root });
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim().split("\n");
}

/** The host dir bound on /i with these options and maps (none when maps is undefined). */
function idmapped(options: string[], uid?: object[], gid: object[] | undefined = uid): Record<string, unknown> {
  return { destination: "/i", type: "bind", source: src, options, ...(uid ? { uidMappings: uid, gidMappings: gid } : {}) };
}

const statBoth = "stat -c '%u %g' /i/root-owned /i/owned-1000";

test("mount maps equal to the container's: on-disk ids show as themselves; a plain bind shows the overflow id", () => {
  const out = sh(statBoth + " /p/root-owned", {
    ...userns,
    "/mounts/7": idmapped(["bind", "idmap"], containerMap),
    "/mounts/8": { destination: "/p", type: "bind", source: src, options: ["bind"] },
  });
  assert.equal(out, ["0 0", "1000 1000", `${overflow} ${overflowGid}`]);
});

test("mount maps of their own (not the container's), uid and gid apart: on-disk 0 shows as 1000:2000", () => {
  // On-disk 0..9 are the host's 101000.. (uids) and 102000.. (gids): the container's 1000.. and 2000..
  const out = sh(statBoth, {
    ...userns,
    "/mounts/7": idmapped(["bind", "idmap"], [{ containerID: 0, hostID: 101000, size: 10 }], [{ containerID: 0, hostID: 102000, size: 10 }]),
  });
  assert.equal(out, ["1000 2000", `${overflow} ${overflowGid}`]);
});

test("idmap without maps of its own takes the container's user namespace", () => {
  assert.equal(sh(statBoth, { ...userns, "/mounts/7": idmapped(["bind", "idmap"]) }), ["0 0", "1000 1000"]);
});

test("ridmap idmaps the rbind's submount too; idmap only the top mount", () => {
  const stat = "stat -c '%u %g' /i/root-owned /i/sub/root-owned";
  const rbind = (options: string[], uid?: object[]) => ({ ...idmapped(options, uid), source: tree });
  assert.equal(sh(stat, { ...userns, "/mounts/7": rbind(["rbind", "ridmap"]) }), ["0 0", "0 0"]);
  assert.equal(sh(stat, { ...userns, "/mounts/7": rbind(["rbind", "idmap"]) }), ["0 0", `${overflow} ${overflowGid}`]);
  // With the mount's own maps too.
  assert.equal(sh(stat, { ...userns, "/mounts/7": rbind(["rbind", "ridmap"], [{ containerID: 0, hostID: 100005, size: 1 }]) }), ["5 5", "5 5"]);
});

test("the container's root writes through the idmapped bind as on-disk root; not through a plain bind", () => {
  const made = join(src, "made-inside");
  try {
    const out = sh("touch /i/made-inside && echo made; touch /p/other 2>/dev/null || echo refused", {
      ...userns,
      "/mounts/7": idmapped(["bind", "idmap"]),
      "/mounts/8": { destination: "/p", type: "bind", source: src, options: ["bind"] },
    });
    assert.equal(out, ["made", "refused"]);
    const st = statSync(made);
    assert.equal([st.uid, st.gid], [0, 0]);
    assert.not.ok(existsSync(join(src, "other")));
  } finally {
    rmSync(made, { force: true });
  }
});

test("after FORK_INIT (a time namespace): the init's request, from the grandchild, is answered", () => {
  const out = sh(statBoth, {
    ...userns,
    "/linux/namespaces": [...nss, { type: "time" }, { type: "user" }],
    "/mounts/7": idmapped(["bind", "idmap"]),
  });
  assert.equal(out, ["0 0", "1000 1000"]);
});

test("a joined user namespace: idmap without maps takes it", () => {
  // A user namespace held by `sleep`, with the container's usual map. On-disk 1000 is the host's
  // 101000 through it, the namespace's 1000; a plain bind shows the overflow id.
  const map = "0 100000 65536\n";
  const holder = spawn("unshare", ["--user", "sleep", "30"], { stdio: "ignore" });
  const pid = holder.pid!;
  try {
    const own = execFileSync("readlink", ["/proc/self/ns/user"], { encoding: "utf8" });
    let theirs = "";
    for (let i = 0; i < 100 && (!theirs || theirs === own); i++) {
      theirs = spawnSync("readlink", [`/proc/${pid}/ns/user`], { encoding: "utf8" }).stdout;
      if (theirs === own) sleepSync(20);
    }
    assert.ok(theirs && theirs !== own, "the holder is in a user namespace of its own");
    writeFileSync(`/proc/${pid}/uid_map`, map);
    writeFileSync(`/proc/${pid}/gid_map`, map);
    const out = sh("stat -c '%u %g' /i/owned-1000 /p/owned-1000; readlink /proc/self/ns/user", {
      "/linux/namespaces": [...nss, { type: "user", path: `/proc/${pid}/ns/user` }],
      "/mounts/7": idmapped(["bind", "idmap"]),
      "/mounts/8": { destination: "/p", type: "bind", source: src, options: ["bind"] },
    });
    assert.equal(out, ["1000 1000", `${overflow} ${overflowGid}`, theirs.trim()]);
  } finally {
    holder.kill("SIGKILL");
  }
});

test("refused before the start, naming the field: idmap on a tmpfs; idmap without maps or a user namespace", () => {
  const tmpfs = ocirun(["run", "--bundle", t.bundle(["true"], {
    ...userns, "/mounts/7": { destination: "/i", type: "tmpfs", source: "tmpfs", options: ["idmap"] },
  }), "idmapbad1"], { root });
  assert.is(tmpfs.code, 1, tmpfs.stderr);
  assert.match(tmpfs.stderr, /\/mounts\/7\/options\/0: \\?"idmap\\?" is only for bind mounts/);
  const maps = ocirun(["run", "--bundle", t.bundle(["true"], {
    ...userns, "/mounts/7": { destination: "/i", type: "tmpfs", source: "tmpfs", uidMappings: containerMap, gidMappings: containerMap },
  }), "idmapbad2"], { root });
  assert.is(maps.code, 1, maps.stderr);
  assert.match(maps.stderr, "/mounts/7/uidMappings: are only for bind mounts");
  const noNs = ocirun(["run", "--bundle", t.bundle(["true"], { "/mounts/7": idmapped(["bind", "ridmap"]) }), "idmapbad3"], { root });
  assert.is(noNs.code, 1, noNs.stderr);
  assert.match(noNs.stderr, /\/mounts\/7\/options\/1: \\?"ridmap\\?" needs uidMappings and gidMappings on the mount or a user namespace/);
});

test("the plan shows the op: the container's user namespace as empty maps, or the mount's own", () => {
  const b = t.bundle(["true"], {
    ...userns,
    "/mounts/7": idmapped(["rbind", "ridmap"]),
    "/mounts/8": { ...idmapped(["bind", "idmap"], [{ containerID: 0, hostID: 101000, size: 10 }]), destination: "/j" },
  });
  const r = ocirun(["plan", "--bundle", b]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`MOUNT_IDMAP source="${src}" target="/i" recursive=3 uidmap="" gidmap=""\\s+<- /mounts/7`));
  assert.match(r.stdout, new RegExp(`MOUNT_IDMAP source="${src}" target="/j" recursive=0 uidmap="0 101000 10\\\\n" gidmap="0 101000 10\\\\n"\\s+<- /mounts/8`));
});

test("a plain bind whose source the container's root cannot reach (under a 0700 directory): the host opens it, as runc", () => {
  const locked = mkdtempSync(join(tmpdir(), "ocirun-locked-"));
  try {
    chmodSync(locked, 0o700);
    const inner = join(locked, "inner");
    mkdirSync(inner, { mode: 0o755 });
    writeFileSync(join(inner, "f"), "inside\n", { mode: 0o644 });
    writeFileSync(join(locked, "file"), "a file\n", { mode: 0o644 });
    // The mount points exist: the container's root may not create them in this rootfs.
    mkdirSync(join(t.rootfs, "q"), { recursive: true });
    writeFileSync(join(t.rootfs, "qf"), "");
    const out = sh("cat /q/f; cat /qf", {
      ...userns,
      "/mounts/7": { destination: "/q", type: "bind", source: inner, options: ["rbind", "ro"] },
      "/mounts/8": { destination: "/qf", type: "bind", source: join(locked, "file"), options: ["bind"] },
    });
    assert.equal(out, ["inside", "a file"]);
  } finally {
    rmSync(locked, { recursive: true, force: true });
  }
});

test.run();
