#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make bench's relay table: a client on the host, a server inside a
# namespace on its 127.0.0.1, and between them, run by run in turn:
#   direct   the client inside the namespace too (the ceiling)
#   nswg     nswg relay NS --publish HOSTPORT:PORT
#   proxyd   systemd-socket-activate -l 127.0.0.1:HOSTPORT
#              ip netns exec NS /lib/systemd/systemd-socket-proxyd 127.0.0.1:PORT
#   socat    socat TCP-LISTEN:HOSTPORT,fork,reuseaddr
#              EXEC:'ip netns exec NS socat STDIO "TCP:127.0.0.1:PORT"'  (the recipe users copy)
# Workloads: iperf3 with one stream and four; HTTP with a new connection
# per request (wrk), 16 and 256 at once; the SOCKS entrance (curl
# --socks5-hostname, a name the namespace's resolver answers, 16 transfers
# at once) against curl inside the namespace; then the peak RSS of nswg's
# relay and of systemd-socket-proxyd with 1,000 connections open. Nothing
# is asserted: the figures, and whether the issue's targets are met, are
# printed as a Markdown table.
#   tests/bench/relay.sh   (RELAY_RUNS=5, RELAY_SECONDS=4, RELAY_SOCKS_N=2000)
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need iperf3 wrk socat curl dnsmasq systemd-socket-activate ip ss awk
PROXYD=/lib/systemd/systemd-socket-proxyd
[ -x $PROXYD ] || die "missing $PROXYD (Debian's systemd)"
FANOUT=${FANOUT:-$TOP/build/tests/fanout}
[ -x "$FANOUT" ] || die "missing $FANOUT (make build/tests/fanout)"
sandbox_enter "$@"

runs=${RELAY_RUNS:-5}
secs=${RELAY_SECONDS:-4}
socks_n=${RELAY_SOCKS_N:-2000}
NS=rb
dir=$TMPDIR/relay-bench
mkdir -p "$dir"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

started=()
spawn() { # COMMAND...: in the background, ended on exit; its words are not the table's
	"$@" 2>>"$dir/contenders.log" &
	started+=($!)
	CLEANUP_PIDS+=($!)
}
listening() { # NS|- PORT: until something listens there
	local i
	for ((i = 0; i < 200; i++)); do
		if [ "$1" = - ]; then ss -Hltn "sport = :$2" | grep -q . && return 0
		else ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0; fi
		sleep 0.05
	done
	die "nothing listens on port $2 ($1)"
}

# The namespace, its servers, and beyond it (for SOCKS) a second one reached
# by a veth pair of the benchmark's own: the relay is measured, not a tunnel.
ip netns add $NS
ip netns add ${NS}p
on_cleanup ip netns del $NS
on_cleanup ip netns del ${NS}p
ip -n $NS link set lo up
ip -n ${NS}p link set lo up
ip link add rbv0 netns $NS type veth peer name rbv1 netns ${NS}p
ip -n $NS addr add 10.40.0.1/24 dev rbv0
ip -n ${NS}p addr add 10.40.0.2/24 dev rbv1
ip -n $NS link set rbv0 up
ip -n ${NS}p link set rbv1 up
# Short connections by the ten thousand: ports enough, on every side.
for ns in - $NS ${NS}p; do
	[ $ns = - ] && x= || x="ip netns exec $ns"
	$x sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
done
mkdir -p /etc/netns/$NS
echo "nameserver 10.40.0.2" >/etc/netns/$NS/resolv.conf
spawn ip netns exec $NS iperf3 -s -B 127.0.0.1 -p 5201 >/dev/null 2>&1
spawn ip netns exec $NS "$FANOUT" http 127.0.0.1 8000
spawn ip netns exec ${NS}p "$FANOUT" http 10.40.0.2 8000
spawn ip netns exec ${NS}p dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address=10.40.0.2 \
	--bind-interfaces --port=53 --address=/bench.test/10.40.0.2 --user=root --pid-file=$dir/dns.pid
listening $NS 5201
listening $NS 8000
listening ${NS}p 8000
listening ${NS}p 53

# The contenders, each on ports of its own: HOST PORTS 1xxxx (nswg), 2xxxx (proxyd), 3xxxx (socat).
spawn "$NSWG" relay $NS --publish 15201:5201 --publish 18000:8000 --socks 11080 2>"$dir/relay.err"
relay_pid=${started[-1]}
for p in 5201 8000; do
	# systemd-socket-proxyd allows 256 connections unless told: as many as nswg's relay, for the 1,000.
	spawn systemd-socket-activate -l 127.0.0.1:2$p ip netns exec $NS $PROXYD --connections-max=4096 127.0.0.1:$p
	[ $p = 8000 ] && proxyd_pid=${started[-1]}
	[ $p = 5201 ] && proxyd_bulk_pid=${started[-1]}
	# The inner address quoted, for socat: its colons are not the outer address's.
	spawn socat TCP-LISTEN:3$p,bind=127.0.0.1,fork,reuseaddr,backlog=4096 \
		EXEC:"ip netns exec $NS socat STDIO \"TCP:127.0.0.1:$p\""
