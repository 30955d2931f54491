#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The units as administrators run them, with systemd as PID 1 (inside the
# VM of tests/vm/run.sh --systemd): nswg installed by make install, then by
# its Debian package. A provider, nswg@prov, and its client, nswg@egress,
# meet on the VM's loopback; the provider's side serves a web page and
# answers a name that only it knows.
# shellcheck disable=SC2154 # prov_priv and the like: keypair() assigns them through eval.
PASSED=0
FAILED=0
T=/run/nswg-vm
mkdir -p $T /etc/wireguard /etc/nswg
chmod 0700 /etc/wireguard

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() {
	name=$1
	shift
	if "$@" >$T/check.out 2>&1; then pass "systemd: $name"; else fail "systemd: $name"; sed 's/^/#   /' $T/check.out | head -n 8; fi
}
keypair() { # NAME: sets NAME_priv and NAME_pub
	# shellcheck disable=SC2034 # read by the eval below
	k=$(wg genkey)
	eval "$1_priv=\$k"
	eval "$1_pub=\$(echo \$k | wg pubkey)"
}
# Until CMD succeeds, for at most 20 s.
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.1
	done
}
inactive() { ! systemctl is-active --quiet "$1"; }
live_wireguard_go() {
	for d in /proc/[0-9]*; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" = "wireguard-go $1 " ] && ! awk '{exit $3 != "Z"}' "$d/stat" && return 0
	done
	return 1
}
# Nothing of nswg@NAME left: namespace, state, DNS files, processes.
nothing_of() {
	! ip netns list | grep -qw "$1" && [ -z "$(find /run/nswg -mindepth 2 ! -name lock ! -path '/run/nswg/.host/*' -path "*/$1*" 2>/dev/null)" ] &&
		[ ! -e "/etc/netns/$1/resolv.conf" ] && ! live_wireguard_go "$1"
}

echo "systemd: $(systemctl --version | head -n 1), PID 1 is $(cat /proc/1/comm)"
keypair prov
keypair eg
keypair other
cat >/etc/wireguard/prov.conf <<EOF
[Interface]
PrivateKey = $prov_priv
ListenPort = 51820
Address = 10.80.0.1/24

[Peer]
PublicKey = $eg_pub
AllowedIPs = 10.80.0.2/32
EOF
cat >/etc/wireguard/egress.conf <<EOF
[Interface]
PrivateKey = $eg_priv
Address = 10.80.0.2/24
DNS = 10.80.0.1

