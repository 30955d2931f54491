# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# shellcheck disable=SC2154 # p1_priv, o_pub and the like: keypair() assigns them through eval.
#
# Chained tunnels (--via), sourced by scenarios.sh. A provider P1 in np1 and
# its client "outer" in no both have their sockets on the host; a provider
# P2 in np2 has its socket in np1 (--via np1), listening on np1's tunnel
# address, and the client "inner" in ni has its socket in no (--via no):
# inner's encrypted packets cross the outer tunnel. A third hop the same way.

# One end: NAME NS-less file with its port, address, and one peer.
via_conf() { # FILE PRIV PORT ADDRESS PEER_PUB ALLOWED [ENDPOINT] [DNS]
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = %s\nAddress = %s\n' "$2" "$3" "$4"
		[ -z "${8:-}" ] || printf 'DNS = %s\n' "$8"
		printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "$5" "$6"
		[ -z "${7:-}" ] || printf 'Endpoint = %s\n' "$7"
	} >/etc/wireguard/$1.conf
}

# The UDP ports listening in NS ("-": the host), one per line.
udp_ports() { # NS
	if [ "$1" = - ]; then $SS -Hlun; else $IP netns exec "$1" $SS -Hlun; fi | awk '{print $4}' | sed 's/.*://' | sort -u
}
listens_udp() { udp_ports "$1" | grep -qx "$2"; }

# The bytes IFACE in NS has sent, as wg show counts them.
sent_by() { # NS IFACE
	$IP netns exec "$1" $WG show "$2" transfer | awk '{s += $3} END {print s + 0}'
}

via_dumps() { # SUFFIX: the host's, np1's and no's
	host_dump >$T/via.host.$1
	ns_dump np1 >$T/via.np1.$1
	ns_dump no >$T/via.no.$1
}
via_dumps_same() { # A B
	cmp $T/via.host.$1 $T/via.host.$2 && cmp $T/via.np1.$1 $T/via.np1.$2 && cmp $T/via.no.$1 $T/via.no.$2
}

via_two_hops() {
	check "via: P1 up, socket on the host" $NSWG up wgp1 --netns np1
	check "via: outer up, socket on the host" $NSWG up wgo --netns no
	$IP netns exec np1 $DNSMASQ --keep-in-foreground --no-resolv --no-hosts --listen-address=10.71.0.1 \
		--bind-interfaces --port=53 --address=/p2.via.test/10.71.0.1 --log-queries \
		--log-facility=$T/dns.np1.log --pid-file=$T/dns.np1.pid --user=root &
	via_np1dns=$!
	wait_listening np1 53
	via_dumps before
	check "via: P2 up with --via np1" $NSWG up wgp2 --netns np2 --via np1
	# The endpoint is a name only the outer provider's resolver knows, asked through the outer tunnel.
	$NSWG up wgi --netns ni --via no 2>$T/err
	check "via: inner up with --via no, its endpoint's name resolved in no" test $? = 0
	check "via: no's resolver (through the outer tunnel) was asked" grep -q 'query.*p2\.via\.test' $T/dns.np1.log
	check "via: the host's resolver never was" sh -c "! grep -q 'p2\.via\.test' $T/dns.host.log"
	before=$(sent_by no wgo)
	check "via: ping and 512 KiB from ni to np2" traffic_crosses ni 10.72.0.1 np2
	after=$(sent_by no wgo)
	check "via: the outer tunnel carried the inner's packets ($before, then $after bytes sent)" \
		test $((after - before)) -ge 524288
	check "via: inner's UDP socket is in no" listens_udp no 52012
	check "via: P2's UDP socket is in np1" listens_udp np1 52002
	check "via: neither is on the host, nor in their own namespaces" \
		sh -c "! { $SS -Hlun; $IP netns exec ni $SS -Hlun; $IP netns exec np2 $SS -Hlun; } | awk '{print \$4}' | grep -q ':520[01]2\$'"
	check "via: the interfaces are only in their namespaces" \
		sh -c "! $IP link show wgi && ! $IP -n no link show wgi && ! $IP -n np1 link show wgp2 && $IP -n ni link show wgi"
	check "via: auto-MTU of the inner is the outer's less 80 (1420, then 1340)" \
		sh -c "$IP -n no link show wgo | grep -q 'mtu 1420' && $IP -n ni link show wgi | grep -q 'mtu 1340'"
	$NSWG show wgi >$T/show 2>&1
	check "via: show names the socket's namespace and the chain" \
		grep -qx '  socket: namespace no; chain: ni via no via the host' $T/show
	$NSWG show wgi --json >$T/show.json 2>&1
	check "via: and --json" grep -q '"via":"no","via_gone":false,"chain":\["no",null\]' $T/show.json
	via_dumps during
	check "via: host, np1 and no as before while up" via_dumps_same before during
	asked=$(grep -c 'query.*p2\.via\.test' $T/dns.np1.log)
	$NSWG reload wgi >/dev/null 2>$T/err
	check "via: reload succeeds" test $? = 0
	check "via: and resolves the endpoint in no again" test "$(grep -c 'query.*p2\.via\.test' $T/dns.np1.log)" -gt "$asked"
	check "via: the host's resolver still never asked" sh -c "! grep -q 'p2\.via\.test' $T/dns.host.log"
	check "via: its socket still in no, its MTU still 1340" \
		sh -c "$IP netns exec no $SS -Hlun | grep -q ':52012 ' && $IP -n ni link show wgi | grep -q 'mtu 1340'"
	check "via: traffic still crosses after reload" traffic_crosses ni 10.72.0.1 np2
}

