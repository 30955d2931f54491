#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make demo, run in a sandbox of its own: it must succeed, reach the page
# through the tunnel, and leave nothing behind.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need wireguard-go wg ip ss busybox curl
sandbox_enter "$@"

out=$("$TOP/contrib/demo/demo.sh" 2>&1)
rc=$?
check "demo: exits 0" test "$rc" = 0
check "demo: the page is reached through the tunnel" grep -q "you came from 10.200.0.2" <<<"$out"
check "demo: the host is shown unchanged" grep -q "default routes and links identical" <<<"$out"
check "demo: a normal user of the host reaches the page through the SOCKS entrance" \
	grep -q "through the tunnel, by a program of the host" <<<"$out"
check "demo: completes" grep -q "Demo complete." <<<"$out"
check "demo: no namespace left" test -z "$(ip netns list)"
check "demo: no state, socket or DNS file left" \
	test -z "$(find /run/nswg /var/run/wireguard /etc/netns -mindepth 1 ! -type d ! -name lock ! -path '/run/nswg/.host/*' 2>/dev/null)"
[ "$FAILED" = 0 ] || sed 's/^/#   /' <<<"$out"
summary
