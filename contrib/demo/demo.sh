#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make demo: nswg end to end on this machine, with no VPN account.
#
# A local "provider" runs in a namespace of its own, reached the way a remote
# server would be: over UDP, here on the host's loopback. It serves a page
# that answers with the caller's address. provider.conf is what a provider
# would hand out: AllowedIPs = 0.0.0.0/0. nswg brings it up in namespace
# "egress", a program in there reaches the page through the tunnel, and the
# host's routes and links stay exactly as they were.
#
# Touches only what it creates (two namespaces, /etc/netns/egress while the
# tunnel is up, a scratch directory) and removes all of it on every exit.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
NSWG=${NSWG:-$TOP/nswg}
EGRESS=egress
PROVIDER=nswg-demo-provider
PORT=51999
SOCKS=51998

bold=$(tput bold 2>/dev/null || true)
plain=$(tput sgr0 2>/dev/null || true)
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
run() { printf '%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run it as root: it makes network namespaces (make demo)"
for ns in "$EGRESS" "$PROVIDER"; do
	[ ! -e "/run/netns/$ns" ] || die "namespace \`$ns' exists already; the demo does not touch it"
done

work=$(mktemp -d)
httpd=
up_client=0
up_provider=0
cleanup() {
	set +e
	[ "$up_client" = 1 ] && "$NSWG" down "$work/provider.conf" --netns "$EGRESS" >/dev/null 2>&1
	[ -n "$httpd" ] && kill "$httpd" 2>/dev/null && wait "$httpd" 2>/dev/null
	[ "$up_provider" = 1 ] && "$NSWG" down "$work/wgdemo.conf" --netns "$PROVIDER" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
umask 077

step "1. A provider to connect to: its own namespace, its UDP port on the host's loopback"
wg genkey >"$work/provider.key"
wg genkey >"$work/client.key"
cat >"$work/wgdemo.conf" <<CONF
[Interface]
PrivateKey = $(cat "$work/provider.key")
ListenPort = $PORT
Address = 10.200.0.1/24

[Peer]
PublicKey = $(wg pubkey <"$work/client.key")
AllowedIPs = 10.200.0.2/32
CONF
"$NSWG" up "$work/wgdemo.conf" --netns "$PROVIDER" 2>/dev/null
up_provider=1
mkdir -p "$work/www/cgi-bin"
cat >"$work/www/cgi-bin/whoami" <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf 'Hello from the provider: you came from %s\n' "$REMOTE_ADDR"
CGI
chmod 755 "$work" "$work/www" "$work/www/cgi-bin" "$work/www/cgi-bin/whoami"
ip netns exec "$PROVIDER" busybox httpd -f -p 10.200.0.1:8080 -h "$work/www" &
httpd=$!
echo "provider: WireGuard on 127.0.0.1:$PORT, a web page at http://10.200.0.1:8080/ inside its namespace"

step "2. provider.conf, as a VPN provider hands it out: all traffic (0.0.0.0/0) into the tunnel"
cat >"$work/provider.conf" <<CONF
[Interface]
PrivateKey = $(cat "$work/client.key")
Address = 10.200.0.2/32
DNS = 10.200.0.1

[Peer]
PublicKey = $(wg pubkey <"$work/provider.key")
AllowedIPs = 0.0.0.0/0
Endpoint = 127.0.0.1:$PORT
CONF
sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$work/provider.conf"

step "3. The host before: its default routes and its links"
ip route show default | tee "$work/routes.before"
ip -br link | awk '{print $1}' | sort | tee "$work/links.before" | tr '\n' ' '
echo

step "4. nswg up: the interface is born inside namespace \"$EGRESS\"; with wg-quick, this would take over the host's default route"
echo "(--socks: a SOCKS5 entrance on the host's 127.0.0.1:$SOCKS that connects from inside the namespace)"
run "$NSWG" up "$work/provider.conf" --netns "$EGRESS" --socks "$SOCKS"
up_client=1

step "5. A program inside the namespace reaches the page through the tunnel; the page sees the tunnel's address"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	answer=$("$NSWG" exec "$EGRESS" -- curl -s --max-time 3 http://10.200.0.1:8080/cgi-bin/whoami) && break
	sleep 0.3
done
printf '%s$ nswg exec %s -- curl http://10.200.0.1:8080/cgi-bin/whoami%s\n%s\n' "$bold" "$EGRESS" "$plain" "$answer"
case $answer in
*"you came from 10.200.0.2"*) echo "=> through the tunnel" ;;
*) die "the page was not reached through the tunnel" ;;
esac
run ip -n "$EGRESS" route
echo "=> inside, the only way out is the tunnel: a kill switch by construction"
run "$NSWG" exec "$EGRESS" -- cat /etc/resolv.conf

step "5b. A normal user of the host, not moved into the namespace, uses the tunnel through the SOCKS entrance"
answer=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	curl -s --max-time 5 --socks5-hostname "127.0.0.1:$SOCKS" http://10.200.0.1:8080/cgi-bin/whoami)
printf '%s$ setpriv --reuid=nobody curl --socks5-hostname 127.0.0.1:%s http://10.200.0.1:8080/cgi-bin/whoami%s\n%s\n' \
	"$bold" "$SOCKS" "$plain" "$answer"
case $answer in
*"you came from 10.200.0.2"*) echo "=> through the tunnel, by a program of the host: no root, no veth, no NAT" ;;
*) die "the page was not reached through the SOCKS entrance" ;;
esac

step "6. The host after: nothing changed"
ip route show default >"$work/routes.after"
ip -br link | awk '{print $1}' | sort >"$work/links.after"
cmp -s "$work/routes.before" "$work/routes.after" || die "the host's default routes changed"
cmp -s "$work/links.before" "$work/links.after" || die "the host's links changed"
echo "=> default routes and links identical to step 3; no interface of the tunnel in the host"
cport=$(ip netns exec "$EGRESS" wg show provider listen-port)
printf '%s$ ss -Huln | grep -E ":(%s|%s) "%s\n' "$bold" "$PORT" "$cport" "$plain"
ss -Huln | grep -E ":($PORT|$cport) "
echo "=> the encrypted UDP sockets live on the host, where the internet is"
echo "=> the host's one new listening socket is the SOCKS entrance's, 127.0.0.1:$SOCKS, held by the relay (nobody)"

step "7. nswg show: the tunnel, the handshake, and the verdict on the host"
run "$NSWG" show "$(basename "$work/provider.conf" .conf)"

step "8. nswg down: nothing left behind"
run "$NSWG" down "$work/provider.conf" --netns "$EGRESS"
up_client=0
[ ! -e "/run/netns/$EGRESS" ] || die "namespace $EGRESS is still there"
[ ! -e "/etc/netns/$EGRESS" ] || die "/etc/netns/$EGRESS is still there"
echo "=> namespace \"$EGRESS\", its interface, its DNS files and its state are gone"
echo
echo "${bold}Demo complete.${plain}"
