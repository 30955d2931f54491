#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Kernel WireGuard, for real: boots Debian's kernel package under qemu with a
# small initramfs (busybox, iproute2, wg, nswg, the wireguard module) and runs
# tests/scenarios.sh inside. The VM's own namespace plays the host. The
# package is only unpacked into build/vm, never installed.
#
#   tests/vm/run.sh [GUEST-TEST...]     (default: all)
#   tests/vm/run.sh --bench             the benchmark instead (make bench)
#   tests/vm/run.sh --systemd           systemd as PID 1 in a root made of
#                                       Debian's packages (tests/vm/systemd-root.sh)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
VM=${VM_DIR:-$TOP/build/vm} # VM_DIR: for two runs at once
mkdir -p "$VM"
cd "$VM"
bench=0
systemd=0
if [ "${1:-}" = --bench ]; then
	bench=1
	shift
elif [ "${1:-}" = --systemd ]; then
	systemd=1
	shift
fi

die() { echo "vm: $*" >&2; exit 1; }
for cmd in qemu-system-x86_64 busybox cpio depmod modprobe xz gzip wg wg-quick wireguard-go bash apt-get dpkg-deb curl socat dnsmasq nft \
	systemd-socket-activate; do
	command -v "$cmd" >/dev/null || die "missing \`$cmd' (run make check as root: it installs it)"
done
[ -e /bin/busybox ] && file_busybox=/bin/busybox || file_busybox=$(command -v busybox)

# 1. The kernel: the cloud flavour's current version, fetched once.
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
	[ "$(id -u)" = 0 ] || die "no package lists: run apt-get update as root"
	apt-get update -qq >/dev/null
	pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$pkg" ] || die "cannot find Debian's cloud kernel package"
