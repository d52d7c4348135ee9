// The black-box security properties of /work/shared/reference/security.md section 2, each as an
// attack on a real container that must fail, checked from inside the container or from the host.
// Properties 7, 9 and 10 go through `exec`, and so do variants of 3 (exec --cwd with a leaked
// fd). Tests that plant symlinks use a copy of
// the rootfs; no symlink here points at a sysctl or at a host file outside this suite's temp dir.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync,
  statSync, symlinkSync, writeFileSync, writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { errorMessage, ocirun, ocirunCommand, ocirunExecutable, repo } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
test.after(() => {
  if (existsSync(root)) for (const id of readdirSync(root)) oci("delete", "--force", id);
  t.cleanup();
});

let ids = 0;
const newId = () => `sec${++ids}`;

/** `run` with extra fds: stdio[i] becomes fd i of the CLI, inherited without CLOEXEC. */
function runWithFds(bundle: string, fds: (number | "ignore")[], flags: string[] = []) {
  const r = spawnSync(ocirunCommand()[0], [...ocirunCommand().slice(1), "--root", root, "run", ...flags, "--bundle", bundle, newId()], {
    stdio: ["ignore", "pipe", "pipe", ...fds], encoding: "utf8", timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the shared rootfs that a test may plant symlinks in. */
function rootfsCopy(): string {
  const dir = join(t.dir, `copy${++ids}`);
  mkdirSync(dir);
  execFileSync("cp", ["-a", t.rootfs, join(dir, "rootfs")]);
  return join(dir, "rootfs");
}

/** A host directory holding a marker file that must never be seen from inside. */
function hostDir(): { dir: string; marker: string } {
  const dir = join(t.dir, `host${++ids}`);
  mkdirSync(dir);
  const marker = `HOST-MARKER-${ids}`;
  writeFileSync(join(dir, marker), "host\n");
  return { dir, marker };
}

const hostMountinfo = () => readFileSync("/proc/self/mountinfo", "utf8");
const rootfsListing = () => readdirSync(t.rootfs).sort().join(" ");
// Prints the cwd's listing, climbs 40 times with cd -P .., then prints the listing there.
const climb = "ls -A | sort | tr '\\n' ' '; echo; i=0; while [ $i -lt 40 ]; do cd -P .. ; i=$((i+1)); done; ls -A | sort | tr '\\n' ' '; echo";

test("1: fds the caller leaks (a host dir and a host file) do not reach the container", () => {
  const { dir } = hostDir();
  const dirFd = openSync(dir, "r");
  const fileFd = openSync(join(dir, "file"), "w");
  try {
    const r = runWithFds(t.bundle(["sh", "-c", "ls /proc/self/fd | sort -n | tr '\\n' ' '"]), ["ignore", "ignore", "ignore", "ignore", dirFd, fileFd]);
    assert.is(r.code, 0, r.stderr);
    // 0-2, plus the fd ls opens for /proc/self/fd.
    assert.is(r.stdout, "0 1 2 3 ");
  } finally {
    closeSync(dirFd);
    closeSync(fileFd);
  }
});

test("2: --preserve-fds 1 passes fd 3 and nothing above it", () => {
  const { dir } = hostDir();
  const fd3 = openSync(join(dir, "fd3"), "w");
  const fd4 = openSync(join(dir, "fd4"), "w");
  const dirFd = openSync(dir, "r");
  try {
    const r = runWithFds(t.bundle(["sh", "-c", "echo to-fd3 >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"]), [fd3, fd4, "ignore", "ignore", dirFd], ["--preserve-fds", "1"]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "0 1 2 3 4 ");
    assert.is(readFileSync(join(dir, "fd3"), "utf8"), "to-fd3\n");
    assert.is(readFileSync(join(dir, "fd4"), "utf8"), "");
  } finally {
    closeSync(fd3);
    closeSync(fd4);
    closeSync(dirFd);
  }
});

test("3: cwd=/proc/self/fd/7 with a leaked host dir fd does not put the cwd on the host", () => {
  const { dir, marker } = hostDir();
  const dirFd = openSync(dir, "r");
  try {
    const r = runWithFds(t.bundle(["sh", "-c", climb], { "/process/cwd": "/proc/self/fd/7" }), ["ignore", "ignore", "ignore", "ignore", dirFd]);
    assert.not.match(r.stdout, marker);
    if (r.code === 0) assert.is(r.stdout.split("\n")[1].trim(), rootfsListing(), "the climb ends at the container's /");
    else assert.match(r.stderr, "cwd");
  } finally {
    closeSync(dirFd);
  }
});

test("4: cwd=/proc/self/fd/N (N=3..15, the runtime's own fds) never puts the cwd outside the rootfs", () => {
  for (let n = 3; n <= 15; n++) {
    const r = runWithFds(t.bundle(["sh", "-c", climb], { "/process/cwd": `/proc/self/fd/${n}` }), []);
    if (r.code === 0) assert.is(r.stdout.split("\n")[1].trim(), rootfsListing(), `fd ${n}: the climb ends at the container's /`);
    else assert.match(r.stderr, "cwd", `fd ${n}: ${r.stderr}`);
  }
});

test("6: the created init holds no fd to a host directory or a regular host file", () => {
  const id = newId();
  assert.is(oci("create", "--bundle", t.bundle(["true"]), id).code, 0);
  try {
    const pid = state(id).pid;
    // The container's own / (the same mount and inode as the init's root) is not a host dir.
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").find((l) => l.split(" ")[4] === "/")!.split(" ")[0];
    const rootIno = statSync(`/proc/${pid}/root`).ino;
    const fds = readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
    for (const fd of fds.filter((fd) => fd > 2)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (/^(pipe|socket|anon_inode):/.test(target) || target.startsWith("/memfd:") || target === join(root, id, "exec.fifo")) continue;
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      const mnt = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"))![1];
      if (st.isDirectory() && mnt === rootMount && st.ino === rootIno) continue;
      assert.not.ok(st.isDirectory() || st.isFile(), `fd ${fd} -> ${target}`);
    }
  } finally {
    oci("delete", "--force", id);
  }
});

test("3 (exec): --cwd /proc/self/fd/N with a leaked host dir fd does not put an exec'd process on the host", () => {
  const { dir, marker } = hostDir();
  const id = newId();
  assert.is(oci("run", "-d", "--bundle", t.bundle(["sleep", "100"]), id).code, 0);
  const dirFd = openSync(dir, "r");
  try {
    for (const n of [3, 4, 5, 6, 7, 8]) {
      const r = spawnSync(ocirunCommand()[0], [...ocirunCommand().slice(1), "--root", root, "exec", "--cwd", `/proc/self/fd/${n}`, id, "sh", "-c", climb], {
        stdio: ["ignore", "pipe", "pipe", "ignore", dirFd, dirFd, dirFd, dirFd, dirFd], encoding: "utf8", timeout: 30_000,
      });
      assert.not.match(r.stdout, marker, `fd ${n}`);
      if (r.status === 0) assert.is(r.stdout.split("\n")[1].trim(), rootfsListing(), `fd ${n}: the climb ends at the container's /`);
      else assert.match(r.stderr, "cwd", `fd ${n}: ${r.stderr}`);
    }
  } finally {
    closeSync(dirFd);
    oci("delete", "--force", id);
  }
});

test("7: a process exec'd into a created container cannot read the init's environ or exe (the init is not dumpable)", () => {
  const id = newId();
  assert.is(oci("create", "--bundle", t.bundle(["true"]), id).code, 0);
  try {
    const r = oci("exec", id, "sh", "-c", "cat /proc/1/environ; echo environ=$?; readlink /proc/1/exe; echo exe=$?; cut -d' ' -f1,3 /proc/1/stat");
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /environ=1\n/);
    assert.match(r.stdout, /exe=1\n/);
    assert.not.match(r.stdout, "PATH=");
    // The control: the exec'd process does see the init, pid 1 of its pid namespace, waiting.
    assert.match(r.stdout, /\n1 S\n$/);
  } finally {
    oci("delete", "--force", id);
  }
});

test("9: exec --cap CAP_SYS_ADMIN: in CapEff, never in CapInh or CapAmb (CVE-2022-29162)", () => {
  const SYS_ADMIN = 1n << 21n;
  // Without inheritable in the config, and with some (runc then also asks for ambient, which the
  // kernel only grants for a cap that is inheritable too).
  for (const inheritable of [undefined, ["CAP_KILL"]]) {
    const id = newId();
    const caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
    const patches = inheritable ? { "/process/capabilities": { bounding: caps, effective: caps, permitted: caps, inheritable } } : {};
    assert.is(oci("run", "-d", "--bundle", t.bundle(["sleep", "100"], patches), id).code, 0);
    try {
      const r = oci("exec", "--cap", "CAP_SYS_ADMIN", id, "sh", "-c", "grep -E '^Cap(Inh|Eff|Amb)' /proc/self/status");
      assert.is(r.code, 0, r.stderr);
      const set = Object.fromEntries(r.stdout.trim().split("\n").map((l) => l.split(/:\s+/)).map(([k, v]) => [k, BigInt("0x" + v)]));
      assert.ok(set.CapEff & SYS_ADMIN, r.stdout);
      assert.not.ok(set.CapInh & SYS_ADMIN, r.stdout);
      assert.not.ok(set.CapAmb & SYS_ADMIN, r.stdout);
    } finally {
      oci("delete", "--force", id);
    }
  }
});

test("10: the container's seccomp profile (mkdir -> EPERM) applies to exec'd processes", () => {
  const id = newId();
  const seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }] };
  assert.is(oci("run", "-d", "--bundle", t.bundle(["sleep", "100"], { "/linux/seccomp": seccomp }), id).code, 0);
  try {
    const r = oci("exec", id, "sh", "-c", "grep '^Seccomp:' /proc/self/status; mkdir /dev/shm/sec10 && echo MADE");
    assert.match(r.stdout, /^Seccomp:\t2\n/);
    assert.not.match(r.stdout, "MADE");
    assert.match(r.stderr, "Operation not permitted");
  } finally {
    oci("delete", "--force", id);
  }
});

