// host/cgroups/systemd-bus.ts against a fake systemd (test/util/fake-dbus.ts): the calls runc's
// systemd driver makes, with their D-Bus signatures, and its rules around them: wait for the
// job's JobRemoved even when it comes before the call returns, reset a leftover unit and try
// once more, report a failed job, ignore stopping a unit that is gone, AddMatch first on a bus.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DbusConnection, type Message, Variant } from "../../../host/cgroups/dbus.ts";
import { parseVersion, SystemdBus } from "../../../host/cgroups/systemd-bus.ts";
import { fakePeer, type Peer } from "../../util/fake-dbus.ts";

const MANAGER = "org.freedesktop.systemd1.Manager";
const JOB = "/org/freedesktop/systemd1/job/42";

/** A D-Bus value as text: variants as "sig:value", 64-bit integers as "<n>n". */
function render(v: unknown): string {
  if (v instanceof Variant) return `${v.signature}:${render(v.value)}`;
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(render).join(",")}]`;
  return JSON.stringify(v);
}

type Behaviour = { startExistsOnce?: boolean; jobResult?: string; signalFirst?: boolean; stop?: "missing" | "done" };

/** A fake systemd; `calls` lists each method call as "Member args". */
async function fakeSystemd(b: Behaviour = {}) {
  const calls: string[] = [];
  let existed = false;
  const job = (m: Message, p: Peer, unit: string) => {
    const removed = () => p.signal("/org/freedesktop/systemd1", MANAGER, "JobRemoved", "uoss", [42, JOB, unit, b.jobResult ?? "done"]);
    if (b.signalFirst) removed();
    p.reply(m, "o", [JOB]);
    if (!b.signalFirst) setTimeout(removed, 5);
  };
  const peer = await fakePeer((m, p) => {
    const args = (m.body ?? []).map(render);
    calls.push(`${m.member} ${m.signature ?? ""} ${args.join(" ")}`.trim());
    if (m.member === "Get") return p.reply(m, "v", [new Variant("s", "252.39-1~deb12u2")]);
    if (m.member === "AddMatch" || m.member === "SetUnitProperties") return p.reply(m);
    if (m.member === "ResetFailedUnit") return p.error(m, "org.freedesktop.systemd1.NoSuchUnit", "Unit x not loaded.");
    if (m.member === "StartTransientUnit") {
      if (b.startExistsOnce && !existed) {
        existed = true;
        return p.error(m, "org.freedesktop.systemd1.UnitExists", `Unit ${m.body![0]} was already loaded or has a fragment file.`);
      }
      return job(m, p, String(m.body![0]));
    }
    if (m.member === "StopUnit") {
      if (b.stop === "missing") return p.error(m, "org.freedesktop.systemd1.NoSuchUnit", `Unit ${m.body![0]} not loaded.`);
      return job(m, p, String(m.body![0]));
    }
  });
  const conn = await DbusConnection.connect(peer.path, { uid: 0 });
  return { calls, peer, conn, done: () => { conn.close(); peer.close(); } };
}

test("the version: Manager.Version's leading number", async () => {
  const f = await fakeSystemd();
  try {
    const bus = await SystemdBus.over(f.conn, false);
    assert.is(bus.version, 252);
    assert.equal(f.calls, ['Get ss "org.freedesktop.systemd1.Manager" "Version"']);
  } finally {
    f.done();
  }
  assert.is(parseVersion("v245.4-4ubuntu3"), 245);
  assert.is(parseVersion('"249"'), 249);
  assert.is(parseVersion("unknown"), 0);
});

for (const signalFirst of [false, true]) {
  test(`StartTransientUnit: its signature and properties, done at its JobRemoved${signalFirst ? " (which came before the reply)" : ""}`, async () => {
    const f = await fakeSystemd({ signalFirst });
    try {
      const bus = await SystemdBus.over(f.conn, false);
      await bus.startTransientUnit("p-n.scope", [["Delegate", "b", true], ["MemoryMax", "t", "67108864"], ["AllowedCPUs", "ay", [7, 2]], ["PIDs", "au", [99]]]);
      assert.equal(f.calls.slice(1), [
        'StartTransientUnit ssa(sv)a(sa(sv)) "p-n.scope" "replace" [["Delegate",b:true],["MemoryMax",t:67108864n],["AllowedCPUs",ay:[7,2]],["PIDs",au:[99]]] []',
      ]);
    } finally {
      f.done();
    }
  });
}

test("a unit of that name left from before: ResetFailedUnit and one more start, as runc", async () => {
  const f = await fakeSystemd({ startExistsOnce: true });
  try {
    const bus = await SystemdBus.over(f.conn, false);
    await bus.startTransientUnit("p-n.scope", []);
    assert.equal(f.calls.slice(1).map((c) => c.split(" ")[0]), ["StartTransientUnit", "ResetFailedUnit", "StartTransientUnit"]);
  } finally {
    f.done();
  }
});

test("a job that does not end in done fails the start in runc's words, and the unit is reset", async () => {
  const f = await fakeSystemd({ jobResult: "failed" });
  try {
    const bus = await SystemdBus.over(f.conn, false);
    await bus.startTransientUnit("p-n.scope", []).then(() => assert.unreachable(), (err) => assert.is(err.message, "error creating systemd unit `p-n.scope`: got `failed`"));
    assert.equal(f.calls.slice(1).map((c) => c.split(" ")[0]), ["StartTransientUnit", "ResetFailedUnit"]);
  } finally {
    f.done();
  }
});

test("StopUnit waits for its job; a unit that is gone already is no error; ResetFailedUnit after either", async () => {
  for (const stop of ["done", "missing"] as const) {
    const f = await fakeSystemd({ stop });
    try {
      const bus = await SystemdBus.over(f.conn, false);
      assert.is(await bus.stopUnit("p-n.scope"), undefined);
      assert.equal(f.calls.slice(1), ['StopUnit ss "p-n.scope" "replace"', 'ResetFailedUnit s "p-n.scope"']);
    } finally {
      f.done();
    }
  }
});

test("SetUnitProperties: runtime only (not written to /etc)", async () => {
  const f = await fakeSystemd();
  try {
    const bus = await SystemdBus.over(f.conn, false);
    await bus.setUnitProperties("p-n.scope", [["TasksMax", "t", "32"]]);
    assert.equal(f.calls.slice(1), ['SetUnitProperties sba(sv) "p-n.scope" true [["TasksMax",t:32n]]']);
  } finally {
    f.done();
  }
});

test("on the system bus, the JobRemoved match is added before anything else", async () => {
  const f = await fakeSystemd();
  try {
    await SystemdBus.over(f.conn, true);
    assert.equal(f.calls[0], `AddMatch s "type='signal',sender='org.freedesktop.systemd1',path='/org/freedesktop/systemd1',interface='${MANAGER}',member='JobRemoved'"`);
  } finally {
    f.done();
  }
});

test.run();
