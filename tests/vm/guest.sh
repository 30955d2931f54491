#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs inside the VM (busybox sh), on a kernel with WireGuard. The VM's own
# namespace is the host. iproute2's ip is called by its full path: busybox's
# shell would prefer its own applet.
IP=/usr/bin/ip
WG=/usr/bin/wg
SS=/usr/bin/ss
NSWG=/usr/bin/nswg
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() {
	name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then pass "$name"; else fail "$name"; sed 's/^/#   /' /tmp/check.out | head -n 5; fi
}
# Everything the host has that nswg must not touch.
host_dump() {
	$IP -d link show
	$IP address show
	$IP route show table all
	$IP -6 route show table all
	$IP rule show
	$IP -6 rule show
}
ns_dump() {
	$IP -n "$1" -d link show
	$IP -n "$1" address show
	$IP -n "$1" route show table all
	$IP -n "$1" -6 route show table all
	$IP netns exec "$1" cat /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6
}
nothing_left() {
	[ -z "$($IP netns list)" ] && [ -z "$(ls /run/nswg/*/ 2>/dev/null | grep -v '^lock$' | grep -v '^/' | grep .)" ] &&
		[ -z "$(ls /etc/netns 2>/dev/null)" ]
}

mkdir -p /etc/wireguard /etc/netns
chmod 0700 /etc/wireguard
umask 077

keypair() { # NAME: sets NAME_priv and NAME_pub
	k=$($WG genkey)
	eval "$1_priv=\$k"
	eval "$1_pub=\$(echo \$k | $WG pubkey)"
}
keypair a
keypair b

# Two ends of one tunnel. Their UDP sockets meet on the host's loopback.
write_pair() { # SUFFIX PORT_A PORT_B
	cat >/etc/wireguard/wga$1.conf <<EOF
[Interface]
PrivateKey = $a_priv
ListenPort = $2
Address = 10.9.0.1/24
DNS = 10.9.0.53, example.com

[Peer]
PublicKey = $b_pub
AllowedIPs = 10.9.0.2/32
Endpoint = 127.0.0.1:$3
EOF
	cat >/etc/wireguard/wgb$1.conf <<EOF
[Interface]
PrivateKey = $b_priv
ListenPort = $3
Address = 10.9.0.2/24
DNS = 10.9.0.54
PostUp = echo this never runs

[Peer]
PublicKey = $a_pub
AllowedIPs = 0.0.0.0/0
Endpoint = 127.0.0.1:$2
EOF
}

traffic_crosses() { # NS_CLIENT SERVER_IP NS_SERVER
	$IP netns exec "$1" ping -c 2 -W 3 "$2" >/dev/null || return 1
	dd if=/dev/urandom of=/tmp/send bs=1024 count=512 2>/dev/null
	rm -f /tmp/recv /tmp/hold
	# The listener's stdin stays open: busybox nc stops at its end of file.
	mkfifo /tmp/hold
	$IP netns exec "$3" nc -l -p 8080 </tmp/hold >/tmp/recv &
	srv=$!
	exec 3>/tmp/hold
	sleep 0.3
	timeout 30 $IP netns exec "$1" nc -w 3 "$2" 8080 </tmp/send
	wait $srv
	exec 3>&-
	[ "$(md5sum </tmp/send)" = "$(md5sum </tmp/recv)" ]
}

handshake_seen() { # NS IFACE
	t=$($IP netns exec "$1" $WG show "$2" latest-handshakes | awk '{print $2}')
	[ -n "$t" ] && [ "$t" != 0 ]
}

