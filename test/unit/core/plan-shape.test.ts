// The three parts of every plan (ops.ts): the runtime's own ops (OOM_SCORE_ADJ), CLONE_INIT, the
// clone's ops, and from EXEC_SEALED on the sealed init program's: before WAIT_START and the
// process's credentials, filter and execve; after it only the ops that program runs (the addon's
// reader and the program itself refuse any other there).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { baseConfig, core, repo } from "../../util/core";

// addon/src/plan_reader.cc sealed_op and addon/init/init_ops.cc run_op.
const SEALED = new Set(["SECCOMP", "CAP_BOUNDING", "USER", "CAPS", "NO_NEW_PRIVS", "UMASK", "FIND_EXEC", "PERSONALITY", "CPU_AFFINITY",
  "APPARMOR", "SELINUX_EXEC_LABEL", "WAIT_START", "START_HOOK", "EXEC"]);

const opNames = (text: string) => text.split("\n").map((l) => /^\s*\d+ (\w+)/.exec(l)?.[1]).filter((x): x is string => !!x);

function checkShape(name: string, ops: string[]): void {
  const clone = ops.indexOf("CLONE_INIT");
  assert.ok(clone >= 0, `${name}: no CLONE_INIT`);
  assert.is(ops.lastIndexOf("CLONE_INIT"), clone, `${name}: one CLONE_INIT`);
  for (const op of ops.slice(0, clone)) assert.is(op, "OOM_SCORE_ADJ", `${name}: ${op} before CLONE_INIT`);
  checkSealed(name, ops);
}

function checkSealed(name: string, ops: string[]): void {
  const at = ops.indexOf("EXEC_SEALED");
  assert.ok(at >= 0, `${name}: no EXEC_SEALED`);
  assert.is(ops.lastIndexOf("EXEC_SEALED"), at, `${name}: one EXEC_SEALED`);
  for (const op of ops.slice(at + 1)) assert.ok(SEALED.has(op), `${name}: ${op} after EXEC_SEALED`);
  for (const op of ops.slice(0, at)) assert.ok(!SEALED.has(op) || op === "CPU_AFFINITY", `${name}: ${op} before EXEC_SEALED`);
}

test("every golden plan: the runtime's ops, one CLONE_INIT, one EXEC_SEALED, only the sealed program's ops after it", () => {
  const dir = repo + "test/golden/plans";
  let checked = 0;
  for (const name of readdirSync(dir)) {
    const plan = `${dir}/${name}/plan.txt`;
    if (!existsSync(plan)) continue;
    const ops = opNames(readFileSync(plan, "utf8"));
    if (ops.length === 0) continue; // a config the core refused
    checkShape(name, ops);
    checked++;
  }
  assert.ok(checked > 10, `${checked} plans checked`);
});

test("a container without a process still waits in the sealed program", () => {
  const c = baseConfig() as { process?: unknown };
  delete c.process;
  const v = core("plan", c);
  const ops = opNames(v.text ?? "");
  assert.equal(ops.slice(-2), ["EXEC_SEALED", "WAIT_START"]);
});

test("exec plans end in the sealed program too, seccomp and the final CPU list after it", () => {
  const c = baseConfig() as Record<string, any>;
  c.process.noNewPrivileges = true;
  c.process.execCPUAffinity = { initial: "0", final: "0" };
  c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_ERRNO" }] };
  const v = core("exec", c, { initPid: 42, execFlags: { args: ["true"] } });
  const ops = opNames(v.text ?? "");
  checkShape("exec", ops);
  assert.ok(ops.indexOf("CPU_AFFINITY") < ops.indexOf("EXEC_SEALED") && ops.lastIndexOf("CPU_AFFINITY") > ops.indexOf("EXEC_SEALED"), ops.join(" "));
  assert.ok(ops.indexOf("SECCOMP") > ops.indexOf("EXEC_SEALED"), ops.join(" "));
});

test.run();
