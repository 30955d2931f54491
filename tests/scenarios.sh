#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The end-to-end scenarios, in POSIX sh. They run in two places:
#  - inside the VM (busybox sh), on a kernel with WireGuard: the VM's own
#    namespace is the host (tests/vm/run.sh);
#  - on this machine with wireguard-go, inside a sandbox of their own
#    (tests/e2e/run.sh, USERSPACE=1): the sandbox's namespace is the host.
# iproute2's ip is called by its full path: busybox's shell would prefer its
# own applet. Usage: scenarios.sh [TEST...]
# shellcheck disable=SC2154 # a_priv, b_pub and the like: keypair() assigns them through eval.
IP=${IP:-/usr/bin/ip}
WG=${WG:-/usr/bin/wg}
SS=${SS:-/usr/bin/ss}
NSWG=${NSWG:-/usr/bin/nswg}
FAULT_NSWG=${FAULT_NSWG:-/usr/bin/nswg-fault} # the fault-injection build
MEASURE=${MEASURE:-/usr/bin/measure}          # wall time and peak RSS of a command
CLOSEDPIPE=${CLOSEDPIPE:-/usr/bin/closedpipe} # runs a command with stderr a pipe nobody reads
TIOCSTI=${TIOCSTI:-/usr/bin/tiocsti}          # pushes a line into its controlling terminal
NLFORGE=${NLFORGE:-/usr/bin/nlforge}          # forges netlink replies to every other socket
FANOUT=${FANOUT:-/usr/bin/fanout}             # many connections at once, and their echo server
DATA=${DATA:-/tests}
USERSPACE=${USERSPACE:-0}
T=${TMPDIR:-/tmp} # scratch files
export T
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() {
	name=$1
	shift
	if "$@" >$T/check.out 2>&1; then pass "$name"; else fail "$name"; sed 's/^/#   /' $T/check.out | head -n 5; fi
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
# The pid of the userspace implementation nswg recorded (0: kernel).
state_pid() { sed -n 's/^userspace_pid=//p' "/run/nswg/$1/$2.state"; }
# Exit status 1, and stderr ($T/err) has the words.
failed_saying() { [ "$1" = 1 ] && grep -q "$2" $T/err; }
# Each pid given, none alive.
all_gone() {
	for p in "$@"; do
		[ -n "$p" ] && ! proc_alive "$p" || return 1
	done
}
# A pid given, in a session other than this shell's.
own_session() { [ -n "$1" ] && [ "$(awk '{print $6}' "/proc/$1/stat")" != "$(awk '{print $6}' /proc/$$/stat)" ]; }
# Alive: not gone, and not a zombie.
# Whether the process at /proc/PID is named PREFIX...: read by the shell
# itself, so that a scan of /proc starts a process only for the candidates
# (under emulation a process per entry cost the fault tiers minutes).
comm_is() { # /proc/PID PREFIX
	comm=
	read -r comm 2>/dev/null <"$1/comm"
	case $comm in "$2"*) return 0 ;; esac
	return 1
}
proc_alive() { [ "$1" != 0 ] && [ -e "/proc/$1/stat" ] && ! awk '{exit $3 != "Z"}' "/proc/$1/stat"; }
# Any live userspace implementation, of any interface, started here: in the
# mount namespace this script runs in (another sandbox's are not ours to
# count; the network namespace would miss one started in a --via's).
any_impl_alive() {
	here=$(readlink /proc/$$/ns/mnt)
	for d in /proc/[0-9]*; do
		comm_is "$d" wireguard-go || continue
		case "$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" in
		"wireguard-go "*) [ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$here" ] && proc_alive "${d#/proc/}" && return 0 ;;
		esac
	done
	return 1
}
# What every test ends with: no namespace, record (locks aside), DNS file,
# socket or live implementation, and the host as the script found it.
nothing_left() {
	[ -z "$($IP netns list)" ] &&
		[ -z "$(find /run/nswg -mindepth 2 ! -name lock ! -path '/run/nswg/.host/*' 2>/dev/null)" ] &&
		[ -z "$(ls -A /etc/netns 2>/dev/null)" ] && [ -z "$(ls -A /var/run/wireguard 2>/dev/null)" ] &&
		! any_impl_alive && host_dump | cmp -s $T/host.base -
}

mkdir -p /etc/wireguard /etc/netns
chmod 0700 /etc/wireguard
umask 077
host_dump >$T/host.base

key_hex() { # KEY: its 32 bytes in hex, as UAPI writes keys
	printf %s "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'
}

keypair() { # NAME: sets NAME_priv and NAME_pub
	# shellcheck disable=SC2034 # read by the eval below
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
PostUp = touch $T/hook-ran

[Peer]
PublicKey = $a_pub
AllowedIPs = 0.0.0.0/0
Endpoint = 127.0.0.1:$2
EOF
}

traffic_crosses() { # NS_CLIENT SERVER_IP NS_SERVER
	$IP netns exec "$1" ping -c 2 -W 3 "$2" >/dev/null || return 1
	dd if=/dev/urandom of=$T/send bs=1024 count=512 2>/dev/null
	rm -f $T/recv $T/hold
	# The listener's stdin stays open: busybox nc stops at its end of file.
	mkfifo $T/hold
	# Bounded: busybox nc -l has no timeout of its own.
	timeout 30 $IP netns exec "$3" nc -l -p 8080 <$T/hold >$T/recv &
	srv=$!
	exec 3>$T/hold
	i=0
	until $IP netns exec "$3" $SS -Htln | grep -q ':8080 '; do
		i=$((i + 1))
		[ $i -lt 200 ] || break
		sleep 0.05
	done
	timeout 30 $IP netns exec "$1" nc -w 3 "$2" 8080 <$T/send
	exec 3>&-
	wait $srv
	[ "$(md5sum <$T/send)" = "$(md5sum <$T/recv)" ]
}

# ip monitor in the background, writing to $T/monitor, its pid in $mon;
# only once it has shown a canary of the test's own on the host do we go on:
# a monitor that never subscribed would show nothing, and pass.
monitor_start() { # ip monitor's objects
	$IP -o monitor "$@" >$T/monitor 2>&1 &
	mon=$!
	canary_seen canary1
}
canary_seen() { # NAME: makes and removes a host link (or a lo address) NAME stands for, until the monitor shows it
	i=0
	while [ $i -lt 100 ]; do
		if [ "$USERSPACE" = 1 ]; then
			$IP address add 127.0.0.77/32 dev lo label lo:$1 && $IP address del 127.0.0.77/32 dev lo
		else
			$IP link add $1 type wireguard && $IP link del $1
		fi
		grep -q "$1" $T/monitor && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

handshake_seen() { # NS IFACE
	t=$($IP netns exec "$1" $WG show "$2" latest-handshakes | awk '{print $2}')
	[ -n "$t" ] && [ "$t" != 0 ]
}

test_tunnel() {
	write_pair "" 51820 51821
	mkdir -p /etc/netns/nsb
	echo "nameserver 192.0.2.53" >/etc/netns/nsb/resolv.conf
	host_dump >$T/h0
	# A userspace implementation's TUN is born on the host and moved at once:
	# there, no address or route of it may ever show.
	if [ "$USERSPACE" = 1 ]; then
		monitor_start address route
	else
		monitor_start link
	fi
	check "monitor: it shows a canary of the test's own on the host" grep -q canary1 $T/monitor
	# Under the umask most shells have, from a file others may read: what nswg writes is 0600 all the same.
	chmod 0644 /etc/wireguard/wga.conf
	check "up: nswg up wga --netns nsa (umask 022, a 0644 file)" sh -c "umask 022; exec $NSWG up wga --netns nsa 2>/dev/null"
	$NSWG up /etc/wireguard/wgb.conf --netns nsb 2>$T/upb.err
	check "up: nswg up wgb.conf --netns nsb" test $? = 0
	check "up: a hook is reported" grep -q "PostUp is not run: nswg never runs commands on the host" $T/upb.err
	check "up: and not run" test ! -e $T/hook-ran
	host_dump >$T/h1
	check "host: links, addresses, routes and rules identical after up" cmp $T/h0 $T/h1
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
	check "state: recorded under /run/nswg" test -f /run/nswg/nsa/wga.state
	check "state: holds no key" sh -c "! grep -q '$a_priv' /run/nswg/nsa/wga.state"
	a_hex=$(key_hex "$a_priv")
	b_hex=$(key_hex "$b_priv")
	check "keys: the state is 0600, the DNS files 0644 (ip netns exec must let users read them)" \
		sh -c "ls -l /run/nswg/nsa/wga.state | grep -q '^-rw------- ' && ls -l /etc/netns/nsa/resolv.conf | grep -q '^-rw-r--r-- '"
	check "keys: no private key, in base64 or in hex (as UAPI carries it), in anything nswg wrote under /run/nswg or /etc/netns" \
		sh -c "[ ${#a_hex} = 64 ] && [ ${#b_hex} = 64 ] && ! grep -rqi '$a_priv\|$b_priv\|$a_hex\|$b_hex' /run/nswg /etc/netns"
	check "up again: refused, interface exists" sh -c "! $NSWG up wga --netns nsa"
	check "exec: sees the namespace's resolv.conf" sh -c "$NSWG exec nsa -- cat /etc/resolv.conf | grep -qx 'nameserver 10.9.0.53'"
	check "exec: /sys shows the namespace's links" sh -c "[ \"\$($NSWG exec nsa -- ls /sys/class/net | sort | tr '\n' ' ')\" = 'lo wga ' ]"
	check "exec: traffic crosses from inside" sh -c "$NSWG exec nsb -- ping -c 1 -W 3 10.9.0.1 >/dev/null"
	$NSWG exec nsa -- sh -c 'exit 7'
	check "exec: the exit status is the command's" test $? = 7
	$NSWG exec nsa -- /nonexistent/cmd 2>/dev/null
	check "exec: a missing command exits 127" test $? = 127
	check "exec --user: runs as that user" sh -c "[ \"\$($NSWG exec nsa --user nobody -- id -u)\" = 65534 ]"
	check "exec --user: with that user's groups only" sh -c "[ \"\$($NSWG exec nsa --user nobody -- id -G)\" = 65534 ]"
	check "exec --user: and the namespace's DNS" \
		sh -c "$NSWG exec nsa --user nobody -- cat /etc/resolv.conf | grep -qx 'nameserver 10.9.0.53'"
	check "exec: the host's /etc is untouched" sh -c "[ -f /etc/resolv.conf ] && ! grep -q 10.9.0.53 /etc/resolv.conf"
	pida=$(state_pid nsa wga)
	pidb=$(state_pid nsb wgb)
	if [ "$USERSPACE" = 1 ]; then
		check "userspace: the implementation runs in a session of its own" own_session "$pida"
		check "userspace: wg reaches it from inside the namespace" sh -c "$IP netns exec nsa $WG show wga | grep -q 'listening port: 51820'"
	fi
	check "down: nswg down wga finds its namespace" $NSWG down wga
	check "down: nswg down wgb --netns nsb" $NSWG down wgb --netns nsb
	check "monitor: still listening after down (a second canary)" canary_seen canary2
	kill $mon
	host_dump >$T/h2
	check "host: identical after down" cmp $T/h0 $T/h2
	if [ "$USERSPACE" = 1 ]; then
		check "monitor: no address or route of the interfaces ever appeared in the host namespace" \
			sh -c "! grep -q 'wga\|wgb' $T/monitor"
		check "userspace: the implementations exited on down" all_gone "$pida" "$pidb"
		check "userspace: their sockets are gone" test ! -e /var/run/wireguard/wga.sock -a ! -e /var/run/wireguard/wgb.sock
	else
		check "monitor: the interfaces never appeared in the host namespace" sh -c "! grep -q 'wga\|wgb' $T/monitor"
	fi
	check "down: the namespaces nswg made are gone" sh -c "[ -z \"\$($IP netns list)\" ]"
	check "down: the DNS files nswg wrote are gone" test ! -e /etc/netns/nsa
	check "down: a resolv.conf that was there is back" grep -qx "nameserver 192.0.2.53" /etc/netns/nsb/resolv.conf
	check "down: no state left" test ! -e /run/nswg/nsa/wga.state
	check "down: again, a clear error" sh -c "$NSWG down wga 2>&1 | grep -q 'not a WireGuard interface'"
	rm -rf /etc/netns/nsb
}

test_fallback() {
	write_pair 2 51830 51831
	host_dump >$T/h0
	monitor_start link
	env NSWG_CREATE_THEN_MOVE=1 $NSWG up wga2 --netns fa 2>$T/err
	check "fallback: create in host then move (a)" test $? = 0
	check "fallback: the link was made on the host and moved" \
		sh -c "grep -qx '\[#\] ip link add wga2 type wireguard' $T/err && grep -qx '\[#\] ip link set wga2 netns fa' $T/err"
	canary_seen canary3
	kill $mon
	check "fallback: the host saw it for that moment" grep -q ": wga2: " $T/monitor
	check "fallback: create in host then move (b)" env NSWG_CREATE_THEN_MOVE=1 $NSWG up wgb2 --netns fb
	check "fallback: traffic crosses" traffic_crosses fb 10.9.0.1 fa
	check "fallback: sockets in the host" sh -c "$SS -Huln | grep -q ':51830 '"
	host_dump >$T/h1
	check "fallback: host identical after up" cmp $T/h0 $T/h1
	$NSWG down wga2 && $NSWG down wgb2
	check "fallback: nothing left" nothing_left
}

test_userspace() {
	write_pair 4 51860 51861
	host_dump >$T/h0
	NSWG_USERSPACE_IMPLEMENTATION=/nonexistent/wg-impl $NSWG up wga4 --netns u1 2>$T/err
	check "userspace: an implementation that cannot be run fails up" test $? = 1
	check "userspace: and says why" grep -q "unable to run \`/nonexistent/wg-impl': No such file or directory" $T/err
	check "userspace: nothing left" nothing_left
	NSWG_USERSPACE_IMPLEMENTATION=false $NSWG up wga4 --netns u1 2>$T/err
	check "userspace: an implementation that exits at once fails up" failed_saying $? "false exited with status 1 before its socket"
	check "userspace: nothing left after it" nothing_left
	$IP tuntap add dev wga4 mode tun
	$NSWG up wga4 --netns u1 2>$T/err
	check "userspace: a host link of the same name is a clear error" \
		failed_saying $? "\`wga4' exists in the host namespace, where wireguard-go must create its interface first"
	$IP link del wga4
	check "userspace: nothing left after it" nothing_left
	# A live implementation elsewhere holds the host-wide socket path.
	$IP netns add other
	$IP netns exec other env WG_PROCESS_FOREGROUND=1 wireguard-go wga4 >/dev/null 2>&1 &
	other=$!
	i=0
	while [ ! -S /var/run/wireguard/wga4.sock ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	$NSWG up wga4 --netns u1 2>$T/err
	check "userspace: a socket held by a live implementation is a clear error" \
		failed_saying $? "\`/var/run/wireguard/wga4.sock' is held by a running userspace implementation"
	kill $other
	wait $other
	$IP netns del other
	check "userspace: nothing left after it" nothing_left
	# The implementation killed under nswg: down still undoes everything.
	check "userspace: up" $NSWG up wga4 --netns u1
	pid=$(state_pid u1 wga4)
	kill -KILL "$pid"
	i=0
	# Its TUN goes with its last descriptor, a moment after the process.
	while { proc_alive "$pid" || $IP -n u1 link show wga4 >/dev/null 2>&1; } && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	$NSWG down wga4 2>$T/err
	check "userspace: down after the implementation died succeeds" test $? = 0
	check "userspace: and says what it found" grep -q "is gone from namespace" $T/err
	check "userspace: nothing left after it" nothing_left
	host_dump >$T/h1
	check "userspace: host as before" cmp $T/h0 $T/h1
}

test_show() {
	write_pair 5 51870 51871
	$NSWG up wga5 --netns sha 2>/dev/null && $NSWG up wgb5 --netns shb 2>/dev/null
	$IP netns exec shb ping -c 1 -W 3 10.9.0.1 >/dev/null
	$NSWG show >$T/show
	check "show: exits 0 when all is well" test $? = 0
	check "show: both interfaces with their namespaces" \
		sh -c "grep -qx 'namespace: sha' $T/show && grep -qx 'interface: wga5' $T/show && grep -qx 'namespace: shb' $T/show"
	check "show: public key and port, as wg show prints them" \
		sh -c "grep -qx '  public key: $a_pub' $T/show && grep -qx '  listening port: 51870' $T/show"
	check "show: the peer's handshake and transfer" \
		sh -c "grep -q '^  latest handshake: ' $T/show && grep -q '^  transfer: .* received, .* sent' $T/show"
	check "show: the host verdict" grep -qx '  host: interface not in the host namespace; default routes as at up' $T/show
	check "show: never a private key" sh -c "! grep -q '$a_priv\|$b_priv' $T/show"
	if [ "$USERSPACE" = 1 ]; then
		check "show: names the implementation and its pid" \
			grep -q "implementation: wireguard-go (pid $(state_pid shb wgb5))" $T/show
	else
		check "show: names the kernel" grep -qx "  implementation: kernel" $T/show
	fi
	$NSWG show wgb5 >$T/show
	check "show IFACE: that one only" sh -c "grep -qx 'interface: wgb5' $T/show && ! grep -q wga5 $T/show"
	$NSWG show --netns sha >$T/show
	check "show --netns: that namespace only" sh -c "grep -qx 'interface: wga5' $T/show && ! grep -q wgb5 $T/show"
	$NSWG show --json >$T/show.json
	check "show --json: one object per interface" sh -c "[ \$(grep -o '\"interface\":' $T/show.json | wc -l) = 2 ]"
	check "show --json: the handshake as a timestamp" grep -q '"latest_handshake":[1-9]' $T/show.json
	check "show --json: the host verdict" \
		grep -q '"host":{"interface_absent":true,"default_routes_unchanged":true}' $T/show.json
	check "show --json: never a private key" sh -c "! grep -q '$a_priv\|$b_priv' $T/show.json"
	$NSWG show wgx 2>$T/err
	check "show: an interface nswg does not manage is an error" test $? = 1
	check "show: and says so" grep -q "wgx' is not an interface nswg manages" $T/err
	$NSWG down wga5 2>/dev/null
	$NSWG down wgb5 2>/dev/null
	check "show: nothing after down" sh -c "[ -z \"\$($NSWG show)\" ]"
}

handshake_of() { # NS IFACE PEER
	$IP netns exec "$1" $WG show "$2" latest-handshakes | awk -v k="$3" '$1 == k { print $2 }'
}

test_reload() {
	keypair c
	write_pair 6 51880 51881
	$NSWG up wga6 --netns rla 2>/dev/null && $NSWG up wgb6 --netns rlb 2>/dev/null
	$IP netns exec rlb ping -c 1 -W 3 10.9.0.1 >/dev/null
	hs=$(handshake_of rlb wgb6 "$a_pub")
	ns_dump rlb >$T/n0
	showconf rlb wgb6 >$T/c0
	sleep 1.2
	cp /etc/wireguard/wgb6.conf $T/wgb6.orig
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.7.0/24\nEndpoint = 127.0.0.1:9\n' "$c_pub" \
		>>/etc/wireguard/wgb6.conf
	sed -i 's|^Address = 10.9.0.2/24$|Address = 10.9.0.2/24, 10.9.0.22/24|; s|^DNS = 10.9.0.54$|DNS = 10.9.0.55|; s|^\[Interface\]$|&\nMTU = 1300|' \
		/etc/wireguard/wgb6.conf
	# A ping every 10 ms across the reload: none may be lost.
	$IP netns exec rlb ping -q -i 0.01 -c 300 -W 3 10.9.0.1 >$T/ping 2>&1 &
	pinger=$!
	sleep 0.5
	check "reload: adds a peer, an address and DNS, and changes the MTU" $NSWG reload wgb6
	wait $pinger
	check "reload: no packet lost across it ($(grep -o '[0-9]* packets received' $T/ping) of 300)" \
		grep -q '300 packets transmitted, 300 packets received' $T/ping
	check "reload: the new MTU" sh -c "$IP -n rlb link show wgb6 | grep -q ' mtu 1300 '"
	check "reload: the new peer is on the device" sh -c "$IP netns exec rlb $WG show wgb6 peers | grep -qx '$c_pub'"
	check "reload: with its route" sh -c "$IP -n rlb route show | grep -q '^10.9.7.0/24 dev wgb6'"
	check "reload: the new address" sh -c "$IP -n rlb address show dev wgb6 | grep -q 'inet 10.9.0.22/24'"
	check "reload: the new DNS" grep -qx 'nameserver 10.9.0.55' /etc/netns/rlb/resolv.conf
	check "reload: the unchanged peer kept its session (same handshake)" \
		test "$(handshake_of rlb wgb6 "$a_pub")" = "$hs" -a "$hs" != 0
	check "reload: and traffic still crosses" sh -c "$IP netns exec rlb ping -c 1 -W 3 10.9.0.1 >/dev/null"
	cp $T/wgb6.orig /etc/wireguard/wgb6.conf
	check "reload: back to the first file" $NSWG reload wgb6
	check "reload: the peer is gone" sh -c "! $IP netns exec rlb $WG show wgb6 peers | grep -q '$c_pub'"
	check "reload: its route is gone" sh -c "! $IP -n rlb route show | grep -q '10.9.7.0/24'"
	ns_dump rlb >$T/n1
	showconf rlb wgb6 >$T/c1
	check "reload: the namespace is as after up" cmp $T/n0 $T/n1
	check "reload: the device is as after up" cmp $T/c0 $T/c1
	check "reload: the DNS is as after up" grep -qx 'nameserver 10.9.0.54' /etc/netns/rlb/resolv.conf
	# Real changes first (a peer, an address, its route, DNS), the error last.
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.7.0/24\n' "$c_pub" >>/etc/wireguard/wgb6.conf
	sed -i 's|^Address = 10.9.0.2/24$|Address = 10.9.0.2/24, 10.9.0.22/24|; s|^DNS = 10.9.0.54$|DNS = 10.9.0.55|' \
		/etc/wireguard/wgb6.conf
	echo "AllowedIPs = 10.9.8.0/33" >>/etc/wireguard/wgb6.conf
	$NSWG reload wgb6 2>$T/err
	check "reload: a file with an error after real changes fails" test $? = 1
	check "reload: and names the line" grep -q "wgb6.conf:[0-9]*: " $T/err
	ns_dump rlb >$T/n1
	showconf rlb wgb6 >$T/c1
	check "reload: and changes nothing (peers, addresses, routes, DNS)" \
		sh -c "cmp -s $T/n0 $T/n1 && cmp -s $T/c0 $T/c1 && grep -qx 'nameserver 10.9.0.54' /etc/netns/rlb/resolv.conf"
	cp $T/wgb6.orig /etc/wireguard/wgb6.conf
	$NSWG down wga6 2>/dev/null
	$NSWG down wgb6 2>/dev/null
	check "reload: nothing left" nothing_left
}

# With the fault-injection build: every request that up and down make, made
# to fail in turn, and a signal before each; after each, everything is as it
# was before, and the message names the step.
requests_of() { # FILE: the requests and journal writes one run made, from its NSWG_STATS line
	sed -n 's/.*netlink_requests=\([0-9]*\).* uapi_requests=\([0-9]*\).* journal_writes=\([0-9]*\).*/\1 \2 \3/p' "$1" |
		awk '{ print $1 + $2 + $3 }'
}

# The files nswg may write, by name and content.
files_dump() {
	find /etc/netns /run/nswg -type f ! -name lock ! -path '/run/nswg/.host/*' 2>/dev/null | sort | while read -r f; do echo "$f $(md5sum <"$f")"; done
	ls /var/run/wireguard 2>/dev/null
}

# The live processes (zombies do not count) of an implementation serving
# IFACE, from /proc: the VM's busybox has no pgrep.
impl_pids() { # IFACE
	here=$(readlink /proc/$$/ns/mnt)
	for d in /proc/[0-9]*; do
		comm_is "$d" wireguard-go && [ "$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" = "wireguard-go $1 " ] &&
			[ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$here" ] && proc_alive "${d#/proc/}" && echo "${d#/proc/}"
	done
}
impl_alive() { [ -n "$(impl_pids "$1")" ]; }
# The live relays of namespace NS started here (their main thread stays in the host's namespace).
relay_pids() { # NS
	here=$(readlink /proc/$$/ns/net)
	for d in /proc/[0-9]*; do
		# Started by up through /proc/self/exe, a relay is named "exe"; by hand, "nswg".
		comm_is "$d" exe || comm_is "$d" nswg || continue
		case "$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" in
		"nswg relay $1 "*) [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$here" ] && proc_alive "${d#/proc/}" && echo "${d#/proc/}" ;;
		esac
	done
}
# What up's relay listens on in the faults (FAULT_UP_ARGS).
FAULT_UP_ARGS=
relay_listening() { [ -n "$FAULT_UP_ARGS" ] && $SS -Hltn | awk '{print $4}' | grep -q ':1818[01]$'; }

# One up of wgf8 in NS, with MODE at step N: errno (the step fails), a signal
# caught (15 2 3, and 13 with stderr a closed pipe) or 9 (then nswg down).
# Sets rc and why (empty when all is as before).
fault_one() { # MODE N NS
	why=
	case $1 in
	errno) NSWG_FAULT=$2:5 $FAULT_NSWG up wgf8 --netns $3 $FAULT_UP_ARGS >/dev/null 2>$T/err ;;
	13) NSWG_FAULT_SIGNAL=$2:13 $CLOSEDPIPE $FAULT_NSWG up wgf8 --netns $3 $FAULT_UP_ARGS >/dev/null ;;
	*) NSWG_FAULT_SIGNAL=$2:$1 $FAULT_NSWG up wgf8 --netns $3 $FAULT_UP_ARGS >/dev/null 2>$T/err ;;
	esac
	rc=$?
	if [ $1 = 9 ]; then
		[ $rc = 137 ] || why="exit status $rc, not killed"
		recorded=$(ls /run/nswg/*/wgf8.state 2>/dev/null)
		# The journal names every implementation that runs (one still at its gate runs nothing).
		for p in $(impl_pids wgf8); do
			grep -qx "userspace_pid=$p" $recorded /dev/null || why="$why; a running implementation the journal does not name"
		done
		for p in $(relay_pids $3); do
			grep -qx "relay_pid=$p" $recorded /dev/null || why="$why; a running relay the journal does not name"
		done
		$NSWG down wgf8 --netns $3 >$T/err 2>&1
		drc=$?
		[ -z "$recorded" ] || [ $drc = 0 ] || why="$why; down after the kill: exit status $drc"
	elif [ $rc = 0 ] && [ $1 = errno ] && grep -q 'creating it \(on the host\|in namespace .*\) and moving it' $T/err; then
		# The kernel "refused" the link in the namespace: the fallback made it whole.
		[ -f /run/nswg/$3/wgf8.state ] && $IP netns exec $3 $WG show wgf8 >/dev/null 2>&1 ||
			why="the fallback left it half-made"
		$FAULT_NSWG down wgf8 --netns $3 >/dev/null 2>&1
	elif [ $rc != 1 ]; then
		why="exit status $rc"
	elif [ $1 = errno ]; then
		grep -q '^nswg: .*Input/output error' $T/err || why="no message naming the step"
	elif [ $1 != 13 ]; then
		grep -q "^nswg: interrupted by signal $1, rolling back" $T/err || why="no word of the signal"
	fi
	host_dump >$T/f1
	cmp -s $T/f0 $T/f1 || why="$why; the host changed"
	if [ -e $T/fn0 ]; then
		ns_dump $3 >$T/fn1
		cmp -s $T/fn0 $T/fn1 || why="$why; the namespace changed"
	fi
	if [ -e $T/fv0 ]; then
		ns_dump $FAULT_VIA_NS >$T/fv1
		cmp -s $T/fv0 $T/fv1 || why="$why; the via's namespace changed"
	fi
	files_dump >$T/ff1
	cmp -s $T/ff0 $T/ff1 || why="$why; files left or changed: $(diff $T/ff0 $T/ff1 | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
	[ -e $T/fn0 ] || [ ! -e /run/netns/$3 ] || why="$why; the namespace is left"
	impl_alive wgf8 && why="$why; a process is left"
	[ -z "$(relay_pids $3)" ] || why="$why; a relay is left"
	relay_listening && why="$why; something listens where the relay did"
}

# The modes of fault_one, each before every step. The VM leaves SIGINT,
# SIGQUIT and SIGPIPE out: they take SIGTERM's path (SIGPIPE's closed stderr
# the same writes), which does not depend on the kernel; here all run.
FAULT_MODES=${FAULT_MODES:-errno 15 2 3 13 9}
fault_modes_said() {
	for m in $FAULT_MODES; do
		case $m in
		errno) printf 'an error' ;;
		9) printf ', SIGKILL then down' ;;
		13) printf ', SIGPIPE with stderr closed' ;;
		*) printf ', signal %s rolled back' "$m" ;;
		esac
	done
}

faults_up() { # LABEL NS: each step of up failed in turn, then signalled before each, then killed before each
	label=$1
	ns=$2
	host_dump >$T/f0
	files_dump >$T/ff0
	NSWG_STATS=1 $FAULT_NSWG up wgf8 --netns $ns $FAULT_UP_ARGS >/dev/null 2>$T/stats || { fail "faults: $label: up without a fault"; return; }
	$FAULT_NSWG down wgf8 --netns $ns >/dev/null 2>&1
	[ -e /run/netns/$ns ] && ns_dump $ns >$T/fn0
	total=$(requests_of $T/stats)
	[ "${total:-0}" -gt 0 ] || { fail "faults: $label: no request counted"; return; }
	bad=0
	n=1
	while [ $n -le "$total" ]; do
		for mode in $FAULT_MODES; do
			fault_one $mode $n $ns
			if [ -n "$why" ]; then
				bad=$((bad + 1))
				echo "#   $label: $mode at step $n: $why"
				sed 's/^/#     /' $T/err | tail -n 3
				$FAULT_NSWG down wgf8 --netns $ns >/dev/null 2>&1
			fi
		done
		n=$((n + 1))
	done
	check "faults: $label: each of up's $total steps failed, and before each: $(fault_modes_said): all as before" test $bad = 0
}

test_faults() {
	[ -x "${FAULT_NSWG:-}" ] || { fail "faults: no fault-injection build (FAULT_NSWG)"; return; }
	write_pair 8 51890 51891
	sed 's/wga8/wgf8/' /etc/wireguard/wga8.conf >/etc/wireguard/wgf8.conf
	rm -f $T/fn0
	# With a relay: its sockets, its start and its record are steps too.
	FAULT_UP_ARGS="--publish 18180:80 --socks 18181"
	faults_up "a namespace nswg makes" flt
	FAULT_UP_ARGS=
	total_made=$total
	# The namespace deleted by someone else in the middle of up, before each request.
	bad=0
	n=1
	while [ $n -le "$total_made" ]; do
		NSWG_FAULT_RUN=$n:0 NSWG_FAULT_CMD="$IP netns delete flt" $FAULT_NSWG up wgf8 --netns flt >/dev/null 2>$T/err
		rc=$?
		if [ $rc = 0 ]; then
			# Deleted before nswg looked for it: it made a new one, and that one is whole.
			[ -f /run/nswg/flt/wgf8.state ] && [ -e /run/netns/flt ] || { bad=$((bad + 1)); echo "#   deleted at $n: exit 0, not whole"; }
			$FAULT_NSWG down wgf8 --netns flt >/dev/null 2>&1
		elif ! grep -q "namespace \`flt' was removed or replaced during up, rolling back\|^nswg: unable to [a-z]" $T/err; then
			bad=$((bad + 1))
			echo "#   deleted at $n: exit $rc without a word"
		fi
		host_dump >$T/f1
		cmp -s $T/f0 $T/f1 || { bad=$((bad + 1)); echo "#   deleted at $n: the host changed"; }
		nothing_left || { bad=$((bad + 1)); echo "#   deleted at $n: something left"; sed 's/^/#     /' $T/err | tail -n 3; }
		$IP netns del flt 2>/dev/null
		n=$((n + 1))
	done
	check "faults: the namespace deleted by someone else before each of up's requests: rolled back or whole" test $bad = 0
	$IP netns add fltkeep
	$IP -n fltkeep link set lo up
	$IP -n fltkeep address add 10.77.0.1/32 dev lo
	mkdir -p /etc/netns/fltkeep
	echo "nameserver 192.0.2.77" >/etc/netns/fltkeep/resolv.conf
	faults_up "an existing namespace with its own resolv.conf" fltkeep
	rm -rf /etc/netns/fltkeep
	rm -f $T/fn0
	$IP netns del fltkeep

	# down: a fault either stops it before anything changed, or it completes.
	$FAULT_NSWG up wgf8 --netns flt >/dev/null 2>&1
	NSWG_STATS=1 $FAULT_NSWG down wgf8 >/dev/null 2>$T/stats
	total=$(requests_of $T/stats)
	bad=0
	n=1
	while [ $n -le "$total" ]; do
		$FAULT_NSWG up wgf8 --netns flt >/dev/null 2>&1 || { bad=$((bad + 1)); break; }
		ns_dump flt >$T/d0
		NSWG_FAULT=$n:5 $FAULT_NSWG down wgf8 >/dev/null 2>$T/err
		rc=$?
		if [ $rc = 0 ]; then
			nothing_left || { bad=$((bad + 1)); echo "#   down, fault at $n: exit 0 but something left"; }
		else
			ns_dump flt >$T/d1
			if ! cmp -s $T/d0 $T/d1 || [ ! -f /run/nswg/flt/wgf8.state ] || ! grep -q '^nswg: .*Input/output error' $T/err; then
				bad=$((bad + 1))
				echo "#   down, fault at $n: exit $rc, but not as before"
				sed 's/^/#     /' $T/err | tail -n 3
			fi
			$FAULT_NSWG down wgf8 >/dev/null 2>&1
		fi
		n=$((n + 1))
	done
	check "faults: each of down's $total requests failed: down stops with nothing changed, or completes" test $bad = 0
	check "faults: nothing left" nothing_left
}

test_existing_netns() {
	$IP netns add keep
	$IP -n keep link set lo up
	$IP -n keep address add 10.77.0.1/32 dev lo
	write_pair 3 51840 51841
	ns_dump keep >$T/n0
	check "existing namespace: up" $NSWG up wga3 --netns keep
	check "existing namespace: down" $NSWG down wga3 --netns keep
	ns_dump keep >$T/n1
	check "existing namespace: kept, and as it was (IPv6 settings included)" cmp $T/n0 $T/n1
	check "existing namespace: by path" $NSWG up wga3 --netns /run/netns/keep
	check "existing namespace: by path, down" $NSWG down wga3 --netns /run/netns/keep
	ns_dump keep >$T/n1
	check "existing namespace: by path, as it was" cmp $T/n0 $T/n1
	$IP netns del keep
	check "the host's own namespace is refused (message)" \
		sh -c "$NSWG up wga3 --netns /proc/self/ns/net 2>&1 | grep -q 'never configures the host'"
	check "nothing left after a refusal" nothing_left
}

test_failures() {
	host_dump >$T/h0
	cat >/etc/wireguard/wgf.conf <<EOF
[Interface]
PrivateKey = $a_priv
Address = 10.9.9.1/24, 10.9.9.1/24
DNS = 10.9.9.53
[Peer]
PublicKey = $b_pub
AllowedIPs = 10.9.9.0/24
EOF
	$NSWG up wgf --netns fail1 2>$T/err
	check "failure: the same Address twice fails up" test $? = 1
	check "failure: before anything changed, naming the line, as ip address add would fail" \
		grep -q "^nswg: /etc/wireguard/wgf.conf:3: Address is given twice" $T/err
	host_dump >$T/h1
	check "failure: host as before" cmp $T/h0 $T/h1
	check "failure: no namespace, DNS files or state made" nothing_left
	sed -i 's|^Address = .*|Address = 10.9.9.1/24|; s|^AllowedIPs = .*|AllowedIPs = 10.9.8.0/24|' /etc/wireguard/wgf.conf

	# A route the namespace has already: the kernel refuses the second, up rolls back.
	$IP netns add pre
	$IP -n pre link set lo up
	$IP -n pre route add 10.9.8.0/24 dev lo
	ns_dump pre >$T/n0
	$NSWG up wgf --netns pre 2>$T/err
	check "failure: a route already in the namespace fails up" test $? = 1
	check "failure: the message names the step and the kernel's reason" grep -q "unable to add route 10.9.8.0/24: File exists" $T/err
	ns_dump pre >$T/n1
	check "failure: an existing namespace is left exactly as it was" cmp $T/n0 $T/n1
	check "failure: and kept" test -e /run/netns/pre
	$IP netns del pre
	check "failure: DNS files and state rolled back" nothing_left

	# A name taken inside the namespace: nothing changed.
	$IP netns add taken
	placeholder_link taken wgf
	ns_dump taken >$T/n0
	$NSWG up wgf --netns taken 2>$T/err
	check "failure: a name taken in the namespace is an error" failed_saying $? "^nswg: \`wgf' already exists in namespace \`taken'\$"
	ns_dump taken >$T/n1
	check "failure: and changes nothing" cmp $T/n0 $T/n1
	$IP netns del taken

	# The namespace deleted behind nswg's back (ip netns delete): down undoes the rest.
	write_pair 10 51897 51898
	$NSWG up wga10 --netns gone >/dev/null 2>&1
	$IP netns delete gone
	$NSWG down wga10 2>$T/err
	check "failure: down after ip netns delete succeeds" test $? = 0
	check "failure: and says what it found" grep -q "namespace \`gone' is gone" $T/err
	check "failure: and leaves nothing (DNS files, state, process)" nothing_left
	# A signal in the middle of a long up.
	awk -v pub="$b_pub" -v priv="$a_priv" 'BEGIN {
		print "[Interface]\nPrivateKey = " priv "\nAddress = 10.8.0.1/16\n[Peer]\nPublicKey = " pub
		for (i = 0; i < 20000; i++) printf "AllowedIPs = 10.%d.%d.0/24\n", 100 + int(i / 256), i % 256
	}' >/etc/wireguard/wgsig.conf
	# The fault build raises it before the 60th step: in the middle of the 157 route batches.
	NSWG_FAULT_SIGNAL=60:15 $FAULT_NSWG up wgsig --netns sig 2>$T/err
	check "signal: SIGTERM during up fails it" test $? = 1
	check "signal: it came while the routes were being added" grep -q "route add 10.1[0-9][0-9].[0-9]*.0/24 dev wgsig" $T/err
	check "signal: says so" grep -q "interrupted by signal 15, rolling back" $T/err
	host_dump >$T/h1
	check "signal: host as before" cmp $T/h0 $T/h1
	check "signal: everything rolled back" nothing_left
}

# A link named NAME in namespace NS, of a kind this kernel has.
placeholder_link() {
	if [ "$USERSPACE" = 1 ]; then
		$IP -n "$1" tuntap add dev "$2" mode tun
	else
		$IP -n "$1" link add "$2" type wireguard
	fi
}
# The same on the host.
placeholder_link_host() {
	if [ "$USERSPACE" = 1 ]; then
		$IP tuntap add dev "$1" mode tun
	else
		$IP link add "$1" type wireguard
	fi
}

# wg showconf with the peers in a fixed order: wireguard-go lists them in
# the order of a Go map.
showconf() { # NS IFACE
	if [ "$USERSPACE" = 1 ]; then
		$IP netns exec "$1" $WG showconf "$2" >$T/showconf
		peers_sorted $T/showconf
	else
		$IP netns exec "$1" $WG showconf "$2"
	fi
}
peers_sorted() { # FILE: its [Peer] sections in a fixed order
	awk '/^\[Peer\]/ { exit } { print }' "$1"
	awk '/^\[Peer\]/ { if (n++) print ""; } n && NF { printf "%s\001", $0 } END { if (n) print "" }' "$1" |
		sort | tr '\001' '\n'
}

# The reference device: the kernel's, or wireguard-go's in the namespace.
ref_device() {
	$IP netns add ref
	if [ "$USERSPACE" = 1 ]; then
		$IP netns exec ref env WG_PROCESS_FOREGROUND=1 wireguard-go ref >/dev/null 2>&1 &
		refpid=$!
		i=0
		while [ ! -S /var/run/wireguard/ref.sock ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	else
		$IP -n ref link add ref type wireguard
	fi
}
ref_gone() {
	if [ "$USERSPACE" = 1 ]; then
		kill "$refpid"
		wait "$refpid"
	fi
	$IP netns del ref
}

test_corpus() {
	n=0
	bad=0
	for f in $DATA/corpus/*.conf; do
		name=$(basename "$f" .conf)
		cp "$f" /etc/wireguard/
		if ! $NSWG up "$name" --netns cor >$T/err 2>&1; then
			fail "corpus: $name: nswg up failed: $(grep '^nswg:' $T/err | head -n 1)"
			bad=$((bad + 1))
			continue
		fi
		ref_device
		$NSWG strip "$name" >$T/stripped 2>/dev/null
		$IP netns exec ref $WG setconf ref $T/stripped
		# Without a port, or with 0, a device that is up picks one at random.
		if grep -qiE '^[[:space:]]*listen[[:space:]]*port[[:space:]]*=[[:space:]]*[1-9]' "$f"; then
			showconf cor "$name" >$T/mine
			showconf ref ref >$T/theirs
		else
			showconf cor "$name" | grep -v '^ListenPort' >$T/mine
			showconf ref ref | grep -v '^ListenPort' >$T/theirs
		fi
		if cmp -s $T/mine $T/theirs; then
			n=$((n + 1))
		else
			fail "corpus: $name: device differs from wg setconf of nswg strip"
			diff $T/mine $T/theirs | head -n 6 | sed 's/^/#   /'
			bad=$((bad + 1))
		fi
		ref_gone
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
	showconf sv wgs >$T/before
	chmod 0644 /etc/wireguard/wgs.conf
	check "save: nswg save (umask 022, a 0644 file)" sh -c "umask 022; exec $NSWG save wgs 2>/dev/null"
	check "save: the file is 0600" sh -c "ls -l /etc/wireguard/wgs.conf | grep -q '^-rw-------'"
	check "save: down" $NSWG down wgs
	check "save: up again from the saved file" $NSWG up wgs --netns sv
	showconf sv wgs >$T/after
	check "save: the same device after up, save, down, up" cmp $T/before $T/after
	$IP netns exec sv $WG set wgs peer "$c_pub" allowed-ips 10.9.6.0/24 endpoint 127.0.0.1:9
	$IP -n sv address add 10.9.5.9/24 dev wgs
	# nswg save against wg-quick save of the same running device. wg-quick
	# takes DNS from resolvconf, which a namespace has not, and cuts a hook
	# at its first '#': nswg keeps the file's DNS and the hook verbatim
	# (README). All else must be the same, byte for byte.
	mkdir -p $T/nq $T/wq
	cp /etc/wireguard/wgs.conf $T/nq/wgs.conf
	cp /etc/wireguard/wgs.conf $T/wq/wgs.conf
	$NSWG save $T/nq/wgs.conf 2>/dev/null
	nrc=$?
	$IP netns exec sv wg-quick save $T/wq/wgs.conf 2>/dev/null
	wrc=$?
	peers_sorted $T/nq/wgs.conf | grep -v '^DNS = ' | sed 's/^\(PostUp = echo kept\) # verbatim$/\1/' >$T/nq.sorted
	peers_sorted $T/wq/wgs.conf >$T/wq.sorted
	check "save: what wg-quick save writes for the same device (its DNS aside)" \
		sh -c "[ $nrc = 0 ] && [ $wrc = 0 ] && grep -q '^PublicKey = $c_pub' $T/wq.sorted && cmp $T/nq.sorted $T/wq.sorted"
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

# Sixteen ups of IFACE at once, into NS0..NS15 or all into NS: their
# messages in $T/NS0.err..., how many succeeded in $ok.
ups_at_once() { # IFACE PREFIX [NS]
	pids=
	for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		$NSWG up "$1" --netns "${3:-$2$i}" >$T/$2$i.err 2>&1 &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do wait $p && ok=$((ok + 1)); done
}

test_concurrent() {
	all="0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"
	for i in $all; do
		keypair c
		printf '[Interface]\nPrivateKey = %s\nListenPort = %d\nAddress = 10.20.%d.1/24\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.21.%d.0/24, 0.0.0.0/0\nEndpoint = 127.0.0.1:%d\n' \
			"$c_priv" $((52000 + i)) "$i" "$a_pub" "$i" $((52100 + i)) >/etc/wireguard/con$i.conf
	done
	pids=
	for i in $all; do
		$NSWG up con$i --netns con$i >$T/con$i.err 2>&1 &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do wait $p && ok=$((ok + 1)); done
	check "concurrency: sixteen interfaces in sixteen namespaces come up together" test $ok = 16
	[ $ok = 16 ] || grep -h '^nswg:' $T/con*.err | sed 's/^/#   /' | head -n 5
	check "concurrency: each in its namespace" sh -c "[ \$($IP netns list | wc -l) = 16 ]"
	check "concurrency: nswg show reads all of them" sh -c "[ \$($NSWG show | grep -c '^interface: ') = 16 ]"
	pids=
	for i in $all; do
		$NSWG down con$i >/dev/null 2>&1 &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do wait $p && ok=$((ok + 1)); done
	check "concurrency: and go down together" test $ok = 16
	check "concurrency: nothing left" nothing_left

	# Sixteen ups of the same interface: the lock lets one through.
	ups_at_once con0 same same
	check "concurrency: sixteen ups of one interface: exactly one succeeds" test $ok = 1
	check "concurrency: the others say why" \
		sh -c "[ \$(grep -l \"^nswg: \\\`con0' already exists in namespace \\\`same'\$\" $T/same*.err | wc -l) = 15 ]"
	grep -h "^nswg" $T/same*.err | sort | uniq -c | sed "s/^/#   /"
	check "concurrency: and the one is whole (device, state, show)" \
		sh -c "$IP netns exec same $WG show con0 listen-port | grep -qx 52000 && [ -f /run/nswg/same/con0.state ] && $NSWG show con0 >/dev/null"
	$NSWG down con0 >/dev/null 2>&1
	check "concurrency: nothing left after it" nothing_left

	# Interface names are free: one named like the lock, one like con0's log.
	sed 's|, 0.0.0.0/0||' /etc/wireguard/con1.conf >/etc/wireguard/lock.conf
	sed 's|, 0.0.0.0/0||' /etc/wireguard/con2.conf >/etc/wireguard/con0.log.conf
	check "state: interfaces named lock and con0.log beside con0" sh -c "$NSWG up con0 --netns same && $NSWG up lock --netns same &&
		$NSWG up con0.log --netns same && [ \$($NSWG show | grep -c '^interface: ') = 3 ]" 2>/dev/null
	check "state: a second up of lock is refused" sh -c "$NSWG up lock --netns same 2>&1 | grep -q \"already exists\""
	check "state: and each goes down" sh -c "$NSWG down lock && $NSWG down con0.log && $NSWG down con0" 2>/dev/null
	check "state: nothing left after them" nothing_left
	rm -f /etc/wireguard/lock.conf /etc/wireguard/con0.log.conf

	# down racing up: whichever wins, the end is whole, either up or down.
	bad=0
	for i in 1 2 3 4 5 6; do
		$NSWG up con1 --netns race >/dev/null 2>&1 &
		up=$!
		[ $((i % 2)) = 0 ] && sleep 0.0$i
		$NSWG down con1 --netns race >/dev/null 2>&1
		wait $up
		if [ -f /run/nswg/race/con1.state ]; then
			$IP netns exec race $WG show con1 >/dev/null 2>&1 || bad=$((bad + 1))
			$NSWG down con1 --netns race >/dev/null 2>&1
		fi
		nothing_left || bad=$((bad + 1))
	done
	check "concurrency: down racing up ends whole, up or down, six times" test $bad = 0
}

# What of nswg's a process holds: its descriptors that lead to nswg's files
# (its own log aside) or to a configuration file. (Pipes and sockets it has
# of its own: wireguard-go keeps a pipe.)
inherited_fds() { # PID
	for fd in /proc/"$1"/fd/*; do
		l=$(readlink "$fd" 2>/dev/null) || continue
		case $l in
		/run/nswg/*.log) ;;
		/run/nswg/* | /etc/wireguard/*) echo "${fd##*/} -> $l" ;;
		esac
	done
}

# Up and down, SOAK_CYCLES times (1,000 outside CI): nothing accumulates, and
# nswg's own memory stays flat: the peak RSS of up, the median of the first
# ten cycles against the median of the last ten (one cycle's peak varies by
# up to a tenth from run to run, a median of ten by a few pages; a growth
# with the cycles moves it all the same).
# Descriptors are nswg's own, counted by nswg at its end (NSWG_STATS), and
# the implementation's, which outlives up: the same count in every cycle.
test_soak() {
	cycles=${SOAK_CYCLES:-25}
	write_pair 9 51895 51896
	# /run/netns itself becomes a mount point at the first up, as with ip netns add.
	mounts=$(awk '$5 != "/run/netns"' /proc/self/mountinfo | wc -l)
	rss=
	bad=0
	fds_bad=0
	i=0
	while [ $i -lt "$cycles" ]; do
		if [ -x "${MEASURE:-}" ]; then
			# shellcheck disable=SC2046 # measure prints three words: wall time, peak RSS, status
			set -- $(NSWG_STATS=1 $MEASURE $NSWG up wga9 --netns soak 2>$T/soak.err)
			[ "$3" = 0 ] || bad=$((bad + 1))
			rss="$rss $2"
		else
			NSWG_STATS=1 $NSWG up wga9 --netns soak >/dev/null 2>$T/soak.err || bad=$((bad + 1))
		fi
		grep -q 'open_fds=0$' $T/soak.err || fds_bad=$((fds_bad + 1))
		# The implementation holds none of nswg's: no lock, record or configuration
		# (its own count varies with what the Go runtime has open at that instant).
		if [ "$USERSPACE" = 1 ] && [ -n "$(inherited_fds "$(state_pid soak wga9)")" ]; then
			fds_bad=$((fds_bad + 1))
			inherited_fds "$(state_pid soak wga9)" | sed 's/^/#   inherited: /'
		fi
		NSWG_STATS=1 $NSWG down wga9 >/dev/null 2>$T/soak.err || bad=$((bad + 1))
		grep -q 'open_fds=0$' $T/soak.err || fds_bad=$((fds_bad + 1))
		i=$((i + 1))
	done
	check "soak: $cycles cycles of up and down, every one succeeds" test $bad = 0
	check "soak: no namespace, state, DNS file, socket or process left" nothing_left
	check "soak: no mount left" test "$(awk '$5 != "/run/netns"' /proc/self/mountinfo | wc -l)" = "$mounts"
	what="soak: no descriptor left open by nswg at the end of any up or down"
	[ "$USERSPACE" = 1 ] && what="$what, nor handed to the implementation"
	check "$what" test $fds_bad = 0
	if [ -n "$rss" ]; then
		first=$(echo $rss | tr ' ' '\n' | head -n 10 | sort -n | sed -n 5p)
		last=$(echo $rss | tr ' ' '\n' | tail -n 10 | sort -n | sed -n 5p)
		echo "# soak: peak RSS of up in KiB, cycle by cycle:$rss"
		check "soak: memory flat (the last cycles' peak RSS of up within 10% of the first ones': $first KiB, then $last KiB)" \
			test $((last * 10)) -le $((first * 11))
	fi
}

# The large files are made by the runner: 1,000 peers everywhere, 10,000
# and 100,000 allowed IPs in the VM only (keys are slow to make here); a
# file the tier expects that is missing is a failure, never a skip.
test_scale() {
	check "scale: the 1,000-peer file is there" test -f $DATA/big/peers1000.conf
	# 10,000 peers only when asked (VM_SCALE): the kernel takes three emulated minutes to remove them.
	if [ "$USERSPACE" = 0 ]; then
		check "scale: the 100,000-allowed-IP file is there (VM)" test -f $DATA/big/aips100k.conf
	fi
	if [ -f $DATA/big/peers1000.conf ]; then
		cp $DATA/big/peers1000.conf /etc/wireguard/
		check "scale: 1,000 peers come up" $NSWG up peers1000 --netns big
		check "scale: the device has 1,000 peers" sh -c "[ \$($IP netns exec big $WG show peers1000 peers | wc -l) = 1000 ]"
		check "scale: and 1,000 routes" sh -c "[ \$($IP -n big route show dev peers1000 | wc -l) = 1000 ]"
		$NSWG down peers1000 >/dev/null 2>&1
	fi
	if [ -f $DATA/big/peers10k.conf ]; then
		cp $DATA/big/peers10k.conf /etc/wireguard/
		check "scale: 10,000 peers come up" $NSWG up peers10k --netns big
		check "scale: the device has 10,000 peers" sh -c "[ \$($IP netns exec big $WG show peers10k peers | wc -l) = 10000 ]"
		check "scale: and 10,000 routes" sh -c "[ \$($IP -n big route show dev peers10k | wc -l) = 10000 ]"
		$NSWG down peers10k >/dev/null 2>&1
	fi
	if [ -f $DATA/big/aips100k.conf ]; then
		cp $DATA/big/aips100k.conf /etc/wireguard/
		check "scale: one peer with 100,000 allowed IPs comes up" $NSWG up aips100k --netns big
		check "scale: the device holds 100,000 allowed IPs" \
			sh -c "[ \$($IP netns exec big $WG show aips100k allowed-ips | wc -w) = 100001 ]"
		$NSWG down aips100k >/dev/null 2>&1
	fi
	check "scale: nothing left" nothing_left
}

# A configuration of one interface NAME with its own port and addresses, in
# 10.3N.0.0/16; DNS, if given, names 10.3N.0.53.
write_one() { # NAME N [dns]
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = %d\nAddress = 10.3%d.0.1/24\n' "$a_priv" $((52300 + $2)) "$2"
		[ "${3:-}" = dns ] && printf 'DNS = 10.3%d.0.53\n' "$2"
		printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.3%d.1.0/24\nEndpoint = 127.0.0.1:%d\n' "$b_pub" "$2" $((52400 + $2))
	} >/etc/wireguard/$1.conf
}

lo_is_up() { $IP -n "$1" link show lo | grep -q '[<,]UP[,>]'; }

# Findings of the lifecycle review, each a scenario.
test_lifecycle() {
	write_one lc1 1 dns
	host_dump >$T/h0

	# stderr closed from the start (nswg up ... 2>&1 | head -n 0): up goes on to its end.
	$CLOSEDPIPE $NSWG up lc1 --netns t1 >/dev/null
	check "stderr closed: up is not killed by SIGPIPE and completes" test $? = 0
	check "stderr closed: the interface is whole, in its namespace only" \
		sh -c "$IP -n t1 link show lc1 | grep -q UP && ! $IP link show lc1 && [ -f /run/nswg/t1/lc1.state ]"
	host_dump >$T/h1
	check "stderr closed: host as before" cmp $T/h0 $T/h1
	$CLOSEDPIPE $NSWG down lc1 >/dev/null
	check "stderr closed: down completes too" test $? = 0
	check "stderr closed: nothing left" nothing_left

	# Killed in the middle: show says so, and the next up finishes the undo first.
	NSWG_FAULT_SIGNAL=12:9 $FAULT_NSWG up lc1 --netns kl >/dev/null 2>&1
	check "killed up: its record is left, not complete" sh -c "grep -qx complete=0 /run/nswg/kl/lc1.state"
	$NSWG show lc1 >$T/show 2>&1
	check "killed up: show exits 1" test $? = 1
	check "killed up: and says the up was interrupted" grep -q "its up was interrupted: \`nswg down lc1' finishes the undo" $T/show
	$NSWG up lc1 --netns kl 2>$T/err
	check "killed up: the next up succeeds" test $? = 0
	check "killed up: after finishing the undo" grep -q "an earlier up of \`lc1' was interrupted: finishing its undo first" $T/err
	check "killed up: and is whole" sh -c "grep -qx complete=1 /run/nswg/kl/lc1.state && $IP netns exec kl $WG show lc1 listen-port | grep -qx 52301"
	$NSWG down lc1 >/dev/null 2>&1
	check "killed up: nothing left" nothing_left

	# The host's own namespace, for every command that takes --netns.
	placeholder_link_host lc1
	host_dump >$T/h0
	for cmd in down save reload; do
		$NSWG $cmd lc1 --netns /proc/self/ns/net 2>$T/err
		check "host refused: $cmd --netns /proc/self/ns/net fails" test $? = 1
		check "host refused: $cmd says why" grep -q "is the namespace nswg runs in, the host's: nswg never configures the host" $T/err
	done
	$NSWG exec /proc/self/ns/net -- true 2>$T/err
	check "host refused: exec /proc/self/ns/net fails, and says why" \
		sh -c "[ $? = 1 ] && grep -q 'the host' $T/err"
	host_dump >$T/h1
	check "host refused: the host's own lc1 is still there, the host as before" cmp $T/h0 $T/h1
	$IP link del lc1

	# A recorded path that now leads to another namespace (a reused PID).
	$IP netns add pa
	$IP netns add pb
	: >$T/nspath
	mount -o bind /run/netns/pa $T/nspath
	check "recorded path: up --netns PATH" $NSWG up lc1 --netns $T/nspath
	pid=$(sed -n 's/^userspace_pid=//p' /run/nswg/@*/lc1.state)
	umount $T/nspath
	mount -o bind /run/netns/pb $T/nspath
	placeholder_link pb lc1
	ns_dump pb >$T/n0
	$NSWG down lc1 2>$T/err
	check "recorded path: down of a path that names another namespace now succeeds" test $? = 0
	check "recorded path: and says it leaves that one alone" grep -q "no longer names the namespace \`lc1' was brought up in" $T/err
	ns_dump pb >$T/n1
	check "recorded path: the other namespace is untouched (its own lc1 included)" cmp $T/n0 $T/n1
	check "recorded path: no record left" sh -c "! ls /run/nswg/@*/lc1.state"
	[ "$USERSPACE" = 1 ] && check "recorded path: the implementation was stopped" all_gone "$pid"
	umount $T/nspath
	$IP netns del pa
	$IP netns del pb
	check "recorded path: nothing left" nothing_left

	# The copy of the administrator's resolv.conf cannot be written: up stops, the original untouched.
	$IP netns add bk
	$IP -n bk link set lo up
	mkdir -p /etc/netns/bk /run/nswg/bk/resolv.conf /run/nswg/bk/lc1.resolv.conf
	echo "nameserver 192.0.2.9" >/etc/netns/bk/resolv.conf
	ns_dump bk >$T/n0
	$NSWG up lc1 --netns bk 2>$T/err
	check "backup unwritable: up fails" test $? = 1
	check "backup unwritable: names the step" grep -q "unable to write the namespace's DNS files" $T/err
	check "backup unwritable: the administrator's resolv.conf is untouched" \
		sh -c "[ \"\$(cat /etc/netns/bk/resolv.conf)\" = 'nameserver 192.0.2.9' ] && [ ! -e /etc/netns/bk/nsswitch.conf ]"
	ns_dump bk >$T/n1
	check "backup unwritable: the namespace as before" cmp $T/n0 $T/n1
	check "backup unwritable: no record left" test ! -e /run/nswg/bk/lc1.state -a ! -e /run/nswg/bk/room
	rmdir /run/nswg/bk/resolv.conf /run/nswg/bk/lc1.resolv.conf
	rm -rf /etc/netns/bk
	$IP netns del bk

	# reload: all or nothing.
	write_one lc2 2 dns
	$NSWG up lc2 --netns rl >/dev/null 2>&1
	ns_dump rl >$T/n0
	showconf rl lc2 >$T/c0
	cp /etc/netns/rl/resolv.conf $T/r0
	cp /etc/wireguard/lc2.conf $T/lc2.orig
	keypair c
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.32.7.0/24\n' "$c_pub" >>/etc/wireguard/lc2.conf
	sed -i 's|^Address = .*|Address = 10.32.0.1/24, 10.32.0.9/24, 10.32.0.9/24|' /etc/wireguard/lc2.conf
	$NSWG reload lc2 2>$T/err
	check "reload: the same Address twice fails before any change" test $? = 1
	check "reload: naming the line" grep -q "lc2.conf:4: Address is given twice" $T/err
	ns_dump rl >$T/n1
	showconf rl lc2 >$T/c1
	check "reload: nothing changed" sh -c "cmp -s $T/n0 $T/n1 && cmp -s $T/c0 $T/c1"
	# A real edit, every request of it failed in turn, and a signal before each: put back whole.
	sed -i 's|^Address = .*|Address = 10.32.0.1/24, 10.32.0.9/24|; s|^DNS = .*|DNS = 10.32.0.54|' /etc/wireguard/lc2.conf
	NSWG_STATS=1 $NSWG reload lc2 >/dev/null 2>$T/stats
	cp $T/lc2.orig /etc/wireguard/lc2.conf
	$NSWG reload lc2 >/dev/null 2>&1
	total=$(requests_of $T/stats)
	cp /etc/wireguard/lc2.conf $T/lc2.orig
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.32.7.0/24\n' "$c_pub" >>/etc/wireguard/lc2.conf
	sed -i 's|^Address = .*|Address = 10.32.0.1/24, 10.32.0.9/24|; s|^DNS = .*|DNS = 10.32.0.54|' /etc/wireguard/lc2.conf
	bad=0
	n=1
	while [ $n -le "${total:-0}" ]; do
		for mode in errno 15; do
			if [ $mode = errno ]; then
				NSWG_FAULT=$n:5 $FAULT_NSWG reload lc2 >/dev/null 2>$T/err
			else
				NSWG_FAULT_SIGNAL=$n:15 $FAULT_NSWG reload lc2 >/dev/null 2>$T/err
			fi
			rc=$?
			ns_dump rl >$T/n1
			showconf rl lc2 >$T/c1
			if [ $rc = 0 ] || ! cmp -s $T/n0 $T/n1 || ! cmp -s $T/c0 $T/c1 || ! cmp -s $T/r0 /etc/netns/rl/resolv.conf; then
				bad=$((bad + 1))
				echo "#   reload, $mode at request $n: exit $rc, not as before"
				sed 's/^/#     /' $T/err | tail -n 3
				cp $T/lc2.orig $T/lc2.edit && cp /etc/wireguard/lc2.conf $T/lc2.edit
				cp $T/lc2.orig /etc/wireguard/lc2.conf && $NSWG reload lc2 >/dev/null 2>&1
				cp $T/lc2.edit /etc/wireguard/lc2.conf
			fi
		done
		n=$((n + 1))
	done
	check "reload: each of its ${total:-0} requests failed, and SIGTERM before each: all put back as before" \
		test "${total:-0}" -gt 0 -a $bad = 0
	check "reload: and the same edit then applies" $NSWG reload lc2
	check "reload: with its new peer" sh -c "$IP netns exec rl $WG show lc2 peers | grep -qx '$c_pub'"
	cp $T/lc2.orig /etc/wireguard/lc2.conf
	$NSWG down lc2 >/dev/null 2>&1
	check "reload: nothing left" nothing_left

	# A reload that removes DNS= and is stopped at its very end: the
	# administrator's resolv.conf must still come back with down.
	$IP netns add rd
	mkdir -p /etc/netns/rd
	echo "nameserver 192.0.2.66" >/etc/netns/rd/resolv.conf
	write_one lc4 5 dns
	$NSWG up lc4 --netns rd >/dev/null 2>&1
	sed -i '/^DNS = /d' /etc/wireguard/lc4.conf
	NSWG_STATS=1 $NSWG reload lc4 --dry-run >/dev/null 2>&1
	cp /etc/netns/rd/resolv.conf $T/rd0
	NSWG_STATS=1 $FAULT_NSWG reload lc4 >/dev/null 2>$T/stats
	write_one lc4 5 dns
	$NSWG reload lc4 >/dev/null 2>&1
	sed -i '/^DNS = /d' /etc/wireguard/lc4.conf
	last=$(requests_of $T/stats)
	NSWG_FAULT_SIGNAL=$last:15 $FAULT_NSWG reload lc4 >/dev/null 2>$T/err
	check "reload: removing DNS=, stopped at its last step, fails" failed_saying $? "interrupted by signal 15"
	check "reload: and the namespace keeps the DNS it had" cmp -s $T/rd0 /etc/netns/rd/resolv.conf
	$NSWG down lc4 >/dev/null 2>&1
	check "reload: after which down still puts back the administrator's resolv.conf" \
		grep -qx "nameserver 192.0.2.66" /etc/netns/rd/resolv.conf
	rm -rf /etc/netns/rd
	$IP netns del rd
	check "reload: nothing left (2)" nothing_left

	# Sixteen ups of one interface name into sixteen namespaces at once:
	# exactly one wins (userspace: the TUN and its socket are the host's).
	write_one lc3 3
	ups_at_once lc3 lr
	check "one name, sixteen namespaces: exactly one up succeeds" test $ok = 1
	check "one name, sixteen namespaces: the others say why" \
		sh -c "[ \$(grep -l '^nswg: ' $T/lr*.err | wc -l) = 15 ]"
	grep -h "^nswg" $T/lr*.err | sed 's/([^)]*)//; s/lr[0-9]*/lrN/g' | sort | uniq -c | sed "s/^/#   /"
	check "one name, sixteen namespaces: the others left nothing (one namespace, one record)" \
		sh -c "[ \$($IP netns list | wc -l) = 1 ] && [ \$(ls /run/nswg/*/lc3.state | wc -l) = 1 ]"
	if [ "$USERSPACE" = 1 ]; then
		check "one name, sixteen namespaces: one implementation runs" test "$(impl_pids lc3 | wc -l)" = 1
	fi
	winner=$($IP netns list | awk '{print $1}')
	check "one name, sixteen namespaces: the winner is whole" sh -c "$IP netns exec '$winner' $WG show lc3 listen-port | grep -qx 52303"
	$NSWG down lc3 >/dev/null 2>&1
	check "one name, sixteen namespaces: nothing left" nothing_left
}

# Two and three interfaces in one namespace, brought down in every order:
# what they share goes back with the last one, exactly as it was.
shared_round() { # NS ORDER-UP ORDER-DOWN: sets why
	why=
	for i in $2; do
		$NSWG up sh$i --netns $1 >/dev/null 2>$T/err || why="$why; up sh$i failed: $(grep '^nswg' $T/err | head -n 1)"
	done
	# The DNS is the first with DNS='s, whichever came up first.
	first_dns=$(for i in $2; do [ $i != 3 ] && echo $i && break; done)
	grep -qx "nameserver 10.3$first_dns.0.53" /etc/netns/$1/resolv.conf || why="$why; not the DNS of sh$first_dns"
	left=$(echo $3 | wc -w)
	author=$first_dns
	for i in $3; do
		$NSWG down sh$i >/dev/null 2>$T/err || why="$why; down sh$i failed: $(grep '^nswg' $T/err | head -n 1)"
		left=$((left - 1))
		[ $left = 0 ] && break
		[ -e /run/netns/$1 ] || why="$why; the namespace went with sh$i while $left remain"
		lo_is_up $1 || why="$why; lo went down with sh$i"
		[ "$($IP netns exec $1 cat /proc/sys/net/ipv6/conf/all/disable_ipv6)" = 1 ] || why="$why; IPv6 came back with sh$i"
		# The DNS files are the interface's that wrote them: they go back with it, not before.
		if [ "$i" = "$author" ]; then
			grep -q '^nameserver 10\.3' /etc/netns/$1/resolv.conf 2>/dev/null && why="$why; the DNS of sh$i stayed after its down"
			author=
		elif [ -n "$author" ]; then
			grep -qx "nameserver 10.3$author.0.53" /etc/netns/$1/resolv.conf || why="$why; the DNS of sh$author went with sh$i"
		fi
	done
}

test_shared() {
	write_one sh1 1 dns
	write_one sh2 2 dns
	write_one sh3 3
	bad=0
	n=0
	for set in "1 2|1 2" "1 2|2 1" "1 2 3|1 2 3" "1 2 3|1 3 2" "1 2 3|2 1 3" "1 2 3|2 3 1" "1 2 3|3 1 2" "1 2 3|3 2 1" \
		"3 2 1|1 2 3" "2 3 1|3 1 2"; do
		ups=${set%|*}
		downs=${set#*|}
		# A namespace nswg makes: it goes with the last interface, and only then.
		shared_round shm "$ups" "$downs"
		[ -e /run/netns/shm ] && why="$why; the namespace is left"
		[ -e /etc/netns/shm ] && why="$why; /etc/netns/shm is left"
		[ -n "$why" ] && { bad=$((bad + 1)); echo "#   made, up $ups, down $downs:$why"; }
		# An existing one, with lo down, IPv6 on and the administrator's resolv.conf.
		$IP netns add she
		mkdir -p /etc/netns/she
		echo "nameserver 192.0.2.44" >/etc/netns/she/resolv.conf
		ns_dump she >$T/n0
		files_dump >$T/ff0
		shared_round she "$ups" "$downs"
		# Not undone: the qdisc the kernel attaches to lo at its first up.
		ns_dump she | sed 's/qdisc [a-z_]*//' >$T/n1
		sed 's/qdisc [a-z_]*//' $T/n0 >$T/n0q
		cmp -s $T/n0q $T/n1 || why="$why; the namespace changed: $(diff $T/n0q $T/n1 | grep '^>' | head -n 2 | tr '\n' ' ')"
		lo_is_up she && why="$why; lo left up"
		files_dump >$T/ff1
		cmp -s $T/ff0 $T/ff1 || why="$why; files: $(diff $T/ff0 $T/ff1 | grep '^[<>]' | head -n 2 | tr '\n' ' ')"
		[ -n "$why" ] && { bad=$((bad + 1)); echo "#   existing, up $ups, down $downs:$why"; }
		$IP netns del she
		rm -rf /etc/netns/she
		n=$((n + 2))
	done
	check "shared: $n rounds of two and three interfaces in one namespace, down in every order: the namespace, lo, IPv6 and DNS files as before the first up" test $bad = 0
	check "shared: nothing left" nothing_left
}

# What the README promises that no other scenario holds.
test_promises() {
	write_one pr1 4 dns
	host_dump >$T/h0
	files_dump >$T/ff0

	# --dry-run: the [#] lines, and nothing changed.
	$NSWG up pr1 --netns dr --dry-run 2>$T/err
	check "dry-run: up exits 0" test $? = 0
	check "dry-run: prints the steps" sh -c "grep -qx '\\[#\\] ip netns add dr' $T/err &&
		grep -q '^\\[#\\] ip -n dr -4 address add 10.34.0.1/24 dev pr1\$' $T/err &&
		grep -q '^\\[#\\] ip -n dr -4 route add 10.34.1.0/24 dev pr1\$' $T/err &&
		grep -q '^\\[#\\] write /etc/netns/dr/resolv.conf' $T/err"
	host_dump >$T/h1
	files_dump >$T/ff1
	check "dry-run: changes nothing (host, namespaces, files)" \
		sh -c "cmp -s $T/h0 $T/h1 && cmp -s $T/ff0 $T/ff1 && [ -z \"\$($IP netns list)\" ]"

	# Without --netns: the namespace is named after the interface (what nswg@.service runs).
	check "no --netns: up" $NSWG up pr1
	check "no --netns: the interface is in namespace pr1" $IP -n pr1 link show pr1
	$NSWG down pr1 --dry-run 2>$T/err
	check "dry-run: down prints its steps and changes nothing" \
		sh -c "grep -qx '\\[#\\] ip -n pr1 link delete dev pr1' $T/err && $IP -n pr1 link show pr1 >/dev/null && [ -f /run/nswg/pr1/pr1.state ]"
	check "no --netns: down" $NSWG down pr1
	check "no --netns: nothing left" nothing_left

	# --keep-netns: the namespace nswg made stays, and nothing else.
	$NSWG up pr1 --netns kp >/dev/null 2>&1
	check "keep-netns: down --keep-netns" $NSWG down pr1 --keep-netns
	check "keep-netns: the namespace stays, without the interface" \
		sh -c "[ -e /run/netns/kp ] && ! $IP -n kp link show pr1 2>/dev/null && [ ! -e /run/nswg/kp/pr1.state ] && [ ! -e /etc/netns/kp ]"
	$IP netns del kp

	# --netns /proc/PID/ns/net of a live process.
	$IP netns add pp
	$IP netns exec pp sleep 60 &
	sleeper=$!
	i=0
	until [ "$(readlink /proc/$sleeper/ns/net)" = "$(readlink /run/netns/pp 2>/dev/null || $IP netns exec pp readlink /proc/self/ns/net)" ] || [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	check "a live process's namespace: up --netns /proc/PID/ns/net" $NSWG up pr1 --netns /proc/$sleeper/ns/net
	check "a live process's namespace: the interface is there" $IP -n pp link show pr1
	check "a live process's namespace: down" $NSWG down pr1 --netns /proc/$sleeper/ns/net
	check "a live process's namespace: gone from it" sh -c "! $IP -n pp link show pr1 2>/dev/null"
	kill $sleeper
	wait $sleeper 2>/dev/null
	$IP netns del pp

	# The host guard: the host changes during up (before the last look at it).
	NSWG_STATS=1 $NSWG up pr1 --netns hg >/dev/null 2>$T/stats
	$NSWG down pr1 >/dev/null 2>&1
	total=$(requests_of $T/stats)
	NSWG_FAULT_RUN=$((total - 3)):0 NSWG_FAULT_CMD="$IP route add default dev lo metric 4242" \
		$FAULT_NSWG up pr1 --netns hg 2>$T/err
	check "host guard: a default route added on the host during up fails it" \
		failed_saying $? "the host changed during up, rolling back: the default routes changed"
	$IP route del default dev lo metric 4242
	check "host guard: and everything is rolled back" nothing_left
	if [ "$USERSPACE" = 1 ]; then
		guard="$IP tuntap add dev pr1 mode tun"
	else
		guard="$IP link add pr1 type wireguard"
	fi
	NSWG_FAULT_RUN=$((total - 3)):0 NSWG_FAULT_CMD="$guard" $FAULT_NSWG up pr1 --netns hg 2>$T/err
	check "host guard: a link of its name appearing on the host fails it" \
		failed_saying $? "the host changed during up, rolling back: a link appeared: pr1"
	$IP link del pr1
	check "host guard: and everything is rolled back (2)" nothing_left

	# show's verdict: exit 1 when the host's default routes changed since up.
	$NSWG up pr1 --netns sv1 >/dev/null 2>&1
	$NSWG show pr1 >/dev/null
	check "show: exit 0 while the host is as at up" test $? = 0
	$IP route add default dev lo metric 4243
	$NSWG show pr1 >$T/show
	check "show: exit 1 when its verdict fails" test $? = 1
	check "show: and says why" grep -q "DEFAULT ROUTES CHANGED SINCE UP" $T/show
	$IP route del default dev lo metric 4243
	$NSWG down pr1 >/dev/null 2>&1

	# Routing: Table = N, Table = off, and the longest prefix first.
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = 52310\nAddress = 10.35.0.1/24\nTable = 1234\n' "$a_priv"
		printf '[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0, 10.36.0.0/16, 10.36.1.0/24\n' "$b_pub"
	} >/etc/wireguard/pr2.conf
	$NSWG up pr2 --netns rt 2>$T/err
	check "Table = 1234: the routes are in table 1234" \
		sh -c "[ \"\$($IP -n rt route show table 1234 | sort | tr '\n' '|')\" = '10.36.0.0/16 dev pr2 scope link |10.36.1.0/24 dev pr2 scope link |default dev pr2 scope link |' ]"
	check "Table = 1234: none in the main table but the address's own" \
		sh -c "[ \"\$($IP -n rt route show table main)\" = '10.35.0.0/24 dev pr2 proto kernel scope link src 10.35.0.1 ' ]"
	check "routes: added longest prefix first" \
		sh -c "[ \"\$(sed -n 's/^\\[#\\] .* route add \\([^ ]*\\) dev pr2.*/\\1/p' $T/err | tr '\n' ' ')\" = '10.36.1.0/24 10.36.0.0/16 0.0.0.0/0 ' ]"
	$NSWG down pr2 >/dev/null 2>&1
	sed -i 's/^Table = 1234$/Table = off/' /etc/wireguard/pr2.conf
	$NSWG up pr2 --netns rt >/dev/null 2>&1
	check "Table = off: no route through the interface in any table" \
		sh -c "[ -z \"\$($IP -n rt route show table all dev pr2 | grep -v 'proto kernel\\|table local\\|fe80::\\|ff00::')\" ]"
	$NSWG down pr2 >/dev/null 2>&1

	# MTU: MTU = on the link; without it and without an endpoint, the default route's less 80.
	sed -i 's/^Table = off$/MTU = 1380/' /etc/wireguard/pr2.conf
	$NSWG up pr2 --netns mt >/dev/null 2>&1
	check "MTU = 1380: on the link" sh -c "$IP -n mt link show pr2 | grep -q ' mtu 1380 '"
	$NSWG down pr2 >/dev/null 2>&1
	sed -i '/^MTU = 1380$/d' /etc/wireguard/pr2.conf
	$NSWG up pr2 --netns mt >/dev/null 2>&1
	check "no MTU, no endpoint, no default route on the host: 1500 - 80" sh -c "$IP -n mt link show pr2 | grep -q ' mtu 1420 '"
	$NSWG down pr2 >/dev/null 2>&1
	$IP route add default dev lo metric 4244
	$NSWG up pr2 --netns mt >/dev/null 2>&1
	check "no MTU, no endpoint: the host's default route's (lo, 65536) - 80" sh -c "$IP -n mt link show pr2 | grep -q ' mtu 65456 '"
	$NSWG down pr2 >/dev/null 2>&1
	$IP route del default dev lo metric 4244

	# Endpoint names: resolved on the host, with wg's retries.
	cp /etc/hosts $T/hosts.orig
	cp /etc/resolv.conf $T/resolv.orig
	cp /etc/nsswitch.conf $T/nsswitch.orig
	echo "hosts: files dns" >/etc/nsswitch.conf
	echo "127.0.0.1 peer.nswg.test" >>/etc/hosts
	sed 's/^Endpoint = .*/Endpoint = peer.nswg.test:52404/' /etc/wireguard/pr1.conf >/etc/wireguard/pr3.conf
	check "endpoint name: up resolves it on the host" $NSWG up pr3 --netns en
	check "endpoint name: the device has its address" \
		sh -c "$IP netns exec en $WG show pr3 endpoints | grep -q '	127.0.0.1:52404\$'"
	$NSWG down pr3 >/dev/null 2>&1
	# No server answers: a temporary failure, retried as often as asked.
	echo "nameserver 127.0.0.1" >/etc/resolv.conf
	sed -i 's/^Endpoint = .*/Endpoint = nowhere.nswg.test:52404/' /etc/wireguard/pr3.conf
	WG_ENDPOINT_RESOLUTION_RETRIES=1 $NSWG up pr3 --netns en 2>$T/err
	check "endpoint name: a name that does not resolve fails up, naming the line" \
		failed_saying $? "^nswg: /etc/wireguard/pr3.conf:6: .*\`nowhere.nswg.test:52404'"
	check "endpoint name: after WG_ENDPOINT_RESOLUTION_RETRIES=1 retry" \
		test "$(grep -c "\`nowhere.nswg.test:52404'. Trying again in 1.00 seconds" $T/err)" = 1
	WG_ENDPOINT_RESOLUTION_RETRIES=soon $NSWG up pr3 --netns en 2>$T/err
	check "endpoint name: a bad WG_ENDPOINT_RESOLUTION_RETRIES is refused" \
		failed_saying $? "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: \`soon'"
	cp $T/hosts.orig /etc/hosts
	cp $T/resolv.orig /etc/resolv.conf
	cp $T/nsswitch.orig /etc/nsswitch.conf
	check "endpoint name: nothing left" nothing_left

	# nsswitch.conf of the administrator's: replaced while up, back after down.
	$IP netns add ns1
	mkdir -p /etc/netns/ns1
	printf 'hosts: files mdns4 dns\n' >/etc/netns/ns1/nsswitch.conf
	$NSWG up pr1 --netns ns1 >/dev/null 2>&1
	check "nsswitch.conf: nswg's while up" grep -qx 'hosts: files dns' /etc/netns/ns1/nsswitch.conf
	$NSWG down pr1 >/dev/null 2>&1
	check "nsswitch.conf: the administrator's back after down" \
		sh -c "[ \"\$(cat /etc/netns/ns1/nsswitch.conf)\" = 'hosts: files mdns4 dns' ] && [ ! -e /etc/netns/ns1/resolv.conf ]"
	rm -rf /etc/netns/ns1
	$IP netns del ns1

	# The userspace implementation's name, chosen by the environment.
	cat >$T/impl <<IMPL
#!/bin/sh
echo "\$*" >>$T/impl.log
exec wireguard-go "\$@"
IMPL
	chmod 0755 $T/impl
	if command -v wireguard-go >/dev/null; then
		WG_QUICK_USERSPACE_IMPLEMENTATION=$T/impl $NSWG up pr1 --netns us 2>$T/err
		check "WG_QUICK_USERSPACE_IMPLEMENTATION: up with it" test $? = 0
		check "WG_QUICK_USERSPACE_IMPLEMENTATION: says so, and ran it" \
			sh -c "grep -q 'Using the userspace implementation' $T/err && grep -qx pr1 $T/impl.log"
		check "WG_QUICK_USERSPACE_IMPLEMENTATION: the interface is its TUN, in the namespace" \
			sh -c "$IP -n us -d link show pr1 | grep -q tun"
		# Its pid is checked against its start time: a pid of another process is never signalled.
		pid=$(state_pid us pr1)
		sleep 60 &
		other=$!
		sed -i "s/^userspace_pid=.*/userspace_pid=$other/" /run/nswg/us/pr1.state
		$NSWG down pr1 >/dev/null 2>&1
		check "userspace: a recorded pid now of another process (another start time) is not signalled" proc_alive $other
		kill $other
		wait $other 2>/dev/null
		kill "$pid"
		i=0
		while proc_alive "$pid" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		$NSWG down pr1 >/dev/null 2>&1
		check "userspace: nothing left" nothing_left
	else
		fail "WG_QUICK_USERSPACE_IMPLEMENTATION: no wireguard-go here"
	fi
}

# What the kernel's WireGuard can do, asked; a "-" allowed IP refused where nothing can remove one.
test_features() {
	$NSWG show --features >$T/features 2>&1
	check "features: show --features answers" test $? = 0
	if [ "$USERSPACE" = 1 ]; then
		check "features: no WireGuard in this kernel" grep -qx 'wireguard in the kernel: no (a userspace implementation serves instead)' $T/features
		why="no WireGuard in the kernel, and the userspace implementation's protocol cannot remove an allowed IP"
	else
		check "features: WireGuard in the kernel" grep -qx 'wireguard in the kernel: yes' $T/features
		check "features: created in another namespace" grep -qx 'creation in another namespace (IFLA_NET_NS_FD): yes' $T/features
		# Debian 12's 6.1: WGALLOWEDIP_A_FLAGS came with 6.16.
		check "features: no allowed-IP flags on 6.1" grep -qx 'allowed-IP flags ("-" in AllowedIPs, WGALLOWEDIP_A_FLAGS): no' $T/features
		why="this kernel's WireGuard cannot remove an allowed IP (it has no WGALLOWEDIP_A_FLAGS: Linux 6.16 and later have it)"
	fi
	check "features: the probe left nothing" nothing_left
	write_pair 9 51895 51896
	sed 's|^AllowedIPs = 10.9.0.2/32$|AllowedIPs = 10.0.0.0/8, -10.1.0.0/16|' /etc/wireguard/wga9.conf >/etc/wireguard/wgrm.conf
	line=$(grep -n '^AllowedIPs' /etc/wireguard/wgrm.conf | cut -d: -f1)
	$NSWG up wgrm --netns rm 2>$T/err
	check "features: a \"-\" allowed IP refused with its FILE:LINE and why" \
		failed_saying $? "^nswg: /etc/wireguard/wgrm.conf:$line: AllowedIPs \`-10.1.0.0/16': $why\$"
	check "features: before anything was touched" nothing_left
	$NSWG up wgrm --netns rm --dry-run >/dev/null 2>$T/err
	check "features: a dry run refuses it as up would" \
		failed_saying $? "^nswg: /etc/wireguard/wgrm.conf:$line: AllowedIPs \`-10.1.0.0/16': $why\$"
	NSWG_USERSPACE_IMPLEMENTATION=wireguard-go $NSWG up wgrm --netns rm 2>$T/err
	check "features: and with the userspace implementation asked for" \
		failed_saying $? "wgrm.conf:$line: AllowedIPs \`-10.1.0.0/16': the userspace implementation's protocol cannot remove an allowed IP\$"
	# reload too: the running tunnel as it was.
	write_pair 9 51895 51896
	check "features: a tunnel without one comes up" $NSWG up wgb9 --netns rmb
	cp /etc/wireguard/wgb9.conf $T/wgb9.keep
	sed -i 's|^AllowedIPs = 0.0.0.0/0$|AllowedIPs = 0.0.0.0/0, -10.1.0.0/16|' /etc/wireguard/wgb9.conf
	$IP netns exec rmb $WG showconf wgb9 >$T/rm.before
	$NSWG reload wgb9 2>$T/err
	check "features: reload refuses one too, naming its line" failed_saying $? "wgb9.conf:[0-9]*: AllowedIPs \`-10.1.0.0/16'"
	check "features: and the tunnel is as it was" sh -c "$IP netns exec rmb $WG showconf wgb9 | cmp -s - $T/rm.before"
	cp $T/wgb9.keep /etc/wireguard/wgb9.conf
	$NSWG down wgb9 >/dev/null 2>&1
	check "features: nothing left" nothing_left
	rm -f /etc/wireguard/wgrm.conf
}

# Endpoints that move: a name whose answer changes under a running tunnel.
moving_dns() { # ADDRESS: the host's resolver, answering moving.test with it from now on
	[ -z "${moving_pid:-}" ] || { kill $moving_pid; wait $moving_pid 2>/dev/null; }
	$DNSMASQ --keep-in-foreground --no-resolv --no-hosts --listen-address=127.0.0.53 --bind-interfaces --port=53 \
		--address=/moving.test/$1 --pid-file=$T/dns.moving.pid --user=root &
	moving_pid=$!
	wait_listening - 53
}
moving_dns_stop() {
	kill $moving_pid
	wait $moving_pid 2>/dev/null
	moving_pid=
}
# wgmc up, its endpoint's name answered where nothing is, then no resolver at
# all: reresolve retries the name in the background (rr) for ever.
reresolve_retrying() {
	moving_dns 192.0.2.1
	$NSWG up wgmc --netns nmc >/dev/null 2>&1
	moving_dns_stop
	WG_ENDPOINT_RESOLUTION_RETRIES=infinity $NSWG reresolve wgmc >$T/rr.out 2>&1 &
	rr=$!
	wait_line $T/rr.out 'Trying again'
}
pings_within() { # SECONDS NS ADDRESS: one ping answered in time
	n=0
	until $IP netns exec "$2" ping -c 1 -W 1 "$3" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt "$1" ] || return 1
	done
}
endpoint_of() { $IP netns exec nmc $WG show wgmc endpoints | awk '{print $2}'; }
test_reresolve() {
	cp /etc/resolv.conf $T/rr.resolv 2>/dev/null || : >$T/rr.resolv
	cp /etc/nsswitch.conf $T/rr.nsswitch 2>/dev/null || : >$T/rr.nsswitch
	echo 'nameserver 127.0.0.53' >/etc/resolv.conf
	printf 'hosts: files dns\n' >/etc/nsswitch.conf
	keypair mp
	keypair mc
	printf '[Interface]\nPrivateKey = %s\nListenPort = 52101\nAddress = 10.76.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.76.0.2/32\n' \
		"$mp_priv" "$mc_pub" >/etc/wireguard/wgmp.conf
	# MTU given: the first answer has no route, on purpose.
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.76.0.2/24\nMTU = 1420\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.76.0.0/24\nEndpoint = moving.test:52101\n' \
		"$mc_priv" "$mp_pub" >/etc/wireguard/wgmc.conf
	moving_dns 192.0.2.1
	check "reresolve: the provider up" $NSWG up wgmp --netns nmp
	check "reresolve: the client up, its endpoint's name answered with an address where nothing is" $NSWG up wgmc --netns nmc
	check "reresolve: its endpoint is that address" test "$(endpoint_of)" = 192.0.2.1:52101
	check "reresolve: and nothing crosses" sh -c "! $IP netns exec nmc ping -c 1 -W 1 10.76.0.1 >/dev/null"
	# The name moves to where the provider is.
	moving_dns 127.0.0.1
	$NSWG reresolve wgmc >$T/rr.out 2>&1
	check "reresolve: succeeds" test $? = 0
	check "reresolve: says what it set" grep -q "wg set wgmc peer $mp_pub endpoint 127.0.0.1:52101 (moving.test)" $T/rr.out
	check "reresolve: the endpoint is the new address" test "$(endpoint_of)" = 127.0.0.1:52101
	# The handshake to the old address may be between retries (5 s apart): the first ping waits for the next.
	check "reresolve: a handshake follows" pings_within 20 nmc 10.76.0.1
	check "reresolve: the tunnel recovers" traffic_crosses nmc 10.76.0.1 nmp
	# A peer with a recent handshake is left as it is, whatever the name says now.
	moving_dns 192.0.2.1
	$NSWG reresolve wgmc >$T/rr.out 2>&1
	check "reresolve: a peer with a recent handshake is left alone" \
		sh -c "[ ! -s $T/rr.out ] && [ \"\$($IP netns exec nmc $WG show wgmc endpoints | awk '{print \$2}')\" = 127.0.0.1:52101 ]"
	$NSWG reresolve wgmp >$T/rr.out 2>&1
	check "reresolve: a tunnel without names has nothing to do" sh -c "[ ! -s $T/rr.out ]"
	$NSWG reresolve wgnone >$T/rr.out 2>&1
	check "reresolve: an interface nswg does not manage is an error" test $? = 1
	# Names that take long hold up nothing: a down while reresolve retries goes through.
	$NSWG down wgmc >/dev/null 2>&1
	reresolve_retrying
	check "reresolve: with no resolver answering, it retries" grep -q 'Trying again' $T/rr.out
	check "reresolve: and is still at it" proc_alive $rr
	timeout 10 $NSWG down wgmc >/dev/null 2>&1
	check "reresolve: and a down meanwhile goes through, not waiting for it" test $? = 0
	kill $rr
	check "reresolve: SIGTERM ends it" wait_gone $rr
	kill -9 $rr 2>/dev/null
	wait $rr 2>/dev/null
	# A reload that changes the endpoint while reresolve waits for the old name: the reload's stands.
	reresolve_retrying
	cp /etc/wireguard/wgmc.conf $T/wgmc.keep
	sed -i 's/^Endpoint = moving.test:/Endpoint = 127.0.0.1:/' /etc/wireguard/wgmc.conf
	timeout 10 $NSWG reload wgmc >/dev/null 2>&1
	check "reresolve: a reload meanwhile goes through" test $? = 0
	moving_dns 192.0.2.1
	i=0
	while proc_alive $rr && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	check "reresolve: it ends once the name resolves again" wait_gone $rr
	kill -9 $rr 2>/dev/null
	wait $rr 2>/dev/null
	check "reresolve: and leaves the endpoint the reload set ($(endpoint_of))" test "$(endpoint_of)" = 127.0.0.1:52101
	cp $T/wgmc.keep /etc/wireguard/wgmc.conf
	moving_dns_stop
	$NSWG down wgmc >/dev/null 2>&1
	$NSWG down wgmp >/dev/null 2>&1
	cp $T/rr.resolv /etc/resolv.conf
	cp $T/rr.nsswitch /etc/nsswitch.conf
	rm -f /etc/wireguard/wgmp.conf /etc/wireguard/wgmc.conf
	check "reresolve: nothing left" nothing_left
}

# Privilege and trust boundaries: a file of their own, beside this one.
. "$(dirname "$0")/boundaries.sh"
# Reaching in and out: the relay.
. "$(dirname "$0")/relay.sh"
# Chained tunnels: --via.
. "$(dirname "$0")/via.sh"

if [ "$USERSPACE" = 1 ]; then
	tests=${*:-tunnel userspace show reload existing_netns failures faults lifecycle shared promises save files names exec_user foreign_userns relay via features reresolve corpus concurrent soak scale}
else
	tests=${*:-tunnel fallback show reload existing_netns failures faults lifecycle shared promises save files names exec_user foreign_userns relay via features reresolve corpus concurrent soak scale}
fi
for t in $tests; do
	echo "# $t"
	started=$(date +%s)
	"test_$t"
	# Each tier's time, for the CI log: never judged.
	echo "# $t: $(($(date +%s) - started)) s"
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
