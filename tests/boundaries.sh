# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# shellcheck disable=SC2154 # f_priv and the like: keypair() assigns them through eval.
#
# Privilege and trust boundaries (issue 13), sourced by scenarios.sh: what
# nswg hands to less trusted parties, an unprivileged user of exec, a
# directory others may write, a namespace owned by another user namespace.
# util-linux's tools by their paths: busybox's shell in the VM prefers its
# own applets, which lack options used here.
SETPRIV=${SETPRIV:-/usr/bin/setpriv}
UNSHARE=${UNSHARE:-/usr/bin/unshare}
NSENTER=${NSENTER:-/usr/bin/nsenter}
SCRIPT=${SCRIPT:-/usr/bin/script}

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
	$SETPRIV --reuid=65534 --regid=65534 --clear-groups sh -c "umask 0; : >$d/wgf.conf.nswg-tmp; exec sleep 60 3<>$d/wgf.conf.nswg-tmp" &
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
	$UNSHARE --net sleep 300 &
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
	$UNSHARE --net sleep 300 &
	holder=$!
	while [ "$(ns_inode $holder)" = "$(ns_inode $$)" ]; do sleep 0.05; done
	old=$(ns_inode $holder)
	check "names: up in a namespace given by a path, again" $NSWG up nm2 --netns /proc/$holder/ns/net
	record=$(ls /run/nswg/@*/nm2.state)
	index=$(sed -n 's/^ifindex=//p' "$record")
	impl=$(sed -n 's/^userspace_pid=//p' "$record")
	kill $holder
	[ -n "$impl" ] && [ "$impl" != 0 ] && kill "$impl"
	wait $holder 2>/dev/null
	# The kernel gives a freed inode to the next namespace made: try until it does.
	reused=
	i=0
	while [ -z "$reused" ] && [ $i -lt 200 ]; do
		$UNSHARE --net sleep 300 &
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
		$NSENTER -t "$reused" -n $IP link add bystander index "$index" type wireguard 2>/dev/null ||
			$NSENTER -t "$reused" -n $IP link add bystander index "$index" type bridge
		$NSWG down nm2 --netns /proc/$reused/ns/net >/dev/null 2>&1
		check "names: down in the new namespace leaves its link of the recorded index alone" \
			$NSENTER -t "$reused" -n $IP link show bystander
		check "names: up in the new namespace starts afresh" $NSWG up nm2 --netns /proc/$reused/ns/net
		check "names: and its down" $NSWG down nm2 --netns /proc/$reused/ns/net
		check "names: the new namespace keeps its link" $NSENTER -t "$reused" -n $IP link show bystander
		kill "$reused"
		wait "$reused" 2>/dev/null
	fi
	# The gone namespace's record: its down finds nothing left to undo.
	$NSWG down nm2 >/dev/null 2>&1
	check "names: nothing left, the gone namespace's record included" nothing_left
}

# COMMAND: run by sh on a terminal of its own (script(1)), its input kept open and silent.
on_terminal() {
	rm -f $T/sleeper
	{
		sleep 60 &
		echo $! >$T/sleeper
		wait
	} 2>/dev/null | {
		$SCRIPT -qec "$1" /dev/null
		# The pipeline ends when its input's writer does.
		while [ ! -s $T/sleeper ]; do sleep 0.01; done
		kill "$(cat $T/sleeper)"
	}
}

