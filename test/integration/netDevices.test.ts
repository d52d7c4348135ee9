// linux.netDevices with real containers (runc's netdev.bats): virtual interfaces made on the host
// move into the container's network namespace, renamed, with their permanent global addresses
// and MTU, and up. Read inside with busybox `ip`, on the host with iproute2's. Every interface
// a test makes is deleted after the file, whether its tests passed or not.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { ocirun, errorMessage } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { waitFor } from "../util/wait.ts";

const t = new TestBundles();
const root = t.root;
const oci = (...args: string[]) => ocirun(args, { root });
const made = new Set<string>();
const netns = "ocirun-netdev-test";

/** iproute2 on the host; its exit status and output. */
const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8" });
const onHost = (name: string) => ip("link", "show", "dev", name).status === 0;

/** A virtual interface on the host, deleted after the test file whatever happens: a dummy, or
 * where the kernel has no dummy driver, one end of a veth pair (its peer, name + "p", stays). */
function dummy(name: string, ...setup: string[][]): void {
  made.add(name);
  made.add(name + "p");
  for (const n of [name, name + "p"]) if (onHost(n)) ip("link", "del", "dev", n);
  if (ip("link", "add", name, "type", "dummy").status !== 0) execFileSync("ip", ["link", "add", name, "type", "veth", "peer", "name", name + "p"]);
  for (const args of setup) execFileSync("ip", args);
}

function cleanup(): void {
  t.cleanup();
  for (const name of made) if (onHost(name)) ip("link", "del", "dev", name);
  ip("netns", "del", netns);
}
test.after(cleanup);

let n = 0;
const id = () => `netdev${++n}`;

test("run: the device is in the container under its new name, with its global addresses and MTU, up; not under the host's name", () => {
  dummy("ocirun-t0", ["link", "set", "dev", "ocirun-t0", "mtu", "1400"], ["addr", "add", "10.213.0.9/24", "dev", "ocirun-t0"],
    ["addr", "add", "fd00:213::9/64", "dev", "ocirun-t0", "nodad"], ["addr", "add", "169.254.3.3/16", "scope", "link", "dev", "ocirun-t0"]);
  const b = t.bundle(["sh", "-c", "ip link; echo ---; ip addr show dev eth9"], { "/linux/netDevices": { "ocirun-t0": { name: "eth9" } } });
  const r = oci("run", "--bundle", b, id());
  assert.is(r.code, 0, r.stderr);
  const [links, addrs] = r.stdout.split("---\n");
  assert.match(links, /^\d+: eth9(@\w+)?: <[^>]*\bUP\b[^>]*> mtu 1400 /m);
  assert.not.match(links, /ocirun-t0/);
  assert.match(addrs, /inet 10\.213\.0\.9\/24 /);
  // Its flags too: "nodad" (busybox prints "flags 02"), so not tentative.
  assert.match(addrs, /inet6 fd00:213::9\/64 scope global /);
  assert.not.match(addrs, /tentative/);
  // Only permanent addresses of global scope: not a link-scoped one.
  assert.not.match(addrs, /169\.254\.3\.3/);
});

test("create: the device leaves the host's namespace while the container lives; delete destroys a virtual one", () => {
  dummy("ocirun-t1");
  const c = id();
  const b = t.bundle(["sleep", "1000"], { "/linux/netDevices": { "ocirun-t1": { name: "eth9" } } });
  const r = oci("create", "--bundle", b, c);
  assert.is(r.code, 0, r.stderr);
  try {
    assert.not.ok(onHost("ocirun-t1"), "gone from the host's namespace");
    assert.not.ok(onHost("eth9"));
    const pid = String(JSON.parse(oci("state", c).stdout).pid);
    const inside = spawnSync("nsenter", ["-t", pid, "-n", "ip", "-o", "link", "show", "dev", "eth9"], { encoding: "utf8" });
    assert.is(inside.status, 0, inside.stderr);
    assert.match(inside.stdout, /eth9(@\w+)?: <[^>]*\bUP\b/);
  } finally {
    assert.is(oci("delete", "--force", c).code, 0);
  }
  // A dummy dies with its namespace (a physical device would go back to the host's, as "eth9").
  assert.ok(waitFor(() => !onHost("ocirun-t1") && !onHost("eth9")), "not back on the host");
});

test("a missing device: create fails naming the field, and leaves nothing behind", () => {
  const c = id();
  const b = t.bundle(["true"], { "/linux/netDevices": { "ocirun-nope": {} } });
  const r = oci("create", "--bundle", b, c);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), '/linux/netDevices/ocirun-nope: move "ocirun-nope" into the container: no such device');
  assert.equal(existsSync(root) ? readdirSync(root) : [], [], "no state left");
});

test("a name taken in the container (lo): create fails, and the device stays on the host as it was", () => {
  dummy("ocirun-t2", ["addr", "add", "10.213.2.9/24", "dev", "ocirun-t2"]);
  const c = id();
  const b = t.bundle(["true"], { "/linux/netDevices": { "ocirun-t2": { name: "lo" } } });
  const r = oci("create", "--bundle", b, c);
  assert.is(r.code, 1);
  assert.is(errorMessage(r.stderr.trim()), '/linux/netDevices/ocirun-t2: move "ocirun-t2" into the container as "lo": file exists');
  assert.ok(onHost("ocirun-t2"), "still on the host");
  assert.match(ip("addr", "show", "dev", "ocirun-t2").stdout, /inet 10\.213\.2\.9\/24/);
  assert.equal(existsSync(root) ? readdirSync(root) : [], []);
});

test("a %d template: the kernel numbers it; two devices, in a container with a user namespace", () => {
  dummy("ocirun-t3");
  dummy("ocirun-t4");
  const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
  const b = t.bundle(["sh", "-c", "ip -o link | sed 's/@[^:]*//' | cut -d' ' -f2 | sort | tr '\\n' ' '"], {
    "/linux/namespaces": [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "cgroup" }, { type: "user" }],
    "/linux/uidMappings": map,
    "/linux/gidMappings": map,
    "/linux/netDevices": { "ocirun-t3": { name: "net%d" }, "ocirun-t4": { name: "net%d" } },
  });
  const r = oci("run", "--bundle", b, id());
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "lo: net0: net1: ");
});

test("a joined network namespace: the device moves there and stays after the container (the spec: never moved back)", () => {
  dummy("ocirun-t5");
  ip("netns", "del", netns);
  execFileSync("ip", ["netns", "add", netns]);
  const b = t.bundle(["ip", "-o", "link", "show", "dev", "eth7"], {
    "/linux/namespaces": [{ type: "pid" }, { type: "network", path: `/run/netns/${netns}` }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
    "/linux/netDevices": { "ocirun-t5": { name: "eth7" } },
  });
  const r = oci("run", "--bundle", b, id());
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /eth7(@\w+)?: <[^>]*\bUP\b/);
  assert.not.ok(onHost("ocirun-t5"));
  assert.is(ip("-n", netns, "link", "show", "dev", "eth7").status, 0, "still in the joined namespace");
});

test.run();
