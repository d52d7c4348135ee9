// Op features: the runtime-spec features document. It must claim nothing ocirun does not do.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { core, coreRaw, baseConfig, patch, errorsOf } from "../../util/core";
import { VERSION } from "../../../host/version";

const raw = () => coreRaw("features", "");
const features = () => core("features", "").features as any;

test("features needs no config and gives an ok verdict", () => {
  const v = core("features", "");
  assert.ok(v.ok);
  assert.equal(v.diagnostics, []);
  assert.type(v.features, "object");
});

test("the required fields and the versions ocirun implements", () => {
  const f = features();
  assert.is(f.ociVersionMin, "1.0.0");
  assert.is(f.ociVersionMax, "1.3.0");
  // Every kind runs (test/integration/hooks.test.ts).
  assert.equal(f.hooks, ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]);
  assert.equal(f.annotations, { "io.github.ocirun.version": VERSION });
  assert.equal(f.potentiallyUnsafeConfigAnnotations, []);
});

test("indented as runc prints it, with a final newline", () => {
  const text = new TextDecoder().decode(raw());
  const doc = text.slice(text.indexOf("features ") + text.slice(text.indexOf("features ")).indexOf("\n") + 1);
  assert.ok(doc.startsWith('{\n    "ociVersionMin": "1.0.0",\n    "ociVersionMax": "1.3.0",\n    "hooks": [\n        "prestart",\n        "createRuntime",\n        "createContainer",\n        "startContainer",\n        "poststart",\n        "poststop"\n    ],\n    "mountOptions": [\n        "'), doc.slice(0, 260));
  assert.ok(doc.endsWith('\n    "potentiallyUnsafeConfigAnnotations": []\n}\n\n'));
});

test("byte-identical across runs, and the config is not read", () => {
  const a = raw();
  assert.ok(a.length > 1000);
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(raw())), 0);
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(coreRaw("features", "{not json"))), 0);
});

test("every listed mount option is accepted in a mount (tmpcopyup in a tmpfs)", () => {
  const f = features();
  assert.ok(f.mountOptions.length > 20);
  for (const need of ["ro", "rbind", "rprivate", "nosuid", "strictatime", "rro", "rnoatime", "rnosymfollow", "idmap", "ridmap", "tmpcopyup"]) assert.ok(f.mountOptions.includes(need), need);
  // idmap and ridmap with the mount's own maps.
  const map = [{ containerID: 0, hostID: 1000, size: 1 }];
  const mounts = f.mountOptions.map((o: string) => o === "tmpcopyup" ? { destination: "/mnt", type: "tmpfs", source: "tmpfs", options: [o] }
    : { destination: "/mnt", type: "bind", source: "/tmp", options: ["bind", o], ...(o.endsWith("idmap") ? { uidMappings: map, gidMappings: map } : {}) });
  const v = core("validate", patch(baseConfig(), { "/mounts": mounts }));
  assert.equal(errorsOf(v), []);
});

test("every capability name round-trips through process.capabilities", () => {
  const caps: string[] = features().linux.capabilities;
  assert.is(caps.length, 41);
  assert.is(caps[0], "CAP_CHOWN");
  assert.is(caps[40], "CAP_CHECKPOINT_RESTORE");
  const v = core("plan", patch(baseConfig(), { "/process/capabilities": { bounding: caps, effective: caps, permitted: caps } }));
  assert.equal(errorsOf(v), []);
  assert.equal(v.diagnostics, [], "no capability is unknown");
});

test("linux: all namespaces, and nothing ocirun does not do yet", () => {
  const l = features().linux;
  assert.equal([...l.namespaces].sort(), ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]);
  for (const ns of l.namespaces) {
    const v = core("validate", patch(baseConfig(), { "/linux/namespaces": [{ type: "mount" }, ...(ns === "mount" ? [] : [{ type: ns }])] }));
    assert.not.ok(errorsOf(v).some((e) => e.includes("unknown namespace")), ns);
  }
  assert.equal(l.cgroup, { v1: true, v2: true, systemd: true, systemdUser: false, rdma: true });
  assert.equal(l.intelRdt, { enabled: false });
  // Like runc: what the runtime can apply; the host's LSMs are checked at create.
  for (const k of ["apparmor", "selinux"]) assert.equal(l[k], { enabled: true }, k);
  // Moved by the host at create (plan/net-devices.ts, addon/src/net_device.cc).
  assert.equal(l.netDevices, { enabled: true });
  // Idmapped mounts work with and without a user namespace: containerd enables user-namespaced
  // pods on this flag alone.
  assert.equal(l.mountExtensions, { idmap: { enabled: true } });
  assert.ok(features().mountOptions.includes("idmap"));
});

test("seccomp: every action and operator, the archs with a syscall table, the four flags", () => {
  const s = features().linux.seccomp;
  assert.is(s.enabled, true);
  assert.equal(s.actions, ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"]);
  assert.equal(s.operators, ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]);
  assert.equal(s.archs, ["SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64"]);
  const flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];
  assert.equal(s.knownFlags, flags);
  assert.equal(s.supportedFlags, flags);
  // Each claimed value is accepted by the core.
  for (const a of s.actions.filter((x: string) => x !== "SCMP_ACT_NOTIFY")) {
    const v = core("validate", patch(baseConfig(), { "/linux/seccomp": { defaultAction: a, architectures: s.archs, flags } }));
    assert.ok(v.ok, a);
  }
});

test.run();