# exec --user: a session, a terminal, an environment and descriptors of its own; no way back to root.
test_exec_user() {
	$IP netns add bx
	# A program of the user pushes a line into the terminal it runs on.
	on_terminal "$NSWG exec bx --user nobody -- $TIOCSTI 'echo INJECTED'; stty -icanon min 0 time 10; line=\$(head -n 1); echo \"READ<\$line>\"" >$T/pty.out 2>&1
	check "exec --user on a terminal: TIOCSTI works on the child's own terminal" grep -q 'tiocsti: injected' $T/pty.out
	check "exec --user on a terminal: nothing reaches the caller's terminal" \
		sh -c "grep -q 'READ<' $T/pty.out && ! grep -q 'READ<.*INJECTED' $T/pty.out"
	on_terminal "$NSWG exec bx --user nobody -- $TIOCSTI 'echo INJECTED' </dev/null >$T/tiocsti.out 2>&1; stty -icanon min 0 time 10; line=\$(head -n 1); echo \"READ<\$line>\"" >$T/pty.out 2>&1
	check "exec --user without a terminal on 0-2: the child has no controlling terminal" \
		sh -c "grep -q 'tiocsti: no controlling terminal' $T/tiocsti.out && ! grep -q 'READ<.*INJECTED' $T/pty.out"
	# stdin not a terminal, stdout one: the child still gets a terminal of its own, not the caller's.
	on_terminal "echo caller \$(readlink /proc/self/fd/1); $NSWG exec bx --user nobody -- readlink /proc/self/fd/1 </dev/null" >$T/pty.out 2>&1
	check "exec --user, stdout a terminal: the child's is another one" \
		sh -c "mine=\$(sed -n 's/^caller //p' $T/pty.out | tr -d '\r'); [ -n \"\$mine\" ] &&
			grep -q '^/dev/pts/' $T/pty.out && ! grep -v '^caller' $T/pty.out | tr -d '\r' | grep -qx \"\$mine\""
	on_terminal "stty rows 33 cols 77; $NSWG exec bx --user nobody -- stty size; echo status \$?" >$T/pty.out 2>&1
	check "exec --user on a terminal: the window size is relayed" grep -q '^33 77' $T/pty.out
	check "exec --user on a terminal: the exit status is the command's" grep -q '^status 0' $T/pty.out
	on_terminal "$NSWG exec bx --user nobody -- sh -c 'exit 7'; echo status \$?" >$T/pty.out 2>&1
	check "exec --user on a terminal: exit 7 is 7" grep -q '^status 7' $T/pty.out
	$NSWG exec bx --user nobody -- sh -c 'exit 9' </dev/null
	check "exec --user: exit 9 is 9" test $? = 9
	$NSWG exec bx --user nobody -- sh -c 'kill -TERM $$' </dev/null
	check "exec --user: killed by SIGTERM is 143" test $? = 143
	$NSWG exec bx --user nobody -- sleep 30 </dev/null &
	p=$!
	i=0
	while ! pgrep -u 65534 -x sleep >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -TERM $p
	wait $p
	check "exec --user: a SIGTERM to nswg reaches the command, whose status it returns" test $? = 143
	check "exec --user: the command is gone" sh -c "! pgrep -u 65534 -x sleep"

	# The command stopped: nswg stops in its turn (its shell gets the prompt back), and goes on with it.
	$NSWG exec bx --user nobody -- sh -c 'kill -STOP $$; echo resumed' </dev/null >$T/stop.out 2>&1 &
	p=$!
	i=0
	while [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != T ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	check "exec --user: the command stopped, nswg stops too" test "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = T
	kill -CONT $p
	i=0
	while [ -e /proc/$p/stat ] && [ "$(awk '{print $3}' /proc/$p/stat)" != Z ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -KILL $p 2>/dev/null
	wait $p
	check "exec --user: continued, the command goes on to its end" sh -c "[ $? = 0 ] && grep -qx resumed $T/stop.out"

	# Descriptors: a root file open as 7 is not the user's.
	echo secret >$T/secret
	chmod 0600 $T/secret
	out=$($NSWG exec bx --user nobody -- ls /proc/self/fd 7<$T/secret </dev/null | tr '\n' ' ')
	check "exec --user: no descriptor above 2 is inherited (saw: $out)" test "$out" = "0 1 2 3 "
	check "exec --user: the root file open as 7 cannot be read" \
		sh -c "! $NSWG exec bx --user nobody -- sh -c 'cat <&7' 7<$T/secret </dev/null 2>/dev/null | grep -q secret"

	# The environment: as sudo's env_reset, not root's.
	home=$(awk -F: '$1 == "nobody" {print $6}' /etc/passwd)
	shell=$(awk -F: '$1 == "nobody" {print $7}' /etc/passwd)
	printf '%s\n' "HOME=$home" LANG=C.UTF-8 LC_TIME=C LOGNAME=nobody PATH=/usr/local/bin:/usr/bin:/bin \
		"SHELL=${shell:-/bin/sh}" TERM=dumb USER=nobody >$T/env.want
	env -i PATH=/root/bin:/usr/bin:/bin LD_LIBRARY_PATH=/root/lib FOO=bar LANG=C.UTF-8 LC_TIME=C TERM=dumb \
		$NSWG exec bx --user nobody -- env </dev/null | sort >$T/env.got
	check "exec --user: the environment is the user's, with TERM and the locale kept" cmp $T/env.want $T/env.got
	check "exec without --user: root's environment, as ip netns exec" \
		sh -c "env FOO=bar $NSWG exec bx -- env | grep -qx FOO=bar"

	# No capability, none to come back: no new privileges, an empty bounding set.
	$NSWG exec bx --user nobody -- cat /proc/self/status </dev/null >$T/status
	check "exec --user: no new privileges" grep -q '^NoNewPrivs:[[:space:]]*1$' $T/status
	check "exec --user: no capability, bounding set included" \
		sh -c "[ \$(grep -cE '^Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]*0+$' $T/status) = 5 ]"
	check "exec: the fresh sysfs is nosuid, nodev, noexec" \
		sh -c "$NSWG exec bx -- grep ' /sys sysfs ' /proc/self/mounts | grep -q 'nosuid,nodev,noexec'"

	# A file of /etc/netns/NS without a namesake in /etc: a warning, as ip netns exec.
	mkdir -p /etc/netns/bx
	echo x >/etc/netns/bx/nswg-no-such-file
	$NSWG exec bx -- true 2>$T/err
	check "exec: a file that cannot be bound is a warning, and the command runs" \
		sh -c "[ $? = 0 ] && grep -q 'warning: .*/etc/netns/bx/nswg-no-such-file' $T/err"
	rm -rf /etc/netns/bx
	$IP netns delete bx

	# A host without nsswitch.conf (musl): none is written for the namespace, and exec works.
	write_one ne1 8 dns
	mkdir -p $T/etc
	$UNSHARE --mount --propagation private sh -c "
		mount -t tmpfs etc $T/etc && cp -a /etc/. $T/etc/ 2>/dev/null; rm -f $T/etc/nsswitch.conf
		mount --bind $T/etc /etc || exit 3
		$NSWG up ne1 --netns nsw || exit 4
		[ -e /etc/netns/nsw/resolv.conf ] || exit 5
		[ ! -e /etc/netns/nsw/nsswitch.conf ] || exit 6
		$NSWG exec nsw -- cat /etc/resolv.conf | grep -q '^nameserver 10.38.0.53' || exit 7
		$NSWG down ne1 || exit 8
	" 2>$T/err
	rc=$?
	check "exec: where the host has no nsswitch.conf, up writes none and exec works (status $rc)" test $rc = 0
	$NSWG down ne1 >/dev/null 2>&1
	check "exec: nothing left" nothing_left
}

# A namespace owned by another user namespace: a rootless container's, whose root forges netlink replies.
test_foreign_userns() {
	write_one fu1 9
	$UNSHARE --user --map-root-user --net sleep 300 &
	holder=$!
	while [ "$(stat -Lc %i /proc/$holder/ns/user)" = "$(stat -Lc %i /proc/$$/ns/user)" ]; do sleep 0.05; done
	ns=/proc/$holder/ns/net
	$NSWG up fu1 --netns $ns 2>$T/err
	check "foreign userns: up is refused, in one line naming the option" \
		sh -c "[ $? = 1 ] && [ \$(wc -l <$T/err) = 1 ] && grep -q 'another user namespace.*--trust-netns-owner' $T/err"
	check "foreign userns: and nothing is made in it" sh -c "[ \$($NSENTER -t $holder -n $IP -o link show | wc -l) = 1 ]"
	# Accepted: the container's root sends forged replies to nswg's sockets there, in the middle of up,
	# before the first request at which it finds them (the count differs between kernel and userspace).
	for n in 8 10 12 14 16 18 20; do
		rm -f $T/forge
		NSWG_FAULT_RUN=$n:0 NSWG_FAULT_CMD="$NSENTER -t $holder -U -n $NLFORGE >$T/forge 2>&1" \
			$FAULT_NSWG up fu1 --netns $ns --trust-netns-owner 2>$T/err
		rc=$?
		grep -q 'sockets [1-9]' $T/forge 2>/dev/null && break
		$NSWG down fu1 >/dev/null 2>&1
	done
	check "foreign userns: --trust-netns-owner: up succeeds" test $rc = 0
	check "foreign userns: with a warning that its root can read the key" grep -q 'warning: .*can read the private key' $T/err
	echo "# before request $n: $(cat $T/forge 2>/dev/null)"
	check "foreign userns: the forger found nswg's sockets, and the kernel delivered none of its replies" \
		grep -q 'sockets [1-9][0-9]*, delivered 0,' $T/forge
	check "foreign userns: the interface is up in the container's namespace" $NSENTER -t $holder -n $IP link show fu1
	$NSWG save fu1 2>$T/err
	check "foreign userns: save without the option is refused" failed_saying $? 'another user namespace'
	# SaveConfig: down does not write what the container's root may have changed into root's file.
	awk '/^\[Peer\]/ { print "SaveConfig = true" } 1' /etc/wireguard/fu1.conf >$T/fu1.conf && cat $T/fu1.conf >/etc/wireguard/fu1.conf
	cp /etc/wireguard/fu1.conf $T/fu1.before
	$NSWG down fu1 2>$T/err
	check "foreign userns: down needs no option" test $? = 0
	check "foreign userns: with SaveConfig, down saves nothing, and says so" \
		sh -c "cmp -s /etc/wireguard/fu1.conf $T/fu1.before && grep -q 'warning: not saving' $T/err"
	kill $holder
	wait $holder 2>/dev/null
	check "foreign userns: nothing left" nothing_left
}