[Peer]
PublicKey = $prov_pub
AllowedIPs = 0.0.0.0/0
Endpoint = 127.0.0.1:51820
EOF
chmod 0600 /etc/wireguard/*.conf

# The provider's side: a page, and a resolver that alone knows app.test.
check "the provider's tunnel starts" systemctl start nswg@prov
mkdir -p /srv/www
echo hello-through-the-tunnel >/srv/www/hello
ip netns exec prov busybox httpd -f -p 10.80.0.1:8000 -h /srv/www &
ip netns exec prov dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address=10.80.0.1 --bind-interfaces \
	--address=/app.test/10.80.0.1 --user=root --pid-file=$T/dns.pid &
wait_for sh -c "ip netns exec prov ss -Hltn | grep -q '10.80.0.1:8000'"

# Enabled, then started after boot: after network-online, as ordered.
systemctl enable nswg@egress >$T/enable 2>&1
check "enable makes the instance wanted at boot" test -L /etc/systemd/system/multi-user.target.wants/nswg@egress.service
check "the client's tunnel starts" systemctl start nswg@egress
check "its namespace is there" sh -c "ip netns list | grep -qw egress"
online=$(systemctl show -P ActiveEnterTimestampMonotonic network-online.target)
started=$(systemctl show -P InactiveExitTimestampMonotonic nswg@egress)
check "it started after network-online ($online, then $started)" \
	sh -c "[ '${online:-0}' -gt 0 ] && [ '${started:-0}' -gt 0 ] && [ '${started:-0}' -ge '${online:-0}' ]"
check "it is ordered after network-online" sh -c "systemctl show -P After nswg@egress | grep -qw network-online.target"

# The example application, as shipped: only its ExecStart changed.
app() { # NAME EXTRA-SERVICE-LINES
	sed -e "s|^ExecStart=.*|ExecStart=/usr/bin/curl --silent --show-error --max-time 20 http://app.test:8000/hello|" \
		-e "s|^\[Service\]|[Service]\nStandardOutput=file:$T/$1.out\n$2|" \
		/usr/share/doc/nswg/examples/nswg-example-app.service >/etc/systemd/system/$1.service
	systemctl daemon-reload
	rm -f $T/$1.out
	systemctl start "$1"
	wait_for inactive "$1"
}
app nswg-app ""
check "the example application reaches the server through the tunnel, by a name the namespace's DNS answers" \
	grep -qx hello-through-the-tunnel $T/nswg-app.out
app nswg-app-hardened "ProtectSystem=strict\nPrivateTmp=yes\nPrivateMounts=yes"
check "a hardened one (ProtectSystem=strict, PrivateTmp, PrivateMounts) joins the namespace and has its DNS" \
	grep -qx hello-through-the-tunnel $T/nswg-app-hardened.out

# reload after an edit: applied, the unchanged peer keeps its session.
hs() { ip netns exec egress wg show egress latest-handshakes | awk -v k="$prov_pub" '$1 == k {print $2}'; }
before=$(hs)
cat >>/etc/wireguard/egress.conf <<EOF

[Peer]
PublicKey = $other_pub
AllowedIPs = 10.99.0.0/24
EOF
check "reload applies an edit" sh -c "systemctl reload nswg@egress && ip netns exec egress wg show egress peers | grep -qx '$other_pub'"
after=$(hs)
check "the unchanged peer keeps its session (handshake $before, then $after)" \
	sh -c "[ -n '$before' ] && [ '$before' != 0 ] && [ '$after' = '$before' ]"

# The reresolve timer's service, run once: nothing to move, it succeeds.
check "the reresolve timer starts with the tunnel up" systemctl start nswg-reresolve@egress.timer
check "its service runs nswg reresolve, and succeeds" systemctl start nswg-reresolve@egress.service

# A published port, socket-activated: systemd holds the socket, the relay serves it.
cat >/etc/systemd/system/nswg-web.socket <<'EOF'
[Socket]
ListenStream=127.0.0.1:8080
[Install]
WantedBy=sockets.target
EOF
cat >/etc/systemd/system/nswg-web.service <<'EOF'
[Unit]
BindsTo=nswg@egress.service
After=nswg@egress.service
[Service]
Type=notify
ExecStart=/usr/bin/nswg relay egress --publish 127.0.0.1:8080:10.80.0.1:8000
EOF
systemctl daemon-reload
check "the relay's socket listens" systemctl start nswg-web.socket
check "a published port, socket-activated, serves the page from inside" \
	sh -c "curl --silent --max-time 20 http://127.0.0.1:8080/hello | grep -qx hello-through-the-tunnel"
check "the relay is the activated service" systemctl is-active --quiet nswg-web.service

# stop: nothing left, the bound ones stopped with it.
sed -e "s|^ExecStart=.*|ExecStart=/bin/sleep infinity|" /usr/share/doc/nswg/examples/nswg-example-app.service \
	>/etc/systemd/system/nswg-app-long.service
systemctl daemon-reload
check "a long-running bound application runs" sh -c "systemctl start nswg-app-long && systemctl is-active --quiet nswg-app-long"
check "stop" systemctl stop nswg@egress
check "the bound application stopped with it" inactive nswg-app-long
check "the relay stopped with it" inactive nswg-web.service
check "nothing left (namespace, state, DNS files, processes)" nothing_of egress
systemctl stop nswg-web.socket

# A broken file: the unit fails with nswg's one line, FILE:LINE, in the journal.
printf '[Interface]\nPrivateKey = notakey\n' >/etc/wireguard/broken.conf
chmod 0600 /etc/wireguard/broken.conf
check "a broken configuration fails the unit" sh -c "! systemctl start nswg@broken"
check "and the journal has nswg's message, naming FILE:LINE" \
	sh -c "journalctl -u nswg@broken --no-pager | grep -q 'nswg.*/etc/wireguard/broken.conf:2'"
check "it is failed, and left nothing" sh -c "systemctl is-failed --quiet nswg@broken && ! ip netns list | grep -qw broken"
systemctl reset-failed nswg@broken

# The userspace implementation, forced by a drop-in: the same, and it stops with the unit.
mkdir -p /etc/systemd/system/nswg@egress.service.d
printf '[Service]\nEnvironment=NSWG_USERSPACE_IMPLEMENTATION=wireguard-go\n' >/etc/systemd/system/nswg@egress.service.d/userspace.conf
systemctl daemon-reload
check "userspace: starts" systemctl start nswg@egress
check "userspace: wireguard-go serves it" live_wireguard_go egress
app nswg-app ""
check "userspace: the application reaches the server" grep -qx hello-through-the-tunnel $T/nswg-app.out
check "userspace: stop" systemctl stop nswg@egress
check "userspace: wireguard-go stopped with the unit, nothing left" nothing_of egress
rm -r /etc/systemd/system/nswg@egress.service.d

# Per-instance options from /etc/nswg/NAME.env, the shipped unit unedited.
echo 'NSWG_OPTS=--netns elsewhere' >/etc/nswg/egress.env
systemctl daemon-reload
check "an environment file's --netns" sh -c "systemctl start nswg@egress && ip netns list | grep -qw elsewhere && ! ip netns list | grep -qw egress"
check "its reload takes the same options" systemctl reload nswg@egress
check "and its stop leaves nothing" sh -c "systemctl stop nswg@egress && ! ip netns list | grep -qw elsewhere"
rm /etc/nswg/egress.env
systemctl daemon-reload

