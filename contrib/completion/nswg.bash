# bash completion for nswg(8)
# SPDX-License-Identifier: MIT

_nswg_confdir=@CONFDIR@
_nswg_relay_options="--publish --host-port --socks --socks-auth --relay-user --max-connections --udp-timeout"

# The interfaces nswg manages: their state files, /run/nswg/NS/IFNAME.state.
_nswg_managed() {
	local f
	for f in @RUNSTATEDIR@/nswg/*/*.state; do
		f=${f##*/}
		[[ -n ${f%.state} ]] && printf '%s\n' "${f%.state}"
	done 2>/dev/null | sort -u
}

_nswg_netns() {
	local f
	for f in @RUNSTATEDIR@/netns/*; do
		[[ -e $f ]] && printf '%s\n' "${f##*/}"
	done 2>/dev/null
}

_nswg() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd=${COMP_WORDS[1]} words
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "up down save reload reresolve show exec strip relay help --version" -- "$cur")
		return
	fi
	case $prev in
	--netns | --via)
		mapfile -t COMPREPLY < <(compgen -W "$(_nswg_netns)" -- "$cur")
		[[ $cur == */* ]] && mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--user | --relay-user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return
		;;
	--socks-auth)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--publish | --host-port | --socks | --max-connections | --udp-timeout)
		return # a spec or a number: nothing to offer
		;;
	esac
	case $cmd in
	up | strip)
		if [[ $cur == -* ]]; then
			words="--netns --dry-run"
			[[ $cmd == up ]] && words+=" --via --trust-netns-owner $_nswg_relay_options"
		else
			local f names=()
			for f in "$_nswg_confdir"/*.conf; do
				[[ -e $f ]] && names+=("$(basename "$f" .conf)")
			done 2>/dev/null
			words="${names[*]}"
			mapfile -t COMPREPLY < <(compgen -f -X '!*.conf' -- "$cur"; compgen -d -S / -- "$cur")
			compopt -o nospace -o filenames 2>/dev/null
		fi
		;;
	down | save | reload | reresolve)
		if [[ $cur == -* ]]; then
			words="--netns --dry-run"
			[[ $cmd == down ]] && words+=" --keep-netns"
			[[ $cmd == save || $cmd == reload ]] && words+=" --trust-netns-owner"
			[[ $cmd == reload ]] && words+=" --no-relays $_nswg_relay_options"
		else
			words=$(_nswg_managed)
		fi
		;;
	show)
		[[ $cur == -* ]] && words="--netns --json --features" || words="$(_nswg_managed) all"
		;;
	relay)
		((COMP_CWORD == 2)) && words=$(_nswg_netns) || words=$_nswg_relay_options
		;;
	exec)
		if ((COMP_CWORD == 2)); then
			words=$(_nswg_netns)
		elif [[ $prev == -- ]] || [[ " ${COMP_WORDS[*]:3:COMP_CWORD-3} " == *" -- "* ]]; then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			return
		else
			words="--user --"
		fi
		;;
	esac
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$words" -- "$cur")
}

complete -F _nswg nswg
