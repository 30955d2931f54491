#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The benchmark proper, in POSIX sh: it runs in a sandbox on this machine
# (wireguard-go) and inside the VM (kernel WireGuard). Expects the
# configurations in $BENCH_DIR/conf/NAME.conf (tests/lib/bigconfs.sh names)
# and prints a Markdown table. Three contenders, alternating run by run:
#   nswg      nswg up FILE --netns bench; nswg down FILE --netns bench
#   wg-quick  ip netns exec bench wg-quick up FILE; ... down FILE
#   floor     the same end state with the least userspace work: one
#             `ip -batch' for the link, address and routes, one `wg setconf'
#   nswg-via  nswg up FILE --netns bench --via benchvia, at VIA_SIZES only:
#             the via's cost (one more namespace, nothing per peer)
# The namespace exists before and after every run: all only add and remove
# the interface. Timings are never asserted.
set -u
IP=${IP:-ip}
WG=${WG:-wg}
NSWG=${NSWG:-nswg}
WGQUICK=${WGQUICK:-wg-quick}
MEASURE=${MEASURE:-measure}
USERSPACE=${USERSPACE:-0}
RUNS=${RUNS:-5}
SIZES=${SIZES:-peers1 peers100 peers1000 peers10k aips10k aips100k}
# wg-quick runs one `ip route add' per allowed IP: its biggest runs take many
# minutes. These sizes get WGQUICK_BIG_RUNS runs of it, or none with 0.
WGQUICK_BIG=${WGQUICK_BIG:-peers10k aips10k}
WGQUICK_BIG_RUNS=${WGQUICK_BIG_RUNS:-1}
# 100,000 processes of ip: tens of minutes per run. Not run by default.
WGQUICK_SKIP=${WGQUICK_SKIP:-aips100k}
VIA_SIZES=${VIA_SIZES:-peers1 peers1000}
DIR=${BENCH_DIR:-/tmp/bench}
NS=bench
VIA=benchvia
ADDR=10.255.255.1/32

raw=$DIR/results
: >"$raw"

settle() { # IFACE: until nothing of a previous run is left
	i=0
	while { [ -e "/var/run/wireguard/$1.sock" ] || $IP -n $NS link show "$1" >/dev/null 2>&1; } && [ $i -lt 500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
}

# The floor's inputs: the stripped file for wg, and one batch for ip.
prepare_floor() { # FILE IFACE
	$NSWG strip "$1" >"$DIR/$2.stripped" 2>/dev/null
	{
		[ "$USERSPACE" = 1 ] || echo "link add $2 type wireguard"
		echo "address add $ADDR dev $2"
		echo "link set mtu 1420 up dev $2"
		sed -n 's/^AllowedIPs *= *//p' "$1" | tr ',' '\n' | tr -d ' ' | grep . | sed "s|^|route add |; s|\$| dev $2|"
	} >"$DIR/$2.batch"
}

with_address() { # FILE OUT: the workload with an address, and a random port
	awk -v a="$ADDR" '/^ListenPort/ { next } { print } /^\[Interface\]/ { print "Address = " a }' "$1" >"$2"
	chmod 600 "$2"
}

record() { # SIZE CONTENDER DIRECTION MEASURE_LINE
	set -- "$1" "$2" "$3" $4
	echo "$1 $2 $3 $4 $5 $6" >>"$raw"
	[ "$6" = 0 ] || {
		echo "bench: $1: $2 $3 exited with status $6" >&2
		tail -n 3 "$DIR/last.err" >&2
		echo "$1 $2 $3" >>"$DIR/failures"
	}
}

run_nswg() { # SIZE FILE IFACE
	record "$1" nswg up "$(NSWG_STATS=1 $MEASURE $NSWG up "$2" --netns $NS 2>"$DIR/nswg.err")"
	grep '^nswg-stats:' "$DIR/nswg.err" | tail -n 1 | sed "s/^nswg-stats: /$1 /" >>"$DIR/stats"
	record "$1" nswg down "$($MEASURE $NSWG down "$2" --netns $NS 2>"$DIR/last.err")"
	settle "$3"
}

run_via() {
	record "$1" nswg-via up "$($MEASURE $NSWG up "$2" --netns $NS --via $VIA 2>"$DIR/last.err")"
	record "$1" nswg-via down "$($MEASURE $NSWG down "$2" --netns $NS 2>"$DIR/last.err")"
	settle "$3"
}

run_wgquick() {
	record "$1" wg-quick up "$($MEASURE $IP netns exec $NS $WGQUICK up "$2" 2>"$DIR/last.err")"
	record "$1" wg-quick down "$($MEASURE $IP netns exec $NS $WGQUICK down "$2" 2>"$DIR/last.err")"
	settle "$3"
}

run_floor() {
	if [ "$USERSPACE" = 1 ]; then
		# As nswg runs it: in the foreground, in a session of its own, waited for by its socket.
		record "$1" floor up "$($MEASURE @spawn env WG_PROCESS_FOREGROUND=1 wireguard-go "$3" --- \
			@wait "/var/run/wireguard/$3.sock" --- $IP link set "$3" netns $NS --- \
			$IP -n $NS -batch "$DIR/$3.batch" --- $IP netns exec $NS $WG setconf "$3" "$DIR/$3.stripped" 2>"$DIR/last.err")"
		record "$1" floor down "$($MEASURE $IP -n $NS link del "$3" --- rm -f "/var/run/wireguard/$3.sock" 2>"$DIR/last.err")"
	else
		record "$1" floor up "$($MEASURE $IP -n $NS -batch "$DIR/$3.batch" --- \
			$IP netns exec $NS $WG setconf "$3" "$DIR/$3.stripped" 2>"$DIR/last.err")"
		record "$1" floor down "$($MEASURE $IP -n $NS link del "$3" 2>"$DIR/last.err")"
	fi
	settle "$3"
}

$IP netns add $NS || exit 1
$IP -n $NS link set lo up
$IP netns add $VIA || exit 1
$IP -n $VIA link set lo up
trap '$IP netns del $NS 2>/dev/null; $IP netns del $VIA 2>/dev/null' EXIT
: >"$DIR/stats"
: >"$DIR/failures"
for size in $SIZES; do
	file=$DIR/$size.conf
	with_address "$DIR/conf/$size.conf" "$file"
	prepare_floor "$file" "$size"
	wgq_runs=$RUNS
	case " $WGQUICK_BIG " in *" $size "*) wgq_runs=$WGQUICK_BIG_RUNS ;; esac
	case " $WGQUICK_SKIP " in *" $size "*) wgq_runs=0 ;; esac
	echo "bench: $size: $RUNS runs ($wgq_runs of wg-quick)" >&2
	run=0
	while [ $run -lt "$RUNS" ]; do
		# Alternate who goes first, so that no contender always follows the same one.
		case $((run % 4)) in
		0) order="nswg wgquick floor via" ;;
		1) order="wgquick floor via nswg" ;;
		2) order="floor via nswg wgquick" ;;
		3) order="via nswg wgquick floor" ;;
		esac
		for c in $order; do
			[ "$c" = wgquick ] && [ $run -ge "$wgq_runs" ] && continue
			[ "$c" = via ] && case " $VIA_SIZES " in *" $size "*) false ;; *) true ;; esac && continue
			"run_$c" "$size" "$file" "$size"
		done
		run=$((run + 1))
	done
