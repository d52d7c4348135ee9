#!/bin/bash
# The project's copy of the team's VM tool (npm test runs the cgroup suites on pure cgroup v2
# with it: test/vm/run-suites.mjs).
# v2vm.sh 'COMMAND' - run COMMAND as root in a throwaway QEMU guest whose ONLY cgroup
# hierarchy is cgroup2 at /sys/fs/cgroup with every controller enabled in the root's
# cgroup.subtree_control. The guest sees the host's / (9p, read-only) under a tmpfs
# overlay, so host binaries run unchanged (cwd is kept); writes vanish at exit. /run is a
# fresh tmpfs (host /run/runc, /run/crun are NOT visible). Output (stdout+stderr
# merged) streams to stdout; exit status is COMMAND's (125 = VM failed to report one).
# Needs: apt-get install qemu-system-x86 linux-image-amd64 busybox-static (root).
# Env: V2VM_MEM (2G) V2VM_CPUS (2) V2VM_ACCEL (kvm|tcg) V2VM_KVER V2VM_DEBUG=1 (kernel log)
#      V2VM_RW=/some/dir  also mount that host dir read-WRITE at the same path.
#      V2VM_CRIU=1  load the kernel modules CRIU needs before COMMAND (the guest cannot load
#      modules on demand); with them criu 3.17 checkpoints and restores containers there
#      (criu cannot run on the host's newer kernel). Needs the criu package.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 'COMMAND'" >&2; exit 2; }
KVER=${V2VM_KVER:-$(ls /boot/vmlinuz-* | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
CACHE=/tmp/v2vm-cache-$KVER
INITRD=$CACHE/initrd.cpio

if [ ! "$INITRD" -nt "$0" ]; then            # (re)build the initramfs when the script changes
  rm -rf "$CACHE"; mkdir -p "$CACHE/root" && cd "$CACHE/root" && mkdir bin dev proc sys m
  cp /usr/bin/busybox bin/busybox
  mknod -m 600 dev/console c 5 1
  for m in virtio_pci 9pnet_virtio 9p overlay; do modprobe -S "$KVER" --show-depends $m; done |
    awk '$1=="insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
      case $ko in *.xz) xz -dc "$ko" ;; *.zst) zstd -qdc "$ko" ;; *) cat "$ko" ;; esac > "m/$(basename "${ko%.*}").ko"
      basename "${ko%.*}" >> m/order; done
  # Uncompressed vmlinux -> qemu boots it via the PVH entry: skips real mode and the xz
  # decompressor (slow under TCG; kvm_pvm even hangs there).
  off=$(LC_ALL=C grep -m1 -obUaP '\xFD7zXZ\x00' "/boot/vmlinuz-$KVER" | LC_ALL=C sed -n '1s/:.*//p')
  (tail -c +$((off+1)) "/boot/vmlinuz-$KVER" || :) | xz -dc --single-stream > "$CACHE/vmlinux"
  cat > init <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; export PATH=/bin
mount -t devtmpfs dev /dev; mount -t proc proc /proc; mount -t sysfs sys /sys
exec </dev/console >/dev/console 2>&1; stty -onlcr
for m in $(cat /m/order); do insmod /m/$m.ko; done
P9=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /lower /rw /new
mount -t 9p -o $P9,ro,cache=loose hostroot /lower
mount -t tmpfs -o mode=755 rw /rw; mkdir /rw/u /rw/w
mount -t overlay -o lowerdir=/lower,upperdir=/rw/u,workdir=/rw/w root /new
mount -t tmpfs -o mode=755 run /new/run   # fresh /run: hides host /run/runc, /run/crun
mkdir -p /new/run/v2vm; mount -t 9p -o $P9 v2vmrun /new/run/v2vm
RW=$(cat /new/run/v2vm/rw); [ -z "$RW" ] || mount -t 9p -o $P9 v2vmrw "/new$RW"
for d in dev proc sys; do mount --move /$d /new/$d; done
mkdir -p /new/dev/pts /new/dev/shm /new/dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666 devpts /new/dev/pts; ln -sf pts/ptmx /new/dev/ptmx 2>/dev/null
mount -t tmpfs -o mode=1777 shm /new/dev/shm; mount -t mqueue mqueue /new/dev/mqueue
ln -sf /proc/self/fd /new/dev/fd 2>/dev/null   # bash process substitution needs /dev/fd
mount -t cgroup2 -o nsdelegate cgroup2 /new/sys/fs/cgroup
for c in $(cat /new/sys/fs/cgroup/cgroup.controllers); do echo +$c > /new/sys/fs/cgroup/cgroup.subtree_control; done
hostname v2vm; ip link set lo up
cd /new && mount --move . / && chroot . /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root TERM=dumb /bin/sh /run/v2vm/cmd
echo $? > run/v2vm/rc; sync; poweroff -f
EOF
  chmod +x init
  find . | cpio -o -H newc --quiet > "$INITRD.tmp" && mv "$INITRD.tmp" "$INITRD"
  cd - >/dev/null
fi

RUN=$(mktemp -d /tmp/v2vm.XXXXXX); trap 'rm -rf "$RUN"' EXIT
CRIU_MODULES="inet_diag tcp_diag udp_diag raw_diag unix_diag netlink_diag af_packet af_packet_diag tun veth
  nf_tables nft_compat nft_ct xt_mark nf_conntrack nf_conntrack_netlink ip_tables iptable_filter ip6_tables ip6table_filter"
{ [ -z "${V2VM_CRIU:-}" ] || echo "modprobe -a" $CRIU_MODULES
  printf 'cd %q 2>/dev/null || cd /\n%s\n' "$PWD" "$1"; } > "$RUN/cmd"
printf '%s' "${V2VM_RW:-}" > "$RUN/rw"
# kvm_pvm (this host's nested "KVM") only runs PVM-enabled guest kernels; a stock kernel dies
# with "KVM internal error ... emulation failure" (cmpxchg16b/xrstor), so use TCG there.
ACCEL=${V2VM_ACCEL:-$( [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && echo kvm || echo tcg )}
if [ "$ACCEL" = kvm ]; then A=(-accel kvm -cpu host); else A=(-accel tcg -cpu max); fi
if [ -n "${V2VM_DEBUG:-}" ]; then LOG=loglevel=7; else LOG="quiet loglevel=0"; fi
QEMU=(qemu-system-x86_64 "${A[@]}" -m "${V2VM_MEM:-2G}" -smp "${V2VM_CPUS:-2}"
  -nodefaults -no-user-config -display none -no-reboot -serial stdio
  -kernel "$CACHE/vmlinux" -initrd "$INITRD"
  -append "console=ttyS0 $LOG panic=-1 cgroup_no_v1=all rdinit=/init"
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
  -virtfs "local,path=$RUN,mount_tag=v2vmrun,security_model=none")
[ -z "${V2VM_RW:-}" ] || QEMU+=(-virtfs "local,path=$V2VM_RW,mount_tag=v2vmrw,security_model=none")
"${QEMU[@]}" </dev/null || true
[ -s "$RUN/rc" ] || { echo "v2vm: guest did not report an exit code" >&2; exit 125; }
exit "$(cat "$RUN/rc")"
