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

# zsh: the installed _nswg, in an interactive zsh driven through a terminal.
need zsh
zdir=$dest/usr/share/zsh/vendor-completions
zcomplete() { # LINE: what zsh offers at its end, on one line
	"$TOP/tests/e2e/zcomplete.zsh" "$zdir" "$1" | tr '\n' ' '
}

# Both shells, one line each: NAME|LINE|EXPECTED (LINE ends in a space for an empty word;
# the output ends in one).
while IFS='|' read -r name line want; do
	read -ra words <<<"$line"
	[[ $line == *' ' ]] && words+=('')
	check "bash: $name" test "$(complete_line "${words[@]}")" = "$want "
	check "zsh: $name" test "$(zcomplete "$line")" = "$want "
done <<'CASES'
commands|nswg rel|relay reload
up offers /etc/wireguard names and .conf files|nswg up |home provider.conf work
up, a prefix|nswg up pro|provider.conf
down offers the interfaces nswg manages|nswg down w|wg0 wg1
show offers them and all|nswg show |all wg0 wg1
options after a dash|nswg down --|--dry-run --keep-netns --netns
--netns offers ip netns names|nswg up home --netns eg|egress
--via offers ip netns names|nswg up home --via eg|egress
up offers --via|nswg up home --vi|--via
exec offers ip netns names|nswg exec e|egress
relay offers ip netns names|nswg relay eg|egress
up offers the relay's options|nswg up home --pu|--publish
relay offers its options|nswg relay egress --relay-u|--relay-user
reload offers the relay's options|nswg reload wg0 --no-r|--no-relays
CASES

# What only one of them is asked.
check "bash: --netns offers every ip netns name" test "$(complete_line nswg up home --netns '')" = "egress other "
check "bash: exec --user offers the users that match" test "$(bash -c ". $dest/usr/share/bash-completion/completions/nswg; COMP_WORDS=(nswg exec egress --user ro); COMP_CWORD=4; _nswg; echo \${COMPREPLY[*]}")" = root
check "zsh: all commands" test "$(zcomplete 'nswg ')" = "down exec help relay reload reresolve save show strip up "
check "zsh: exec, then --" test "$(zcomplete 'nswg exec other --user root ')" = "-- "
check "zsh: after --, the command's own completion" \
	sh -c "'$TOP/tests/e2e/zcomplete.zsh' '$zdir' 'nswg exec other -- ip netns ' | grep -qx add"
summary
