// `events` figures: the v1 and v2 readers over cgroup files, and the JSON line runc prints.
// The goldens are real: the files of a paused runc container's cgroups, snapshotted before and
// after `runc events --stats` (both the same), and what runc 1.1.5 printed for them, on this
// hybrid host (test/golden/stats/v1-*) and in the cgroup v2 VM (v2-*).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repo } from "../../util/ocirun.ts";
import { eventJson, newStats } from "../../../host/cgroups/stats-types.ts";
import { statsV1 } from "../../../host/cgroups/stats-v1.ts";
import { statsV2 } from "../../../host/cgroups/stats-v2.ts";
import { hugePageSizes } from "../../../host/cgroups/stats-files.ts";

const tmp = mkdtempSync(join(tmpdir(), "ocirun-stats-"));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A directory holding files: path -> content. */
function tree(files: Record<string, string>): string {
  const dir = join(tmp, `t${++n}`);
  mkdirSync(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A snapshot file ("== path" then the file's text) as a directory. */
function snapshot(name: string): string {
  const files: Record<string, string> = {};
  let current = "";
  for (const line of readFileSync(join(repo, "test/golden/stats", name), "utf8").split("\n")) {
    if (line.startsWith("== ")) files[(current = line.slice(3))] = "";
    else files[current] += line + "\n";
  }
  return tree(files);
}

const golden = (name: string) => readFileSync(join(repo, "test/golden/stats", name), "utf8");
const v1Dirs = (root: string, controllers: string[]) => (c: string) => (controllers.includes(c) ? join(root, c) : undefined);

test("v1: runc 1.1.5's line for the same files (cpuacct ticks, bfq tables with only a Total fall through to throttle, per-device Total kept, 2^63 limits exact)", () => {
  const root = snapshot("v1-runc-1.1.5.snapshot");
  const stats = statsV1(v1Dirs(root, ["cpu", "cpuacct", "cpuset", "memory", "pids", "blkio"]), ["2MB"]);
  assert.is(eventJson("stats", "st-ref2", stats), golden("v1-runc-1.1.5.json"));
});

test("v2: runc's line for the same files (memory.usage.max from memory.peak, read since runc 1.1.11)", () => {
  const dir = snapshot("v2-runc-1.1.5.snapshot");
  const want = golden("v2-runc-1.1.5.json").replace('"usage":2813952,"failcnt":0},"swap"', '"usage":2813952,"max":3653632,"failcnt":0},"swap"');
  assert.is(eventJson("stats", "st-ref3", statsV2(dir, ["1GB", "2MB"])), want);
});

test("an oom event has no data; empty stats print every non-omitempty field", () => {
  assert.is(eventJson("oom", "c1"), '{"type":"oom","id":"c1"}\n');
  assert.is(
    eventJson("stats", "c1", newStats()),
    '{"type":"stats","id":"c1","data":{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},' +
      '"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},' +
      '"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},' +
      '"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}}\n',
  );
});

test("v2: io.stat to v1's tables, swap as memory+swap, pids from cgroup.procs without the pids controller, max as 2^64-1", () => {
  const dir = tree({
    "io.stat": "8:0 rbytes=100 wbytes=200 rios=3 wios=4 dbytes=0 dios=0\n253:1 rbytes=5 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
    "memory.stat": "anon 20\nfile 10\n",
    "memory.current": "30\n",
    "memory.max": "100\n",
    "memory.swap.current": "5\n",
    "memory.swap.max": "1000\n",
    "cgroup.procs": "1\n2\n3\n",
    "cpu.stat": "usage_usec 7\nuser_usec 5\nsystem_usec 2\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
  });
  const s = statsV2(dir, []);
  assert.equal(s.blkio.ioServiceBytesRecursive, [
    { major: 8n, minor: 0n, op: "Read", value: 100n },
    { major: 8n, minor: 0n, op: "Write", value: 200n },
    { major: 253n, minor: 1n, op: "Read", value: 5n },
    { major: 253n, minor: 1n, op: "Write", value: 0n },
  ]);
  assert.equal(s.blkio.ioServicedRecursive.map((e) => e.value), [3n, 4n, 1n, 0n]);
  assert.equal([s.memory.cache, s.memory.usage.usage, s.memory.usage.limit], [10n, 30n, 100n]);
  assert.equal([s.memory.swap.usage, s.memory.swap.limit, s.memory.swap.max], [35n, 1100n, 0n]);
  assert.equal([s.pids.current, s.pids.limit], [3n, 0n]);
  assert.equal([s.cpu.usage.total, s.cpu.usage.user, s.cpu.usage.kernel], [7000n, 5000n, 2000n]);
  writeFileSync(join(dir, "memory.max"), "max\n");
  writeFileSync(join(dir, "memory.swap.max"), "max\n");
  const line = eventJson("stats", "c", statsV2(dir, []));
  assert.match(line, '"usage":{"limit":18446744073709551615,"usage":30,"failcnt":0},"swap":{"limit":18446744073709551615,"usage":35,"failcnt":0}');
});

test("v2: a cgroup without the memory files has zero memory figures; hugetlb prefers .rsvd.current, failcnt from .events", () => {
  const dir = tree({
    "cgroup.procs": "",
    "pids.current": "0\n",
    "pids.max": "max\n",
    "hugetlb.2MB.current": "4\n",
    "hugetlb.2MB.rsvd.current": "2097152\n",
    "hugetlb.2MB.events": "max 3\n",
  });
  const line = eventJson("stats", "c", statsV2(dir, ["2MB"]));
  assert.match(line, '"memory":{"usage":{"limit":0,"failcnt":0},');
  assert.match(line, '"pids":{},');
  assert.match(line, '"hugetlb":{"2MB":{"usage":2097152,"failcnt":3}}');
});

test("v1: no memsw or kmem.limit files (optional in the kernel), pids max as no limit, a missing hierarchy skipped", () => {
  const root = tree({
    "memory/memory.stat": "cache 4096\nrss 8192\n",
    "memory/memory.usage_in_bytes": "12288\n",
    "memory/memory.max_usage_in_bytes": "16384\n",
    "memory/memory.failcnt": "0\n",
    "memory/memory.limit_in_bytes": "9223372036854771712\n",
    "memory/memory.kmem.usage_in_bytes": "100\n",
    "memory/memory.kmem.max_usage_in_bytes": "200\n",
    "memory/memory.kmem.failcnt": "0\n",
    "pids/pids.current": "3\n",
    "pids/pids.max": "max\n",
  });
  const s = statsV1(v1Dirs(root, ["memory", "pids", "cpu"]), []);
  const line = eventJson("stats", "c", s);
  assert.match(line, '"memory":{"cache":4096,"usage":{"limit":9223372036854771712,"usage":12288,"max":16384,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"usage":100,"max":200,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0},"raw":{"cache":4096,"rss":8192}}');
  assert.match(line, '"pids":{"current":3},');
});

test("v1: a missing file runc needs fails the whole read, naming it", () => {
  const root = tree({ "memory/memory.stat": "cache 0\n", "memory/memory.usage_in_bytes": "1\n", "memory/memory.max_usage_in_bytes": "1\n", "memory/memory.failcnt": "0\n" });
  assert.throws(() => statsV1(v1Dirs(root, ["memory"]), []), (e: Error) => e.message === `open ${root}/memory/memory.limit_in_bytes: no such file or directory`);
  const bad = tree({ "pids/pids.current": "x\n", "pids/pids.max": "max\n" });
  assert.throws(() => statsV1(v1Dirs(bad, ["pids"]), []), (e: Error) => e.message === `unable to parse ${bad}/pids/pids.current: strconv.ParseUint: parsing "x": invalid syntax`);
});

test("hugepage sizes as runc names them, from /sys/kernel/mm/hugepages", () => {
  const dir = tree({ "hugepages-2048kB/nr_hugepages": "0", "hugepages-1048576kB/nr_hugepages": "0", "hugepages-64kB/nr_hugepages": "0", "other/x": "" });
  assert.equal(hugePageSizes(dir).sort(), ["1GB", "2MB", "64KB"]);
  assert.equal(hugePageSizes(join(dir, "missing")), []);
});

test.run();