via_three_hops() {
	check "via: P3 up with --via np2" $NSWG up wgp3 --netns np3 --via np2
	check "via: a third client up with --via ni" $NSWG up wg3 --netns n3 --via ni
	check "via: three hops: ping and 512 KiB from n3 to np3" traffic_crosses n3 10.73.0.1 np3
	check "via: the third client's socket is in ni" listens_udp ni 52013
	check "via: the chain of three" \
		sh -c "$NSWG show wg3 | grep -qx '  socket: namespace ni; chain: n3 via ni via no via the host'"
	check "via: auto-MTU of the third is 1260" sh -c "$IP -n n3 link show wg3 | grep -q 'mtu 1260'"
	$NSWG down wgi 2>$T/err
	check "via: down of the middle refused while the third leans on it" \
		failed_saying $? "\`wg3' in namespace \`n3' has its socket in namespace \`ni'"
	check "via: and the middle is still up" $IP -n ni link show wgi
	check "via: the third goes down" $NSWG down wg3
	check "via: and P3" $NSWG down wgp3
}

via_dependencies() {
	$NSWG down wgo 2>$T/err
	check "via: down of the outer refused while the inner is up" failed_saying $? "\`wgi' in namespace \`ni' has its socket in namespace \`no' (--via): take it down first"
	check "via: and it changed nothing" sh -c "$IP -n no link show wgo >/dev/null && [ -f /run/nswg/no/wgo.state ]"
	check "via: inner goes down" $NSWG down wgi
	check "via: P2 goes down" $NSWG down wgp2
	via_dumps after
	check "via: host, np1 and no as before after down" via_dumps_same before after
	check "via: outer goes down" $NSWG down wgo
	check "via: P1 goes down" $NSWG down wgp1
	check "via: nothing left of the two hops" nothing_left
}

via_rolled_back() {
	[ -z "$(find /run/nswg -mindepth 2 ! -name lock ! -path '/run/nswg/.host/*')" ] && [ ! -e /run/netns/vi ] &&
		! listens_udp vo 52020 && ! impl_alive wgvi
}