test_tunnel() {
	write_pair "" 51820 51821
	mkdir -p /etc/netns/nsb
	echo "nameserver 192.0.2.53" >/etc/netns/nsb/resolv.conf
	host_dump >/tmp/h0
	$IP -o monitor link >/tmp/monitor 2>&1 &
	mon=$!
	sleep 0.2
	check "up: nswg up wga --netns nsa" $NSWG up wga --netns nsa
	$NSWG up /etc/wireguard/wgb.conf --netns nsb 2>/tmp/upb.err
	check "up: nswg up wgb.conf --netns nsb" test $? = 0
	check "up: a hook is reported and not run" grep -q "PostUp is not run: nswg never runs commands on the host" /tmp/upb.err
	host_dump >/tmp/h1
	check "host: links, addresses, routes and rules identical after up" cmp /tmp/h0 /tmp/h1
	check "traffic: ping and a 512 KiB TCP transfer cross the tunnel" traffic_crosses nsb 10.9.0.1 nsa
	check "traffic: wg show in the namespace shows a handshake" handshake_seen nsb wgb
	check "sockets: the UDP sockets are bound in the host namespace" \
		sh -c "$SS -Huln | grep -q ':51820 ' && $SS -Huln | grep -q ':51821 '"
	check "sockets: none in the namespaces" \
		sh -c "! $IP netns exec nsa $SS -Hua | grep -q . && ! $IP netns exec nsb $SS -Hua | grep -q ."
	check "netns: the interface exists only in its namespace" \
		sh -c "! $IP link show wga && $IP -n nsa link show wga"
	check "netns: loopback is up" sh -c "$IP -n nsa link show lo | grep -q UP"
	check "routes: 0.0.0.0/0 is a plain default route through the interface" \
		sh -c "$IP -n nsb route show | grep -q '^default dev wgb'"
	check "routes: no rules added in the namespace" sh -c "[ \$($IP -n nsb rule show | wc -l) = 3 ]"
	check "ipv6: disabled in a namespace whose config has no IPv6 address" \
		sh -c "[ \$($IP netns exec nsa cat /proc/sys/net/ipv6/conf/all/disable_ipv6) = 1 ]"
	check "mtu: loopback endpoint gives 65536 - 80" sh -c "$IP -n nsa link show wga | grep -q 'mtu 65456'"
	check "dns: resolv.conf written in /etc/netns/nsa" \
		sh -c "grep -qx 'nameserver 10.9.0.53' /etc/netns/nsa/resolv.conf && grep -qx 'search example.com' /etc/netns/nsa/resolv.conf"
	check "dns: nsswitch.conf resolves with files and dns only" grep -qx 'hosts: files dns' /etc/netns/nsa/nsswitch.conf
	check "dns: ip netns exec sees it" sh -c "$IP netns exec nsa cat /etc/resolv.conf | grep -q 10.9.0.53"
	check "state: recorded under /run/nswg" test -f /run/nswg/nsa/wga
	check "state: holds no key" sh -c "! grep -q '$a_priv' /run/nswg/nsa/wga"
	check "up again: refused, interface exists" sh -c "! $NSWG up wga --netns nsa"
	check "down: nswg down wga finds its namespace" $NSWG down wga
	check "down: nswg down wgb --netns nsb" $NSWG down wgb --netns nsb
	sleep 0.2
	kill $mon
	host_dump >/tmp/h2
	check "host: identical after down" cmp /tmp/h0 /tmp/h2
	check "monitor: the interfaces never appeared in the host namespace" sh -c "! grep -q 'wga\|wgb' /tmp/monitor"
	check "down: the namespaces nswg made are gone" sh -c "[ -z \"\$($IP netns list)\" ]"
	check "down: the DNS files nswg wrote are gone" test ! -e /etc/netns/nsa
	check "down: a resolv.conf that was there is back" grep -qx "nameserver 192.0.2.53" /etc/netns/nsb/resolv.conf
	check "down: no state left" test ! -e /run/nswg/nsa/wga
	check "down: again, a clear error" sh -c "$NSWG down wga 2>&1 | grep -q 'not a WireGuard interface'"
	rm -rf /etc/netns/nsb
}

