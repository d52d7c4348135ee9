#!/bin/bash
# npm install's first step (preinstall): the Debian packages the build and the tests need
# (scripts/system-deps.txt says which and why), installed when missing. As root it runs apt-get;
# otherwise it names what is missing and goes on (the build says what it lacks).
# OCIRUN_NO_SYSTEM_DEPS=1 skips it.
set -euo pipefail
[ "${OCIRUN_NO_SYSTEM_DEPS:-}" = 1 ] && exit 0
command -v dpkg >/dev/null 2>&1 || { echo "system-deps: not a Debian system: install the packages in $0 by hand" >&2; exit 0; }
need=()
for pkg in $(sed 's/#.*//' "$(dirname "$0")/system-deps.txt"); do
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