test("8: run: no inheritable or ambient caps; effective = bounding = the configured set", () => {
  const r = oci("run", "--bundle", t.bundle(["sh", "-c", "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status"]), newId());
  assert.is(r.code, 0, r.stderr);
  const caps = Object.fromEntries(r.stdout.trim().split("\n").map((l) => l.split(/:\s+/)));
  assert.equal(caps, {
    CapInh: "0000000000000000", CapPrm: "0000000020000420", CapEff: "0000000020000420", CapBnd: "0000000020000420", CapAmb: "0000000000000000",
  });
});

test("11: noNewPrivileges: true gives NoNewPrivs: 1", () => {
  const script = ["sh", "-c", "grep NoNewPrivs /proc/self/status"];
  const on = oci("run", "--bundle", t.bundle(script, { "/process/noNewPrivileges": true }), newId());
  assert.is(on.stdout, "NoNewPrivs:\t1\n", on.stderr);
  if (/NoNewPrivs:\t0/.test(readFileSync("/proc/self/status", "utf8"))) {
    const off = oci("run", "--bundle", t.bundle(script, { "/process/noNewPrivileges": false }), newId());
    assert.is(off.stdout, "NoNewPrivs:\t0\n", off.stderr);
  }
});

test("12: masked files are /dev/null, /sys/firmware is empty, /proc/sys, /sys and cgroups are read-only", () => {
  // Every write here is harmless if it succeeded: the hostname and lo are the container's own
  // (new uts and net namespaces), and a cgroup made by mistake is removed at once.
  const script = [
    "for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats /proc/timer_stats; do [ -e $f ] && stat -c 'masked %n %F %t:%T' $f; done",
    "echo firmware $(ls -A /sys/firmware | wc -l)",
    "echo evil > /proc/sys/kernel/hostname && echo WROTE-proc-sys",
    "echo 1500 > /sys/class/net/lo/mtu && echo WROTE-sys",
    "n=0; for d in /sys/fs/cgroup/*/; do n=$((n+1)); if mkdir $d/sec-test 2>/dev/null; then echo MADE $d; rmdir $d/sec-test; fi; done; echo controllers $n",
  ].join("\n");
  const r = oci("run", "--bundle", t.bundle(["sh", "-c", script]), newId());
  const lines = r.stdout.trim().split("\n");
  const masked = lines.filter((l) => l.startsWith("masked "));
  assert.ok(masked.length >= 2, r.stdout);
  for (const l of masked) assert.match(l, / character special file 1:3$/, l);
  assert.ok(lines.includes("firmware 0"), r.stdout);
  assert.not.match(r.stdout, "WROTE");
  assert.not.match(r.stdout, "MADE");
  assert.match(r.stdout, /controllers [1-9]/);
  assert.match(r.stderr, /\/proc\/sys\/kernel\/hostname: Read-only file system/);
  assert.match(r.stderr, /\/sys\/class\/net\/lo\/mtu: Read-only file system/);
});

