# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# shellcheck disable=SC2154 # a_priv and the like: keypair() assigns them through eval.
#
# Reaching in and out (issue 14), sourced by scenarios.sh: published ports,
# host ports and the SOCKS entrance, relayed between the host and the
# namespace by sockets alone. Debian's tools by their paths (busybox's shell
# in the VM prefers its applets).
CURL=${CURL:-/usr/bin/curl}
SOCAT=${SOCAT:-/usr/bin/socat}
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
NFT=${NFT:-/usr/sbin/nft}
SOCKET_ACTIVATE=${SOCKET_ACTIVATE:-/usr/bin/systemd-socket-activate}
PRLIMIT=${PRLIMIT:-/usr/bin/prlimit}
BUSYBOX=${BUSYBOX:-busybox}

# Everything of the host's the relay must not touch: links, addresses, routes, rules, and the firewall.
relay_host_dump() {
	host_dump
	$NFT list ruleset
}

# The pids whose command line has these words (busybox has no pgrep in the VM).
pids_with() {
	for d in /proc/[0-9]*; do
		case "$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" in *"$1"*) echo "${d#/proc/}" ;; esac
	done
}

# Listening sockets of the host (TCP and UDP), with their ports.
host_listening() { $SS -Hltun | awk '{print $5}' | sort; }
listens_on() { host_listening | grep -q ":$1\$"; }
# None of these ports listens on the host. (check runs functions; sh -c would not know them.)
not_listening() {
	for port in "$@"; do
		! listens_on "$port" || return 1
	done
}

# rl, the namespace with the relay, whose only way out is its tunnel to rlp,
# the peer's namespace: its resolver and its server are at 10.39.0.2, on the
# tunnel's far end. rlnodns: rl without DNS.
write_relay_conf() {
	cat >/etc/wireguard/rl.conf <<EOF
[Interface]
PrivateKey = $a_priv
ListenPort = 52390
Address = 10.39.0.1/24
DNS = 10.39.0.2

[Peer]
PublicKey = $b_pub
AllowedIPs = 0.0.0.0/0
Endpoint = 127.0.0.1:52391
EOF
	cat >/etc/wireguard/rlp.conf <<EOF
[Interface]
PrivateKey = $b_priv
ListenPort = 52391
Address = 10.39.0.2/24

[Peer]
PublicKey = $a_pub
AllowedIPs = 10.39.0.1/32
Endpoint = 127.0.0.1:52390
EOF
	grep -v '^DNS' /etc/wireguard/rl.conf >/etc/wireguard/rlnodns.conf
}

relay_pid_of() { sed -n 's/^relay_pid=//p' "/run/nswg/$1/$2.state"; }

