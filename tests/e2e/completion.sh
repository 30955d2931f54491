#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The bash completion, as installed, against a sandbox's /etc/wireguard,
# /run/netns and /run/nswg.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
sandbox_enter "$@"

dest=/run/completion-install
make -s -C "$TOP" install DESTDIR="$dest" >/dev/null || die "make install failed"
# shellcheck disable=SC1091
. "$dest/usr/share/bash-completion/completions/nswg"

mkdir -p /etc/wireguard /run/netns /run/nswg/egress /run/nswg/other
touch /etc/wireguard/home.conf /etc/wireguard/work.conf /run/netns/egress /run/netns/other
touch /run/nswg/egress/lock /run/nswg/egress/wg0.state /run/nswg/egress/wg0.log /run/nswg/other/wg1.state /run/nswg/other/wg2.log
cd "$TMPDIR" && touch provider.conf notes.txt

complete_line() { # WORDS...: the completions of the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nswg
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

check "completion: commands" test "$(complete_line nswg re)" = "reload "
check "completion: up offers /etc/wireguard names and .conf files" \
	test "$(complete_line nswg up '')" = "home provider.conf work "
check "completion: up, a prefix" test "$(complete_line nswg up pro)" = "provider.conf "
check "completion: down offers the interfaces nswg manages" test "$(complete_line nswg down w)" = "wg0 wg1 "
check "completion: show offers them and all" test "$(complete_line nswg show '')" = "all wg0 wg1 "
check "completion: options after a dash" test "$(complete_line nswg down --)" = "--dry-run --keep-netns --netns "
check "completion: --netns offers ip netns names" test "$(complete_line nswg up home --netns '')" = "egress other "
check "completion: exec offers ip netns names" test "$(complete_line nswg exec e)" = "egress "
check "completion: exec --user offers users" sh -c "[ -n \"\$(bash -c '. $dest/usr/share/bash-completion/completions/nswg; COMP_WORDS=(nswg exec egress --user ro); COMP_CWORD=4; _nswg; echo \${COMPREPLY[*]}')\" ]"

# zsh: the installed _nswg, in an interactive zsh driven through a terminal.
need zsh
zdir=$dest/usr/share/zsh/vendor-completions
zcomplete() { # LINE: what zsh offers at its end, on one line
	"$TOP/tests/e2e/zcomplete.zsh" "$zdir" "$1" | tr '\n' ' '
}
check "zsh: commands" test "$(zcomplete 'nswg re')" = "reload "
check "zsh: all commands" test "$(zcomplete 'nswg ')" = "down exec help reload save show strip up "
check "zsh: up offers /etc/wireguard names and .conf files" test "$(zcomplete 'nswg up ')" = "home provider.conf work "
check "zsh: down offers the interfaces nswg manages" test "$(zcomplete 'nswg down w')" = "wg0 wg1 "
check "zsh: show offers them and all" test "$(zcomplete 'nswg show ')" = "all wg0 wg1 "
check "zsh: down's options" test "$(zcomplete 'nswg down --')" = "--dry-run --keep-netns --netns "
check "zsh: --netns offers ip netns names" test "$(zcomplete 'nswg up home --netns eg')" = "egress "
check "zsh: exec offers ip netns names" test "$(zcomplete 'nswg exec o')" = "other "
check "zsh: exec, then --" test "$(zcomplete 'nswg exec other --user root ')" = "-- "
check "zsh: after --, the command's own completion" \
	sh -c "'$TOP/tests/e2e/zcomplete.zsh' '$zdir' 'nswg exec other -- ip netns ' | grep -qx add"
summary