test("13: a /dev/null symlink (no /dev tmpfs) is not used for masking or to reopen stdio", () => {
  const rootfs = rootfsCopy();
  writeFileSync(join(rootfs, "etc/secret"), "SECRET-IN-ROOTFS\n");
  rmSync(join(rootfs, "dev"), { recursive: true, force: true });
  mkdirSync(join(rootfs, "dev"));
  symlinkSync("/etc/secret", join(rootfs, "dev/null"));
  const b = t.bundle(["sh", "-c", "cat /proc/timer_list /proc/keys; cat; stat -L -c '%n %F' /proc/timer_list /proc/keys"], {
    "/root/path": rootfs, "/root/readonly": false,
    "/mounts": (JSON.parse(readFileSync(join(t.bundle(["true"]), "config.json"), "utf8")).mounts as { destination: string }[])
      .filter((m) => !m.destination.startsWith("/dev")),
  });
  const r = oci("run", "--bundle", b, newId());
  assert.not.match(r.stdout, "SECRET");
  if (r.code === 0) assert.not.match(r.stdout, "regular file", r.stdout);
  else assert.match(r.stderr, "/dev/null", r.stderr);
  assert.is(readFileSync(join(rootfs, "etc/secret"), "utf8"), "SECRET-IN-ROOTFS\n");
});

