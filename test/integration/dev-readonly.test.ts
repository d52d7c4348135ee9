// A read-only /dev (`"ro"` on its tmpfs), as runc makes it: the mounts under /dev, the default
// devices and the console first, the read-only remount last.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ocirun } from "../util/ocirun.ts";
import { TestBundles } from "../util/bundle.ts";
import { defaultConfig } from "../../host/default-config/config.ts";

const t = new TestBundles();
const root = t.root;
test.after(() => t.cleanup());

test("a read-only /dev tmpfs: its devices and /dev/pts, /dev/shm exist, and /dev is read-only", () => {
  const mounts = (defaultConfig() as any).mounts.map((m: any) => (m.destination === "/dev" ? { ...m, options: [...m.options, "ro"] } : m));
  const script = "test -c /dev/null && test -c /dev/urandom && test -d /dev/pts && test -L /dev/fd && echo devices; " +
    "touch /dev/x 2>/dev/null || echo refused; grep ' /dev tmpfs ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1; " +
    "grep -c ' /dev/pts devpts ' /proc/self/mounts";
  const r = ocirun(["run", "--bundle", t.bundle(["sh", "-c", script], { "/mounts": mounts }), "ro-dev"], { root });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "devices\nrefused\nro\n1\n");
});

test.run();