done
for p in 15201 18000 11080 25201 28000 35201 38000; do listening - $p; done

contenders="direct nswg proxyd socat"
port_of() { # CONTENDER PORT
	case $1 in direct) echo "$2" ;; nswg) echo "1$2" ;; proxyd) echo "2$2" ;; socat) echo "3$2" ;; esac
}
client() { # CONTENDER COMMAND...: where the contender's client runs
	local who=$1
	shift
	if [ "$who" = direct ]; then ip netns exec $NS "$@"; else "$@"; fi
}

# Where the time goes, for the profile rows: the machine's busy share, and the relaying process's.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }
proc_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
iperf() { # CONTENDER STREAMS: Gbit/s received; with one stream, the CPU shares too
	local pid='' m0 p0 m1 p1
	case $1 in nswg) pid=$relay_pid ;; proxyd) pid=$proxyd_bulk_pid ;; esac
	m0=$(machine_ticks)
	p0=$(proc_ticks "$pid")
	client "$1" iperf3 -c 127.0.0.1 -p "$(port_of "$1" 5201)" -t "$secs" -P "$2" -f m 2>/dev/null |
		awk '/receiver/ { v = $(NF - 2) } END { if (v != "") printf "%.2f\n", v / 1000 }'
	m1=$(machine_ticks)
	p1=$(proc_ticks "$pid")
	[ "$2" = 1 ] || return 0
	# shellcheck disable=SC2086 # two words each: busy and idle ticks
	set -- "$1" $m0 $m1
	echo "busy1 $1 $(awk -v b="$(($4 - $2))" -v i="$(($5 - $3))" 'BEGIN { if (b + i) printf "%.0f", 100 * b / (b + i) }')" >>"$raw.cpu"
	[ -z "$pid" ] || echo "proc1 $1 $(awk -v t="$((p1 - p0))" -v s="$secs" 'BEGIN { printf "%.0f", t / s }')" >>"$raw.cpu"
}
http_rate() { # CONTENDER CONNECTIONS: requests a second, each on a new connection
	client "$1" wrk -t 2 -c "$2" -d "${secs}s" -H 'Connection: close' \
		"http://127.0.0.1:$(port_of "$1" 8000)/" 2>/dev/null | awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }'
}
socks_rate() { # direct|nswg: transfers a second, 16 at once, each its own connection and name lookup
	local t0 t1 ok
	t0=$(date +%s%N)
	if [ "$1" = direct ]; then
		ok=$(ip netns exec $NS curl -s --no-progress-meter -Z --parallel-max 16 -H 'Connection: close' -w '%{http_code}\n' -o /dev/null \
			"http://bench.test:8000/[1-$socks_n]" | grep -c '^200$')
	else
		ok=$(curl -s --no-progress-meter -Z --parallel-max 16 --socks5-hostname 127.0.0.1:11080 -H 'Connection: close' \
			-w '%{http_code}\n' -o /dev/null "http://bench.test:8000/[1-$socks_n]" | grep -c '^200$')
	fi
	t1=$(date +%s%N)
	[ "$ok" = "$socks_n" ] && awk -v n="$socks_n" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'
}

raw=$dir/raw
: >"$raw"
: >"$raw.cpu"
for ((run = 1; run <= runs; run++)); do
	# Turn by turn, and each run in another order: no contender always follows the same one.
	order=$(printf '%s\n' $contenders | awk -v r=$run '{ a[NR] = $0 } END { for (i = 0; i < NR; i++) print a[(i + r) % NR + 1] }')
	for who in $order; do
		echo "iperf1 $who $(iperf "$who" 1)" >>"$raw"
		echo "iperf4 $who $(iperf "$who" 4)" >>"$raw"
		echo "http16 $who $(http_rate "$who" 16)" >>"$raw"
		echo "http256 $who $(http_rate "$who" 256)" >>"$raw"
	done
	for who in direct nswg; do echo "socks $who $(socks_rate $who)" >>"$raw"; done
done

# Peak RSS with 1,000 connections open through each single-process contender.
peak_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
hold_through() { # PORT PID
	local fifo=$dir/hold.$1 i
	mkfifo "$fifo"
	"$FANOUT" hold 127.0.0.1 "$1" 1000 <"$fifo" >"$dir/hold.$1.out" &
	exec 9>"$fifo"
	for ((i = 0; i < 400; i++)); do grep -q 'held 1000' "$dir/hold.$1.out" 2>/dev/null && break; sleep 0.05; done
	sleep 0.5
	grep -q 'held 1000' "$dir/hold.$1.out" && echo "$(peak_kib "$2")"
	exec 9>&-
	wait
}
echo "rss nswg $(hold_through 18000 "$relay_pid")" >>"$raw"
echo "rss proxyd $(hold_through 28000 "$proxyd_pid")" >>"$raw"
cat "$raw.cpu" >>"$raw"

