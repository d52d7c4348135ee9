#!/bin/bash
# npm install's first step (preinstall): the Debian packages the build and the tests need,
# installed when missing. As root it runs apt-get; otherwise it names what is missing and goes on
# (the build says what it lacks). OCIRUN_NO_SYSTEM_DEPS=1 skips it.
#   g++ make python3: the addon (node-gyp); cpp, linux-libc-dev-*-cross: the arm64 and arm
#   syscall tables (scripts/gen-syscalls.mjs); busybox-static: the demo's and the tests' root
#   filesystems; runc: the tests and benchmarks compare against it; procps util-linux: ps(1) for
#   `ocirun ps`, nsenter/unshare in tests; libseccomp-dev: the referee of the seccomp differential
#   test; uidmap: newuidmap/newgidmap for the rootless tests' multi-range maps; chromium: the
#   browser test of ocirun/core; qemu-system-x86 linux-image-amd64: the cgroup v2 guest the
#   cgroup suites also run in (test/vm); docker.io: test/clients/docker.test.ts runs its own dockerd
#   (with its containerd, and iptables for the default bridge) against ocirun and runc; podman
#   conmon: test/clients/podman.test.ts runs podman (conmon is its container monitor, a package of
#   its own) with ocirun as --runtime, and OCI hooks from a --hooks-dir; hyperfine crun: the
#   side-by-side benchmark (npm run bench) times ocirun against runc and crun.
set -euo pipefail
[ "${OCIRUN_NO_SYSTEM_DEPS:-}" = 1 ] && exit 0
command -v dpkg >/dev/null 2>&1 || { echo "system-deps: not a Debian system: install the packages in $0 by hand" >&2; exit 0; }
need=()
for pkg in g++ make python3 cpp linux-libc-dev-arm64-cross linux-libc-dev-armhf-cross busybox-static runc \
    procps util-linux libseccomp-dev uidmap chromium qemu-system-x86 linux-image-amd64 docker.io \
    podman conmon hyperfine crun; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages (as root: apt-get install ${need[*]})" >&2
  exit 0
fi
echo "system-deps: apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
