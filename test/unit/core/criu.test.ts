// The core's "criu" section (assembly/plan/criu.ts): what checkpoint and restore tell CRIU.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { baseConfig, core, patch } from "../../util/core";

const section = (config: unknown, facts = {}) => JSON.parse(new TextDecoder().decode(core("plan", config, facts).sections.criu));

test("bind mounts are external, with their sources resolved against the bundle; tmpfs and proc are not", () => {
  const c = patch(baseConfig(), {
    "/mounts": [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/data", type: "bind", source: "data", options: ["rbind"] },
      { destination: "/etc/hosts/", type: "none", source: "/srv/hosts", options: ["bind", "ro"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs" },
    ],
  });
  assert.equal(section(c).externalMounts, [{ destination: "/data", source: "/bundle/data" }, { destination: "/etc/hosts", source: "/srv/hosts" }]);
});

test("on cgroup v2 the cgroup mount is external too (CRIU cannot dump a cgroup2 mount)", () => {
  const c = patch(baseConfig(), { "/mounts": [{ destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup" }] });
  assert.equal(section(c, { cgroup: "v2", cgroupV1: [] }).externalMounts, [{ destination: "/sys/fs/cgroup", cgroup: true }]);
  assert.equal(section(c).externalMounts, []);
});

test("CRIU's config file: runc's default, the org.criu.config annotation's, or none for \"\"", () => {
  assert.is(section(baseConfig()).configFile, "/etc/criu/runc.conf");
  assert.is(section(patch(baseConfig(), { "/annotations": { "org.criu.config": "/etc/criu/mine.conf" } })).configFile, "/etc/criu/mine.conf");
  assert.is(section(patch(baseConfig(), { "/annotations": { "org.criu.config": "" } })).configFile, null);
});

test.run();