# Two instances, the inner's socket in the outer's namespace, bound to it.
keypair p2
keypair in
cat >/etc/wireguard/prov2.conf <<EOF
[Interface]
PrivateKey = $p2_priv
ListenPort = 51821
Address = 10.81.0.1/24

[Peer]
PublicKey = $in_pub
AllowedIPs = 10.81.0.2/32
EOF
cat >/etc/wireguard/inner.conf <<EOF
[Interface]
PrivateKey = $in_priv
Address = 10.81.0.2/24

[Peer]
PublicKey = $p2_pub
AllowedIPs = 10.81.0.0/24
Endpoint = 10.80.0.1:51821
EOF
chmod 0600 /etc/wireguard/*.conf
echo 'NSWG_OPTS=--via prov' >/etc/nswg/prov2.env
echo 'NSWG_OPTS=--via egress' >/etc/nswg/inner.env
for inst in prov2 inner; do
	outer=prov
	[ $inst = inner ] && outer=egress
	mkdir -p /etc/systemd/system/nswg@$inst.service.d
	printf '[Unit]\nBindsTo=nswg@%s.service\nAfter=nswg@%s.service\n' $outer $outer >/etc/systemd/system/nswg@$inst.service.d/via.conf
done
systemctl daemon-reload
check "via: the second provider starts inside the first's namespace" systemctl start nswg@prov2
check "via: starting the inner starts the outer first" sh -c "systemctl start nswg@inner && systemctl is-active --quiet nswg@egress"
check "via: traffic crosses both tunnels" ip netns exec inner busybox ping -c 3 -W 3 10.81.0.1
check "via: reload with the same NSWG_OPTS (--via) keeps the via" systemctl reload nswg@inner
echo 'NSWG_OPTS=--via prov' >/etc/nswg/inner.env
check "via: reload with another --via is refused, the tunnel untouched" \
	sh -c "! systemctl reload nswg@inner && systemctl is-active --quiet nswg@inner && ip netns exec inner busybox ping -c 1 -W 3 10.81.0.1"
echo 'NSWG_OPTS=--via egress' >/etc/nswg/inner.env
check "via: stopping the outer stops the inner first, cleanly" \
	sh -c "systemctl stop nswg@egress && ! systemctl is-active --quiet nswg@inner && ! systemctl is-failed --quiet nswg@inner && ! systemctl is-failed --quiet nswg@egress"
check "via: nothing left of either" sh -c "nothing() { ! ip netns list | grep -qw \$1; }; nothing inner && nothing egress"
systemctl stop nswg@prov2 nswg@prov
rm -r /etc/systemd/system/nswg@prov2.service.d /etc/systemd/system/nswg@inner.service.d /etc/nswg/prov2.env /etc/nswg/inner.env
systemctl disable nswg@egress >/dev/null 2>&1

# The Debian package, in place of make install.
for f in /usr/bin/nswg /usr/share/man/man8/nswg.8 /lib/systemd/system/nswg@.service /lib/systemd/system/nswg.target \
	/lib/systemd/system/nswg-reresolve@.service /lib/systemd/system/nswg-reresolve@.timer \
	/usr/share/bash-completion/completions/nswg /usr/share/zsh/vendor-completions/_nswg \
	/usr/share/doc/nswg/examples/nswg-example-app.service; do
	rm -f "$f"
done
systemctl daemon-reload
check "package: installs" dpkg -i /tests/nswg.deb
check "package: nswg --version runs" sh -c "nswg --version | grep -q '^nswg v'"
dpkg -L nswg | sort >$T/pkg.files
check "package: enable --now from the packaged unit" sh -c "systemctl start nswg@prov && systemctl enable --now nswg@egress && systemctl is-active --quiet nswg@egress"
check "package: traffic crosses" ip netns exec egress busybox ping -c 3 -W 3 10.80.0.1
check "package: disable --now" sh -c "systemctl disable --now nswg@egress && systemctl stop nswg@prov"
check "package: and nothing is left" nothing_of egress
# Enabled when it goes: its link is the package's to take away on purge.
systemctl enable nswg@egress >/dev/null 2>&1
check "package: removes" dpkg -r nswg
check "package: purges" dpkg -P nswg
left=
while read -r f; do
	[ -d "$f" ] || { [ -e "$f" ] && left="$left $f"; }
done <$T/pkg.files
check "package: no file of it left after purge${left:+:$left}" test -z "$left"
check "package: no instance of it left enabled" sh -c "! ls /etc/systemd/system/*/nswg* 2>/dev/null | grep -v nswg-vm-tests"

echo "$PASSED passed, $FAILED failed"
echo "NSWG-VM-EXIT: $([ "$FAILED" = 0 ] && echo 0 || echo 1)"
systemctl poweroff --force --force
