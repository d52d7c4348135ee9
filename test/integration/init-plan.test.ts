// Each part of the init plan, read from inside a real container: namespaces (new and joined),
// mounts and their options, devices and /dev symlinks, pivot_root and --no-pivot,
// root.readonly, hostname, user and groups, cwd, env, PATH lookup, --preserve-fds.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, closeSync, readlinkSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, ocirunCommand, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { sleepSync, waitFor } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

/** `run` a shell script in a container; returns its stdout (stderr and exit code checked). */
function sh(script: string, patches: Record<string, unknown> = {}, flags: string[] = []): string {
  const r = ocirun(["run", ...flags, "--bundle", t.bundle(["sh", "-c", script], patches), `p${Math.random().toString(36).slice(2, 8)}`], { root });
  assert.is(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const ns = (pid: string | number, type: string) => readlinkSync(`/proc/${pid}/ns/${type}`);

test("new namespaces of every type differ from the host's", () => {
  const types = ["mnt", "pid", "net", "ipc", "uts", "cgroup", "time"];
  const out = sh(`for n in ${types.join(" ")}; do readlink /proc/self/ns/$n; done`, {
    "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "cgroup" }, { type: "time" }],
  }).trim().split("\n");
  // A time namespace applies to children: the shell is one.
  assert.is(out.length, types.length);
  types.forEach((type, i) => assert.is.not(out[i], ns("self", type), type));
  assert.ok(out[0].startsWith("mnt:["));
});

test("a user namespace with id maps: root inside is 100000 outside, devices are bound from the host", () => {
  const b = t.bundle(["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c '%t:%T' /dev/null; readlink /proc/self/ns/user; sleep 0.3"], {
    "/linux/namespaces": [{ type: "mount" }, { type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "network" }, { type: "user" }],
    "/linux/uidMappings": [{ containerID: 0, hostID: 100000, size: 65536 }],
    "/linux/gidMappings": [{ containerID: 0, hostID: 100000, size: 65536 }],
  });
  const r = ocirun(["run", "--bundle", b, "userns1"], { root });
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
  assert.equal(lines.slice(0, 4), ["0 100000 65536", "0 100000 65536", "0", "1:3"]);
  assert.is.not(lines[4], ns("self", "user"));
});

test("a user namespace without id maps, or maps without one, is refused", () => {
  const noMaps = ocirun(["run", "--bundle", t.bundle(["true"], { "/linux/namespaces": [{ type: "mount" }, { type: "user" }], "/hostname": undefined }), "userns2"], { root });
  assert.is(noMaps.code, 1);
  assert.match(noMaps.stderr, "/linux/uidMappings: is required");
  const noNs = ocirun(["run", "--bundle", t.bundle(["true"], { "/linux/uidMappings": [{ containerID: 0, hostID: 1000, size: 1 }] }), "userns3"], { root });
  assert.is(noNs.code, 1);
  assert.match(noNs.stderr, "/linux/uidMappings: need a user namespace");
});

test("a namespace not listed is the host's", () => {
  const out = sh("readlink /proc/self/ns/net; readlink /proc/self/ns/ipc", { "/linux/namespaces": [{ type: "mount" }, { type: "pid" }], "/hostname": undefined });
  assert.is(out, `${ns("self", "net")}\n${ns("self", "ipc")}\n`);
});

test("joining network, uts and pid namespaces by path", () => {
  const holder = spawn("unshare", ["--net", "--uts", "--pid", "--fork", "--mount-proc", "sleep", "30"], { stdio: "ignore" });
  let inner = "";
  try {
    for (let i = 0; i < 100 && !inner; i++) {
      const r = spawnSync("pgrep", ["-P", String(holder.pid), "sleep"], { encoding: "utf8" });
      inner = r.stdout.trim();
      if (!inner) sleepSync(20);
    }
    assert.ok(inner, "the namespace holder runs");
    const out = sh("for n in net uts pid; do readlink /proc/self/ns/$n; done; echo $$", {
      "/linux/namespaces": [{ type: "mount" }, { type: "network", path: `/proc/${inner}/ns/net` }, { type: "uts", path: `/proc/${inner}/ns/uts` }, { type: "pid", path: `/proc/${inner}/ns/pid` }],
      "/hostname": undefined,
    }).trim().split("\n");
    assert.equal(out.slice(0, 3), [ns(inner, "net"), ns(inner, "uts"), ns(inner, "pid")]);
    // Joined pid namespace: pid 1 is the holder's sleep, so ours is another.
    assert.ok(Number(out[3]) > 1, out[3]);
  } finally {
    holder.kill("SIGKILL");
    // unshare --fork leaves its child (pid 1 of the held namespace) behind: end it too.
    if (inner) try { process.kill(Number(inner), "SIGKILL"); } catch {}
  }
});

/**
 * A user namespace held by `unshare --user <more> --fork sleep` with the usual container map
 * 0 100000 65536 (written by us, the host's root: setgroups stays "allow"), its other
 * namespaces owned by it. Returns the pid inside them (the inner sleep) and the end.
 */
function userNamespaceHolder(more: string[]): { pid: string; end: () => void } {
  const holder = spawn("unshare", ["--user", ...more, "--fork", "sleep", "1000"], { stdio: "ignore" });
  let inner = "";
  const end = () => {
    holder.kill("SIGKILL");
    // unshare --fork leaves its child behind: end it too.
    if (inner) try { process.kill(Number(inner), "SIGKILL"); } catch {}
  };
  try {
    waitFor(() => (inner = spawnSync("pgrep", ["-P", String(holder.pid), "sleep"], { encoding: "utf8" }).stdout.trim()) !== "");
    assert.ok(inner, "the namespace holder runs");
    assert.is.not(ns(inner, "user"), ns("self", "user"));
    writeFileSync(`/proc/${inner}/uid_map`, "0 100000 65536\n");
    writeFileSync(`/proc/${inner}/gid_map`, "0 100000 65536\n");
  } catch (e) {
    end();
    throw e;
  }
  return { pid: inner, end };
}

// runc's nsexec: setresuid(0, 0, 0) right after setns(CLONE_NEWUSER). Without it the init keeps
// the host's ids, unmapped there, and its first mkdir fails with EOVERFLOW.
const joinedUserRows: { name: string; unshare: string[]; join: string[]; patch?: Record<string, unknown> }[] = [
  { name: "alone", unshare: [], join: ["user"] },
  { name: "with its pid namespace (the init forks)", unshare: ["--pid"], join: ["user", "pid"] },
  { name: "with a new time namespace and offsets (the init forks)", unshare: [], join: ["user"], patch: { "/linux/timeOffsets": { monotonic: { secs: 1000, nanosecs: 0 } } } },
  { name: "with its time namespace", unshare: ["--time"], join: ["user", "time"] },
];
for (const row of joinedUserRows) {
  test(`joining a user namespace by path, ${row.name}: the init is root in it`, () => {
    const h = userNamespaceHolder(row.unshare);
    try {
      const joined = row.join.map((type) => ({ type, path: `/proc/${h.pid}/ns/${type}` }));
      const fresh = ["mount", "network", "ipc", "uts", "cgroup", "pid", "time"]
        .filter((type) => !row.join.includes(type) && (type !== "time" || row.patch))
        .map((type) => ({ type }));
      const out = sh("id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; mkdir /dev/made && stat -c '%u %g' /dev/made; " +
        "mkdir /dev/shm/made && echo tmpfs; for n in user pid time; do readlink /proc/self/ns/$n; done; echo $$; grep monotonic /proc/self/timens_offsets", {
        "/linux/namespaces": [...joined, ...fresh], ...row.patch,
      }).trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
      assert.equal(out.slice(0, 7), ["0", "0", "0 100000 65536", "0 100000 65536", "0 0", "tmpfs", ns(h.pid, "user")]);
      if (row.join.includes("pid")) {
        assert.is(out[7], ns(h.pid, "pid"));
        assert.ok(Number(out[9]) > 1, `not the held namespace's pid 1: ${out[9]}`);
      } else {
        assert.is(out[9], "1");
      }
      if (row.join.includes("time")) assert.is(out[8], ns(h.pid, "time"));
      assert.is(out[10], row.patch ? "monotonic 1000 0" : "monotonic 0 0");
    } finally {
      h.end();
    }
  });
}

test("a namespace path of another type is refused by the kernel, naming the field", () => {
  const r = ocirun(["run", "--bundle", t.bundle(["true"], {
    "/linux/namespaces": [{ type: "mount" }, { type: "network", path: "/proc/self/ns/uts" }], "/hostname": undefined,
  }), "wrongtype"], { root });
  assert.is(r.code, 1);
  assert.match(r.stderr, "/linux/namespaces/1");
});

test("mounts: tmpfs options become flags and data, binds are remounted read-only, propagation applies", () => {
  const host = join(t.dir, "shared-data");
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, "file"), "from the host\n");
  const out = sh("cat /data/file; touch /data/x 2>&1 | grep -o 'Read-only file system'; grep -E ' /(run|data) ' /proc/self/mountinfo", {
    "/mounts/7": { destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", "mode=700", "size=1m"] },
    "/mounts/8": { destination: "/data", type: "bind", source: host, options: ["rbind", "ro", "rprivate"] },
  });
  const lines = out.trim().split("\n");
  assert.is(lines[0], "from the host");
  assert.is(lines[1], "Read-only file system");
  const run = lines.find((l) => l.includes(" /run "))!;
  assert.match(run, /\/run ro?w?,?nosuid,nodev,noexec/);
  assert.match(run, "size=1024k");
  assert.match(run, "mode=700");
  const data = lines.find((l) => l.includes(" /data "))!;
  assert.match(data, / \/data ro,/);
  assert.not.match(data, "shared:", "rprivate: no shared peer group");
});

test("a file bind mount creates its target file", () => {
  const f = join(t.dir, "hostfile");
  writeFileSync(f, "one file\n");
  assert.is(sh("cat /etc/bound", { "/root/readonly": false, "/mounts/7": { destination: "/etc/bound", type: "bind", source: f, options: ["bind"] } }), "one file\n");
});

test("default devices and /dev symlinks", () => {
  const out = sh("for d in null zero full random urandom tty; do stat -c '%n %t:%T %a' /dev/$d; done; for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done");
  assert.is(out, [
    "/dev/null 1:3 666", "/dev/zero 1:5 666", "/dev/full 1:7 666", "/dev/random 1:8 666", "/dev/urandom 1:9 666", "/dev/tty 5:0 666",
    "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2", "pts/ptmx", "",
  ].join("\n"));
});

test("root.readonly, pivot_root and --no-pivot", () => {
  // The host's directories are gone from view: the bundle's own path does not exist inside.
  assert.is(sh(`touch /x 2>&1 | grep -o 'Read-only file system'; ls ${t.dir} 2>&1 | grep -o 'No such file'`), "Read-only file system\nNo such file\n");
  assert.is(sh("touch /tmp/x && echo writable", { "/root/readonly": false }), "writable\n");
  // With --no-pivot the old root is not reachable either: no mount of the host's / remains visible.
  assert.is(sh(`ls /bin/busybox; pwd; ls ${t.dir} 2>&1 | grep -o 'No such file'`, {}, ["--no-pivot"]), "/bin/busybox\n/\nNo such file\n");
});

test("--no-pivot hides the host's proc and sysfs: a nested user namespace cannot mount a fresh proc", () => {
  // With the host's /proc still reachable behind the moved root, the kernel would count it as a
  // fully visible proc and allow the mount (runc's no_pivot.bats).
  const caps = ["CAP_SYS_ADMIN", "CAP_SETFCAP", "CAP_SETUID", "CAP_SETGID"];
  const script = "unshare -mrpf sh -c 'mount -t proc none /proc && echo mounted' 2>&1; echo done";
  const patches = { "/process/capabilities/bounding": caps, "/process/capabilities/effective": caps, "/process/capabilities/permitted": caps, "/root/readonly": false };
  // The same script with pivot_root is the control: the mount is refused there too.
  assert.match(sh(script, patches), /permission denied/i);
  const out = sh(script, patches, ["--no-pivot"]);
  assert.not.match(out, "mounted");
  assert.match(out, /permission denied/i);
});

test("hostname, user, groups, umask, cwd, env", () => {
  const out = sh("hostname; id -u; id -g; id -G; umask; pwd; echo $FOO", {
    "/hostname": "box1",
    "/process/user": { uid: 1000, gid: 1001, additionalGids: [5, 7], umask: 63 },
    "/process/cwd": "/tmp",
    "/process/env": ["PATH=/bin", "FOO=bar baz"],
  });
  assert.is(out, "box1\n1000\n1001\n1001 5 7\n0077\n/tmp\nbar baz\n");
});

test("args are looked up on the container's PATH, not the host's", () => {
  mkdirSync(join(t.rootfs, "opt/tools"), { recursive: true });
  writeFileSync(join(t.rootfs, "opt/tools/hello-tool"), "#!/bin/sh\necho tool ran\n", { mode: 0o755 });
  const r = ocirun(["run", "--bundle", t.bundle(["hello-tool"], { "/process/env": ["PATH=/nowhere:/opt/tools"] }), "pathlookup"], { root });
  assert.is(r.stdout, "tool ran\n", r.stderr);
});

test("--preserve-fds passes fd 3 and nothing above it; stdio is the caller's", () => {
  const extra = join(t.dir, "extra-fd");
  writeFileSync(extra, "");
  const fd3 = openSync(extra, "w");
  const leak = openSync(join(t.dir, "leak"), "w"); // fd 4 in the child, not preserved
  try {
    const b = t.bundle(["sh", "-c", "echo to-fd3 >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"]);
    const r = spawnSync(ocirunCommand()[0], [...ocirunCommand().slice(1), "--root", root, "run", "--preserve-fds", "1", "--bundle", b, "fds"], {
      stdio: ["ignore", "pipe", "pipe", fd3, leak], encoding: "utf8",
    });
    assert.is(r.status, 0, r.stderr);
    // 0-3, plus the fd ls itself opens for /proc/self/fd.
    assert.is(r.stdout, "0 1 2 3 4 ");
    assert.is(readFileSync(extra, "utf8"), "to-fd3\n");
  } finally {
    closeSync(fd3);
    closeSync(leak);
  }
});

test("a new session keyring named after the id, unless --no-new-keyring", () => {
  const unmasked = { "/linux/maskedPaths": [] };
  // Each container looks for a keyring named after its own id only: the first one's keyring may
  // still be listed in /proc/keys until the kernel collects it.
  const script = (id: string) => `grep -o ' _ses\\.${id}' /proc/keys || echo none`;
  const r1 = ocirun(["run", "--bundle", t.bundle(["sh", "-c", script("keyring1")], unmasked), "keyring1"], { root });
  assert.is(r1.stdout, " _ses.keyring1\n", r1.stderr);
  const r2 = ocirun(["run", "--no-new-keyring", "--bundle", t.bundle(["sh", "-c", script("keyring2")], unmasked), "keyring2"], { root });
  assert.is(r2.stdout, "none\n", r2.stderr);
});

test.run();