# The table: median (min-max) of the runs, then the ratios of nswg's medians.
stats() { # WORKLOAD CONTENDER: "median min max" or nothing
	awk -v w="$1" -v c="$2" '$1 == w && $2 == c && $3 != "" { print $3 }' "$raw" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
}
cell() { # WORKLOAD CONTENDER [DIVISOR]
	local s
	s=$(stats "$1" "$2")
	[ -n "$s" ] || { echo "-"; return; }
	set -- $s "${3:-1}"
	awk -v m="$1" -v lo="$2" -v hi="$3" -v d="$4" 'BEGIN {
		f = m / d < 10 ? "%.2f" : m / d < 1000 ? "%.1f" : "%.0f"; printf f " (" f "-" f ")\n", m / d, lo / d, hi / d }'
}
median() { stats "$1" "$2" | cut -d' ' -f1; }
ratio() { # A B: A / B, or -
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "-" }'
}
verdict() { # VALUE OP LIMIT
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v == "-" || v == "") { print "not measured"; exit }
		ok = op == ">=" ? v >= l : v <= l; print ok ? "met" : "MISSED" }'
}
echo "Command: \`make bench\` (tests/bench/relay.sh, $runs runs of ${secs} s, contenders in turn). Median"
echo "(min-max) of the runs. A client on the host, a server inside the namespace on its 127.0.0.1; direct: the"
echo "client inside too. proxyd is systemd-socket-proxyd under systemd-socket-activate (--connections-max=4096);"
echo "socat is the fork-and-exec recipe. HTTP: wrk, a new connection per request. SOCKS: curl"
echo "--socks5-hostname, $socks_n transfers 16 at once, each a connection and a name lookup of its own (direct:"
echo "curl inside the namespace, which looks the name up once)."
echo
echo "| workload | direct | nswg | systemd-socket-proxyd | socat | nswg/proxyd | nswg/direct | nswg/socat |"
echo "|---|---|---|---|---|---|---|---|"
for w in "iperf1:iperf3, 1 stream (Gbit/s)" "iperf4:iperf3, 4 streams (Gbit/s)" \
	"http16:HTTP, 16 at once (requests/s)" "http256:HTTP, 256 at once (requests/s)"; do
	k=${w%%:*}
	n=$(median "$k" nswg)
	echo "| ${w#*:} | $(cell "$k" direct) | $(cell "$k" nswg) | $(cell "$k" proxyd) | $(cell "$k" socat) |" \
		"$(ratio "$n" "$(median "$k" proxyd)") | $(ratio "$n" "$(median "$k" direct)") | $(ratio "$n" "$(median "$k" socat)") |"
done
echo "| SOCKS5, 16 at once (transfers/s) | $(cell socks direct) | $(cell socks nswg) | - | - | - |" \
	"$(ratio "$(median socks nswg)" "$(median socks direct)") | - |"
echo "| peak RSS, 1,000 connections open (MiB) | - | $(cell rss nswg 1024) | $(cell rss proxyd 1024) | - |" \
	"$(ratio "$(median rss nswg)" "$(median rss proxyd)") | - | - |"
echo "| profile, 1 stream: the machine busy (% of its $(nproc) CPUs) | $(cell busy1 direct) | $(cell busy1 nswg) |" \
	"$(cell busy1 proxyd) | $(cell busy1 socat) | - | - | - |"
echo "| profile, 1 stream: the relaying process (% of one CPU) | - | $(cell proc1 nswg) | $(cell proc1 proxyd) | - | - | - | - |"
echo
t1=$(ratio "$(median iperf1 nswg)" "$(median iperf1 proxyd)")
t2=$(ratio "$(median iperf1 nswg)" "$(median iperf1 direct)")
c1=$(ratio "$(median http16 nswg)" "$(median http16 proxyd)")
c2=$(ratio "$(median http16 nswg)" "$(median http16 socat)")
r=$(median rss nswg)
echo "Targets (issue 14), one stream and 16 at once: throughput >= 1.1x proxyd ($t1: $(verdict "$t1" ">=" 1.1)) and"
echo ">= 75% of direct ($t2: $(verdict "$t2" ">=" 0.75)); connection rate >= proxyd ($c1: $(verdict "$c1" ">=" 1))"
echo "and >= 10x socat ($c2: $(verdict "$c2" ">=" 10)); relay peak RSS <= 8 MiB with 1,000 open"
echo "($(awk -v r="$r" 'BEGIN { if (r != "") printf "%.1f MiB", r / 1024; else printf "-" }'): $(verdict "$r" "<=" 8192))."