version=${pkg#linux-image-}
if [ ! -e "kernel-$version/boot/vmlinuz-$version" ]; then
	rm -rf "kernel-$version" ./*.deb
	apt-get download "$pkg" >/dev/null 2>&1 || die "apt-get download $pkg failed"
	dpkg-deb -x "$pkg"_*.deb "kernel-$version"
	rm -f ./*.deb
	depmod -b "kernel-$version" "$version"
fi

# WireGuard, TUN for the userspace implementation the scenarios also run, nf_tables for the firewall's dump.
for m in wireguard tun nf_tables; do
	modprobe -d "kernel-$version" -S "$version" --show-depends $m | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' >modules.list
[ -s modules.list ] || die "the kernel package has no wireguard module"

# 3. Boot. KVM where it works, TCG (about 5 s to boot here) where it does not.
boot() { # INITRD APPEND
	local accel="-accel tcg -cpu max"
	if [ -w /dev/kvm ] && [ "${NSWG_VM_KVM:-0}" = 1 ]; then
		accel="-accel kvm -cpu host"
	fi
	log=$VM/console.log
	# shellcheck disable=SC2086
	timeout "${VM_TIMEOUT:-1500}" qemu-system-x86_64 $accel -smp 2 -m 2048 -nographic -no-reboot \
		-kernel "kernel-$version/boot/vmlinuz-$version" -initrd "$1" \
		-append "$2" </dev/null 2>&1 | tee "$log" | grep -v '^\s*$' || true
	grep -q '^NSWG-VM-EXIT: 0' "$log" || die "the VM's tests failed (console in $log)"
}

if [ "$systemd" = 1 ]; then
	. "$TOP/tests/vm/systemd-root.sh"
	exit 0
fi

# 2. The initramfs.
root=$VM/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc/wireguard,proc,sys,dev,run,tmp,var,modules,tests}
ln -s /run "$root/var/run"
cp "$file_busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	case $applet in ip | ss | busybox) continue ;; esac
	ln -sf busybox "$root/bin/$applet"
done
copy_with_libs() {
	local bin=$1 dest=$2 lib
	cp "$bin" "$root$dest"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_with_libs "$(command -v ip)" /usr/bin/ip
copy_with_libs "$(command -v ss)" /usr/bin/ss
copy_with_libs "$(command -v wg)" /usr/bin/wg
copy_with_libs "$TOP/nswg" /usr/bin/nswg
copy_with_libs "$TOP/build/fault/nswg" /usr/bin/nswg-fault
copy_with_libs "$TOP/build/tests/measure" /usr/bin/measure
copy_with_libs "$TOP/build/tests/closedpipe" /usr/bin/closedpipe
copy_with_libs "$TOP/build/tests/tiocsti" /usr/bin/tiocsti
copy_with_libs "$TOP/build/tests/nlforge" /usr/bin/nlforge
copy_with_libs "$TOP/build/tests/fanout" /usr/bin/fanout
# util-linux, for the boundaries tests: script(1) gives a terminal, unshare a user namespace.
copy_with_libs "$(command -v script)" /usr/bin/script
copy_with_libs "$(command -v setpriv)" /usr/bin/setpriv
copy_with_libs "$(command -v unshare)" /usr/bin/unshare
copy_with_libs "$(command -v nsenter)" /usr/bin/nsenter
copy_with_libs "$(command -v prlimit)" /usr/bin/prlimit
# The relay's tests: clients, servers and a resolver from Debian, the firewall dumped, socket activation.
copy_with_libs "$(command -v curl)" /usr/bin/curl
copy_with_libs "$(command -v socat)" /usr/bin/socat
copy_with_libs "$(command -v dnsmasq)" /usr/sbin/dnsmasq
copy_with_libs "$(command -v nft)" /usr/sbin/nft
copy_with_libs "$(command -v systemd-socket-activate)" /usr/bin/systemd-socket-activate
# wg-quick (a bash script) for save's comparison and the benchmark; wireguard-go
# for the userspace implementation where the kernel has WireGuard.
copy_with_libs "$(command -v bash)" /bin/bash
cp "$(command -v wg-quick)" "$root/usr/bin/wg-quick"
copy_with_libs "$(command -v wireguard-go)" /usr/bin/wireguard-go
if [ "$bench" = 1 ]; then
	# The contenders: wg-quick; the floor is ip -batch and wg.
	cp "$TOP/tests/bench/bench.sh" "$root/tests/"
	"$TOP/tests/lib/bigconfs.sh" "$root/tests/bench/conf" ${BENCH_SIZES:-peers1 peers100 peers1000 peers10k aips10k aips100k}
fi
copy_with_libs "$TOP/build/tests/cfgdump" /usr/bin/cfgdump
i=0
while read -r mod; do
	i=$((i + 1))
	case $mod in
	*.xz) xz -dc "$mod" >"$root/modules/$(printf %02d "$i").ko" ;;
	*) cp "$mod" "$root/modules/$(printf %02d "$i").ko" ;;
	esac
done <modules.list
cp "$TOP/tests/scenarios.sh" "$TOP/tests/boundaries.sh" "$TOP/tests/relay.sh" "$TOP/tests/via.sh" "$root/tests/"
cp -r "$TOP/tests/corpus/good" "$root/tests/corpus"
# Large configurations, made here where keys are cheap to generate. VM_SCALE="peers1000
# peers10k aips100k" adds 10,000 peers: make bench measures them, and their removal
# alone takes the emulated kernel three minutes.
# shellcheck disable=SC2086 # a list of sizes
"$TOP/tests/lib/bigconfs.sh" "$root/tests/big" ${VM_SCALE:-peers1000 aips100k}
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
printf 'nameserver 127.0.0.53\n' >"$root/etc/resolv.conf"
cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ln -s /proc/self/fd /dev/fd # bash's <(...), which wg-quick uses
mkdir -p /dev/pts && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && ln -sf pts/ptmx /dev/ptmx # script(1), exec's terminal
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
for m in /modules/*.ko; do insmod \$m || echo "vm: insmod \$m failed"; done
/usr/bin/ip link set lo up
ulimit -n 1048576 # as systemd gives services, not the kernel's 4096: the relay's tests hold 1,000 connections
# TCP's memory and orphans as a machine with more than the VM's 2 GiB has them: the relay's tests move 2 GiB at once.
echo "131072 262144 524288" >/proc/sys/net/ipv4/tcp_mem
echo 65536 >/proc/sys/net/ipv4/tcp_max_orphans
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
if [ $bench = 1 ]; then
	BENCH_DIR=/tests/bench NSWG=/usr/bin/nswg MEASURE=/usr/bin/measure IP=/usr/bin/ip WG=/usr/bin/wg WGQUICK=/usr/bin/wg-quick RUNS=${BENCH_RUNS:-5} \\
		SIZES="${BENCH_SIZES:-peers1 peers100 peers1000 peers10k aips10k aips100k}" \\
		WGQUICK_BIG_RUNS=${WGQUICK_BIG_RUNS:-1} sh /tests/bench.sh 2>&1
else
	# A watchdog: what runs, should a test hang (the console shows only that then).
	( sleep ${VM_WATCHDOG:-600}; echo "vm: still running after ${VM_WATCHDOG:-600} s:"; ps -o pid,stat,args ) &
	FAULT_MODES="${FAULT_MODES:-errno 15 9}" sh /tests/scenarios.sh $* 2>&1
fi
echo "NSWG-VM-EXIT: \$?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >initramfs.gz

boot initramfs.gz "console=ttyS0 quiet panic=-1 loglevel=3"
