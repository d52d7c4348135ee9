// pause and resume (root, real freezers: v1 freezer.state on this host, cgroup.freeze in the
// cgroup v2 VM): a paused container stops counting and goes on after resume; state and list say
// "paused"; runc's rules for what can be paused, resumed, exec'd into, killed and deleted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { sleepSync, waitFor } from "../util/wait.ts";
import { cgroupDirsNamed } from "../util/cgroup-host.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
const state = (id: string) => JSON.parse(oci("state", id).stdout);
test.after(() => t.cleanup());

/** A container counting into /out/n, a directory of the host's. */
function counter(id: string): () => number {
  const dir = join(t.dir, `out-${id}`);
  mkdirSync(dir);
  const file = join(dir, "n");
  const b = t.bundle(["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /out/n; sleep 0.02; done"]);
  t.addMount(b, { destination: "/out", type: "bind", source: dir, options: ["rbind", "rw"] });
  assert.is(oci("run", "-d", "--bundle", b, id).code, 0);
  const read = () => Number(existsSync(file) ? readFileSync(file, "utf8").trim() || 0 : 0);
  assert.ok(waitFor(() => read() > 2), "it counts");
  return read;
}

test("pause stops the container's processes, resume lets them go on; state says paused meanwhile", () => {
  const read = counter("p1");
  const r = oci("pause", "p1");
  assert.is(r.code, 0, r.stderr);
  assert.is(state("p1").status, "paused");
  assert.ok(state("p1").pid > 0, "a paused container keeps its pid");
  const frozenAt = read();
  sleepSync(300);
  assert.is(read(), frozenAt, "nothing runs while paused");
  const list = JSON.parse(oci("list", "--format", "json").stdout);
  assert.is(list.find((c: { id: string }) => c.id === "p1").status, "paused");
  assert.is(oci("resume", "p1").code, 0);
  assert.is(state("p1").status, "running");
  assert.ok(waitFor(() => read() > frozenAt + 2), "it counts again");
  assert.is(oci("delete", "--force", "p1").code, 0);
});

test("runc's rules: pause a created container; not a stopped or paused one; resume only a paused one", () => {
  const b = t.bundle(["true"]);
  assert.is(oci("create", "--bundle", b, "p2").code, 0);
  assert.is(oci("pause", "p2").code, 0, "a created container can be paused");
  assert.is(state("p2").status, "paused");
  const again = oci("pause", "p2");
  assert.equal([again.code, errorMessage(again.stderr)], [1, "container not running"]);
  assert.is(oci("resume", "p2").code, 0);
  assert.is(state("p2").status, "created");
  const notPaused = oci("resume", "p2");
  assert.equal([notPaused.code, errorMessage(notPaused.stderr)], [1, "container not paused"]);
  assert.is(oci("start", "p2").code, 0);
  assert.ok(waitFor(() => state("p2").status === "stopped"));
  const stopped = oci("pause", "p2");
  assert.equal([stopped.code, errorMessage(stopped.stderr)], [1, "container not running"]);
  assert.is(oci("delete", "p2").code, 0);
});

test("a paused container: exec refused unless --ignore-paused; delete only with --force, which kills and removes it", () => {
  counter("p3");
  assert.is(oci("pause", "p3").code, 0);
  const exec = oci("exec", "p3", "true");
  assert.equal([exec.code, errorMessage(exec.stderr)], [255, "exec failed: cannot exec in a paused container (use --ignore-paused to override)"]);
  const del = oci("delete", "p3");
  assert.equal([del.code, errorMessage(del.stderr)], [1, 'cannot delete container "p3" that is not stopped: paused']);
  assert.is(state("p3").status, "paused");
  const pid = state("p3").pid;
  assert.is(oci("delete", "--force", "p3").code, 0);
  assert.ok(waitFor(() => !existsSync(`/proc/${pid}/cgroup`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")), "the init is dead");
  assert.equal(cgroupDirsNamed("p3"), []);
});

test("kill KILL of a paused container kills it (thawed for it)", () => {
  counter("p4");
  assert.is(oci("pause", "p4").code, 0);
  assert.is(oci("kill", "p4", "KILL").code, 0);
  assert.ok(waitFor(() => state("p4").status === "stopped"), "stopped, not paused");
  assert.is(oci("delete", "p4").code, 0);
});

test.run();
