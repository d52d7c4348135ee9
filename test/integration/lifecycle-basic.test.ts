// The CLI end to end, for what needs no `create`: argument rules, errors and exit codes that
// clients depend on, and start/kill/delete/state/list on fake containers (a state dir recording
// a real `sleep` process; see test/util/fake-container.ts).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fakeContainer, stopFake } from "../util/fake-container.ts";
import { ocirun, repo, tempRoot } from "../util/ocirun.ts";

const { dir: tmp, root } = tempRoot();
test.after(() => rmSync(tmp, { recursive: true, force: true }));
// start, kill and delete lock the state dir through the addon.
const haveAddon = existsSync(join(repo, "addon/build/Release/ocirun.node"));

/** One error line on stderr whose message contains `msg`, exit 1. Without --log the line is a
 * logrus text record, time="..." level=error msg="...", as runc prints it. */
function fails(r: ReturnType<typeof ocirun>, msg: string) {
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  const m = /^time="[^"]+" level=error msg=("(?:[^"\\]|\\.)*"|\S+)\n$/.exec(r.stderr);
  assert.ok(m, `not a logrus error record: ${JSON.stringify(r.stderr)}`);
  const text = m![1].startsWith('"') ? JSON.parse(m![1]) : m![1];
  assert.ok(text.includes(msg), `error ${JSON.stringify(text)} lacks ${JSON.stringify(msg)}`);
}

test("delete --force of a missing id exits 0 silently (podman, containerd cleanup)", () => {
  for (const args of [["delete", "--force", "gone"], ["delete", "-f", "gone"], ["delete", "gone", "--force"], ["delete", "-force", "gone"]]) {
    const r = ocirun(args, { root });
    assert.equal([r.code, r.stdout, r.stderr], [0, "", ""], args.join(" "));
  }
  assert.not.ok(existsSync(root));
});

test("delete, state, kill, start of a missing id: does not exist, exit 1", () => {
  for (const cmd of ["delete", "state", "kill", "start"]) fails(ocirun([cmd, "gone"], { root }), 'container "gone" does not exist');
  assert.not.ok(existsSync(root));
});

test("unknown command or flag: one line on stderr, nothing on stdout, exit 1, root untouched", () => {
  for (const args of [["frobnicate"], ["state", "--bogus", "x"], ["state", "x", "--bogus"], ["--bogus", "state", "x"], ["delete", "-fa", "x"]]) {
    const r = ocirun(args, { root });
    fails(r, args.includes("frobnicate") ? 'unknown command "frobnicate"' : "flag provided but not defined");
    assert.is(r.stdout, "");
  }
  assert.not.ok(existsSync(root));
});

test("global flags go before the subcommand only", () => {
  fails(ocirun(["state", "--root", root, "x"]), "flag provided but not defined: -root");
});

test("wrong argument count: Incorrect Usage. and help on stdout, exit 1", () => {
  for (const [args, rule] of [[["state"], "exactly 1"], [["kill"], "a minimum of 1"], [["kill", "a", "9", "x"], "a maximum of 2"], [["list", "x"], "exactly 0"]] as const) {
    const r = ocirun([...args], { root });
    fails(r, `"${args[0]}" requires ${rule} argument(s)`);
    assert.ok(r.stdout.startsWith("Incorrect Usage.\n\n"), r.stdout);
    assert.ok(r.stdout.includes(`ocirun ${args[0]}`), r.stdout);
  }
  assert.not.ok(existsSync(root));
});

test("bad ids are rejected before any path is made", () => {
  for (const [cmd, id] of [["state", "../x"], ["delete", "../../etc"], ["kill", "a/b"], ["start", "."], ["delete", ".."]]) {
    fails(ocirun([cmd, id], { root }), `invalid container id format: "${id}"`);
    fails(ocirun(["delete", "--force", id], { root }), "invalid container id format");
  }
  fails(ocirun(["state", ""], { root }), "container id cannot be empty");
  assert.not.ok(existsSync(root));
});

test("--log json: the error is the only record, and the file is one JSON object (podman)", () => {
  for (const fmt of [["--log-format=json"], ["--log-format", "json"]]) {
    const log = join(tmp, `oci-log-${fmt.length}`);
    const r = ocirun(["--root", root, "--log", log, ...fmt, "state", "gone"]);
    assert.is(r.code, 1);
    assert.is(r.stderr, 'container "gone" does not exist\n'); // bare, as runc prints it with --log
    const rec = JSON.parse(readFileSync(log, "utf8"));
    assert.equal([rec.level, rec.msg], ["error", 'container "gone" does not exist']);
  }
  fails(ocirun(["--log-format", "xml", "list"], { root }), "invalid log-format: xml");
});

