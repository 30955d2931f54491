#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Makes sure the Debian packages a task needs are installed.
#   tests/deps.sh [--check] GROUP...
# As root, missing packages are installed; otherwise, or with --check, the
# exact command is printed and the script fails.
set -eu

packages() {
	case "$1" in
	build) echo "gcc make pkg-config libmnl-dev libinih-dev" ;;
	unit) echo "libcmocka-dev" ;;
	e2e) echo "wireguard-tools wireguard-go iproute2 util-linux procps busybox-static curl valgrind zsh patch cpio socat dnsmasq-base nftables systemd" ;;
	vm) echo "qemu-system-x86 busybox-static cpio kmod xz-utils gzip iproute2 wireguard-tools curl socat dnsmasq-base nftables systemd mmdebstrap" ;;
	lint) echo "mandoc man-db clang shellcheck" ;;
	units) echo "systemd curl man-db" ;;
	fuzz) echo "clang" ;;
	bench) echo "iperf3 wrk socat curl dnsmasq-base systemd" ;;
	deb) echo "build-essential debhelper dpkg-dev fakeroot lintian git cpio" ;;
	*) echo "deps.sh: unknown group \`$1'" >&2; exit 2 ;;
	esac
}

check_only=0
if [ "${1:-}" = --check ]; then
	check_only=1
	shift
fi

missing=
for group in "$@"; do
	for pkg in $(packages "$group"); do
		case " $missing " in *" $pkg "*) continue ;; esac
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
			missing="$missing $pkg"
		fi
	done
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$check_only" = 1 ] || [ "$(id -u)" != 0 ]; then
	echo "nswg: missing packages:$missing" >&2
	echo "nswg: as root, run: $cmd" >&2
	exit 1
fi
echo "[#] $cmd" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; fetch them once if the install fails.
if ! $cmd >/dev/null 2>&1; then
	apt-get update -qq >/dev/null
	$cmd >/dev/null
fi
