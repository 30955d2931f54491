# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2154 # VM, TOP, version, die, boot: tests/vm/run.sh's, which sources this.
#
# tests/vm/run.sh --systemd: systemd as PID 1, for real. The root is made of
# Debian's packages by mmdebstrap (cached in build/vm by its package list),
# nswg is put in by `make install', its Debian package beside it; the
# kernel's modules go where modprobe finds them. tests/systemd.sh runs as a
# unit once the system is up, and powers the machine off.

pkgs=systemd,systemd-sysv,dbus,kmod,iproute2,wireguard-tools,wireguard-go,dnsmasq-base,busybox,curl,procps,libmnl0,libinih1
cache=$VM/systemd-root-$(echo "$pkgs" | md5sum | cut -c1-12).tar
if [ ! -s "$cache" ]; then
	command -v mmdebstrap >/dev/null || die "missing \`mmdebstrap' (run make check as root: it installs it)"
	rm -rf "$VM"/systemd-root-*
	# The format follows the name's extension: .tar.
	mmdebstrap --quiet --variant=minbase --include="$pkgs" bookworm "${cache%.tar}.part.tar" http://deb.debian.org/debian ||
		die "mmdebstrap failed"
	mv "${cache%.tar}.part.tar" "$cache"
fi
sd=$VM/sdroot
rm -rf "$sd"
mkdir -p "$sd"
tar -C "$sd" -xf "$cache"

# The kernel's modules, loaded on demand as on any Debian machine.
while read -r mod; do
	rel=${mod#*/kernel-"$version"/}
	mkdir -p "$sd/$(dirname "$rel")"
	cp "$mod" "$sd/$rel"
done <modules.list
cp "kernel-$version/lib/modules/$version"/modules.{order,builtin,builtin.modinfo} "$sd/lib/modules/$version/"
depmod -b "$sd" "$version"

# nswg as an administrator installs it from the tree; the package for later.
make -s -C "$TOP" install DESTDIR="$sd" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system >/dev/null ||
	die "make install into the root failed"
make -s -C "$TOP" deb >/dev/null || die "make deb failed"
mkdir -p "$sd/tests"
cp "$TOP"/build/deb/nswg_*.deb "$sd/tests/nswg.deb"
cp "$TOP/tests/systemd.sh" "$sd/tests/"

# The machine: no login on the console, no network manager, the tests once up.
printf 'nswg-vm\n' >"$sd/etc/hostname"
# What units bind over (the example's BindReadOnlyPaths): the host's own, empty.
: >"$sd/etc/resolv.conf"
: >"$sd/etc/machine-id"
ln -sf /dev/null "$sd/etc/systemd/system/getty.target"
ln -sf /dev/null "$sd/etc/systemd/system/serial-getty@ttyS0.service"
cat >"$sd/etc/systemd/system/nswg-vm-tests.service" <<'UNIT'
[Unit]
Description=nswg's systemd scenarios
After=basic.target
[Service]
Type=oneshot
ExecStart=/bin/sh /tests/systemd.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
UNIT
mkdir -p "$sd/etc/systemd/system/multi-user.target.wants"
ln -sf ../nswg-vm-tests.service "$sd/etc/systemd/system/multi-user.target.wants/"
ln -sf multi-user.target "$sd/etc/systemd/system/default.target"
ln -sf /lib/systemd/systemd "$sd/init"
(cd "$sd" && find . | cpio -o -H newc --quiet | gzip -1) >initramfs-systemd.gz

boot initramfs-systemd.gz "console=ttyS0 panic=-1 quiet loglevel=3 systemd.show_status=0"
