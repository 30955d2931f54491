#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The config reader against the real tools, on every file of the corpus:
#  good/*.conf: `nswg strip' prints what `wg-quick strip' prints, and the
#    device configuration nswg reads is what wg(8) puts on a device (wg setconf
#    on a wireguard-go device, then wg showconf);
#  bad/*.conf: nswg refuses it with exactly the message in bad/NAME.err.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
sandbox_enter "$@"
need wg wg-quick wireguard-go
CFGDUMP=$TOP/build/tests/cfgdump

work=$(mktemp -d)
on_cleanup rm -rf "$work"
chmod 0700 "$work"
start_wireguard_go wgcorpus

# showconf text in a canonical order: peers sorted, allowed IPs sorted.
normalize() {
	local line block='' blocks=()
	while IFS= read -r line; do
		case $line in
		"[Interface]" | "[Peer]")
			[ -n "$block" ] && blocks+=("$block")
			block=$line ;;
		"") ;;
		"AllowedIPs = "*)
			block+="|AllowedIPs = $(tr -d ' ' <<<"${line#AllowedIPs = }" | tr ',' '\n' | sort | paste -sd, -)" ;;
		*) block+="|$line" ;;
		esac
	done
	[ -n "$block" ] && blocks+=("$block")
	printf '%s\n' "${blocks[@]}" | sort
}

good_file() {
	local src=$1 name f ref
	name=$(basename "$src")
	f=$work/$name
	cp "$src" "$f"
	ref=$f
	# wg-quick and wg refuse a BOM; nswg reads past it. Compare with the file without one.
	if [ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = efbbbf ]; then
		mkdir -p "$work/nobom"
		ref=$work/nobom/$name
		tail -c +4 "$f" >"$ref"
	fi
	if ! "$NSWG" strip "$f" >"$work/nswg.out" 2>"$work/nswg.err"; then
		fail "good/$name: nswg strip failed: $(head -n 1 "$work/nswg.err")"
		return
	fi
	if grep -v '^Warning: ' "$work/nswg.err" | grep -q .; then
		fail "good/$name: unexpected output on stderr: $(head -n 1 "$work/nswg.err")"
		return
	fi
	wg-quick strip "$ref" >"$work/wgquick.out" 2>/dev/null || {
		fail "good/$name: wg-quick strip refused it"
		return
	}
	if cmp -s "$work/nswg.out" "$work/wgquick.out"; then
		pass "good/$name: strip identical to wg-quick"
	else
		fail "good/$name: strip differs from wg-quick: $(cmp "$work/nswg.out" "$work/wgquick.out" 2>&1)"
	fi
	if ! wg setconf wgcorpus "$work/nswg.out" 2>"$work/wg.err"; then
		fail "good/$name: wg setconf refused the stripped file: $(head -n 1 "$work/wg.err")"
		return
	fi
	"$CFGDUMP" "$f" | normalize >"$work/parsed"
	# Without a ListenPort the device picks a random one: compare the rest.
	if grep -q '|ListenPort = ' "$work/parsed"; then
		wg showconf wgcorpus | normalize >"$work/device"
	else
		wg showconf wgcorpus | normalize | sed 's/|ListenPort = [0-9]*//' >"$work/device"
	fi
	if cmp -s "$work/device" "$work/parsed"; then
		pass "good/$name: parsed configuration equals the device's"
	else
		fail "good/$name: parsed configuration differs from the device's"
		diff "$work/parsed" "$work/device" | head -n 10 | sed 's/^/#   /'
	fi
}

bad_file() {
	local src=$1 name f expected
	name=$(basename "$src")
	f=$work/$name
	cp "$src" "$f"
	expected=$(sed "s|@FILE@|$f|" "${src%.conf}.err")
	if "$NSWG" strip "$f" >"$work/nswg.out" 2>"$work/nswg.err"; then
		fail "bad/$name: accepted"
	elif [ -s "$work/nswg.out" ]; then
		fail "bad/$name: printed a configuration"
	elif [ "$(cat "$work/nswg.err")" = "$expected" ]; then
		pass "bad/$name: $(cut -d: -f3- <<<"$expected" | head -c 70)"
	else
		fail "bad/$name: expected \`$expected', got \`$(cat "$work/nswg.err")'"
	fi
	# Differential: wg(8) refuses it too, unless bad/NSWG-ONLY says why it does not.
	why=$(awk -F '\t' -v n="${name%.conf}" '$1 == n { print $2 }' "$TOP/tests/corpus/bad/NSWG-ONLY")
	if wg-quick strip "$f" >"$work/wgq.out" 2>/dev/null && wg setconf wgcorpus "$work/wgq.out" 2>/dev/null; then
		if [ -n "$why" ]; then pass "bad/$name: wg accepts it, nswg alone refuses it: $why"; else fail "bad/$name: wg setconf accepts it"; fi
	elif [ -n "$why" ]; then
		fail "bad/$name: listed in NSWG-ONLY, but wg refuses it too"
	else
		pass "bad/$name: wg refuses it too"
	fi
}

