#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The hostile corpus: every file here, and the huge and special ones made
# below (10 MB, 100,000 lines, a directory, a FIFO, a symlink loop, an
# unreadable file), given to `nswg up' in a sandbox. Each must end with exit
# 1 and a single line "nswg: FILE[:LINE]: ..." within a second of CPU time,
# and leave the system as it was.
set -u
. "$(dirname "$0")/../../lib/testlib.sh"
MEASURE=${MEASURE:-$TOP/build/tests/measure}
need setpriv timeout
sandbox_enter "$@"

here=$TOP/tests/corpus/hostile
dir=$TMPDIR/hostile
mkdir -m 0700 "$dir"
cp "$here"/*.conf "$dir/"
chmod 0600 "$dir"/*.conf
K1=yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
# Over the 8 MiB limit.
head -c $((10 << 20)) /dev/zero | tr '\0' '#' >"$dir/huge-10mb.conf"
# 100,000 lines, the last one wrong.
{
	printf '[Interface]\nPrivateKey = %s\n' "$K1"
	for ((i = 0; i < 99997; i++)); do echo "# line $i"; done
	echo "ListenPort = 65536"
} >"$dir/lines-100k.conf"
mkdir "$dir/a-directory.conf"
mkfifo "$dir/a-fifo.conf"
ln -s loop-b.conf "$dir/loop-a.conf"
ln -s loop-a.conf "$dir/loop-b.conf"
printf '[Interface]\nPrivateKey = %s\n' "$K1" >"$dir/unreadable.conf"
chmod 000 "$dir/unreadable.conf"
chmod 0600 "$dir"/huge-10mb.conf "$dir"/lines-100k.conf

host_dump() { ip -d link show; ip address show; ip route show table all; ip -6 route show table all; ip rule show; }
host_dump >"$dir/before"
n=0
bad=0
for f in "$dir"/*.conf; do
	n=$((n + 1))
	name=${f##*/}
	cmd=("$NSWG" up "$f" --netns hostile)
	# Root reads anything: without these capabilities, 000 means unreadable.
	# shellcheck disable=SC2054 # setpriv's capability list is one argument, comma-separated
	[ "$name" = unreadable.conf ] && cmd=(setpriv --bounding-set -dac_override,-dac_read_search "${cmd[@]}")
	# Wall time, peak RSS, status, CPU time: the bound is on CPU time, which
	# a loaded machine (sanitizers, two shared CPUs) does not stretch.
	read -r wall _ rc cpu < <(timeout 10 "$MEASURE" "${cmd[@]}" 2>"$dir/err" >"$dir/measure"; tail -n 1 "$dir/measure")
	ms=$(awk -v c="${cpu:-99}" 'BEGIN { printf "%d", c * 1000 }')
	why=
	[ "$rc" = 1 ] || why="exit status ${rc:-none}"
	[ "$(wc -l <"$dir/err")" = 1 ] || why="$why; $(wc -l <"$dir/err") lines of messages"
	grep -qE "^nswg: $(printf '%s' "$f" | sed 's/[.[\*^$/]/\\&/g')(:[0-9]+)?: ." "$dir/err" || why="$why; the message does not name the file"
	[ "$ms" -lt 1000 ] || why="$why; took $ms ms of CPU"
	[ "$ms" -le "${slowest_ms:-0}" ] || { slowest_ms=$ms; slowest="$name (wall ${wall}s)"; }
	[ -z "$(ip netns list)" ] || why="$why; a namespace was made"
	if [ -n "$why" ]; then
		fail "hostile: $name:$why"
		head -c 300 "$dir/err" | sed 's/^/#   /'
		bad=$((bad + 1))
	fi
done

# Keys in messages (issue 13): malformed lines around two keys, each refused;
# nothing nswg prints, on either stream, may hold 20 characters of a key in
# a row (messages show such text as "(hidden)").
K2=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
keyleak_lines() {
	local k=$1 name v
	for name in PrivatKey PrivateKy PrivateKye PrvateKey Private-Key Private_Key PrivKey PresharedKy PreSharedKee \
		Pre-Shared-Key Psk Secret Key Keys; do
		echo "I|$name = $k"
	done
	echo "I|$k"
	echo "I| $k # pasted"
	echo "I|[$k]"
	echo "I|[Peer $k]"
	echo "I|PrivateKey $k"
	echo "I|PrivateKey: $k"
	echo "I|PrivateKey = ${k:0:40}"
	echo "I|PrivateKey = ${k}x"
	echo "I|PrivateKey = ${k:0:22}!${k:22}"
	echo "I|PrivateKey = $k$k"
	echo "I|PrivateKey = \"$k\""
	echo "I|PrivateKey = 0x$k"
	echo "I|PrivateKey = $(printf '%s' "$k" | base64 -d | od -An -tx1 | tr -d ' \n')"
	echo "P|PresharedKey = ${k:0:30}"
	echo "P|PresharedKey = $k, $k"
	echo "P|PublicKey = $k!"
	for v in ListenPort FwMark Address DNS MTU Table SaveConfig; do
		echo "I|$v = $k"
		echo "I|$v = $k:51820"
		echo "I|$v = 10.0.0.1/$k"
	done
	for v in Endpoint AllowedIPs PersistentKeepalive; do
		echo "P|$v = $k"
		echo "P|$v = [$k]:51820"
		echo "P|$v = 10.0.0.1/${k:0:30}"
	done
	echo "I|PostUp = wg set %i private-key <(echo $k)"
}
leak=0
nleak=0
for k in "$K1" "$K2"; do
	for ((i = 0; i + 20 <= ${#k}; i++)); do printf '%s\n' "${k:i:20}"; done
done >"$dir/windows"
while IFS='|' read -r where line; do
	nleak=$((nleak + 1))
	f=$dir/keyleak-$nleak.conf
	if [ "$where" = I ]; then
		printf '[Interface]\nPrivateKey = %s\n%s\nListenPort = -1\n' "$K1" "$line"
	else
		printf '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n%s\nEndpoint = x\n' "$K1" "$K2" "$line"
	fi >"$f"
	chmod 0600 "$f"
	rc=0
	timeout 10 "$NSWG" up "$f" --netns hostile >"$dir/out" 2>&1 || rc=$?
	why=
	[ "$rc" = 1 ] || why="exit status $rc"
	tail -n 1 "$dir/out" | grep -qE "^nswg: $(printf '%s' "$f" | sed 's/[.[\*^$/]/\\&/g'):[0-9]+: ." || why="$why; the last message does not name FILE:LINE"
	! grep -qFf "$dir/windows" "$dir/out" || why="$why; a key was printed"
	if [ -n "$why" ]; then
		fail "hostile: key leak: line \`$line':$why"
		head -c 300 "$dir/out" | sed "s/^/#   /"
		leak=$((leak + 1))
	fi
done < <(keyleak_lines "$K1"; keyleak_lines "$K2")
check "hostile: $nleak malformed lines around keys, each refused, no key printed" test "$leak" = 0
check "hostile: at least 100 of those" test "$nleak" -ge 100

host_dump >"$dir/after"
echo "# hostile: the slowest, $slowest: ${slowest_ms} ms of CPU"
check "hostile: $n files, each refused with one line naming it, within a second of CPU" test "$bad" = 0
check "hostile: at least 100 of them" test "$n" -ge 100
check "hostile: the host is as it was" cmp -s "$dir/before" "$dir/after"
check "hostile: no state, no namespace, no DNS file" \
	test -z "$(find /run/nswg /run/netns /etc/netns -mindepth 1 ! -type d ! -name lock ! -path '/run/nswg/.host/*' 2>/dev/null)"
summary
