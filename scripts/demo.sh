#!/bin/sh
# npm start's main job: make a busybox bundle, write its config with `ocirun spec`, and run it.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/build/ocirun
bundle=$repo/build/demo-bundle
if [ ! -x "$bundle/rootfs/bin/busybox" ]; then
  rm -rf "$bundle"
  "$repo/test/fixtures/make-rootfs.sh" "$bundle/rootfs"
fi
rm -f "$bundle/config.json"
"$bin" spec --bundle "$bundle"
# A non-interactive command instead of spec's interactive `sh`.
node -e '
  const fs = require("fs"); const f = process.argv[1]; const c = JSON.parse(fs.readFileSync(f));
  c.process.terminal = false;
  c.process.args = ["sh", "-c", "echo \"hello from an ocirun container\"; echo \"hostname: $(hostname)\"; echo \"pid: $$\"; id; ls /"];
  fs.writeFileSync(f, JSON.stringify(c, null, 2));' "$bundle/config.json"
echo "+ $bin run --bundle $bundle ocirun-demo-$$"
exec "$bin" run --bundle "$bundle" "ocirun-demo-$$"
