// A process that cannot be exec'd after start is reported (issue 12, point 11): `start` and
// `run` wait until the user's process is exec'd, and an execve the container's seccomp filter
// refuses fails them with one line naming the field, instead of exit 0 and a stopped container.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
test.after(() => t.cleanup());

// execve refused: the filter is loaded by the sealed init program (after its own execveat), so
// the user's program's execve is what fails.
const noExecve = {
  "/process/noNewPrivileges": true,
  "/linux/seccomp": { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["execve"], action: "SCMP_ACT_ERRNO" }] },
};
const lastError = (stderr: string) => errorMessage(stderr.trim().split("\n").at(-1)!);

test("start fails when the user's program cannot be exec'd; the container is stopped", () => {
  const b = t.bundle(["/bin/sh", "-c", "echo ran"], noExecve);
  const c = oci("create", "--bundle", b, "sf1");
  assert.is(c.code, 0, c.stderr);
  const r = oci("start", "sf1");
  assert.is(r.code, 1);
  assert.is(lastError(r.stderr), '/process/args: exec "/bin/sh": operation not permitted');
  assert.is(JSON.parse(oci("state", "sf1").stdout).status, "stopped");
  assert.is(oci("delete", "sf1").code, 0);
});

test("run fails the same way and leaves nothing", () => {
  const b = t.bundle(["/bin/sh", "-c", "echo ran"], noExecve);
  for (const args of [["run"], ["run", "-d"]]) {
    const r = oci(...args, "--bundle", b, "sf2");
    assert.is(r.code, 1, args.join(" "));
    assert.is(lastError(r.stderr), '/process/args: exec "/bin/sh": operation not permitted');
    assert.not.ok(r.stdout.includes("ran"));
    if (args.length === 2) assert.is(oci("delete", "--force", "sf2").code, 0);
    assert.not.ok(existsSync(join(root, "sf2")));
  }
});

test.run();