done

# The table: medians with their spread (min-max), ratios, and nswg's own figures.
awk -v sizes="$SIZES" -v stats="$DIR/stats" '
function median(key,   n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	lo[key] = a[1]; hi[key] = a[n]; cnt[key] = n
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ms(s) { return s < 0.1 ? sprintf("%.1f", s * 1000) : sprintf("%.0f", s * 1000) }
function cell(key,   m) {
	if (!(key in vals)) return "-"
	m = median(key)
	return cnt[key] > 1 ? sprintf("%s (%s-%s)", ms(m), ms(lo[key]), ms(hi[key])) : sprintf("%s (1 run)", ms(m))
}
{
	if (FILENAME == stats) { for (i = 2; i <= NF; i++) { split($i, kv, "="); st[$1, kv[1]] = kv[2] } next }
	key = $1 SUBSEP $2 SUBSEP $3
	vals[key] = vals[key] " " $4
	if ($2 == "nswg" && $3 == "up" && $5 > rss[$1]) rss[$1] = $5
}
END {
	print "| workload | nswg up | nswg down | wg-quick up | wg-quick down | floor up | floor down | wg-quick/nswg | nswg/floor | nswg per peer or IP | nswg peak RSS | processes | netlink messages (round trips) |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	n = split(sizes, sz, " ")
	for (i = 1; i <= n; i++) {
		s = sz[i]
		nu = median(s SUBSEP "nswg" SUBSEP "up") + median(s SUBSEP "nswg" SUBSEP "down")
		fu = median(s SUBSEP "floor" SUBSEP "up") + median(s SUBSEP "floor" SUBSEP "down")
		wq = (s SUBSEP "wg-quick" SUBSEP "up") in vals ? median(s SUBSEP "wg-quick" SUBSEP "up") + median(s SUBSEP "wg-quick" SUBSEP "down") : 0
		count = s; sub(/^(peers|aips)/, "", count); sub(/k$/, "000", count)
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.2fx | %.1f us | %.1f MiB | %s | %s |\n", s,
			cell(s SUBSEP "nswg" SUBSEP "up"), cell(s SUBSEP "nswg" SUBSEP "down"),
			cell(s SUBSEP "wg-quick" SUBSEP "up"), cell(s SUBSEP "wg-quick" SUBSEP "down"),
			cell(s SUBSEP "floor" SUBSEP "up"), cell(s SUBSEP "floor" SUBSEP "down"),
			wq ? sprintf("%.1fx", wq / nu) : "-", nu / fu, nu * 1e6 / count, rss[s] / 1024,
			st[s, "processes"], st[s, "netlink_requests"] " (" st[s, "netlink_round_trips"] ")" \
				(st[s, "uapi_requests"] ? " + " st[s, "uapi_requests"] " uapi" : "")
	}
	printf "\n| workload | nswg up+down | nswg --via up+down | --via/nswg (target 1.1x at most) |\n|---|---|---|---|\n"
	for (i = 1; i <= n; i++) {
		s = sz[i]
		if (!((s SUBSEP "nswg-via" SUBSEP "up") in vals)) continue
		nu = median(s SUBSEP "nswg" SUBSEP "up") + median(s SUBSEP "nswg" SUBSEP "down")
		vu = median(s SUBSEP "nswg-via" SUBSEP "up") + median(s SUBSEP "nswg-via" SUBSEP "down")
		printf "| %s | %s | %s | %.2fx |\n", s, ms(nu), ms(vu), vu / nu
	}
}' "$raw" "$DIR/stats"
# A figure of a run that failed measures nothing: the benchmark fails.
[ ! -s "$DIR/failures" ] || { echo "bench: $(wc -l <"$DIR/failures") runs failed" >&2; exit 1; }
