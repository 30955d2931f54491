#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Shared by the shell test suites: results, a sandbox, processes to reap.
# Source it, then call sandbox_enter "$@" before touching anything.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NSWG=${NSWG:-$TOP/nswg}
PASSED=0
FAILED=0
CLEANUP_PIDS=()
CLEANUP_CMDS=()

pass() {
	PASSED=$((PASSED + 1))
	echo "ok - $*"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "not ok - $*"
}

# check NAME COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

die() {
	echo "$0: $*" >&2
	exit 1
}

need() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null || die "missing \`$cmd' (run: make check as root, it installs it)"
	done
}

cleanup_all() {
	local i pid
	for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP_CMDS[i]}" >/dev/null 2>&1 || true
	done
	for pid in "${CLEANUP_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	sandbox_reap
	return 0
}

on_cleanup() {
	CLEANUP_CMDS+=("$*")
}

# Whatever still runs in the sandbox's own network or mount namespace was started by
# this test (a wireguard-go that a failing nswg left behind, in a session of
# its own): it must not outlive the sandbox. Never the machine's namespace.
sandbox_reap() {
	local self mnt p
	self=$(readlink /proc/$$/ns/net) || return 0
	mnt=$(readlink /proc/$$/ns/mnt) || return 0
	[ -n "${NSWG_SANDBOX:-}" ] && [ "$self" != "$(readlink /proc/1/ns/net)" ] &&
		[ "$mnt" != "$(readlink /proc/1/ns/mnt)" ] || return 0
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		{ [ "$p" = $$ ] || [ "$p" = "$BASHPID" ]; } && continue
		# The sandbox's mount namespace too: a wireguard-go of --via runs in a namespace of the test's own.
		{ [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$self" ] ||
			[ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$mnt" ]; } && kill "$p" 2>/dev/null
	done
	return 0
}

# Re-runs the calling script in new network and mount namespaces, with a
# private /run (so /run/netns, /run/nswg and /var/run/wireguard are its own;
# TMPDIR is in there too) and an overlay on /etc (/etc/netns,
# /etc/wireguard). Nothing the script does reaches the machine.
sandbox_enter() {
	[ "$(id -u)" = 0 ] || die "must run as root: it works in network namespaces of its own"
	if [ -z "${NSWG_SANDBOX:-}" ]; then
		need unshare
		NSWG_SANDBOX=1 exec unshare --net --mount --propagation private -- "$0" "$@"
	fi
	mount -t tmpfs -o mode=0755 nswg-run /run || die "cannot mount a private /run"
	# Scratch files go in the private /run too: /tmp may hold the tree under test.
	mkdir -p /run/.tmp && chmod 1777 /run/.tmp
	export TMPDIR=/run/.tmp
	# Whatever is written under /etc (/etc/netns/NAME, /etc/wireguard) stays here.
	mkdir -p /run/.etc/upper /run/.etc/work
	mount -t overlay -o lowerdir=/etc,upperdir=/run/.etc/upper,workdir=/run/.etc/work nswg-etc /etc ||
		die "cannot mount an overlay on /etc"
	if [ -d /etc/wireguard ]; then
		mount -t tmpfs -o mode=0700 nswg-etc-wg /etc/wireguard || die "cannot mount a private /etc/wireguard"
	fi
	ip link set lo up
	trap cleanup_all EXIT
	trap 'exit 130' INT TERM
}

# Starts wireguard-go for IFACE in the current namespace; its pid is reaped on exit.
start_wireguard_go() {
	local iface=$1 i
	WG_PROCESS_FOREGROUND=1 wireguard-go "$iface" >/dev/null 2>&1 &
	CLEANUP_PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		[ -S "/var/run/wireguard/$iface.sock" ] && return 0
		sleep 0.05
	done
	die "wireguard-go did not create /var/run/wireguard/$iface.sock"
}