for f in "$TOP"/tests/corpus/good/*.conf; do good_file "$f"; done
for f in "$TOP"/tests/corpus/bad/*.conf; do bad_file "$f"; done

# Names and paths, as wg-quick takes them.
cp "$TOP/tests/corpus/good/minimal.conf" /etc/wireguard/wgname.conf
"$NSWG" strip wgname >"$work/name.nswg" 2>/dev/null
nrc=$?
wg-quick strip wgname >"$work/name.wgq" 2>/dev/null
wrc=$?
# Both succeed, and print the same, not nothing.
same_output() { [ "$1" = 0 ] && [ "$2" = 0 ] && [ -s "$3" ] && cmp -s "$3" "$4"; }
check "a bare name reads /etc/wireguard/NAME.conf" same_output "$nrc" "$wrc" "$work/name.nswg" "$work/name.wgq"
check "a missing name says which file does not exist" \
	test "$("$NSWG" strip nosuch 2>&1)" = "nswg: \`/etc/wireguard/nosuch.conf' does not exist"
mkdir -p "$work/names"
cp "$TOP/tests/corpus/good/minimal.conf" "$work/names/this-name-is-too-long.conf"
check "a file name that is no interface name is refused" \
	test "$("$NSWG" strip "$work/names/this-name-is-too-long.conf" 2>&1)" = \
	"nswg: The config file must be a valid interface name, followed by .conf"
cp "$TOP/tests/corpus/good/minimal.conf" "$work/names/wgcwd.conf"
check "NAME.conf in the current directory is found when /etc/wireguard has none" \
	bash -c "cd '$work/names' && '$NSWG' strip wgcwd.conf >/dev/null 2>&1"
chmod 0755 "$work/names"
chmod 0644 "$work/names/wgcwd.conf"
check "a file others can read, in a directory they can enter, is warned about" \
	grep -qxF "Warning: \`$work/names/wgcwd.conf' is world accessible" <("$NSWG" strip "$work/names/wgcwd.conf" 2>&1 >/dev/null)
chmod 0700 "$work/names"
check "the same file in a directory only root enters is not" \
	test -z "$("$NSWG" strip "$work/names/wgcwd.conf" 2>&1 >/dev/null)"

# Privileges: refused before anything is touched.
cp "$TOP/tests/corpus/good/minimal.conf" "$work/names/wgpriv.conf"
chmod 0755 "$work" "$work/names"
chmod 0644 "$work/names/wgpriv.conf"
for cmd in "up $work/names/wgpriv.conf --netns priv" "down $work/names/wgpriv.conf --netns priv" \
	"save $work/names/wgpriv.conf" "reload $work/names/wgpriv.conf" "show" "exec priv -- true"; do
	check "${cmd%% *} without root: a clear error, and nothing made" bash -c "
		out=\$(setpriv --reuid=65534 --regid=65534 --clear-groups '$NSWG' $cmd 2>&1)
		[ \$? = 1 ] && [ \"\$out\" = 'nswg: must be run as root (it needs CAP_NET_ADMIN and CAP_SYS_ADMIN)' ] &&
			[ ! -e /run/netns/priv ] && [ ! -e /run/nswg ]"
done
# Root without CAP_NET_ADMIN (a container's root, say): the same.
check "up as root without CAP_NET_ADMIN: the same error" bash -c "
	out=\$(setpriv --bounding-set -net_admin '$NSWG' up '$work/names/wgpriv.conf' --netns priv 2>&1)
	[ \$? = 1 ] && grep -q 'must be run as root' <<<\"\$out\" && [ ! -e /run/netns/priv ]"
chmod 0700 "$work"

summary