test("--version, --help, help <command>", () => {
  assert.equal(ocirun(["--version"]), { code: 0, stdout: "ocirun version 0.1.0\nspec: 1.3.0\n", stderr: "" });
  assert.is(ocirun(["-v"]).stdout.split("\n")[0], "ocirun version 0.1.0");
  for (const args of [["--help"], ["-h"], []]) {
    const r = ocirun(args);
    assert.is(r.code, 0);
    assert.ok(r.stdout.includes("COMMANDS:") && r.stdout.includes("state"), r.stdout);
  }
  for (const args of [["help", "kill"], ["kill", "--help"], ["kill", "-h"]]) {
    const r = ocirun(args, { root });
    assert.is(r.code, 0);
    assert.ok(r.stdout.includes("ocirun kill") && r.stdout.includes("--all"), r.stdout);
  }
  for (const shell of ["bash", "zsh", "fish"]) {
    const r = ocirun(["completion", shell]);
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes("ocirun") && /(--|-l )bundle/.test(r.stdout), shell);
  }
  fails(ocirun(["completion", "tcsh"]), 'completion: unknown shell "tcsh" (bash, zsh or fish)');
});

test("--root: made absolute, / refused", () => {
  fails(ocirun(["--root", "/", "list"]), '--root cannot be "/"');
  fails(ocirun(["--root", "/tmp/..", "list"]), '--root cannot be "/"');
  mkdirSync(join(tmp, "rel"), { recursive: true });
  assert.is(ocirun(["--root", "rel", "list", "-q"], { cwd: tmp }).code, 0);
});

