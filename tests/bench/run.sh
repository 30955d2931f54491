#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make bench: nswg side by side with wg-quick and with the floor, on
# wireguard-go here (in a sandbox) and on kernel WireGuard in the VM.
#   make bench [BENCH_RUNS=5] [BENCH_SIZES="peers1 ... aips100k"] [BENCH_VM=1] [BENCH_LOCAL=1]
#              [WGQUICK_BIG_RUNS=1] [BENCH_VM_WGQUICK_BIG_RUNS=0] [BENCH_RELAY=1]
# The tables go to stdout and to build/bench/results.md (--via's to
# build/bench/via.md); the relay's
# (tests/bench/relay.sh, this machine only: emulation would measure qemu)
# to stdout and build/bench/relay.md.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need wireguard-go wg wg-quick ip busybox
out=${BENCH_OUT:-$TOP/build/bench}
mkdir -p "$out"
sizes=${BENCH_SIZES:-peers1 peers100 peers1000 peers10k aips10k aips100k}
runs=${BENCH_RUNS:-5}

if [ "${1:-}" != --sandboxed ]; then
	{
		echo "# nswg benchmark, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r)"
		echo
		echo "Command: \`make bench BENCH_RUNS=$runs\`. Times in ms: median (min-max) of $runs runs, alternating"
		echo "contenders. At 10,000 peers or allowed IPs wg-quick gets ${WGQUICK_BIG_RUNS:-1} run(s) here and ${BENCH_VM_WGQUICK_BIG_RUNS:-0} in the"
		echo "VM, at 100,000 none: it starts one \`ip route add' per allowed IP, minutes per run here and"
		echo "over twenty minutes under emulation. \"per peer or IP\" is"
		echo "nswg's up+down divided by the number of peers or allowed IPs; \"processes\" are those nswg"
		echo "started, and the netlink messages it sent with the round trips they took (routes go in batches)."
		echo
		if [ "${BENCH_LOCAL:-1}" = 1 ]; then
			echo "## wireguard-go on this machine (its kernel has no WireGuard)"
			echo
			"$0" --sandboxed || exit 1
			echo
		fi
		if [ "${BENCH_VM:-1}" = 1 ]; then
			echo "## Kernel WireGuard, Debian's kernel in qemu TCG (emulated: compare ratios, not times)"
			echo
			VM_TIMEOUT=14400 BENCH_RUNS=$runs BENCH_SIZES=$sizes WGQUICK_BIG_RUNS=${BENCH_VM_WGQUICK_BIG_RUNS:-0} \
				"$TOP/tests/vm/run.sh" --bench >"$out/vm.log" 2>&1 ||
				{ tail -n 20 "$out/vm.log" >&2; exit 1; }
			grep '^|' "$out/vm.log" | tr -d '\r'
		fi
	} | tee "$out/all.md"
	[ "${PIPESTATUS[0]}" = 0 ] || exit 1
	# The --via tables apart, under their section's heading: build/bench/via.md.
	awk -v via="$out/via.md" '
		/^## / { heading = $0; said = 0 }
		/^\| workload \| nswg up\+down \|/ { in_via = 1; if (!said) { print (n++ ? "\n" : "") heading "\n" > via; said = 1 } }
		in_via && /^\|/ { print > via; next }
		{ in_via = 0; print }' "$out/all.md" >"$out/results.md"
	[ "${BENCH_RELAY:-1}" = 1 ] || exit 0
	{
		echo "## The relay: --publish and --socks against systemd-socket-proxyd and socat, on this machine"
		echo
		"$TOP/tests/bench/relay.sh"
	} | tee "$out/relay.md"
	exit "${PIPESTATUS[0]}"
fi

# In the sandbox: the configurations, then the benchmark proper.
sandbox_enter "$@"
dir=$TMPDIR/bench
"$TOP/tests/lib/bigconfs.sh" "$dir/conf" $sizes || die "cannot make the configurations"
BENCH_DIR=$dir USERSPACE=1 MEASURE=$TOP/build/tests/measure NSWG=$NSWG RUNS=$runs SIZES=$sizes \
	sh "$TOP/tests/bench/bench.sh"
