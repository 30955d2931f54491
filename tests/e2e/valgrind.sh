#!/bin/bash
# SPDX-License-Identifier: MIT
#
# nswg up, show, save and down under valgrind, in a sandbox, with
# wireguard-go: no error, no leak, and no descriptor of its own left open at
# exit (those it inherited from this script do not count).
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need valgrind wireguard-go wg
sandbox_enter "$@"

dir=$TMPDIR/vg
mkdir -p "$dir" && chmod 0700 "$dir"
printf '[Interface]\nPrivateKey = %s\nListenPort = 51977\nAddress = 10.9.77.1/24\nDNS = 10.9.77.53\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.78.0/24\nEndpoint = 127.0.0.1:51978\n' \
	"$(wg genkey)" "$(wg genkey | wg pubkey)" >"$dir/wgvg.conf"
chmod 600 "$dir/wgvg.conf"

vg() { # NAME ARGS...: nswg ARGS under valgrind
	local name=$1
	shift
	valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --track-fds=yes --error-exitcode=99 \
		--log-file="$dir/$name.vg" "$NSWG" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
	local rc=$?
	check "valgrind: nswg $name: exit 0, no error, no leak" test "$rc" = 0
	[ "$rc" = 0 ] || sed 's/^/#   /' "$dir/$name.vg" "$dir/$name.err" | head -n 20
	# Every descriptor above 2 still open at exit must be one it inherited.
	# valgrind follows each "Open ... descriptor N:" (a file) or "Open AF_UNIX
	# socket N:", "Open pf-16 socket N:" (netlink) with where it was opened,
	# or with "<inherited from parent>".
	check "valgrind: nswg $name: no descriptor or socket of its own left open" awk '
		next_line { if ($0 !~ /<inherited from parent>/) bad = 1; next_line = 0 }
		/Open .*(descriptor|socket) [0-9]+:/ { n = $0; sub(/.*(descriptor|socket) /, "", n); if (n + 0 > 2) next_line = 1 }
		END { exit bad }' "$dir/$name.vg"
}

vg up up "$dir/wgvg.conf" --netns vgns
vg show show
vg show-json show --json
vg save save "$dir/wgvg.conf"
vg reload reload "$dir/wgvg.conf"
vg down down "$dir/wgvg.conf"
check "valgrind: nothing left" test -z "$(ip netns list)"
summary
