// test/fixtures/sd-helper.c built static into a test rootfs as /bin/sd-helper: the container's
// side of sd_notify and socket activation, which busybox has no applet for.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repo } from "./ocirun.ts";

export function installSdHelper(rootfs: string): void {
  execFileSync("gcc", ["-static", "-O2", "-o", join(rootfs, "bin/sd-helper"), join(repo, "test/fixtures/sd-helper.c")]);
}