test("14: a rootfs whose /proc or /sys is a symlink is refused, naming the mount (as runc, CVE-2019-16884)", () => {
  const outside = join(t.dir, `proc-target${++ids}`);
  mkdirSync(outside);
  // Each symlink once with its target missing inside the rootfs and once with it present there.
  for (const [dir, fstype] of [["proc", "proc"], ["sys", "sysfs"]]) {
    for (const target of [outside, "../../../../../../../.." + outside, "/real-" + dir]) {
      for (const inRoot of [false, true]) {
        const rootfs = rootfsCopy();
        rmSync(join(rootfs, dir), { recursive: true });
        symlinkSync(target, join(rootfs, dir));
        if (inRoot) mkdirSync(join(rootfs, target.startsWith("/real-") ? target : outside), { recursive: true });
        const r = oci("run", "--bundle", t.bundle(["true"], { "/root/path": rootfs }), newId());
        assert.is(r.code, 1, `${dir} -> ${target}: ${r.stderr}`);
        const message = errorMessage(r.stderr.trim().split("\n").at(-1)!);
        assert.match(message, new RegExp(`^/mounts/\\d+: (mount "${fstype}" on|create mount point) "?/${dir}"?: not a directory$`), message);
        assert.equal(readdirSync(outside), [], "nothing on the host target");
        assert.not.match(hostMountinfo(), ` ${outside} `);
      }
    }
  }
});

test("15: mount destinations through symlinks create nothing on the host and mount nothing there", () => {
  const h1 = hostDir().dir;
  const h2 = hostDir().dir;
  const h3 = hostDir().dir;
  const src = join(t.dir, `bind-src${++ids}`);
  writeFileSync(src, "bound\n");
  // [destination, where it lands inside the rootfs when the symlink resolves in it, mount]
  const cases: [string, string, Record<string, unknown>][] = [
    ["/abs/sub", join(h1, "sub"), { destination: "/abs/sub", type: "tmpfs", source: "tmpfs", options: ["size=1m"] }],
    [`/rel${h2}/sub`, join(h2, "sub"), { destination: `/rel${h2}/sub`, type: "tmpfs", source: "tmpfs", options: ["size=1m"] }],
    ["/linked", join(h3, "newfile"), { destination: "/linked", type: "bind", source: src, options: ["bind"] }],
  ];
  // Each destination once with the symlink's target missing inside the rootfs, once present there.
  for (const [dest, landed, mount] of cases) {
    for (const inRoot of [false, true]) {
      const rootfs = rootfsCopy();
      symlinkSync(h1, join(rootfs, "abs"));
      symlinkSync("../../../../../../../../..", join(rootfs, "rel"));
      symlinkSync(join(h3, "newfile"), join(rootfs, "linked"));
      if (inRoot) for (const h of [h1, h2, h3]) mkdirSync(join(rootfs, h), { recursive: true });
      const before = [h1, h2, h3].map((d) => readdirSync(d).sort());
      const check = mount.type === "bind" ? `cat ${dest}` : `grep -c ' ${landed} ' /proc/self/mountinfo`;
      const r = oci("run", "--bundle", t.bundle(["sh", "-c", check], { "/root/path": rootfs, "/root/readonly": false, "/mounts/7": mount }), newId());
      if (r.code === 0) assert.is(r.stdout, mount.type === "bind" ? "bound\n" : "1\n", dest);
      else assert.match(r.stderr, "/mounts/7", r.stderr);
      assert.equal([h1, h2, h3].map((d) => readdirSync(d).sort()), before, `${dest}: nothing created in the host dirs`);
      const mi = hostMountinfo();
      for (const p of [join(h1, "sub"), join(h2, "sub"), join(h3, "newfile")]) assert.not.match(mi, ` ${p} `);
    }
  }
});

