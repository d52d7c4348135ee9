// Every linux.resources field in a real cgroup (root): one container per row, each file read
// back on the host after create and by the container itself after start. Rows the host cannot
// have (a controller it does not mount, a kernel file it lacks, no block device) are skipped with
// the reason; on this hybrid host and in the cgroup v2 VM (test/vm) a different set runs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";
import { cgroupFileOf, hostCgroupMode, readTrim, v1Dir } from "../util/cgroup-host.ts";

const t = new TestBundles();
const mode = hostCgroupMode();
const oci = (...args: string[]) => ocirun(args, { root: t.root });
test.after(() => t.cleanup());

type Read = [controller: string, file: string, want: string | RegExp];
interface Row {
  name: string;
  resources: Record<string, unknown>;
  v1?: Read[];
  v2?: Read[];
  /** Why this host cannot run the row, or null. */
  skip?: () => string | null;
}

/** The files a new cgroup of controller's hierarchy has here (made and removed to look). */
const probed = new Map<string, string[]>();
function cgroupFiles(controller: string): string[] {
  const root = mode === "v2" ? "/sys/fs/cgroup" : join("/sys/fs/cgroup", v1Dir(controller));
  if (!probed.has(root)) {
    const dir = join(root, `ocirun-probe-${process.pid}`);
    mkdirSync(dir);
    try {
      probed.set(root, readdirSync(dir));
    } finally {
      rmdirSync(dir);
    }
  }
  return probed.get(root)!;
}
const hasHierarchy = (c: string) => mode === "v2" ? readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8").split(/\s+/).includes(c) : readdirSync("/sys/fs/cgroup").some((d) => d.split(",").includes(c));
const needs = (controller: string, ...files: string[]) => () => {
  if (!hasHierarchy(controller)) return `this host has no ${controller} controller`;
  const missing = files.filter((f) => !cgroupFiles(controller).includes(f));
  return missing.length > 0 ? `the kernel has no ${missing.join(", ")}` : null;
};
const v1Needs = (controller: string, ...files: string[]) => () => (mode === "v2" ? null : needs(controller, ...files)());
const v2Needs = (controller: string, ...files: string[]) => () => (mode === "v2" ? needs(controller, ...files)() : null);
const either = (...checks: Array<() => string | null>) => () => checks.map((c) => c()).find((r) => r !== null) ?? null;

// The first block device the host has, for the per-device rows.
const blockDevice = existsSync("/sys/block") ? readdirSync("/sys/block").filter((d) => !d.startsWith("loop") && !d.startsWith("zram"))
  .map((d) => readTrim(`/sys/block/${d}/dev`))[0] : undefined;
const [major, minor] = (blockDevice ?? "0:0").split(":").map(Number);

