// The engines' own view of ocirun's speed: `podman run --rm … true`, `ctr run --rm … true` and
// `docker run --rm … true`, each with ocirun and with runc, interleaved in one run of each engine
// (the private set-ups of test/clients), printing medians and the ratio. A measurement, never a
// test. Usage (root): bun test/bench/engines.ts [runs]   (env OCIRUN_BIN: the binary)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Containerd, containerdAvailability } from "../clients/containerd.ts";
import { Dockerd, dockerAvailability } from "../clients/dockerd.ts";
import { Podman, podmanAvailability } from "../clients/podman.ts";

const repo = resolve(import.meta.path, "../../..");
const runs = Number(process.argv[2] ?? 10);
const ocirun = resolve(repo, process.env.OCIRUN_BIN || "build/ocirun");
const runc = "/usr/sbin/runc";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times fn for each runtime, alternating them, after one warm-up each; medians in ms. */
function measure(name: string, fns: Record<string, () => void>): void {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (const fn of Object.values(fns)) fn();
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t = performance.now();
      fn();
      times[k].push(performance.now() - t);
    }
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  console.log(`${name.padEnd(28)}${m.ocirun.toFixed(1).padStart(10)}${m.runc.toFixed(1).padStart(10)}${(m.ocirun / m.runc).toFixed(2).padStart(12)}`);
}

function check(r: { code: number; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim()}`);
}

const rootfs = mkdtempSync(join(tmpdir(), "ocirun-bench-rootfs-"));
execFileSync(join(repo, "test/fixtures/make-rootfs.sh"), [rootfs]);
console.log(`median ms, ${runs} runs          ${"ocirun".padStart(10)}${"runc".padStart(10)}${"ocirun/runc".padStart(12)}`);
try {
  const pw = podmanAvailability();
  if ("skip" in pw) console.log(`podman: skipped: ${pw.skip}`);
  else {
    const p = new Podman({ podman: pw.podman, runtime: "ocirun", runtimes: { ocirun } });
    await p.start();
    try {
      check(p.importDir(rootfs, "localhost/bench:latest"), "podman import");
      const run = (rt: string) => () => check(p.podman(["run", "--rm", "--runtime", rt, ...p.containerArgs(), "localhost/bench:latest", "true"]), `podman run (${rt})`);
      measure("podman run --rm true", { ocirun: run("ocirun"), runc: run("runc") });
    } finally {
      await p.stop();
    }
  }
  const cw = containerdAvailability();
  if ("skip" in cw) console.log(`containerd: skipped: ${cw.skip}`);
  else {
    const c = new Containerd(cw);
    await c.start();
    let n = 0;
    try {
      const run = (bin: string) => () => check(c.ctr(["run", "--rm", "--rootfs", "--runc-binary", bin, "--fifo-dir", c.fifoDir, rootfs, `b${++n}`, "/bin/true"]), `ctr run (${bin})`);
      measure("ctr run --rm true", { ocirun: run(ocirun), runc: run(runc) });
    } finally {
      await c.stop();
    }
  }
  const dw = dockerAvailability();
  if ("skip" in dw) console.log(`docker: skipped: ${dw.skip}`);
  else {
    const d = new Dockerd({ ...dw, runtimes: { ocirun } });
    await d.start();
    try {
      check(d.importDir(rootfs, "bench"), "docker import");
      const run = (rt: string) => () => check(d.docker(["run", "--rm", "--runtime", rt, "--network", "none", "bench", "true"]), `docker run (${rt})`);
      measure("docker run --rm true", { ocirun: run("ocirun"), runc: run("runc") });
    } finally {
      await d.stop();
    }
  }
} finally {
  rmSync(rootfs, { recursive: true, force: true });
}
