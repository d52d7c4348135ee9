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
  // No hook is claimed while the host refuses configs with hooks.
  assert.equal(f.hooks, []);
  assert.equal(f.annotations, { "io.github.ocirun.version": VERSION });
  assert.equal(f.potentiallyUnsafeConfigAnnotations, []);
});

test("indented as runc prints it, with a final newline", () => {
  const text = new TextDecoder().decode(raw());
  const doc = text.slice(text.indexOf("features ") + text.slice(text.indexOf("features ")).indexOf("\n") + 1);
  assert.ok(doc.startsWith('{\n    "ociVersionMin": "1.0.0",\n    "ociVersionMax": "1.3.0",\n    "hooks": [],\n    "mountOptions": [\n        "'), doc.slice(0, 120));
  assert.ok(doc.endsWith('\n    "potentiallyUnsafeConfigAnnotations": []\n}\n\n'));
});

test("byte-identical across runs, and the config is not read", () => {
  const a = raw();
  assert.ok(a.length > 1000);
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(raw())), 0);
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(coreRaw("features", "{not json"))), 0);
});

test("every listed mount option is accepted in a mount, and no unsupported one is listed", () => {
  const f = features();
  assert.ok(f.mountOptions.length > 20);
  for (const unsupported of ["tmpcopyup"]) assert.not.ok(f.mountOptions.includes(unsupported), unsupported);
  for (const need of ["ro", "rbind", "rprivate", "nosuid", "strictatime", "rro", "rnoatime", "rnosymfollow", "idmap", "ridmap"]) assert.ok(f.mountOptions.includes(need), need);
  // idmap and ridmap with the mount's own maps.
  const map = [{ containerID: 0, hostID: 1000, size: 1 }];
  const mounts = f.mountOptions.map((o: string) => ({ destination: "/mnt", type: "bind", source: "/tmp", options: ["bind", o], ...(o.endsWith("idmap") ? { uidMappings: map, gidMappings: map } : {}) }));
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
  assert.equal(l.cgroup, { v1: false, v2: false, systemd: false, systemdUser: false, rdma: false });
  for (const k of ["seccomp", "intelRdt", "netDevices"]) assert.equal(l[k], { enabled: false }, k);
  // Like runc: what the runtime can apply; the host's LSMs are checked at create.
  for (const k of ["apparmor", "selinux"]) assert.equal(l[k], { enabled: true }, k);
  // The option runs outside user namespaces, but the extension is not claimed until it runs in
  // one too: containerd enables user-namespaced pods on this flag alone.
  assert.equal(l.mountExtensions, { idmap: { enabled: false } });
  assert.ok(features().mountOptions.includes("idmap"));
});

test("seccomp is reported disabled and a config with it is refused", () => {
  assert.is(features().linux.seccomp.enabled, false);
  const v = core("validate", patch(baseConfig(), { "/linux/seccomp": { defaultAction: "SCMP_ACT_ALLOW" } }));
  assert.not.ok(v.ok);
});

test.run();