const rows: Row[] = [
  {
    name: "memory limit, reservation, swap",
    resources: { memory: { limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20 } },
    v1: [["memory", "memory.limit_in_bytes", String(64 << 20)], ["memory", "memory.soft_limit_in_bytes", String(32 << 20)], ["memory", "memory.memsw.limit_in_bytes", String(128 << 20)]],
    v2: [["memory", "memory.max", String(64 << 20)], ["memory", "memory.low", String(32 << 20)], ["memory", "memory.swap.max", String(64 << 20)]],
    skip: either(v1Needs("memory", "memory.memsw.limit_in_bytes"), v2Needs("memory", "memory.swap.max")),
  },
  { name: "memory swappiness (v1)", resources: { memory: { swappiness: 30 } }, v1: [["memory", "memory.swappiness", "30"]], skip: () => (mode === "v2" ? "cgroup v2 has no swappiness" : null) },
  {
    name: "cpu shares",
    resources: { cpu: { shares: 512 } },
    v1: [["cpu", "cpu.shares", "512"]],
    v2: [["cpu", "cpu.weight", /^[1-9][0-9]*$/]],
  },
  {
    name: "cpu quota, period, burst",
    resources: { cpu: { quota: 50000, period: 100000, burst: 10000 } },
    v1: [["cpu", "cpu.cfs_quota_us", "50000"], ["cpu", "cpu.cfs_period_us", "100000"], ["cpu", "cpu.cfs_burst_us", "10000"]],
    v2: [["cpu", "cpu.max", "50000 100000"], ["cpu", "cpu.max.burst", "10000"]],
    skip: either(v1Needs("cpu", "cpu.cfs_burst_us"), v2Needs("cpu", "cpu.max.burst")),
  },
  { name: "cpu idle", resources: { cpu: { idle: 1 } }, v1: [["cpu", "cpu.idle", "1"]], v2: [["cpu", "cpu.idle", "1"]], skip: needs("cpu", "cpu.idle") },
  {
    name: "cpu realtime runtime and period (v1)",
    resources: { cpu: { realtimeRuntime: 10000, realtimePeriod: 500000 } },
    v1: [["cpu", "cpu.rt_runtime_us", "10000"], ["cpu", "cpu.rt_period_us", "500000"]],
    skip: () => (mode === "v2" ? "cgroup v2 has no realtime limits" : needs("cpu", "cpu.rt_runtime_us")()),
  },
  { name: "cpuset cpus and mems", resources: { cpu: { cpus: "0", mems: "0" } }, v1: [["cpuset", "cpuset.cpus", "0"], ["cpuset", "cpuset.mems", "0"]], v2: [["cpuset", "cpuset.cpus", "0"], ["cpuset", "cpuset.mems", "0"]], skip: needs("cpuset") },
  { name: "pids limit", resources: { pids: { limit: 64 } }, v1: [["pids", "pids.max", "64"]], v2: [["pids", "pids.max", "64"]] },
  {
    name: "blockIO weight",
    resources: { blockIO: { weight: 300 } },
    v1: [["blkio", cgroupWeightFile("blkio", ["blkio.weight", "blkio.bfq.weight"]), "300"]],
    v2: [["io", cgroupWeightFile("io", ["io.bfq.weight", "io.weight"]), /^(default )?[0-9]+$/]],
    skip: () => (cgroupWeightFile(mode === "v2" ? "io" : "blkio", mode === "v2" ? ["io.bfq.weight", "io.weight"] : ["blkio.weight", "blkio.bfq.weight"]) ? null : "the kernel has no io weight file (no BFQ, no iocost)"),
  },
  {
    name: "blockIO throttles for a device",
    resources: { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 1048576 }], throttleWriteIOPSDevice: [{ major, minor, rate: 100 }] } },
    v1: [["blkio", "blkio.throttle.read_bps_device", `${major}:${minor} 1048576`], ["blkio", "blkio.throttle.write_iops_device", `${major}:${minor} 100`]],
    v2: [["io", "io.max", `${major}:${minor} rbps=1048576 wbps=max riops=max wiops=100`]],
    skip: () => (blockDevice ? needs(mode === "v2" ? "io" : "blkio")() : "this host has no block device"),
  },
  {
    name: "hugepage limit 2MB",
    resources: { hugepageLimits: [{ pageSize: "2MB", limit: 4 << 20 }] },
    v1: [["hugetlb", "hugetlb.2MB.limit_in_bytes", String(4 << 20)]],
    v2: [["hugetlb", "hugetlb.2MB.max", String(4 << 20)]],
    skip: needs("hugetlb", mode === "v2" ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes"),
  },
  {
    name: "network classID and priorities (v1)",
    resources: { network: { classID: 1048577, priorities: [{ name: "lo", priority: 5 }] } },
    v1: [["net_cls", "net_cls.classid", "1048577"], ["net_prio", "net_prio.ifpriomap", /^lo 5$/m]],
    skip: () => (mode === "v2" ? "cgroup v2 has no net_cls or net_prio" : either(needs("net_cls"), needs("net_prio"))()),
  },
  {
    name: "rdma limits",
    resources: { rdma: { mlx5_0: { hcaHandles: 3, hcaObjects: 1000 } } },
    v1: [["rdma", "rdma.max", /^mlx5_0 hca_handle=3 hca_object=1000$/m]],
    v2: [["rdma", "rdma.max", /^mlx5_0 hca_handle=3 hca_object=1000$/m]],
    skip: () => (existsSync("/sys/class/infiniband/mlx5_0") ? needs("rdma")() : "this host has no RDMA device mlx5_0"),
  },
  { name: "unified (v2): raw files, written last", resources: { pids: { limit: 64 }, unified: { "pids.max": "7" } }, v2: [["pids", "pids.max", "7"]], skip: () => (mode === "v2" ? null : "unified is for cgroup v2 (refused on v1: below)") },
];

/** The weight file a new cgroup has, of those the core writes (optional ones). */
function cgroupWeightFile(controller: string, files: string[]): string {
  if (!hasHierarchy(controller)) return "";
  return files.find((f) => cgroupFiles(controller).includes(f)) ?? "";
}

let n = 0;
for (const row of rows) {
  const reads = (mode === "v2" ? row.v2 : row.v1) ?? [];
  const reason = reads.length === 0 ? `nothing to read on cgroup ${mode}` : row.skip?.() ?? null;
  if (reason) console.log(`  skipped: ${row.name}: ${reason}`);
  (reason ? test.skip : test)(`resources: ${row.name}`, () => {
    const id = `cgr-${++n}`;
    const out = join(t.dir, id);
    mkdirSync(out);
    const cat = reads.map(([ctrl, file]) => `cat /sys/fs/cgroup/${mode === "v2" ? "" : v1Dir(ctrl) + "/"}${file}`).join("; ");
    const b = t.bundle(["sh", "-c", `{ ${cat}; echo END; } > /out/reads 2>&1`], { "/linux/resources": row.resources });
    t.addMount(b, { destination: "/out", type: "bind", source: out, options: ["rbind", "rw"] });
    const r = oci("create", "--bundle", b, id);
    assert.is(r.code, 0, r.stderr);
    const pid = JSON.parse(oci("state", id).stdout).pid;
    const host = reads.map(([ctrl, file]) => readTrim(cgroupFileOf(pid, ctrl, file)));
    reads.forEach(([, file, want], i) => (want instanceof RegExp ? assert.match(host[i], want, file) : assert.is(host[i], want, file)));
    assert.is(oci("start", id).code, 0);
    assert.ok(waitFor(() => existsSync(join(out, "reads")) && readFileSync(join(out, "reads"), "utf8").endsWith("END\n")));
    const inside = readFileSync(join(out, "reads"), "utf8").trimEnd().split("\n").slice(0, -1).join("\n");
    assert.is(inside, host.join("\n"), "the container reads what the host reads");
    assert.is(oci("delete", "--force", id).code, 0);
  });
}

if (mode === "v2") console.log("  skipped: unified refused on cgroup v1 (this host is v2)");
(mode === "v2" ? test.skip : test)("resources: unified on cgroup v1 is refused, naming it", () => {
  const r = oci("create", "--bundle", t.bundle(["true"], { "/linux/resources": { unified: { "pids.max": "7" } } }), "cgr-unified");
  assert.is(r.code, 1);
  assert.match(errorMessage(r.stderr), /^\/linux\/resources\/unified: needs cgroup v2/);
});

test.run();
