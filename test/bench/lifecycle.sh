#!/bin/bash
# Side-by-side benchmark of ocirun, runc and crun (where it runs) over the same busybox bundle,
# in one run: each command alone (`--version`, `state`, `kill`, `start`, `delete`, `create`),
# `run` of /bin/true, the same with podman's default seccomp profile, the same with cgroup limits
# (memory, swap, pids, cpu shares and quota: what the cgroup costs), `create` + `delete --force`;
# and the memory (PSS, from /proc/<pid>/smaps_rollup) of a created container's waiting init and
# of a foreground `run` while its container runs.
# Prints medians and ratios against runc. Not a test: nothing here asserts a speed.
# Usage (root): test/bench/lifecycle.sh [runs]   (env OCIRUN=path to the binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${1:-30}
ocirun=${OCIRUN:-$repo/build/ocirun}
work=$(mktemp -d /tmp/ocirun-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# crun 1.8 refuses hybrid cgroup hosts: run every runtime in one private mount namespace
# without the empty cgroup2 mount, so they are compared on the same footing.
if [ -z "${OCIRUN_BENCH_INNER:-}" ]; then
  exec unshare -m --propagation private env OCIRUN_BENCH_INNER=1 OCIRUN="$ocirun" "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true

bundle=$work/bundle
"$repo/test/fixtures/make-rootfs.sh" "$bundle/rootfs"
(cd "$bundle" && runc spec)
node -e '
  const fs = require("fs"); const f = process.argv[1]; const c = JSON.parse(fs.readFileSync(f));
  c.process.terminal = false; c.process.args = ["/bin/true"];
  delete c.process.capabilities.ambient; // runc spec lists ones that cannot be raised (a warning each)
  fs.writeFileSync(f, JSON.stringify(c, null, 2));' "$bundle/config.json"

# The same bundle with podman's default seccomp profile (as podman converts it for amd64).
seccomp=$work/bundle-seccomp
mkdir -p "$seccomp"
node -e '
  const fs = require("fs"); const [from, to, podman] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(from)); c.root.path = require("path").dirname(from) + "/rootfs";
  c.linux.seccomp = JSON.parse(fs.readFileSync(podman)).linux.seccomp;
  fs.writeFileSync(to, JSON.stringify(c, null, 2));' "$bundle/config.json" "$seccomp/config.json" "$repo/test/golden/plans/seccomp-podman/config.json"

# The same bundle running `sleep 2`, for the memory of a foreground run.
sleeper=$work/bundle-sleep
mkdir -p "$sleeper"
node -e '
  const fs = require("fs"); const [from, to] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(from)); c.root.path = require("path").dirname(from) + "/rootfs";
  c.process.args = ["sleep", "2"];
  fs.writeFileSync(to, JSON.stringify(c, null, 2));' "$bundle/config.json" "$sleeper/config.json"

# The same bundle with the limits podman and containerd typically set.
limits=$work/bundle-limits
mkdir -p "$limits"
node -e '
  const fs = require("fs"); const [from, to] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(from)); c.root.path = require("path").dirname(from) + "/rootfs";
  c.linux.resources = { ...c.linux.resources, memory: { limit: 268435456, swap: 268435456 }, pids: { limit: 2048 }, cpu: { shares: 512, quota: 50000, period: 100000 } };
  fs.writeFileSync(to, JSON.stringify(c, null, 2));' "$bundle/config.json" "$limits/config.json"

runtimes=("ocirun:$ocirun" "runc:$(command -v runc)")
command -v crun >/dev/null && runtimes+=("crun:$(command -v crun)")