# Until port $2 listens in namespace $1 (or on the host with "-").
wait_listening() { # NS PORT
	i=0
	while [ $i -lt 100 ]; do
		if [ "$1" = - ]; then listens_on "$2" && return 0; else
			$IP netns exec "$1" $SS -Hltun | awk '{print $5}' | grep -q ":$2\$" && return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Bad specs: one line naming the option and the value, before anything is touched.
relay_bad_specs() {
	for spec in 0 70000 localhost:80 '[127.0.0.1]:80' '::1:80' 8080/sctp 1.2.3:80 '8080:[::1]:80' '1:2:3:4:5'; do
		$NSWG up rl --netns rl --publish "$spec" 2>$T/err
		check "relay: --publish $spec is refused in one line naming it, nothing touched" \
			sh -c "[ $? = 1 ] && [ \$(wc -l <$T/err) = 1 ] && grep -qF -- \"--publish $spec\" $T/err && [ -z \"\$($IP netns list)\" ]"
	done
	$NSWG up rl --netns rl --publish 8080 --publish 127.0.0.1:8080:81 2>$T/err
	check "relay: a listener given twice is refused, naming both" \
		sh -c "[ $? = 1 ] && grep -qF -- '--publish 127.0.0.1:8080:81: listens where --publish 8080 does' $T/err"
	$NSWG up rl --netns rl --socks 1080/udp 2>$T/err
	check "relay: a SOCKS entrance over UDP is refused" failed_saying $? "TCP only"
	$NSWG up rl --netns rl --socks-auth /nonexistent --publish 8080 2>$T/err
	check "relay: --socks-auth without --socks is refused" failed_saying $? "socks-auth: it is for a --socks entrance, and there is none"
	$NSWG up rl --netns rl --max-connections 0 --publish 8080 2>$T/err
	check "relay: --max-connections 0 is refused" failed_saying $? "max-connections 0"
	$NSWG up rl --netns rl --max-connections 10 2>$T/err
	check "relay: a limit without a relay is refused" failed_saying $? "max-connections: there is no"
	$NSWG up rl --netns rl --udp-timeout 10 --publish 8080 2>$T/err
	check "relay: --udp-timeout without a /udp relay is refused" failed_saying $? "udp-timeout: it is for a /udp"
	$NSWG up rl --netns rl --relay-user root --publish 8080 2>$T/err
	check "relay: --relay-user root is refused" failed_saying $? "never serves as root"
	$NSWG up rl --netns rl --publish 0.0.0.0:8080 --publish 127.0.0.1:8080:81 2>$T/err
	check "relay: a listener on all addresses and one on 127.0.0.1 of the same port are refused together" \
		failed_saying $? "listens where --publish 0.0.0.0:8080 does"
	printf 'no colon here\n' >$T/badauth
	$NSWG up rl --netns rl --socks 1080 --socks-auth $T/badauth 2>$T/err
	check "relay: a --socks-auth file that is not USER:PASSWORD fails up before anything is touched" \
		sh -c "grep -q 'badauth:1: expected USER:PASSWORD' $T/err && [ -z \"\$($IP netns list)\" ]"
	check "relay: nothing left after the refusals" nothing_left
}

# A port taken, on either side: up fails, naming the spec and the side, and rolls back.
relay_ports_taken() {
	$SOCAT TCP-LISTEN:18085,bind=127.0.0.1,reuseaddr - </dev/null >/dev/null 2>&1 &
	taker=$!
	wait_listening - 18085
	$NSWG up rl --netns rl --publish 18085:80 2>$T/err
	check "relay: a host port taken fails up, naming the spec and the side" \
		sh -c "[ $? = 1 ] && grep -q -- '--publish 18085:80: unable to listen on the host at 127.0.0.1:18085: Address in use\|--publish 18085:80: unable to listen on the host at 127.0.0.1:18085: Address already in use' $T/err"
	check "relay: and is rolled back" nothing_left
	kill $taker 2>/dev/null
	wait $taker 2>/dev/null
	$IP netns add rlx
	$IP netns exec rlx $IP link set lo up
	$IP netns exec rlx $SOCAT TCP-LISTEN:19005,bind=127.0.0.1,reuseaddr - </dev/null >/dev/null 2>&1 &
	taker=$!
	wait_listening rlx 19005
	$NSWG up rl --netns rlx --host-port 19005 2>$T/err
	check "relay: a port taken inside the namespace fails up, naming the spec and the side" \
		sh -c "[ $? = 1 ] && grep -q -- '--host-port 19005: unable to listen inside the namespace at 127.0.0.1:19005' $T/err"
	check "relay: the namespace nswg did not make is left, without the interface" \
		sh -c "[ \"\$($IP netns list | cut -d' ' -f1)\" = rlx ] && ! $IP -n rlx link show rl 2>/dev/null"
	kill $taker 2>/dev/null
	wait $taker 2>/dev/null
	$IP netns del rlx
}

relay_servers_start() {
	mkdir -p $T/www $T/hostwww
	dd if=/dev/urandom of=$T/www/blob bs=1M count=64 2>/dev/null
	echo hello-from-inside >$T/www/hello
	echo hello-from-the-host >$T/hostwww/hostfile
	echo not-named >$T/hostwww/other
	$IP netns exec rl $BUSYBOX httpd -f -p 127.0.0.1:8000 -h $T/www &
	srv_http=$!
	# Not socat's PIPE: blocking writes into its own pipe, it deadlocks when its client pauses.
	$IP netns exec rl $FANOUT echo 127.0.0.1 8002 &
	srv_echo=$!
	$IP netns exec rl $FANOUT udpecho 127.0.0.1 7000 &
	srv_udp=$!
	# Beyond the tunnel: a resolver that alone knows only.inside.test, and a server.
	mkdir -p $T/wwwfar
	echo hello-through-the-tunnel >$T/wwwfar/hello
	$IP netns exec rlp $DNSMASQ --keep-in-foreground --no-resolv --no-hosts --listen-address=10.39.0.2 \
		--bind-interfaces --port=53 --address=/only.inside.test/10.39.0.2 --log-queries \
		--log-facility=$T/dns.inside.log --pid-file=$T/dns.inside.pid --user=root &
	srv_dns=$!
	$IP netns exec rlp $BUSYBOX httpd -f -p 10.39.0.2:8000 -h $T/wwwfar &
	srv_far=$!
	# The host's resolver, watched: the SOCKS entrance must never ask it.
	$DNSMASQ --keep-in-foreground --no-resolv --no-hosts --listen-address=127.0.0.53 --bind-interfaces --port=53 \
		--address=/only.inside.test/127.0.0.9 --log-queries --log-facility=$T/dns.host.log \
		--pid-file=$T/dns.host.pid --user=root &
	srv_hostdns=$!
	$IP netns exec rl $FANOUT echo 0.0.0.0 8004 &
	srv_fanout=$!
	$BUSYBOX httpd -f -p 127.0.0.1:19000 -h $T/hostwww &
	srv_host=$!
	$BUSYBOX httpd -f -p 127.0.0.1:19002 -h $T/hostwww &
	srv_host2=$!
	wait_listening rl 8000 && wait_listening rl 8002 && wait_listening rlp 53 && wait_listening rlp 8000 &&
		wait_listening rl 8004 && wait_listening rl 7000 && wait_listening - 19000 &&
		wait_listening - 19002 && wait_listening - 53
}

relay_servers_stop() {
	# The forks of the servers inside too: in the namespace, no sandbox reaps them.
	for p in $($IP netns pids rl 2>/dev/null) $($IP netns pids rlp 2>/dev/null); do kill "$p" 2>/dev/null; done
	kill $srv_http $srv_echo $srv_udp $srv_dns $srv_far $srv_hostdns $srv_host $srv_host2 $srv_fanout 2>/dev/null
	wait $srv_http $srv_echo $srv_udp $srv_dns $srv_far $srv_hostdns $srv_host $srv_host2 $srv_fanout 2>/dev/null
}

sum_of() { sha256sum <"$1" | cut -d' ' -f1; }
same_sum() { [ -s "$1" ] && [ "$(sum_of "$1")" = "$(sum_of "$2")" ]; }

# Published ports: curl from the host to an httpd inside, and 64 MiB both ways at once.
relay_publish() {
	$CURL -sS --max-time 60 -o $T/got http://127.0.0.1:18080/blob 2>$T/err
	check "relay: 64 MiB from a server inside, through --publish, intact" same_sum $T/got $T/www/blob
	rm -f $T/got
	# The client's half-close reaches the echo server as a FIN: without it, no end of file comes back and timeout ends it.
	out=$(timeout 30 $FANOUT run 127.0.0.1 18082 1 67108864)
	check "relay: 64 MiB sent and echoed back at once, intact, the half-close carried through ($out)" \
		test "$out" = "fanout: 1 ok, 0 failed, 0 corrupted"
	relay_host_dump >$T/relay.host.during
	check "relay: the host's links, addresses, routes, rules and firewall are as before up" \
		cmp -s $T/relay.host.before $T/relay.host.during
	check "relay: the namespace has only lo and the tunnel" \
		sh -c "[ \"\$($IP -n rl -o link show | wc -l)\" = 2 ]"
	$NSWG show rl >$T/show.out
	check "relay: show names the relay and each spec, with its connections and bytes" \
		sh -c "grep -q '^  relay: pid [0-9]' $T/show.out && grep -q '^  --publish 18080:8000: 0 open, 1 in all; [0-9.]* [KMi]*B into the namespace, 64.0[0-9] MiB back\$' $T/show.out &&
			grep -q '^  --publish 18082:8002: 0 open, 1 in all; 64.0[0-9] MiB into the namespace, 64.0[0-9] MiB back\$' $T/show.out &&
			grep -q '^  --socks 11080: ' $T/show.out && grep -q '^  --host-port 19001:19000: ' $T/show.out"
	$NSWG show rl --json >$T/show.json
	check "relay: show --json lists them too" \
		sh -c "grep -q '\"relays\":\[{\"option\":\"--publish\",\"spec\":\"18080:8000\",\"open\":0,\"total\":[1-9]' $T/show.json"
}

# A target that refuses: the client is answered at once, and the relay goes on serving.
relay_refused() {
	# The relay listens: a refusal then is the target's, passed on as a reset.
	check "relay: --publish 18083:8003 listens, where nothing listens inside" listens_on 18083
	$CURL -sS --max-time 5 http://127.0.0.1:18083/ >/dev/null 2>$T/err
	# A reset: a failed send (55) or read (56), or, when it comes before curl's check of the connect, 7; waiting would be 28.
	rc=$?
	check "relay: a target that is not listening ends the client's connection at once (curl's exit status $rc)" \
		sh -c "{ [ $rc = 7 ] || [ $rc = 55 ] || [ $rc = 56 ]; } && grep -qi 'reset by peer\|connect to server' $T/err"
	check "relay: the relay serves on after a refusal" \
		sh -c "[ \"\$($CURL -sS --max-time 5 http://127.0.0.1:18080/hello)\" = hello-from-inside ]"
	# A client that resets mid-transfer: its connection goes, the count goes back to none open.
	$CURL -sS --limit-rate 1M -o /dev/null http://127.0.0.1:18080/blob 2>/dev/null &
	slow=$!
	sleep 1
	kill -9 $slow
	wait $slow 2>/dev/null
	i=0
	while ! $NSWG show rl | grep -q '^  --publish 18080:8000: 0 open' && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	check "relay: a client killed mid-transfer leaves no connection open" \
		sh -c "$NSWG show rl | grep -q '^  --publish 18080:8000: 0 open'"
}

# Every thread of PID: all four uids nobody's, no capability of any set, no_new_privs.
relay_dropped() {
	[ -n "$1" ] && [ -d "/proc/$1/task" ] || return 1
	for st in /proc/"$1"/task/*/status; do
		awk '/^Uid:/ { u = ($2 == 65534 && $3 == 65534 && $4 == 65534 && $5 == 65534) }
			/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { if ($2 != "0000000000000000") bad = 1 }
			/^NoNewPrivs:/ { nnp = ($2 == 1) }
			END { exit !(u && nnp && !bad) }' "$st" || return 1
	done
	[ "$(ls /proc/"$1"/task | wc -l)" -gt 1 ] # the serving threads too, not the first alone
}

# A reset on either side reaches the other as a reset, not as an end.
relay_resets() {
	$NSWG relay rl --publish 18099:8005 2>$T/relayrst.err &
	rrst=$!
	wait_listening - 18099
	# Bounded: a relay that lost a connection would leave either end waiting.
	$IP netns exec rl timeout 10 $FANOUT reset-server 127.0.0.1 8005 &
	srv=$!
	wait_listening rl 8005
	out=$(timeout 10 $FANOUT ending 127.0.0.1 18099)
	wait $srv
	check "relay: a reset by the target reaches the client as a reset ($out)" test "$out" = reset
	$IP netns exec rl timeout 10 $FANOUT ending-server 127.0.0.1 8005 >$T/ending.out &
	srv=$!
	wait_listening rl 8005
	timeout 10 $FANOUT reset 127.0.0.1 18099
	wait $srv
	check "relay: a reset by the client reaches the target as a reset ($(cat $T/ending.out))" \
		test "$(cat $T/ending.out)" = reset
	kill $rrst 2>/dev/null
	wait $rrst 2>/dev/null
}

# --host-port: the one hole named, and no other.
relay_host_port() {
	check "relay: from inside, the host's server is reached through --host-port" \
		sh -c "[ \"\$($IP netns exec rl $CURL -sS --max-time 5 http://127.0.0.1:19001/hostfile)\" = hello-from-the-host ]"
	check "relay: a host port not named is not reached from inside" \
		sh -c "! $IP netns exec rl $CURL -sS --max-time 3 http://127.0.0.1:19002/other"
	check "relay: the inside listener is not the host's" not_listening 19001
}

# --socks: a normal user of the host uses the tunnel, names resolved beyond it by the namespace's resolver.
relay_socks() {
	out=$($SETPRIV --reuid=65534 --regid=65534 --clear-groups $CURL -sS --max-time 10 \
		--socks5-hostname 127.0.0.1:11080 http://only.inside.test:8000/hello 2>$T/err)
	check "relay: curl --socks5-hostname as nobody reaches, through the tunnel, a server by a name only the namespace's resolver knows" \
		test "$out" = hello-through-the-tunnel
	check "relay: the name was asked of the namespace's resolver, through the tunnel" \
		grep -q 'query\[A\] only.inside.test from 10.39.0.1' $T/dns.inside.log
	check "relay: the host's resolver was never asked" sh -c "! grep -q 'only.inside.test' $T/dns.host.log"
	out=$($CURL -sS --max-time 10 --socks5 127.0.0.1:11080 http://10.39.0.2:8000/hello 2>/dev/null)
	check "relay: an address through the SOCKS entrance is reached through the tunnel" test "$out" = hello-through-the-tunnel
	$CURL -sS --max-time 10 --socks5-hostname 127.0.0.1:11080 http://no.such.test:8000/ >/dev/null 2>$T/err
	check "relay: a name the namespace cannot resolve is answered: host unreachable" \
		sh -c "[ $? = 97 ] && grep -q '(4)' $T/err"
	# A CONNECT to an address that never answers (its SYNs lost beyond the tunnel), then a byte more
	# from the client: the relay waits without reading it, and without spinning.
	pid=$(relay_pid_of rl rl)
	t0=$(cpu_ticks "$pid")
	{ printf '\005\001\000'; sleep 0.3; printf '\005\001\000\001\012\047\000\115\000\120'; sleep 0.3; printf x; sleep 2; } |
		timeout 10 $SOCAT -t 1 - TCP:127.0.0.1:11080 >/dev/null 2>&1
	t1=$(cpu_ticks "$pid")
	check "relay: a SOCKS client that sends while its CONNECT waits does not make the relay spin ($((t1 - t0)) ticks of CPU)" \
		test $((t1 - t0)) -lt 50
	# The way out, not a way into the namespace's own services: loopback, and its own addresses, refused.
	for dest in 127.0.0.1:8000 '[::1]:8000' 0.0.0.0:8000 10.39.0.1:8004; do
		$CURL -sS --max-time 10 --socks5-hostname 127.0.0.1:11080 "http://$dest/hello" >/dev/null 2>$T/err
		check "relay: SOCKS to $dest, the namespace itself, is not allowed" sh -c "[ $? = 97 ] && grep -q '(2)' $T/err"
	done
}

# --socks-auth: the right credentials through, wrong ones refused.
relay_socks_auth() {
	out=$($CURL -sS --max-time 10 --socks5-hostname alice:s3cret@127.0.0.1:11080 http://only.inside.test:8000/hello 2>$T/err)
	check "relay: --socks-auth: the right user and password get through" test "$out" = hello-through-the-tunnel
	$CURL -sS --max-time 10 --socks5-hostname alice:wrong@127.0.0.1:11080 http://only.inside.test:8000/hello >/dev/null 2>$T/err
	check "relay: --socks-auth: a wrong password is refused" test $? = 97
	$CURL -sS --max-time 10 --socks5-hostname 127.0.0.1:11080 http://only.inside.test:8000/hello >/dev/null 2>$T/err
	check "relay: --socks-auth: no credentials at all are refused" test $? = 97
}

# UDP: an echo inside answers clients on the host; idle sessions go.
relay_udp() {
	out=$(echo ping-through-udp | timeout 10 $SOCAT -T 3 - UDP:127.0.0.1:17000)
	check "relay: a UDP echo server inside answers a client on the host through --publish .../udp" \
		test "$out" = ping-through-udp
	# Two clients at once, their datagrams interleaved: each answer goes back to its own client.
	for k in 1 2; do
		rm -f $T/udp$k.in $T/udp$k.out
		mkfifo $T/udp$k.in
		timeout 10 $SOCAT -T 3 - UDP:127.0.0.1:17000 <$T/udp$k.in >$T/udp$k.out &
		eval "udp_client$k=\$!"
	done
	exec 4>$T/udp1.in 5>$T/udp2.in
	echo a-one >&4
	echo b-one >&5
	echo a-two >&4
	echo b-two >&5
	wait_line $T/udp1.out a-two
	wait_line $T/udp2.out b-two
	check "relay: two clients at once, interleaved: each gets its own answers, and only them ($(tr '\n' ' ' <$T/udp1.out)/ $(tr '\n' ' ' <$T/udp2.out))" \
		sh -c "[ \"\$(tr '\n' ' ' <$T/udp1.out)\" = 'a-one a-two ' ] && [ \"\$(tr '\n' ' ' <$T/udp2.out)\" = 'b-one b-two ' ]"
	exec 4>&- 5>&-
	# shellcheck disable=SC2154 # assigned through eval above
	wait "$udp_client1" "$udp_client2" 2>/dev/null
	rm -f $T/udp[12].in $T/udp[12].out
	i=0
	while ! $NSWG show rl | grep -q '^  --publish 17000:7000/udp: 0 open, 3 in all' && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "relay: idle UDP sessions expire (--udp-timeout 2)" \
		sh -c "$NSWG show rl | grep -q '^  --publish 17000:7000/udp: 0 open, 3 in all'"
}

# systemd's socket activation hands a listener to nswg relay.
relay_socket_activation() {
	$SOCKET_ACTIVATE -l 127.0.0.1:18090 $NSWG relay rl --publish 18090:8000 2>$T/ssa.err &
	ssa=$!
	wait_listening - 18090
	out=$($CURL -sS --max-time 10 http://127.0.0.1:18090/hello 2>>$T/ssa.err)
	check "relay: systemd-socket-activate hands its listener to nswg relay, which serves it" \
		test "$out" = hello-from-inside
	check "relay: nswg relay under socket activation runs as nobody" \
		sh -c "for p in $(pids_with 'relay rl --publish 18090' | tr '\n' ' '); do [ \"\$(awk '/^Uid:/ {print \$2}' /proc/\$p/status)\" = 65534 ] && exit 0; done; exit 1"
	kill $ssa 2>/dev/null
	wait $ssa 2>/dev/null
	for p in $(pids_with 'relay rl --publish 18090'); do kill "$p" 2>/dev/null; done
	# A socket bound elsewhere than its spec says (wider, say) is refused, not served.
	$SOCKET_ACTIVATE -l 127.0.0.1:18091 $NSWG relay rl --publish 18092:8000 2>$T/ssa.err &
	ssa=$!
	wait_listening - 18091
	$CURL -sS --max-time 5 http://127.0.0.1:18091/hello >/dev/null 2>&1
	i=0
	while ! grep -q 'handed over is' $T/ssa.err && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	check "relay: a socket handed over bound elsewhere than its spec is refused, naming both" \
		grep -q -- '--publish 18092:8000: socket 3 handed over is bound elsewhere than the spec says (127.0.0.1:18092 on the host)' $T/ssa.err
	kill $ssa 2>/dev/null
	wait $ssa 2>/dev/null
	i=0
	while listens_on 18090 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

# The kernel's aborts of TCP connections (out of memory, on close with data...), for a failure's message.
tcp_aborts() { awk '/^TcpExt:/ { if (!h) { split($0, n); h = 1 } else { for (i = 2; i <= NF; i++) if (n[i] ~ /^TCPAbortOn/) printf "%s=%s ", n[i], $i } }' /proc/net/netstat; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Load and faults: many connections at once, a client that never reads, too few descriptors.
relay_load() {
	pid=$(relay_pid_of rl rl)
	out=$($FANOUT run 127.0.0.1 18084 ${RELAY_FANOUT:-1000} 1048576)
	check "relay: ${RELAY_FANOUT:-1000} connections at once, each moving 1 MiB each way, all intact ($out; kernel: $(tcp_aborts))" \
		test "$out" = "fanout: ${RELAY_FANOUT:-1000} ok, 0 failed, 0 corrupted"
	# TCP's urgent byte: dropped (it is out of band), and what follows it still arrives, with no spin.
	t0=$(cpu_ticks "$pid")
	out=$(timeout 10 $FANOUT urgent 127.0.0.1 18084)
	t1=$(cpu_ticks "$pid")
	check "relay: past an urgent byte the stream goes on ($out, $((t1 - t0)) ticks of CPU)" \
		sh -c "[ '$out' = abcdef ] && [ $((t1 - t0)) -lt 50 ]"
	before=$(rss_kib "$pid")
	sent=$($FANOUT noread 127.0.0.1 18084 3)
	after=$(rss_kib "$pid")
	# What the sockets on the way buffer (autotuned, up to a few MiB each), and no more: not what 3 s at GB/s would be.
	check "relay: a client that never reads is stopped: the far side took a bounded amount ($sent bytes)" \
		test "$sent" -lt 134217728
	check "relay: and the relay's memory stayed bounded ($before KiB, then $after KiB)" test $((after - before)) -lt 8192
	mkfifo $T/hold.in
	$FANOUT hold 127.0.0.1 18084 1000 <$T/hold.in >$T/hold.out &
	holder=$!
	exec 7>$T/hold.in
	i=0
	while ! grep -q 'held 1000' $T/hold.out 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	i=0
	while ! $NSWG show rl | grep -q '^  --publish 18084:8004: 1000 open' && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	held=$(rss_kib "$pid")
	check "relay: 1,000 connections held open ($held KiB of resident memory)" \
		sh -c "$NSWG show rl | grep -q '^  --publish 18084:8004: 1000 open'"
	check "relay: the target inside sees them all from 127.0.0.1 ($(sources_of rl 8004))" \
		test "$(sources_of rl 8004)" = "1000 127.0.0.1"
	exec 7>&-
	wait $holder 2>/dev/null
	rm -f $T/hold.in
	# A relay of its own with 64 descriptors: 200 clients at once, no spin, and it recovers.
	# shellcheck disable=SC3045 # busybox's sh and dash have ulimit -n
	(ulimit -n 64 && exec $NSWG relay rl --publish 18095:8004) 2>$T/relay64.err &
	r64=$!
	wait_listening - 18095
	t0=$(cpu_ticks $r64)
	out=$($FANOUT run 127.0.0.1 18095 200 65536 -k)
	t1=$(cpu_ticks $r64)
	check "relay: with 64 descriptors, 200 clients at once, all served in turn, none shed ($out)" \
		test "$out" = "fanout: 200 ok, 0 failed, 0 corrupted"
	check "relay: which says how many fit" grep -q 'warning: 64 descriptors allow [0-9] connections at once, not 4096' $T/relay64.err
	check "relay: with 64 descriptors, it does not spin ($((t1 - t0)) ticks of CPU)" test $((t1 - t0)) -lt 300
	out=$($FANOUT run 127.0.0.1 18095 4 65536)
	check "relay: and it serves again after" test "$out" = "fanout: 4 ok, 0 failed, 0 corrupted"
	kill $r64 2>/dev/null
	wait $r64 2>/dev/null
	relay_emfile
	relay_max_connections
}

# --max-connections 2: a third client waits, and is served when one of the two ends.
relay_max_connections() {
	$NSWG relay rl --publish 18097:8004 --max-connections 2 2>$T/relaymax.err &
	rmax=$!
	wait_listening - 18097
	for k in 1 2 3; do
		rm -f $T/max$k.in $T/max$k.out
		mkfifo $T/max$k.in
		$SOCAT -t 5 - TCP:127.0.0.1:18097 <$T/max$k.in >$T/max$k.out &
		eval "max_client$k=\$!"
	done
	# One after the other (each socat connects once its input opens): the first two, then the third.
	exec 4>$T/max1.in
	echo first >&4
	wait_line $T/max1.out first
	exec 5>$T/max2.in
	echo second >&5
	wait_line $T/max2.out second
	check "relay: --max-connections 2: two clients served ($(cat $T/max1.out $T/max2.out | tr '\n' ' '))" \
		sh -c "[ \"\$(cat $T/max1.out $T/max2.out | tr '\n' ' ')\" = 'first second ' ]"
	exec 6>$T/max3.in
	echo third >&6
	sleep 1
	check "relay: a third waits, unaccepted" sh -c "! grep -q third $T/max3.out"
	exec 4>&-
	check "relay: and is served once one of the two has ended" wait_line $T/max3.out third
	exec 5>&- 6>&-
	# shellcheck disable=SC2154 # assigned through eval above
	wait "$max_client1" "$max_client2" "$max_client3" 2>/dev/null
	kill $rmax 2>/dev/null
	wait $rmax 2>/dev/null
	rm -f $T/max[123].in $T/max[123].out
}

# The limit lowered under a running relay (prlimit): what it planned for no
# longer fits. No room at all: accept itself meets EMFILE, and the spare
# descriptor sheds each client in turn; room for a connection and two more
# descriptors: accept succeeds, and a pipe meets it. Each client is served
# or reset, none hangs, the relay never spins, and it recovers.
relay_emfile() {
	$NSWG relay rl --publish 18096:8004 2>$T/relayem.err &
	rem=$!
	wait_listening - 18096
	# As the relay's own user, once it serves as nobody: root here may lack CAP_SYS_RESOURCE.
	i=0
	while ! awk '/^Uid:/ { exit $2 != 65534 }' /proc/$rem/status && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	# The limit bounds descriptors' numbers: the lowest one free (below which accept finds
	# none), or the highest held and eight more.
	lowest=0
	while [ -e /proc/$rem/fd/$lowest ]; do lowest=$((lowest + 1)); done
	highest=$(ls /proc/$rem/fd | sort -n | tail -n 1)
	for room in 0 8; do
		lim=$lowest
		[ $room = 0 ] || lim=$((highest + 1 + room))
		$SETPRIV --reuid=65534 --regid=65534 --clear-groups $PRLIMIT --pid $rem --nofile=$lim:
		check "relay: its limit lowered to $lim descriptors (prlimit, as its user)" \
			grep -q "^Max open files  *$lim " /proc/$rem/limits
		read -r w0 _ </proc/uptime
		t0=$(cpu_ticks $rem)
		out=$($FANOUT run 127.0.0.1 18096 200 65536 -k)
		t1=$(cpu_ticks $rem)
		read -r w1 _ </proc/uptime
		wall=$(echo "$w0 $w1" | awk '{ printf "%d", ($2 - $1) * 100 }')
		served=$(echo "$out" | awk '$3 == "ok," && $5 == "failed," && $7 == "corrupted" && $6 == 0 { print $2 + $4 }')
		check "relay: out of descriptors under it (limit $lim, room for $room), 200 clients at once: each served or reset, none hangs ($out)" \
			test "$served" = 200
		# A spin would take all of fanout's 60 s wait for stalled connections.
		check "relay: and it does not spin ($((t1 - t0)) ticks of CPU in $wall of time)" test $((t1 - t0)) -lt 300
		$SETPRIV --reuid=65534 --regid=65534 --clear-groups $PRLIMIT --pid $rem --nofile=1024:
		out=$($FANOUT run 127.0.0.1 18096 4 65536)
		check "relay: descriptors back, it serves again" test "$out" = "fanout: 4 ok, 0 failed, 0 corrupted"
	done
	kill $rem 2>/dev/null
	wait $rem 2>/dev/null
}

sources_of() { # NS PORT: "COUNT ADDRESS" for each source address of the connections to PORT in NS
	$IP netns exec "$1" $SS -Htn state established "( dport = :$2 )" |
		awk '{ sub(/:[0-9]+$/, "", $3); n[$3]++ } END { for (a in n) print n[a], a }'
}

start_undone() { [ -z "$(relay_pids rlnodns)" ] && not_listening 11080 && nothing_left; }

# SIGTERM to up while its relay starts (held reading the namespace's
# resolv.conf, a FIFO here): rolled back, nothing left listening.
relay_signal_at_start() {
	mkdir -p /etc/netns/rlnodns
	mkfifo /etc/netns/rlnodns/resolv.conf
	$NSWG up rlnodns --netns rlnodns --socks 11080 2>$T/err &
	up=$!
	i=0
	while [ -z "$(relay_pids rlnodns)" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	starting=$(relay_pids rlnodns)
	sleep 0.2
	kill -TERM $up
	wait $up
	rc=$?
	check "relay: SIGTERM to up while the relay starts rolls back (exit status $rc, relay ${starting:-not seen})" \
		sh -c "[ $rc = 1 ] && [ -n '$starting' ] && grep -q 'interrupted by signal 15, rolling back' $T/err || { cat $T/err; false; }"
	rm -rf /etc/netns/rlnodns
	check "relay: the starting relay is gone, nothing listens, nothing is left" start_undone
}

# The inode of the socket listening on the host at PORT (TCP).
listener_inode() { $SS -Hltne "sport = :$1" | grep -o 'ino:[0-9]*' | head -n 1; }
wait_gone() { # PID
	i=0
	while proc_alive "$1" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	! proc_alive "$1"
}
wait_line() { # FILE TEXT
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	grep -q "$2" "$1"
}
hello_at() { [ "$($CURL -sS --max-time 10 "http://127.0.0.1:$1/hello" 2>/dev/null)" = hello-from-inside ]; }
socks_auth_holds() { # the right credentials get through, the wrong ones not
	[ "$($CURL -sS --max-time 10 --socks5-hostname alice:s3cret@127.0.0.1:11080 http://only.inside.test:8000/hello 2>/dev/null)" = \
		hello-through-the-tunnel ] || return 1
	$CURL -sS --max-time 10 --socks5-hostname alice:wrong@127.0.0.1:11080 http://only.inside.test:8000/hello >/dev/null 2>&1
	[ $? = 97 ]
}

# reload with relay options: a new relay for the new set, the kept listener handed over, the old relay draining.
relay_reload() {
	# No --socks-auth given again: the entrance keeps the credentials it asks for.
	set -- --publish 18080:8000 --socks 11080 --publish 17000:7000/udp --publish 18086:8000 --max-connections 1
	old=$(relay_pid_of rl rl)
	ino=$(listener_inode 18080)
	# A connection through 18082, open across the reload: it goes on, served by the old relay.
	rm -f $T/held.in
	mkfifo $T/held.in
	$SOCAT -t 5 - TCP:127.0.0.1:18082 <$T/held.in >$T/held.out &
	held=$!
	exec 8>$T/held.in
	echo before-reload >&8
	check "relay: reload: a connection open through --publish 18082:8002" wait_line $T/held.out before-reload
	$NSWG reload rl "$@" 2>$T/err
	check "relay: reload with relay options: 18082 dropped, 18086 added" test $? = 0
	new=$(relay_pid_of rl rl)
	check "relay: reload: a new relay serves, the old one is recorded as draining" \
		sh -c "[ '$new' != '$old' ] && grep -q '^relay_draining_pid=$old\$' /run/nswg/rl/rl.state"
	check "relay: reload: the added port serves" hello_at 18086
	check "relay: reload: the dropped port listens no more" not_listening 18082
	check "relay: reload: a kept port is the same socket, handed over (no client refused meanwhile)" \
		sh -c "[ -n '$ino' ] && [ '$(listener_inode 18080)' = '$ino' ]"
	check "relay: reload: and serves" hello_at 18080
	check "relay: reload: the SOCKS entrance keeps its credentials, not given again" socks_auth_holds
	$NSWG show rl >$T/show.out
	check "relay: reload: show names the new specs and the relay draining" \
		sh -c "grep -q '^  --publish 18086:8000: 0 open, 1 in all' $T/show.out && ! grep -q 18082 $T/show.out &&
			grep -q '^  relay replaced by reload: pid $old, serving' $T/show.out"
	# A client waiting on the shared listener (the new relay at its limit of one) must not wake the old
	# relay: epoll keeps a socket that another process still holds, unless it is taken out.
	sleep 3 | $FANOUT hold 127.0.0.1 18080 1 >$T/hold1.out &
	h1=$!
	wait_line $T/hold1.out 'held 1'
	sleep 3 | $FANOUT hold 127.0.0.1 18080 1 >$T/hold2.out &
	h2=$!
	wait_line $T/hold2.out 'held 1'
	t0=$(cpu_ticks "$old")
	sleep 1
	t1=$(cpu_ticks "$old")
	check "relay: reload: a client waiting on a kept port leaves the old relay idle ($t0 then $t1 ticks of CPU)" \
		sh -c "grep -q 'held 1' $T/hold1.out && grep -q 'held 1' $T/hold2.out && [ -n '$t0' ] && [ -n '$t1' ] &&
			[ $((${t1:-0} - ${t0:-0})) -le 2 ]"
	wait $h1 $h2
	# Reloads that change no relay leave both alone: the draining one too.
	$NSWG reload rl 2>$T/err
	check "relay: reload without relay options keeps the relay as it is" \
		sh -c "[ $? = 0 ] && [ '$(relay_pid_of rl rl)' = '$new' ]"
	$NSWG reload rl "$@" 2>$T/err
	check "relay: reload with the same relay options leaves the relay as it is" \
		sh -c "[ $? = 0 ] && [ '$(relay_pid_of rl rl)' = '$new' ]"
	check "relay: and the one draining" proc_alive "$old"
	echo after-reload >&8
	check "relay: reload: the connection open across it still moves bytes both ways" wait_line $T/held.out after-reload
	exec 8>&-
	wait $held 2>/dev/null
	check "relay: reload: the old relay ends with its last connection" wait_gone "$old"
	$SOCAT TCP-LISTEN:18087,bind=127.0.0.1,reuseaddr - </dev/null >/dev/null 2>&1 &
	taker=$!
	wait_listening - 18087
	$NSWG reload rl "$@" --publish 18087:8000 2>$T/err
	check "relay: reload onto a port taken fails, naming the spec and the side" \
		sh -c "[ $? = 1 ] && grep -q -- '--publish 18087:8000: unable to listen on the host at 127.0.0.1:18087' $T/err"
	$NSWG show rl >$T/show.out
	check "relay: and leaves the relay as it was" \
		sh -c "[ '$(relay_pid_of rl rl)' = '$new' ] && grep -q '^relays=.*18086:8000' /run/nswg/rl/rl.state &&
			! grep -q 'replaced by reload' $T/show.out && ! grep -q 18087 $T/show.out"
	check "relay: and serving" hello_at 18086
	kill $taker 2>/dev/null
	wait $taker 2>/dev/null
	$NSWG reload rl --publish 0.0.0.0:18086:8000 2>$T/err
	check "relay: a port moved to another address is refused, naming the spec that holds it" \
		sh -c "[ $? = 1 ] && grep -q -- '--publish 0.0.0.0:18086:8000: the running relay listens on that port for --publish 18086:8000' $T/err"
	$NSWG reload rl --no-relays --publish 18090 2>$T/err
	check "relay: --no-relays with relays is refused" sh -c "[ $? = 1 ] && grep -q -- '--no-relays: and relays given' $T/err"
	$NSWG reload rl --no-relays 2>$T/err
	check "relay: reload --no-relays: the journal has no relay any more" \
		sh -c "[ $? = 0 ] && ! grep -q '^relay_pid=[1-9]' /run/nswg/rl/rl.state && ! grep -q '^relays=.' /run/nswg/rl/rl.state"
	check "relay: reload --no-relays: the relay ends (it had no connection open)" wait_gone "$new"
	check "relay: and its ports are free" not_listening 18080 18086 11080 17000
	set -- --publish 18080:8000 --socks 11080 --socks-auth $T/auth --publish 17000:7000/udp
	$NSWG reload rl "$@" 2>$T/err
	check "relay: reload brings relays back where there were none" sh -c "[ $? = 0 ]"
	check "relay: and they serve" hello_at 18080
	check "relay: reload: the new relay's SOCKS entrance lets the right credentials in, and only them" socks_auth_holds
	# The credentials file changed under the same name: the same options start a relay that reads it.
	was=$(relay_pid_of rl rl)
	printf 'bob:n3w-s3cret\n' >$T/auth.new
	mv $T/auth.new $T/auth
	$NSWG reload rl "$@" 2>$T/err
	check "relay: reload after the credentials file changed starts a relay that reads it" \
		sh -c "[ $? = 0 ] && [ '$(relay_pid_of rl rl)' != '$was' ] &&
			[ \"\$($CURL -sS --max-time 10 --socks5-hostname bob:n3w-s3cret@127.0.0.1:11080 http://only.inside.test:8000/hello)\" = hello-through-the-tunnel ]"
	printf 'alice:s3cret\n' >$T/auth
	# A relay of an earlier nswg recorded no options: whether it asks for credentials is not known.
	sed -i '/^relay_user=/d' /run/nswg/rl/rl.state
	$NSWG reload rl --publish 18080:8000 --socks 11080 --publish 17000:7000/udp 2>$T/err
	check "relay: reload of an earlier nswg's SOCKS entrance without --socks-auth is refused" \
		sh -c "[ $? = 1 ] && grep -q 'did not record whether it asks for credentials' $T/err"
}

# The relay killed during a transfer: down is not blocked, nothing listens after.
relay_killed() {
	$CURL -sS --limit-rate 2M -o /dev/null http://127.0.0.1:18080/blob 2>/dev/null &
	slow=$!
	sleep 1
	pid=$(relay_pid_of rl rl)
	kill -9 "$pid"
	wait $slow 2>/dev/null
	i=0
	while proc_alive "$pid" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	check "relay: killed, it leaves nothing listening on the host" not_listening 18080 11080 17000
	$NSWG show rl >$T/show.out
	check "relay: show says the relay is not running, and fails" \
		sh -c "[ $? = 1 ] && grep -q '^  relay: NOT RUNNING' $T/show.out"
}

relay_gone() { all_gone "$1" && not_listening 18080 18082 18083 18084 11080 17000; }

test_relay() {
	write_relay_conf
	printf 'alice:s3cret\n' >$T/auth
	keep_resolv=$T/resolv.host
	cp /etc/resolv.conf $keep_resolv 2>/dev/null
	echo 'nameserver 127.0.0.53' >/etc/resolv.conf
	# The firewall's dump must be one: an error both times would compare equal.
	check "relay: nft reads the host's ruleset" $NFT list ruleset
	relay_bad_specs
	relay_ports_taken
	relay_host_dump >$T/relay.host.before
	check "relay: the far end's namespace up" $NSWG up rlp --netns rlp
	$NSWG up rl --netns rl --publish 18080:8000 --publish 18082:8002 --publish 18083:8003 --publish 18084:8004 \
		--publish 17000:7000/udp --host-port 19001:19000 --socks 11080 --udp-timeout 2 2>$T/err
	check "relay: up with published ports, a host port and a SOCKS entrance" test $? = 0
	check "relay: up warns of the hole --host-port opens" grep -q 'host-port 19001:19000.*host' $T/err
	check "relay: the relay runs as nobody, with no capability and no_new_privs, in each of its threads" \
		relay_dropped "$(relay_pid_of rl rl)"
	if relay_servers_start; then
		relay_publish
		relay_refused
		relay_resets
		relay_host_port
		relay_socks
		relay_udp
		relay_socket_activation
		relay_load
	else
		fail "relay: the test servers did not start"
	fi
	relay_servers_stop
	pid=$(relay_pid_of rl rl)
	check "relay: down" $NSWG down rl
	check "relay: after down, the relay is gone and nothing listens where it did" relay_gone "$pid"
	relay_host_dump >$T/relay.host.after
	check "relay: the host's dumps after down are those before up" cmp -s $T/relay.host.before $T/relay.host.after
	$NSWG up rl --netns rl --publish 18080:8000 --socks 11080 --socks-auth $T/auth --publish 17000:7000/udp \
		--publish 18082:8002 2>$T/err
	check "relay: up again, the SOCKS entrance asking for credentials" test $? = 0
	if relay_servers_start; then
		relay_socks_auth
		relay_reload
		relay_killed
	else
		fail "relay: the test servers did not start again"
	fi
	check "relay: down after the relay was killed" $NSWG down rl
	relay_servers_stop
	check "relay: the far end down" $NSWG down rlp
	relay_signal_at_start
	cp $keep_resolv /etc/resolv.conf 2>/dev/null
	check "relay: nothing left" nothing_left
}
