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

ns_inode() { stat -Lc %i "/proc/$1/ns/net"; }

# One key per namespace, and never one for two (issue 13, item 8).
test_names() {
	write_one nm1 5
	write_one nm2 6
	write_one nm3 7
	# A name beginning with a dot is listed like any other.
	check "names: up in namespace .dot" $NSWG up nm1 --netns .dot
	check "names: show lists the interface of namespace .dot" sh -c "$NSWG show nm1 | grep -q '^namespace: .dot\$'"
	check "names: show without a name lists it too" sh -c "$NSWG show | grep -q '^interface: nm1\$'"
	check "names: down" $NSWG down nm1
	# A named namespace spelled like the key of a namespace given by a path.
	unshare --net sleep 300 &
	holder=$!
	while [ "$(ns_inode $holder)" = "$(ns_inode $$)" ]; do sleep 0.05; done
	named=$(printf '@%x:%x' "$(stat -Lc %d /proc/$holder/ns/net)" "$(ns_inode $holder)")
	check "names: up in a namespace given by a path" $NSWG up nm2 --netns /proc/$holder/ns/net
	check "names: up in the namespace named $named, another one" $NSWG up nm3 --netns "$named"
	check "names: both are listed, each in its own namespace" sh -c "$NSWG show nm2 | grep -q '^namespace: /proc/$holder/ns/net\$' &&
		$NSWG show nm3 | grep -q '^namespace: $named\$'"
	check "names: down of both" sh -c "$NSWG down nm3 && $NSWG down nm2"
	kill $holder
	wait $holder 2>/dev/null
	check "names: nothing left" nothing_left

	# A namespace gone with its interface, and a later one with its inode:
	# the journal of the first is not the second's.
	unshare --net sleep 300 &
	holder=$!
	while [ "$(ns_inode $holder)" = "$(ns_inode $$)" ]; do sleep 0.05; done
	old=$(ns_inode $holder)
	check "names: up in a namespace given by a path, again" $NSWG up nm2 --netns /proc/$holder/ns/net
	index=$(sed -n 's/^ifindex=//p' /run/nswg/@*/nm2.state)
	impl=$(state_pid "$(basename /run/nswg/@*)" nm2)
	kill $holder
	[ -n "$impl" ] && [ "$impl" != 0 ] && kill "$impl"
	wait $holder 2>/dev/null
	# The kernel gives a freed inode to the next namespace made: try until it does.
	reused=
	i=0
	while [ -z "$reused" ] && [ $i -lt 200 ]; do
		unshare --net sleep 300 &
		holder=$!
		while [ "$(ns_inode $holder)" = "$(ns_inode $$)" ]; do sleep 0.02; done
		if [ "$(ns_inode $holder)" = "$old" ]; then
			reused=$holder
		else
			kill $holder
			wait $holder 2>/dev/null
			sleep 0.05
		fi
		i=$((i + 1))
	done
	check "names: a new namespace got the gone one's inode ($old)" test -n "$reused"
	if [ -n "$reused" ]; then
		# A link of the index the journal recorded: wireguard in the VM, a bridge here (no dummy module).
		nsenter -t "$reused" -n $IP link add bystander index "$index" type wireguard 2>/dev/null ||
			nsenter -t "$reused" -n $IP link add bystander index "$index" type bridge
		$NSWG down nm2 --netns /proc/$reused/ns/net >/dev/null 2>&1
		check "names: down in the new namespace leaves its link of the recorded index alone" \
			nsenter -t "$reused" -n $IP link show bystander
		check "names: up in the new namespace starts afresh" $NSWG up nm2 --netns /proc/$reused/ns/net
		check "names: and its down" $NSWG down nm2 --netns /proc/$reused/ns/net
		check "names: the new namespace keeps its link" nsenter -t "$reused" -n $IP link show bystander
		kill "$reused"
		wait "$reused" 2>/dev/null
	fi
	# The gone namespace's record: its down finds nothing left to undo.
	$NSWG down nm2 >/dev/null 2>&1
	check "names: nothing left, the gone namespace's record included" nothing_left
}