results=$work/results.txt
: > "$results"
for entry in "${runtimes[@]}"; do
  name=${entry%%:*}; bin=${entry#*:}
  root=$work/root-$name
  mkdir -p "$root"
  # One container stays created for `state`.
  "$bin" --root "$root" create --bundle "$bundle" st-$name >/dev/null
  pid=$("$bin" --root "$root" state st-$name | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).pid)')
  pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
  printf '%s\t%s\n' "$name init-pss" "$pss" >> "$results"
  # A foreground run's own process while its container runs (ocirun's hands the wait to its
  # waiter program after 100 ms): its PSS a second in.
  "$bin" --root "$root" run --bundle "$sleeper" fg-$name >/dev/null 2>&1 &
  fg=$!
  sleep 1
  printf '%s\t%s\n' "$name run-pss" "$(awk '/^Pss:/ { print $2 }' "/proc/$fg/smaps_rollup")" >> "$results"
  wait $fg || true
  # Each command alone: start, delete and create get a fresh container from their --prepare
  # (hyperfine pairs the n-th --prepare with the n-th command).
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$name-each.json" \
    --prepare true -n "$name --version" "$bin --version" \
    --prepare true -n "$name kill" "$bin --root $root kill st-$name CONT" \
    --prepare "sh -c '$bin --root $root delete --force s-$name >/dev/null 2>&1; $bin --root $root create --bundle $bundle s-$name'" \
    -n "$name start" "$bin --root $root start s-$name" \
    --prepare "sh -c '$bin --root $root delete --force d-$name >/dev/null 2>&1; $bin --root $root create --bundle $bundle d-$name'" \
    -n "$name delete" "$bin --root $root delete d-$name" \
    --prepare "sh -c '$bin --root $root delete --force c1-$name >/dev/null 2>&1; true'" \
    -n "$name create" "$bin --root $root create --bundle $bundle c1-$name" \
    >/dev/null 2>"$work/$name-each.err" || { echo "$name: hyperfine failed:"; cat "$work/$name-each.err"; }
  for c in s d c1; do "$bin" --root "$root" delete --force $c-$name >/dev/null 2>&1 || true; done
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$name.json" \
    -n "$name run" "$bin --root $root run --bundle $bundle r-$name" \
    -n "$name run+seccomp" "$bin --root $root run --bundle $seccomp rs-$name" \
    -n "$name run+limits" "$bin --root $root run --bundle $limits rl-$name" \
    -n "$name state" "$bin --root $root state st-$name" \
    -n "$name create+delete" "sh -c '$bin --root $root create --bundle $bundle c-$name && $bin --root $root delete --force c-$name'" \
    >/dev/null 2>"$work/$name.err" || { echo "$name: hyperfine failed:"; cat "$work/$name.err"; }
  "$bin" --root "$root" delete --force st-$name >/dev/null 2>&1 || true
  for f in "$work/$name-each.json" "$work/$name.json"; do
    [ -f "$f" ] && node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1])).results;
      for (const x of r) console.log(x.command + "\t" + (x.median * 1000).toFixed(2));' "$f" >> "$results"
  done
done

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
  const m = new Map(lines.map(([k, v]) => [k, Number(v)]));
  console.log("median ms       " + ["ocirun", "runc", "crun", "ocirun/runc", "ocirun/crun"].map((s) => s.padStart(12)).join(""));
  for (const op of ["--version", "state", "kill", "start", "delete", "create", "run", "run+seccomp", "run+limits", "create+delete"]) {
    const o = m.get("ocirun " + op), r = m.get("runc " + op), c = m.get("crun " + op);
    const f = (v) => (v === undefined || Number.isNaN(v) ? "-" : v.toFixed(2)).padStart(12);
    console.log(op.padEnd(16) + f(o) + f(r) + f(c) + f(o / r) + f(o / c));
  }
  const f = (v) => (v === undefined || Number.isNaN(v) ? "-" : String(v)).padStart(12);
  const q = (v) => (v === undefined || Number.isNaN(v) ? "-" : v.toFixed(3)).padStart(12);
  for (const [key, label] of [["init-pss", "init PSS kB     "], ["run-pss", "run PSS kB      "]]) {
    const o = m.get("ocirun " + key), r = m.get("runc " + key), c = m.get("crun " + key);
    console.log(label + f(o) + f(r) + f(c) + q(o / r) + q(o / c));
  }' "$results"