# The guard covers the via's namespace as it covers the host: a default
# route added in either just before up's last look at them rolls it back.
via_guard() {
	NSWG_STATS=1 $NSWG up wgvi --netns vi --via vo >/dev/null 2>$T/stats
	$NSWG down wgvi >/dev/null 2>&1
	total=$(requests_of $T/stats)
	NSWG_FAULT_RUN=$((total - 6)):0 NSWG_FAULT_CMD="$IP -n vo route add default dev lo metric 4242" \
		$FAULT_NSWG up wgvi --netns vi --via vo 2>$T/err
	check "via: guard: a default route added in the via's namespace during up fails it" \
		failed_saying $? "namespace \`vo' changed during up, rolling back: the default routes changed"
	$IP -n vo route del default dev lo metric 4242
	NSWG_FAULT_RUN=$((total - 3)):0 NSWG_FAULT_CMD="$IP route add default dev lo metric 4242" \
		$FAULT_NSWG up wgvi --netns vi --via vo 2>$T/err
	check "via: guard: and one added on the host" \
		failed_saying $? "the host changed during up, rolling back: the default routes changed"
	$IP route del default dev lo metric 4242
	check "via: guard: both rolled back" via_rolled_back
}

# The same two ups at once: the second runs inside the first at each of its
# steps in turn, until it has found the first between its look for a loop
# and the record that shows its via (two steps: the room, the record). There
# it must wait (3 s, then SIGTERM ends it): two ups that each missed the
# other would make the loop, and neither could go down. Before that window
# the second comes up through the first's new namespace, and the first's
# rollback must keep that namespace, where the second's socket now is.
via_race() {
	[ -x "${FAULT_NSWG:-}" ] || { fail "via: no fault-injection build (FAULT_NSWG)"; return; }
	NSWG_STATS=1 $NSWG up wgvi --netns vi --via vl >/dev/null 2>$T/stats
	$NSWG down wgvi >/dev/null 2>&1
	total=$(requests_of $T/stats)
	both=0 waited=0 kept=0 lost=0 n=1
	while [ $n -le "${total:-0}" ]; do
		rm -f $T/race.rc $T/race.err
		NSWG_FAULT_RUN=$n:0 NSWG_FAULT_CMD="timeout 3 $NSWG up wgvl --netns vl --via vi >/dev/null 2>$T/race.err; echo \$? >$T/race.rc" \
			$FAULT_NSWG up wgvi --netns vi --via vl >/dev/null 2>&1
		a=$? b=$(cat $T/race.rc 2>/dev/null)
		[ $a = 0 ] && [ "$b" = 0 ] && both=$((both + 1)) && echo "#   race at step $n: both up"
		if [ $a != 0 ] && [ "$b" = 0 ]; then
			if [ -e /run/netns/vi ]; then kept=$((kept + 1)); else lost=$((lost + 1)) && echo "#   race at step $n: vi deleted under wgvl's socket"; fi
		fi
		if grep -q "unable to lock the records' vias: Interrupted system call" $T/race.err 2>/dev/null; then
			waited=$((waited + 1))
		elif [ $waited -gt 0 ]; then
			break # past the window
		fi
		$NSWG down wgvl >/dev/null 2>&1
		$NSWG down wgvi >/dev/null 2>&1
		$IP netns delete vi 2>/dev/null # the one kept: nobody's now
		n=$((n + 1))
	done
	$NSWG down wgvl >/dev/null 2>&1
	$NSWG down wgvi >/dev/null 2>&1
	check "via: two ups that would make a loop, the second at each step of the first: never both up" test $both = 0
	check "via: the second waits while the first is between its look and its record ($waited steps, to step $n of $total)" \
		test $waited = 2
	check "via: the first's rollback keeps its namespace while the second's socket is in it ($kept steps, $lost not)" \
		sh -c "[ $kept -gt 0 ] && [ $lost = 0 ]"
	check "via: and neither left anything" sh -c "[ ! -e /run/netns/vi ] && ! $IP -n vl link show wgvl >/dev/null 2>&1"
}

