# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# shellcheck disable=SC2154 # f_priv and the like: keypair() assigns them through eval.
#
# Privilege and trust boundaries (issue 13), sourced by scenarios.sh: what
# nswg hands to less trusted parties, an unprivileged user of exec, a
# directory others may write, a namespace owned by another user namespace.

# nswg save beside a file planted under the old temporary name, and in
# directories others control.
test_files() {
	keypair f
	d=$T/cfgdir
	rm -rf "$d"
	mkdir -m 0755 "$d"
	printf '[Interface]\nPrivateKey = %s\nListenPort = 51860\nAddress = 10.9.7.1/24\n' "$f_priv" >"$d/wgf.conf"
	chmod 0600 "$d/wgf.conf"
	check "files: up" $NSWG up "$d/wgf.conf" --netns fl
	# nobody plants PATH.nswg-tmp in a sticky directory and keeps it open.
	chmod 1777 "$d"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "umask 0; : >$d/wgf.conf.nswg-tmp; exec sleep 60 3<>$d/wgf.conf.nswg-tmp" &
	planter=$!
	i=0
	while [ ! -e "/proc/$planter/fd/3" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	$NSWG save "$d/wgf.conf" 2>$T/err
	check "files: save beside a planted temporary file succeeds" test $? = 0
	check "files: the saved file is root's, 0600" sh -c "[ \"\$(stat -c '%u %a' $d/wgf.conf)\" = '0 600' ]"
	check "files: the planted file's holder reads no key" sh -c "! grep -q PrivateKey /proc/$planter/fd/3"
	check "files: the planted file is left as it was, and nothing else is there" \
		sh -c "[ ! -s $d/wgf.conf.nswg-tmp ] && [ \"\$(ls -A $d | wc -l)\" = 2 ]"
	kill $planter
	wait $planter 2>/dev/null
	rm -f "$d/wgf.conf.nswg-tmp"
	cp "$d/wgf.conf" $T/wgf.before
	# A directory a group may write, not sticky; a directory of another user.
	chmod 0775 "$d"
	chgrp 65534 "$d"
	$NSWG save "$d/wgf.conf" 2>$T/err
	check "files: save into a directory others may write is refused, in one line naming the file" \
		sh -c "[ $? = 1 ] && [ \$(grep -vc '^\[#\]' $T/err) = 1 ] && grep -q \"^nswg: .*$d/wgf.conf.*writ\" $T/err"
	chmod 0755 "$d"
	chown 65534 "$d"
	$NSWG save "$d/wgf.conf" 2>$T/err
	check "files: save into a directory of another user is refused" failed_saying $? "$d/wgf.conf"
	check "files: the refused saves left the file and the directory as they were" \
		sh -c "cmp -s $d/wgf.conf $T/wgf.before && [ \"\$(ls -A $d | wc -l)\" = 1 ]"
	chown 0 "$d"
	check "files: down" $NSWG down "$d/wgf.conf"
	check "files: nothing left" nothing_left
}
