// Structure-aware configs: every section of runtime-spec 1.3's config.json, mostly with valid
// values and now and then an invalid one, so inputs reach deep into the core's checks.
import { Rng } from "./prng";
import { RawNumber, type Tree } from "./tree";

const CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN", "CAP_AUDIT_WRITE", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"];
const BAD_CAPS = ["CAP_FOO", "cap_kill", "KILL", "", "CAP_"];
const RLIMITS = ["RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"];
const NAMESPACES = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"];
const MOUNT_OPTIONS = ["ro", "rw", "nosuid", "nodev", "noexec", "relatime", "strictatime", "bind", "rbind", "rprivate", "rslave", "shared", "private", "unbindable", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666", "gid=5", "defaults", "nosymfollow", "lazytime"];
const ODD_MOUNT_OPTIONS = ["rro", "rnosuid", "idmap", "ridmap", "tmpcopyup", "rbnd", "", "ro,nosuid", "bind "];
const GOOD_VERSIONS = ["1.3.0", "1.0.0", "1.0.2-dev", "1.2.1", "1.1.0-rc.1", "1.0.0+build.5", "1.0.0-alpha-1.0+x", "1.99.99"];
const BAD_VERSIONS = ["1.0", "2.0.0", "0.1.0", "01.0.0", "1.0.0-", "1.0.0+", "1.0.0-a..b", "1.0.0-01", "v1.0.0", "", "1.0.0 ", "1.0.0-é", "1.0.0+a+b", "1..0"];

/** Numbers at and around the edges of the integer types the spec uses. */
const U32_EDGES = ["0", "1", "65534", "4294967295"];
const U64_EDGES = ["0", "1", "1024", "9223372036854775807", "9223372036854775808", "18446744073709551615"];
const I64_EDGES = ["-9223372036854775808", "-1", "0", "9223372036854775807"];
const OUT_OF_RANGE = ["-1", "4294967296", "18446744073709551616", "-9223372036854775809", "99999999999999999999999", "1.5", "1.0", "1e3", "-0.5", "1E400"];

export class ConfigGenerator {
  constructor(private rng: Rng, private badRate = 0.04) {}

  private bad(): boolean { return this.rng.chance(this.badRate); }

  /** Any JSON value of the wrong kind. */
  wrongType(): Tree {
    const r = this.rng;
    return r.pick<() => Tree>([() => null, () => true, () => r.int(-3, 70000), () => "x", () => [], () => ({}), () => ["a"], () => ({ a: 1 })])();
  }

  private num(edges: string[]): Tree {
    if (this.bad()) return this.rng.chance(0.7) ? new RawNumber(this.rng.pick(OUT_OF_RANGE)) : this.wrongType();
    if (this.rng.chance(0.5)) return this.rng.int(0, 1000);
    return new RawNumber(this.rng.pick(edges));
  }
  u32(): Tree { return this.num(U32_EDGES); }
  u64(): Tree { return this.num(U64_EDGES); }
  i64(): Tree { return this.num(I64_EDGES); }

  private bool(): Tree { return this.bad() ? this.wrongType() : this.rng.chance(0.5); }
  private str(choices: readonly string[]): Tree { return this.bad() ? this.wrongType() : this.rng.pick(choices); }

  path(): Tree {
    const r = this.rng;
    if (this.bad()) return r.chance(0.5) ? r.pick(["relative/path", "", "./x", "proc"]) : this.wrongType();
    return r.pick(["/", "/proc/kcore", "/sys/firmware", "/dev/x", "/a/../b", "//double", "/with space", "/ünïcödé", "/tmp/~tilde", "/a/b/c/d/e"]);
  }

  private strings(choices: readonly string[], max: number): Tree {
    if (this.bad()) return this.wrongType();
    const out: Tree[] = this.rng.some(choices, max);
    if (this.bad()) out.push(this.wrongType());
    return out;
  }

  private maybe(obj: { [k: string]: Tree }, key: string, p: number, make: () => Tree): void {
    if (this.rng.chance(p)) obj[key] = make();
  }

  config(): Tree {
    const r = this.rng;
    const c: { [k: string]: Tree } = {};
    c.ociVersion = this.bad() ? (r.chance(0.7) ? r.pick(BAD_VERSIONS) : this.wrongType()) : r.pick(GOOD_VERSIONS);
    c.root = this.bad() ? this.wrongType() : this.root();
    this.maybe(c, "mounts", 0.6, () => Array.from({ length: r.int(0, 6) }, () => this.mount()));
    this.maybe(c, "process", 0.85, () => this.process());
    const namespaces = this.namespaces();
    const types = Array.isArray(namespaces) ? namespaces.map((n) => (n && typeof n === "object" && !Array.isArray(n) ? (n as { type?: Tree }).type : null)) : [];
    const hasUts = types.includes("uts");
    this.maybe(c, "hostname", hasUts ? 0.5 : 0.03, () => this.str(["ocirun", "", "a-b.c", "x".repeat(70)]));
    this.maybe(c, "domainname", hasUts ? 0.2 : 0.02, () => this.str(["example.org", ""]));
    this.maybe(c, "annotations", 0.3, () => this.annotations());
    this.maybe(c, "hooks", 0.25, () => this.hooks());
    if (r.chance(0.95)) c.linux = this.linux(namespaces, types.includes("user"));
    return c;
  }

  private root(): Tree {
    const root: { [k: string]: Tree } = { path: this.str(["rootfs", "/var/lib/rootfs", "../rootfs", "."]) };
    this.maybe(root, "readonly", 0.4, () => this.bool());
    return root;
  }

  mount(): Tree {
    const r = this.rng;
    const kind = r.chance(0.03) ? "notype" : r.pick(["proc", "tmpfs", "devpts", "sysfs", "cgroup", "cgroup2", "mqueue", "bind", "bindopt"]);
    const m: { [k: string]: Tree } = { destination: this.path() };
    if (kind === "bind") { m.type = "bind"; m.source = this.path(); }
    else if (kind === "bindopt") { m.source = r.chance(0.95) ? this.path() : ""; m.options = [r.pick(["bind", "rbind"])]; }
    else if (kind === "notype") { m.source = "none"; }
    else { m.type = kind; m.source = kind; }
    if (r.chance(0.6)) {
      const opts = r.some(MOUNT_OPTIONS, 5);
      if (r.chance(0.04)) opts.push(r.pick(ODD_MOUNT_OPTIONS));
      m.options = [...(Array.isArray(m.options) ? m.options : []), ...opts];
    }
    if (r.chance(0.05)) { m.uidMappings = [this.idMapping()]; if (r.chance(0.8)) m.gidMappings = [this.idMapping()]; }
    if (this.bad()) delete m.destination;
    return m;
  }

  private capabilities(): Tree {
    const caps: { [k: string]: Tree } = {};
    for (const set of ["bounding", "effective", "permitted", "inheritable", "ambient"]) {
      this.maybe(caps, set, 0.6, () => {
        const list = this.strings(CAPS, 6);
        if (Array.isArray(list) && this.rng.chance(0.1)) list.push(this.rng.pick(BAD_CAPS));
        return list;
      });
    }
    return caps;
  }

  rlimit(): Tree {
    const r = this.rng;
    const lim: { [k: string]: Tree } = { type: this.bad() ? r.pick(["RLIMIT_FOO", "rlimit_nofile", "", "RLIMIT_"]) : r.pick(RLIMITS) };
    const [soft, hard] = [this.u64(), this.u64()];
    // Mostly soft <= hard, so the soft > hard rule is met on purpose rather than by chance.
    const order = (t: Tree) => (t instanceof RawNumber ? BigInt(/^-?\d+$/.test(t.text) ? t.text : "0") : typeof t === "number" && Number.isInteger(t) ? BigInt(t) : 0n);
    const swap = r.chance(0.8) && order(soft) > order(hard);
    lim.soft = swap ? hard : soft;
    lim.hard = swap ? soft : hard;
    if (this.bad()) delete lim[r.pick(["type", "soft", "hard"])];
    return lim;
  }

  process(): Tree {
    const r = this.rng;
    const p: { [k: string]: Tree } = {};
    p.args = this.bad() ? r.pick<Tree>([[], [""], "sh", ["sh", 1]]) : r.pick([["/bin/true"], ["sh", "-c", "echo hi"], ["/probe", "ünï", ""]]);
    p.cwd = r.chance(0.97) ? this.path() : "";
    this.maybe(p, "env", 0.7, () => this.strings(["PATH=/bin", "TERM=xterm", "A=", "=x", "NOEQUALS", "Ü=ü"], 4));
    this.maybe(p, "terminal", 0.3, () => this.bool());
    this.maybe(p, "user", 0.7, () => {
      const u: { [k: string]: Tree } = { uid: this.u32(), gid: this.u32() };
      if (r.chance(0.05)) delete u[r.pick(["uid", "gid"])];
      this.maybe(u, "umask", 0.3, () => (r.chance(0.95) ? r.pick([0, 18, 63, 511]) : this.u32()));
      this.maybe(u, "additionalGids", 0.3, () => Array.from({ length: r.int(0, 3) }, () => this.u32()));
      return u;
    });
    this.maybe(p, "capabilities", 0.5, () => this.capabilities());
    this.maybe(p, "rlimits", 0.4, () => Array.from({ length: r.int(0, 4) }, () => this.rlimit()));
    this.maybe(p, "noNewPrivileges", 0.4, () => this.bool());
    this.maybe(p, "apparmorProfile", 0.1, () => this.str(["unconfined", "acme"]));
    this.maybe(p, "selinuxLabel", 0.1, () => this.str(["system_u:system_r:container_t:s0"]));
    this.maybe(p, "oomScoreAdj", 0.1, () => (this.bad() ? this.wrongType() : r.int(-1000, 1000)));
    this.maybe(p, "consoleSize", 0.1, () => ({ height: this.u32(), width: this.u32() }));
    this.maybe(p, "scheduler", 0.05, () => ({ policy: this.str(["SCHED_OTHER", "SCHED_FIFO", "SCHED_BOGUS"]), nice: r.int(-20, 19) }));
    this.maybe(p, "ioPriority", 0.05, () => ({ class: this.str(["IOPRIO_CLASS_BE", "IOPRIO_CLASS_X"]), priority: r.int(-1, 8) }));
    return p;
  }

  private namespaces(): Tree {
    const r = this.rng;
    if (this.bad()) return this.wrongType();
    const types = r.some(NAMESPACES, 8);
    if (r.chance(0.85) && !types.includes("mount")) types.unshift("mount");
    const out: Tree[] = types.map((type) => {
      const ns: { [k: string]: Tree } = { type: this.bad() ? this.rng.pick(["net", "", "MOUNT", "pidd"]) : type };
      if (r.chance(0.1)) ns.path = r.chance(0.8) ? `/proc/1/ns/${type}` : r.pick(["", "proc/1/ns/x"]);
      return ns;
    });
    if (this.bad() && out.length > 0) out.push(r.pick(out));
    return out;
  }

  idMapping(): Tree {
    const m: { [k: string]: Tree } = { containerID: this.u32(), hostID: this.u32(), size: this.rng.chance(0.95) ? this.rng.int(1, 65536) : this.u32() };
    if (this.bad()) delete m[this.rng.pick(["containerID", "hostID", "size"])];
    return m;
  }

  device(): Tree {
    const r = this.rng;
    const type = this.str(["c", "b", "u", "p"]);
    const d: { [k: string]: Tree } = { path: this.path(), type };
    if (type !== "p" || r.chance(0.3)) {
      d.major = r.chance(0.9) ? r.int(0, 300) : this.i64();
      d.minor = r.chance(0.9) ? r.int(0, 300) : this.i64();
    }
    if (r.chance(0.1)) delete d[r.pick(["major", "minor", "path", "type"])];
    this.maybe(d, "fileMode", 0.5, () => (r.chance(0.95) ? r.pick([438, 432, 0o666, 0o7777]) : this.u32()));
    this.maybe(d, "uid", 0.3, () => this.u32());
    this.maybe(d, "gid", 0.3, () => this.u32());
    return d;
  }

  private linux(namespaces: Tree, hasUser: boolean): Tree {
    const r = this.rng;
    const l: { [k: string]: Tree } = {};
    if (r.chance(0.95)) l.namespaces = namespaces;
    if (hasUser ? r.chance(0.9) : r.chance(0.05)) {
      l.uidMappings = Array.from({ length: r.int(0, 2) + (r.chance(0.9) ? 1 : 0) }, () => this.idMapping());
      if (r.chance(0.95)) l.gidMappings = Array.from({ length: r.int(1, 2) }, () => this.idMapping());
    }
    this.maybe(l, "devices", 0.3, () => Array.from({ length: r.int(0, 3) }, () => this.device()));
    this.maybe(l, "maskedPaths", 0.4, () => Array.from({ length: r.int(0, 4) }, () => this.path()));
    this.maybe(l, "readonlyPaths", 0.4, () => Array.from({ length: r.int(0, 4) }, () => this.path()));
    this.maybe(l, "rootfsPropagation", 0.2, () => (this.bad() ? this.rng.pick(["rslave", "", "SHARED"]) : this.str(["shared", "slave", "private", "unbindable"])));
    this.maybe(l, "resources", 0.3, () => this.resources());
    this.maybe(l, "sysctl", 0.1, () => ({ "net.ipv4.ip_forward": this.str(["1"]) }));
    this.maybe(l, "cgroupsPath", 0.2, () => this.str(["/ocirun/x", "system.slice:ocirun:x", "rel"]));
    this.maybe(l, "seccomp", 0.1, () => ({
      defaultAction: this.str(["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_NOPE"]),
      syscalls: [{ names: this.strings(["getcwd", "chmod"], 2), action: this.str(["SCMP_ACT_ERRNO"]) }],
    }));
    this.maybe(l, "mountLabel", 0.05, () => this.str(["system_u:object_r:container_file_t:s0"]));
    this.maybe(l, "timeOffsets", 0.03, () => ({ monotonic: { secs: this.i64(), nanosecs: this.u32() } }));
    return l;
  }

  private resources(): Tree {
    const r = this.rng;
    const res: { [k: string]: Tree } = {};
    this.maybe(res, "memory", 0.5, () => ({ limit: this.i64(), swap: this.i64() }));
    this.maybe(res, "cpu", 0.4, () => ({ shares: this.u64(), quota: this.i64(), cpus: this.str(["0-1", "0"]) }));
    this.maybe(res, "pids", 0.4, () => ({ limit: this.i64() }));
    this.maybe(res, "devices", 0.4, () => [{ allow: this.bool(), access: this.str(["rwm", "r", "x"]) }]);
    return res;
  }

  private annotations(): Tree {
    const a: { [k: string]: Tree } = {};
    const keys = this.rng.some(["org.opencontainers.image.os", "io.x/y", "a~b", "ünï", "k"], 4);
    if (this.bad()) keys.push("");
    for (const k of keys) a[k] = this.bad() ? this.wrongType() : "v";
    return a;
  }

  private hooks(): Tree {
    const h: { [k: string]: Tree } = {};
    for (const when of this.rng.some(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"], 3)) {
      h[when] = [{ path: this.path(), args: ["hook", "x"], ...(this.rng.chance(0.3) ? { timeout: this.rng.pick<Tree>([1, 5, 0, -1]) } : {}) }];
    }
    return h;
  }
}