test("list with no containers: header, null, nothing", () => {
  assert.is(ocirun(["list"], { root }).stdout, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
  assert.is(ocirun(["list", "-f", "json"], { root }).stdout, "null\n");
  assert.is(ocirun(["list", "--quiet"], { root }).stdout, "");
  fails(ocirun(["list", "--format=yaml"], { root }), "invalid format option");
  assert.not.ok(existsSync(root));
});

test("spec: writes config.json like runc spec, never overwrites", () => {
  const b = join(tmp, "bundle");
  mkdirSync(b);
  const r = ocirun(["spec", "-b", b]);
  assert.equal([r.code, r.stdout, r.stderr], [0, "", ""]);
  const text = readFileSync(join(b, "config.json"), "utf8");
  assert.ok(text.startsWith('{\n\t"ociVersion": "1.3.0"') && text.endsWith("}"), text.slice(0, 40));
  assert.is(JSON.parse(text).hostname, "ocirun");
  fails(ocirun(["spec", "--bundle", b]), "File config.json exists. Remove it first");
  const r2 = ocirun(["spec", "--rootless"], { cwd: (mkdirSync(join(tmp, "rl")), join(tmp, "rl")) });
  assert.is(r2.code, 0);
  assert.ok(JSON.parse(readFileSync(join(tmp, "rl/config.json"), "utf8")).linux.uidMappings);
});

test("state and list of fake containers", async () => {
  const f = fakeContainer(root, "c1", { created: true, annotations: { "org.example": "<x>" } });
  try {
    const r = ocirun(["state", "c1"], { root });
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(r.stdout.endsWith("\n")); // runc prints MarshalIndent's bytes only
    assert.ok(r.stdout.includes('"org.example": "\\u003cx\\u003e"'));
    const s = JSON.parse(r.stdout);
    assert.equal(Object.keys(s), ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"]);
    assert.equal([s.id, s.pid, s.status, s.owner], ["c1", f.pid, "created", ""]);
    mkdirSync(join(root, "half")); // a create in progress or one that died: not listed
    assert.is(ocirun(["list", "-q"], { root }).stdout, "c1\n");
    const l = JSON.parse(ocirun(["list", "--format", "json"], { root }).stdout);
    assert.equal([l.length, l[0].id, l[0].status, l[0].owner], [1, "c1", "created", "root"]);
    assert.ok(ocirun(["list"], { root }).stdout.split("\n")[1].startsWith(`c1          ${f.pid}`));
    fails(ocirun(["state", "half"], { root }), 'container "half" does not exist');
  } finally {
    await stopFake(f);
  }
  assert.is(JSON.parse(ocirun(["state", "c1"], { root }).stdout).status, "stopped");
  assert.is(JSON.parse(ocirun(["state", "c1"], { root }).stdout).pid, 0);
});

if (haveAddon) {
  test("half-created dir: delete fails, delete --force removes it", () => {
    fails(ocirun(["delete", "half"], { root }), 'container "half" does not exist');
    assert.ok(existsSync(join(root, "half")));
    assert.is(ocirun(["delete", "--force", "half"], { root }).code, 0);
    assert.not.ok(existsSync(join(root, "half")));
  });

  test("kill: signals a created or running container; a stopped one is not running", async () => {
    const f = fakeContainer(root, "k1");
    fails(ocirun(["kill", "k1", "NOPE"], { root }), 'unknown signal "NOPE"');
    assert.is(ocirun(["kill", "k1", "0"], { root }).code, 0);
    assert.is(ocirun(["kill", "k1", "SIGKILL"], { root }).code, 0);
    await f.exited;
    assert.is(f.child.signalCode, "SIGKILL");
    fails(ocirun(["kill", "k1"], { root }), "container not running");
    assert.is(ocirun(["kill", "--all", "k1", "9"], { root }).code, 0);
    const g = fakeContainer(root, "k2", { created: true });
    assert.is(ocirun(["kill", "k2"], { root }).code, 0); // default SIGTERM
    await g.exited;
    assert.is(g.child.signalCode, "SIGTERM");
  });

  test("kill: a reused pid is never signalled", async () => {
    const f = fakeContainer(root, "k3");
    try {
      const path = join(f.dir, "state.json");
      writeFileSync(path, readFileSync(path, "utf8").replace(`"pidStartTime":"${f.startTime}"`, '"pidStartTime":"1"'));
      fails(ocirun(["kill", "k3", "KILL"], { root }), "container not running");
      assert.is(f.child.exitCode ?? f.child.signalCode, null);
    } finally {
      await stopFake(f);
    }
  });

  test("start: created → running; anything else is refused and changes nothing", async () => {
    const f = fakeContainer(root, "s1", { created: true });
    try {
      assert.is(ocirun(["start", "s1"], { root }).code, 0);
      assert.not.ok(existsSync(join(f.dir, "exec.fifo")));
      assert.is(JSON.parse(ocirun(["state", "s1"], { root }).stdout).status, "running");
      fails(ocirun(["start", "s1"], { root }), "cannot start a container that is not created: running");
    } finally {
      await stopFake(f);
    }
    fails(ocirun(["start", "s1"], { root }), "cannot start a container that is not created: stopped");
    const g = fakeContainer(root, "s2", { created: true, hasProcess: false });
    try {
      fails(ocirun(["start", "s2"], { root }), "/process: cannot start a container that has no process");
      assert.ok(existsSync(join(g.dir, "exec.fifo")));
    } finally {
      await stopFake(g);
    }
    const h = fakeContainer(root, "s3", { created: true, holdsFifo: false });
    try {
      fails(ocirun(["start", "s3"], { root }), "its init process is gone");
    } finally {
      await stopFake(h);
    }
  });

  test("delete: stopped removed; created killed and removed; running only with --force", async () => {
    const f = fakeContainer(root, "d1");
    await stopFake(f);
    assert.is(ocirun(["delete", "d1"], { root }).code, 0);
    assert.not.ok(existsSync(f.dir));

    const g = fakeContainer(root, "d2", { created: true });
    assert.is(ocirun(["delete", "d2"], { root }).code, 0); // runc and crun do; the spec says error
    await g.exited;
    assert.not.ok(existsSync(g.dir));

    const h = fakeContainer(root, "d3");
    fails(ocirun(["delete", "d3"], { root }), 'cannot delete container "d3" that is not stopped: running');
    assert.ok(existsSync(join(h.dir, "state.json")));
    assert.is(h.child.exitCode ?? h.child.signalCode, null);
    assert.is(ocirun(["delete", "d3", "--force"], { root }).code, 0);
    await h.exited;
    assert.is(h.child.signalCode, "SIGKILL");
    assert.not.ok(existsSync(h.dir));
    assert.is(ocirun(["delete", "--force", "d3"], { root }).code, 0); // again: already gone
  });
} else {
  test("start, kill and delete need the addon", () => assert.unreachable("addon/build/Release/ocirun.node is missing: npm run build makes it"));
}

test.run();