# The namespace of the socket deleted under a running inner tunnel.
via_outer_deleted() {
	$IP netns add vo
	$IP -n vo link set lo up
	via_conf wgvi "$i_priv" 52020 10.74.0.2/24 "$p2_pub" 10.74.0.0/24 127.0.0.1:52021
	check "via: up with --via a namespace not nswg's" $NSWG up wgvi --netns vi --via vo
	check "via: its socket there" listens_udp vo 52020
	NSWG_STATS=1 $NSWG down wgvi >/dev/null 2>&1
	via_guard
	$NSWG up wgvi --netns vi --via vo >/dev/null 2>&1
	$IP netns delete vo
	# Made again under its name: another namespace, not the socket's.
	$IP netns add vo
	$NSWG reload wgvi >/dev/null 2>$T/err
	check "via: reload after the via was deleted and made again is refused" \
		failed_saying $? "namespace \`vo', where the socket of \`wgvi' was, is gone or was replaced"
	check "via: and the interface is untouched" $IP -n vi link show wgvi
	$NSWG show wgvi >$T/show.out 2>&1
	$NSWG show --json >$T/show.json 2>&1
	check "via: show says the via's name names another namespace now" \
		sh -c "grep -q '^  socket: namespace vo (THAT NAME IS GONE OR NAMES ANOTHER NAMESPACE NOW); chain: vi via vo' $T/show.out &&
			grep -q '\"via\":\"vo\",\"via_gone\":true' $T/show.json"
	$IP netns delete vo
	$NSWG down wgvi >/dev/null 2>$T/err
	check "via: ip netns delete of the via, then down: it succeeds" test $? = 0
	check "via: and nothing is left" nothing_left
	$IP netns add vi
	$NSWG up wgvi --netns vi --via vi 2>$T/err
	check "via: --via the namespace itself is refused" failed_saying $? "is namespace \`vi' itself"
	$IP netns delete vi
	$NSWG up wgvi --netns vi --via /proc/self/ns/net 2>$T/err
	check "via: --via the host by another name is refused" failed_saying $? "is the host's namespace"
	$NSWG up wgvi --netns vi --via nosuchns 2>$T/err
	check "via: --via a namespace that does not exist is refused" failed_saying $? "namespace \`nosuchns' does not exist"
	$NSWG up wgvi --netns vi --via "$(printf 'a\nb')" 2>$T/err
	check "via: a via with a newline is refused" failed_saying $? "control character is refused"
	# A loop: each tunnel's socket in the other's namespace.
	$IP netns add vl
	check "via: a first tunnel with its socket in vl" $NSWG up wgvi --netns vi --via vl
	via_conf wgvl "$p3_priv" 52022 10.75.0.1/24 "$i_pub" 10.75.0.2/32
	$NSWG up wgvl --netns vl --via vi 2>$T/err
	check "via: a second whose socket would be in the first's namespace, and the first's in its own, is refused" \
		failed_saying $? "\`wgvi' in namespace \`vi' has its socket in namespace \`vl' already: a loop"
	check "via: the first is untouched" $IP -n vi link show wgvi
	NSWG_STATS=1 $NSWG down wgvi >/dev/null 2>$T/stats
	via_race
	$IP netns del vl
	# A namespace of another user namespace, as for --netns.
	$UNSHARE -Urn sleep 60 &
	owned=$!
	i=0
	while [ "$(readlink /proc/$owned/ns/user)" = "$(readlink /proc/self/ns/user)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	$NSWG up wgvi --netns vi --via /proc/$owned/ns/net 2>$T/err
	check "via: a namespace of another user namespace is refused" failed_saying $? "belongs to another user namespace"
	kill $owned
	wait $owned 2>/dev/null
	check "via: those refusals left nothing" nothing_left
}

# Every request of an up with --via failed in turn, and SIGKILL before each.
via_faults() {
	[ -x "${FAULT_NSWG:-}" ] || { fail "via: no fault-injection build (FAULT_NSWG)"; return; }
	$IP netns add fltvia
	$IP -n fltvia link set lo up
	write_pair 8 51890 51891
	# Its endpoint a name that only the via's hosts file knows: the resolver's child is part of every run.
	sed 's/wga8/wgf8/; s/^Endpoint = 127.0.0.1:/Endpoint = wgf8peer.via.test:/' /etc/wireguard/wga8.conf >/etc/wireguard/wgf8.conf
	mkdir -p /etc/netns/fltvia
	printf '127.0.0.1 wgf8peer.via.test\n' >/etc/netns/fltvia/hosts
	rm -f $T/fn0
	# fault_one compares the via's namespace too, after each.
	# shellcheck disable=SC2034 # read by fault_one, in scenarios.sh
	FAULT_VIA_NS=fltvia
	ns_dump fltvia >$T/fv0
	FAULT_UP_ARGS="--via fltvia"
	keep_modes=$FAULT_MODES
	FAULT_MODES="errno 9"
	faults_up "an up with --via" flt
	FAULT_MODES=$keep_modes
	# shellcheck disable=SC2034 # read by fault_one, in scenarios.sh
	FAULT_UP_ARGS=
	rm -f $T/fv0
	rm -rf /etc/netns/fltvia
	$IP netns del fltvia
	rm -f /etc/wireguard/wgf8.conf
}

test_via() {
	for k in p1 o p2 i p3 c3; do keypair $k; done
	via_conf wgp1 "$p1_priv" 52001 10.71.0.1/24 "$o_pub" 10.71.0.2/32
	via_conf wgo "$o_priv" 52011 10.71.0.2/24 "$p1_pub" 10.71.0.0/24 127.0.0.1:52001 10.71.0.1
	# A provider's MTU (loopback's would give 65456): the inner's auto-MTU is found through it.
	sed -i 's/^\[Interface\]$/[Interface]\nMTU = 1420/' /etc/wireguard/wgo.conf
	via_conf wgp2 "$p2_priv" 52002 10.72.0.1/24 "$i_pub" 10.72.0.2/32
	via_conf wgi "$i_priv" 52012 10.72.0.2/24 "$p2_pub" 10.72.0.0/24 p2.via.test:52002
	via_conf wgp3 "$p3_priv" 52003 10.73.0.1/24 "$c3_pub" 10.73.0.2/32
	via_conf wg3 "$c3_priv" 52013 10.73.0.2/24 "$p3_pub" 10.73.0.0/24 10.72.0.1:52003
	# The outer provider's resolver, reached through the outer tunnel; and the host's, watched.
	keep_resolv=$T/via.resolv.conf
	cp /etc/resolv.conf $keep_resolv 2>/dev/null || : >$keep_resolv
	echo 'nameserver 127.0.0.53' >/etc/resolv.conf
	$DNSMASQ --keep-in-foreground --no-resolv --no-hosts --listen-address=127.0.0.53 --bind-interfaces --port=53 \
		--address=/p2.via.test/127.0.0.9 --log-queries --log-facility=$T/dns.host.log \
		--pid-file=$T/dns.host.pid --user=root &
	via_hostdns=$!
	wait_listening - 53
	# The watcher must be able to see: a query of the host's own reaches its log.
	$BUSYBOX nslookup canary.via.test 127.0.0.53 >/dev/null 2>&1
	check "via: the host's resolver logs what it is asked" grep -q 'query.*canary\.via\.test' $T/dns.host.log
	host_dump >$T/via.host.base
	via_two_hops
	via_three_hops
	via_dependencies
	kill $via_hostdns $via_np1dns 2>/dev/null
	wait $via_hostdns $via_np1dns 2>/dev/null
	cp $keep_resolv /etc/resolv.conf
	via_outer_deleted
	via_faults
	rm -f /etc/wireguard/wgp1.conf /etc/wireguard/wgo.conf /etc/wireguard/wgp2.conf /etc/wireguard/wgi.conf \
		/etc/wireguard/wgp3.conf /etc/wireguard/wg3.conf /etc/wireguard/wgvi.conf /etc/wireguard/wgvl.conf
	check "via: nothing left" nothing_left
}