test("16: the container sees no --root dir, exec.fifo or state.json", () => {
  // Another container waits in `created`, so an exec.fifo exists while we look.
  const other = newId();
  assert.is(oci("create", "--bundle", t.bundle(["true"]), other).code, 0);
  try {
    const script = `ls ${root} 2>&1 | grep -c 'No such file'; find / \\( -path /proc -o -path /sys \\) -prune -o \\( -name exec.fifo -o -name state.json \\) -print; ls -l /proc/*/fd/ 2>/dev/null | grep -e exec.fifo -e state.json -e ${basename(t.dir)}; true`;
    const r = oci("run", "--bundle", t.bundle(["sh", "-c", script]), newId());
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, "1\n");
  } finally {
    oci("delete", "--force", other);
  }
});

test("17: --pid-file that is a symlink leaves the victim unchanged", () => {
  const { dir } = hostDir();
  const victim = join(dir, "victim");
  writeFileSync(victim, "ORIGINAL\n");
  const pidFile = join(dir, "pid");
  symlinkSync(victim, pidFile);
  const id = newId();
  const r = oci("create", "--pid-file", pidFile, "--bundle", t.bundle(["true"]), id);
  try {
    assert.is(readFileSync(victim, "utf8"), "ORIGINAL\n");
    if (r.code === 0) {
      assert.ok(lstatSync(pidFile).isFile(), "the pid file replaced the symlink");
      assert.is(readFileSync(pidFile, "utf8"), String(state(id).pid));
    }
  } finally {
    oci("delete", "--force", id);
  }
});

test("18: ids that are paths are refused and create nothing outside --root", () => {
  const w = basename(t.dir);
  const b = t.bundle(["true"]);
  mkdirSync(root, { recursive: true });
  const outside = () => [existsSync(join(t.dir, "idp")), existsSync(join(dirname(t.dir), "idp")), existsSync(join(root, "a"))];
  const parentBefore = readdirSync(t.dir).sort();
  for (const id of ["../idp/esc", "a/b", "..", `../../${w}/idp/x`]) {
    const r = oci("create", "--bundle", b, id);
    assert.is(r.code, 1, `${id}: ${r.stderr}`);
    assert.equal(outside(), [false, false, false], id);
  }
  assert.equal(readdirSync(t.dir).sort(), parentBefore);
});

// Until the sealed program is exec'd the init is a clone of the runtime, whose cmdline would read
// the runtime's argv (`ocirun --root <state> create --bundle <path> <id>`), and the program's own
// argv carries fd numbers: any process in the container's pid namespace may read it. runc's
// reads "runc init".
test("the created init's cmdline is `ocirun init`, its environ empty: no bundle, state root or runtime env", () => {
  const id = newId();
  const bundle = t.bundle(["true"]);
  const env = { ...process.env, OCIRUN_TEST_LEAK: "runtime-env-marker" };
  assert.is(ocirun(["create", "--bundle", bundle, id], { root, env }).code, 0);
  try {
    const pid = state(id).pid;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1");
    assert.is(cmdline, "ocirun\0init\0");
    // The host's root may read environ: it must hold nothing of the runtime's.
    assert.is(readFileSync(`/proc/${pid}/environ`, "latin1"), "");
  } finally {
    oci("delete", "--force", id);
  }
});