test_fallback() {
	write_pair 2 51830 51831
	host_dump >/tmp/h0
	check "fallback: create in host then move (a)" env NSWG_CREATE_THEN_MOVE=1 $NSWG up wga2 --netns fa
	check "fallback: create in host then move (b)" env NSWG_CREATE_THEN_MOVE=1 $NSWG up wgb2 --netns fb
	check "fallback: traffic crosses" traffic_crosses fb 10.9.0.1 fa
	check "fallback: sockets in the host" sh -c "$SS -Huln | grep -q ':51830 '"
	host_dump >/tmp/h1
	check "fallback: host identical after up" cmp /tmp/h0 /tmp/h1
	$NSWG down wga2 && $NSWG down wgb2
	check "fallback: nothing left" nothing_left
}

test_existing_netns() {
	$IP netns add keep
	$IP -n keep link set lo up
	$IP -n keep address add 10.77.0.1/32 dev lo
	write_pair 3 51840 51841
	ns_dump keep >/tmp/n0
	check "existing namespace: up" $NSWG up wga3 --netns keep
	check "existing namespace: down" $NSWG down wga3 --netns keep
	ns_dump keep >/tmp/n1
	check "existing namespace: kept, and as it was (IPv6 settings included)" cmp /tmp/n0 /tmp/n1
	check "existing namespace: by path" $NSWG up wga3 --netns /run/netns/keep
	check "existing namespace: by path, down" $NSWG down wga3 --netns /run/netns/keep
	ns_dump keep >/tmp/n1
	check "existing namespace: by path, as it was" cmp /tmp/n0 /tmp/n1
	$IP netns del keep
	check "the host's own namespace is refused (message)" sh -c "$NSWG up wga3 --netns /proc/1/ns/net 2>&1 | grep -q 'never configures the host'"
	check "nothing left after a refusal" nothing_left
}

test_failures() {
	host_dump >/tmp/h0
	cat >/etc/wireguard/wgf.conf <<EOF
[Interface]
PrivateKey = $a_priv
Address = 10.9.9.1/24, 10.9.9.1/24
DNS = 10.9.9.53
[Peer]
PublicKey = $b_pub
AllowedIPs = 10.9.9.0/24
EOF
	$NSWG up wgf --netns fail1 2>/tmp/err
	check "failure: an address already in use fails up" test $? = 1
	check "failure: the message names the step and the kernel's reason" grep -q "unable to add address 10.9.9.1/24: File exists" /tmp/err
	host_dump >/tmp/h1
	check "failure: host as before" cmp /tmp/h0 /tmp/h1
	check "failure: namespace, DNS files and state rolled back" nothing_left

	$IP netns add pre
	ns_dump pre >/tmp/n0
	$NSWG up wgf --netns pre 2>/dev/null
	ns_dump pre >/tmp/n1
	check "failure: an existing namespace is left exactly as it was" cmp /tmp/n0 /tmp/n1
	check "failure: and kept" test -e /run/netns/pre
	$IP netns del pre

	# A name taken inside the namespace: nothing changed.
	$IP netns add taken
	$IP -n taken link add wgf type wireguard
	ns_dump taken >/tmp/n0
	$NSWG up wgf --netns taken 2>/tmp/err
	check "failure: a name taken in the namespace is an error" grep -q "already exists" /tmp/err
	ns_dump taken >/tmp/n1
	check "failure: and changes nothing" cmp /tmp/n0 /tmp/n1
	$IP netns del taken

	# A signal in the middle of a long up.
	awk -v pub="$b_pub" -v priv="$a_priv" 'BEGIN {
		print "[Interface]\nPrivateKey = " priv "\nAddress = 10.8.0.1/16\n[Peer]\nPublicKey = " pub
		for (i = 0; i < 20000; i++) printf "AllowedIPs = 10.%d.%d.0/24\n", 100 + int(i / 256), i % 256
	}' >/etc/wireguard/wgsig.conf
	$NSWG up wgsig --netns sig 2>/tmp/err &
	pid=$!
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		$IP -n sig route show 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	kill -TERM $pid
	wait $pid
	check "signal: SIGTERM during up fails it" test $? = 1
	check "signal: says so" grep -q "interrupted by signal 15, rolling back" /tmp/err
	host_dump >/tmp/h1
	check "signal: host as before" cmp /tmp/h0 /tmp/h1
	check "signal: everything rolled back" nothing_left
}

