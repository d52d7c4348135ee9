// The request facts for systemd's protocols (docs/formats.md §1): listen-fds adds LISTEN_FDS and
// LISTEN_PID=1 to the process's env, notify-socket binds the socket's directory on /run/notify
// and sets NOTIFY_SOCKET; a name the config already has keeps its place, as runc's init leaves it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baseConfig, core, coreRaw } from "../../util/core";

const SOCK = "/run/ocirun/c1/notify/notify.sock";

function execEnv(env: string[], facts: { listenFds?: number; notifySocket?: string }): string[] {
  const c = baseConfig();
  c.process.env = env;
  const text = core("plan", c, facts).text!;
  const line = text.split("\n").find((l) => / EXEC /.test(l))!;
  return JSON.parse(/envp=(\[.*?\])/.exec(line)![1]);
}

const rows: Array<{ name: string; env: string[]; facts: { listenFds?: number; notifySocket?: string }; expect: string[] }> = [
  { name: "no facts: the config's env as it is", env: ["PATH=/bin", "LISTEN_FDS=7"], facts: {}, expect: ["PATH=/bin", "LISTEN_FDS=7"] },
  { name: "listen-fds 2", env: ["PATH=/bin"], facts: { listenFds: 2 }, expect: ["PATH=/bin", "LISTEN_FDS=2", "LISTEN_PID=1"] },
  { name: "notify-socket", env: ["PATH=/bin"], facts: { notifySocket: SOCK }, expect: ["PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock"] },
  {
    name: "both, over names the config has: NOTIFY_SOCKET before LISTEN_*, each in its place",
    env: ["LISTEN_PID=5", "PATH=/bin", "NOTIFY_SOCKET=/x"], facts: { listenFds: 1, notifySocket: SOCK },
    expect: ["LISTEN_PID=1", "PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock", "LISTEN_FDS=1"],
  },
];
for (const r of rows) test(`env: ${r.name}`, () => assert.equal(execEnv(r.env, r.facts), r.expect));

test("notify-socket: a read-only nosuid nodev noexec bind of the socket's directory on /run/notify, after the config's mounts", () => {
  const c = baseConfig();
  c.mounts = [{ destination: "/run", type: "tmpfs", source: "tmpfs" }];
  const ops = core("plan", c, { notifySocket: SOCK }).text!.split("\n").filter((l) => / (MKTARGET|MOUNT) .*"\/run/.test(l));
  assert.equal(ops.map((l) => l.replace(/^\s*\d+ /, "")), [
    'MKTARGET target="/run" kind=1 source=""  <- /mounts/0',
    'MOUNT source="tmpfs" target="/run" fstype="tmpfs" flags=0 data="" where=target-in-root  <- /mounts/0',
    'MKTARGET target="/run/notify" kind=3 source="/run/ocirun/c1/notify"',
    'MOUNT source="/run/ocirun/c1/notify" target="/run/notify" fstype="" flags=MS_BIND data="" where=target-in-root',
    'MOUNT source="" target="/run/notify" fstype="" flags=MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND data="" where=target-in-root',
  ]);
  assert.not.match(core("plan", c).text!, "/run/notify");
});

for (const [facts, message] of [
  [{ listenFds: -1 }, 'listen-fds must be a positive integer: "-1"'],
  [{ listenFds: 1.5 }, 'listen-fds must be a positive integer: "1.5"'],
  [{ notifySocket: "notify.sock" }, 'notify-socket must be an absolute path to a socket: "notify.sock"'],
  [{ notifySocket: "/run/x/" }, 'notify-socket must be an absolute path to a socket: "/run/x/"'],
] as const) {
  test(`request refused: ${JSON.stringify(facts)}`, () => {
    try {
      coreRaw("plan", JSON.stringify(baseConfig()), facts as any);
      assert.unreachable("should have failed");
    } catch (e) {
      assert.match(String(e), message);
    }
  });
}

test.run();