test("from inside its pid namespace the created init reads `ocirun init`; its environ is not readable (non-dumpable)", () => {
  const id = newId();
  const env = { ...process.env, OCIRUN_TEST_LEAK: "runtime-env-marker" };
  assert.is(ocirun(["create", "--bundle", t.bundle(["true"]), id], { root, env }).code, 0);
  try {
    // A second container joins the created one's pid namespace (its own init is forked there:
    // FORK_INIT), so its /proc shows the waiting init as pid 1.
    const pidns = `/proc/${state(id).pid}/ns/pid`;
    const joined = (args: string[]) => t.bundle(args, {
      "/linux/namespaces": [{ type: "pid", path: pidns }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
    });
    const second = newId();
    assert.is(ocirun(["create", "--bundle", joined(["true"]), second], { root, env }).code, 0);
    try {
      assert.is(readFileSync(`/proc/${state(second).pid}/cmdline`, "latin1"), "ocirun\0init\0", "an init made by FORK_INIT");
    } finally {
      oci("delete", "--force", second);
    }
    const r = oci("run", "--bundle", joined(["sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; cat /proc/1/environ >/dev/null 2>&1 && echo environ readable || echo environ denied"]), newId());
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n"), ["ocirun init ", "environ denied", ""]);
  } finally {
    oci("delete", "--force", id);
  }
});

test("ps in a started container shows the user's command as pid 1", () => {
  const r = oci("run", "--bundle", t.bundle(["ps", "-o", "pid,args"]), newId());
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.split("\n").some((l) => /^\s*1 ps -o pid,args$/.test(l)), r.stdout);
  assert.not.match(r.stdout, "ocirun");
});

// 5 (CVE-2019-5736): the container's first execve is made from the sealed init program, so
// an entrypoint that is /proc/self/exe, or a script whose interpreter is /proc/self/exe, cannot
// run (and then reopen) the runtime's own binary. The rootfs gets the binary's libraries, so the
// control run shows the binary would start if the attack reached it.
const runtimeBinary = ocirunExecutable;

test("5: entrypoint /proc/self/exe and #!/proc/self/exe do not run the runtime's binary", () => {
  const runtime = runtimeBinary();
  const rootfs = rootfsCopy();
  const libs = execFileSync("ldd", [runtime], { encoding: "utf8" }).match(/\/[^\s]+/g) ?? [];
  for (const lib of libs) {
    mkdirSync(join(rootfs, dirname(lib)), { recursive: true });
    execFileSync("cp", ["-L", lib, join(rootfs, lib)]);
  }
  execFileSync("cp", [runtime, join(rootfs, "runtime-copy")]);
  writeFileSync(join(rootfs, "script"), "#!/proc/self/exe --version\n", { mode: 0o755 });
  const run = (args: string[]) => ocirun(["run", "--bundle", t.bundle(args, { "/root/path": rootfs }), newId()], { root });
  const version = /\d+\.\d+\.\d+/;
  const control = run(["/runtime-copy", "--version"]);
  assert.match(control.stdout, version, `control: the copied binary runs in this rootfs: ${control.stderr}`);
  for (const args of [["/proc/self/exe", "--version"], ["/script"]]) {
    const r = run(args);
    assert.not.match(r.stdout, version, `${args[0]} ran the runtime's binary: ${r.stdout}`);
    assert.is.not(r.code, 0, args[0]);
  }
});

// 5, the waiting init (CVE-2019-5736 class): between create and start the init is the sealed
// init program, so /proc/<init>/exe (which a process exec'd into the container could keep a
// handle on) is a sealed memfd, never the runtime's binary; once the init has exec'd the user's
// program, that handle reopens for writing but every write is refused.
test("5: a created container's init runs from a sealed memfd, not the runtime's binary", () => {
  const id = newId();
  const c = oci("create", "--bundle", t.bundle(["sleep", "30"]), id);
  assert.is(c.code, 0, c.stderr);
  const pid = state(id).pid;
  assert.match(readlinkSync(`/proc/${pid}/exe`), /^\/memfd:ocirun-init/);
  const exe = statSync(`/proc/${pid}/exe`);
  const runtime = statSync(runtimeBinary());
  assert.ok(exe.ino !== runtime.ino || exe.dev !== runtime.dev, "the init's exe is the runtime binary");
  const held = openSync(`/proc/${pid}/exe`, "r");
  try {
    assert.is(oci("start", id).code, 0);
    const w = openSync(`/proc/self/fd/${held}`, "r+");
    try {
      const byte = Buffer.alloc(1);
      readSync(w, byte, 0, 1, 0);
      assert.throws(() => writeSync(w, byte, 0, 1, 0), /EPERM|operation not permitted/i);
    } finally {
      closeSync(w);
    }
  } finally {
    closeSync(held);
    oci("delete", "--force", id);
  }
});

test.run();