test_corpus() {
	n=0
	bad=0
	for f in /tests/corpus/*.conf; do
		name=$(basename "$f" .conf)
		cp "$f" /etc/wireguard/
		if ! $NSWG up "$name" --netns cor >/tmp/err 2>&1; then
			fail "corpus: $name: nswg up failed: $(grep '^nswg:' /tmp/err | head -n 1)"
			bad=$((bad + 1))
			continue
		fi
		$IP netns add ref
		$IP -n ref link add ref type wireguard
		$NSWG strip "$name" >/tmp/stripped 2>/dev/null
		$IP netns exec ref $WG setconf ref /tmp/stripped
		# Without a port, or with 0, a device that is up picks one at random.
		if grep -qiE '^[[:space:]]*listen[[:space:]]*port[[:space:]]*=[[:space:]]*[1-9]' "$f"; then
			$IP netns exec cor $WG showconf "$name" >/tmp/mine
			$IP netns exec ref $WG showconf ref >/tmp/theirs
		else
			$IP netns exec cor $WG showconf "$name" | grep -v '^ListenPort' >/tmp/mine
			$IP netns exec ref $WG showconf ref | grep -v '^ListenPort' >/tmp/theirs
		fi
		if cmp -s /tmp/mine /tmp/theirs; then
			n=$((n + 1))
		else
			fail "corpus: $name: device differs from wg setconf of nswg strip"
			diff /tmp/mine /tmp/theirs | head -n 6 | sed 's/^/#   /'
			bad=$((bad + 1))
		fi
		$IP netns del ref
		$NSWG down "$name" --netns cor >/dev/null 2>&1 || fail "corpus: $name: down failed"
	done
	[ "$bad" = 0 ] && pass "corpus: all $n configurations come up as wg setconf makes them"
	check "corpus: nothing left" nothing_left
}

test_save() {
	keypair c
	cat >/etc/wireguard/wgs.conf <<EOF
[Interface]
PrivateKey = $a_priv
ListenPort = 51850
Address = 10.9.5.1/24
DNS = 10.9.5.53, example.org
MTU = 1400
SaveConfig = true
PostUp = echo kept # verbatim

[Peer]
PublicKey = $b_pub
AllowedIPs = 10.9.5.2/32
EOF
	check "save: up" $NSWG up wgs --netns sv
	$IP netns exec sv $WG showconf wgs >/tmp/before
	check "save: nswg save" $NSWG save wgs
	check "save: the file is 0600" sh -c "ls -l /etc/wireguard/wgs.conf | grep -q '^-rw-------'"
	check "save: down" $NSWG down wgs
	check "save: up again from the saved file" $NSWG up wgs --netns sv
	$IP netns exec sv $WG showconf wgs >/tmp/after
	check "save: the same device after up, save, down, up" cmp /tmp/before /tmp/after
	$IP netns exec sv $WG set wgs peer "$c_pub" allowed-ips 10.9.6.0/24 endpoint 127.0.0.1:9
	$IP -n sv address add 10.9.5.9/24 dev wgs
	check "save: SaveConfig = true on down" $NSWG down wgs
	check "save: a peer added while up is in the file" grep -qx "PublicKey = $c_pub" /etc/wireguard/wgs.conf
	check "save: an address added while up is in the file" grep -qx "Address = 10.9.5.9/24" /etc/wireguard/wgs.conf
	check "save: DNS, search domains included" sh -c "grep -qx 'DNS = 10.9.5.53' /etc/wireguard/wgs.conf && grep -qx 'DNS = example.org' /etc/wireguard/wgs.conf"
	check "save: MTU, SaveConfig and hooks kept" sh -c "grep -qx 'MTU = 1400' /etc/wireguard/wgs.conf && grep -qx 'SaveConfig = true' /etc/wireguard/wgs.conf && grep -qx 'PostUp = echo kept # verbatim' /etc/wireguard/wgs.conf"
	check "save: and the saved file comes up" $NSWG up wgs --netns sv
	check "save: with the added peer" sh -c "$IP netns exec sv $WG show wgs peers | grep -qx '$c_pub'"
	sed -i 's/^SaveConfig = true$/SaveConfig = false/' /etc/wireguard/wgs.conf
	$NSWG down wgs >/dev/null 2>&1
	check "save: nothing left" nothing_left
}

test_concurrent() {
	i=0
	while [ $i -lt 10 ]; do
		keypair c
		cat >/etc/wireguard/con$i.conf <<EOF
[Interface]
PrivateKey = $c_priv
ListenPort = $((52000 + i))
Address = 10.20.$i.1/24
[Peer]
PublicKey = $a_pub
AllowedIPs = 10.21.$i.0/24, 0.0.0.0/0
Endpoint = 127.0.0.1:$((52100 + i))
EOF
		i=$((i + 1))
	done
	pids=
	for i in 0 1 2 3 4 5 6 7 8 9; do
		$NSWG up con$i --netns con$i >/dev/null 2>&1 &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do wait $p && ok=$((ok + 1)); done
	check "concurrency: ten interfaces in ten namespaces come up together" test $ok = 10
	check "concurrency: each in its namespace" sh -c "[ \$($IP netns list | wc -l) = 10 ]"
	pids=
	for i in 0 1 2 3 4 5 6 7 8 9; do
		$NSWG down con$i >/dev/null 2>&1 &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do wait $p && ok=$((ok + 1)); done
	check "concurrency: and go down together" test $ok = 10
	check "concurrency: nothing left" nothing_left
}

test_scale() {
	if [ -f /tests/big/peers1000.conf ]; then
		cp /tests/big/peers1000.conf /etc/wireguard/
		check "scale: 1,000 peers come up" $NSWG up peers1000 --netns big
		check "scale: the device has 1,000 peers" sh -c "[ \$($IP netns exec big $WG show peers1000 peers | wc -l) = 1000 ]"
		check "scale: and 1,000 routes" sh -c "[ \$($IP -n big route show dev peers1000 | wc -l) = 1000 ]"
		$NSWG down peers1000 >/dev/null 2>&1
	fi
	if [ -f /tests/big/peers10k.conf ]; then
		cp /tests/big/peers10k.conf /etc/wireguard/
		check "scale: 10,000 peers come up" $NSWG up peers10k --netns big
		check "scale: the device has 10,000 peers" sh -c "[ \$($IP netns exec big $WG show peers10k peers | wc -l) = 10000 ]"
		check "scale: and 10,000 routes" sh -c "[ \$($IP -n big route show dev peers10k | wc -l) = 10000 ]"
		$NSWG down peers10k >/dev/null 2>&1
	fi
	if [ -f /tests/big/aips100k.conf ]; then
		cp /tests/big/aips100k.conf /etc/wireguard/
		check "scale: one peer with 100,000 allowed IPs comes up" $NSWG up aips100k --netns big
		check "scale: the device holds 100,000 allowed IPs" \
			sh -c "[ \$($IP netns exec big $WG show aips100k allowed-ips | wc -w) = 100001 ]"
		$NSWG down aips100k >/dev/null 2>&1
	fi
	check "scale: nothing left" nothing_left
}

tests=${*:-tunnel fallback existing_netns failures save corpus concurrent scale}
for t in $tests; do
	echo "# $t"
	"test_$t"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
