#compdef nswg
# zsh completion for nswg(8)
# SPDX-License-Identifier: MIT

# The interfaces nswg manages: their state files, /run/nswg/NS/IFNAME.state.
(( $+functions[_nswg_managed] )) ||
_nswg_managed() {
	local -a names
	names=(@RUNSTATEDIR@/nswg/*/*.state(N.:t:r))
	names=(${(u)names})
	_wanted interfaces expl 'interface nswg manages' compadd -a - names
}

# A name from ip netns, or a namespace file (/proc/PID/ns/net, a bind mount).
(( $+functions[_nswg_netns] )) ||
_nswg_netns() {
	local -a names
	names=(@RUNSTATEDIR@/netns/*(N:t))
	_alternative "names:network namespace:compadd -a - names" 'files:namespace file:_files'
}

# What up and strip read: a name from @CONFDIR@, or a .conf file.
(( $+functions[_nswg_config] )) ||
_nswg_config() {
	local -a names
	names=(@CONFDIR@/*.conf(N:t:r))
	_alternative "names:configuration in @CONFDIR@:compadd -a - names" \
		'files:configuration file:_files -g "*.conf(-.)"'
}

# What up and relay take to relay connections.
(( $+functions[_nswg_relay_args] )) ||
_nswg_relay_args() {
	reply=('*--publish[listen on the host, connect inside]:spec ([ADDR\:]PORT[\:NSPORT][/tcp|/udp]): '
		'*--host-port[listen inside, connect to the host]:spec ([NSADDR\:]PORT[\:HOSTPORT][/tcp|/udp]): '
		'*--socks[a SOCKS5 entrance on the host]:spec ([ADDR\:]PORT): '
		'--socks-auth[USER\:PASSWORD for SOCKS clients]:file:_files'
		'--relay-user[the user the relay becomes]:user:_users'
		'--max-connections[connections open at once]:number: '
		'--udp-timeout[seconds a UDP session lives unused]:seconds: ')
}

_nswg() {
	local curcontext=$curcontext state line ret=1 reply
	local -a commands
	commands=(
		'up:create the interface inside a namespace and configure it there'
		'down:remove the interface, and the namespace if nswg made it'
		'save:write the running configuration back into the file'
		'reload:apply the file to the running interface'
		'reresolve:resolve again the endpoints of peers without a recent handshake'
		'show:the interfaces nswg manages, and whether the host is untouched'
		'exec:run a command inside a namespace'
		'strip:print the configuration as wg setconf reads it'
		'relay:relay published ports, host ports and a SOCKS entrance, in the foreground'
		'help:show the usage'
	)

	_arguments -C '(- *)--version[show the version]' '1: :->command' '*:: :->argument' && ret=0
	case $state in
	command)
		_describe -t commands 'nswg command' commands && ret=0
		;;
	argument)
		curcontext=${curcontext%:*:*}:nswg-$words[1]:
		case $words[1] in
		up)
			_nswg_relay_args
			_arguments "$reply[@]" '--netns[the namespace]:namespace:_nswg_netns' \
				'--via[the namespace of the encrypted socket]:namespace:_nswg_netns' \
				'--dry-run[print what would be done, do nothing]' \
				'--trust-netns-owner[accept a namespace of another user namespace]' '1:configuration:_nswg_config' && ret=0
			;;
		strip)
			_arguments '1:configuration:_nswg_config' && ret=0
			;;
		relay)
			_nswg_relay_args
			_arguments "$reply[@]" '1:namespace:_nswg_netns' && ret=0
			;;
		down)
			_arguments '--netns[the namespace]:namespace:_nswg_netns' \
				'--dry-run[print what would be done, do nothing]' \
				'--keep-netns[keep a namespace nswg made]' '1:interface:_nswg_managed' && ret=0
			;;
		save)
			_arguments '--netns[the namespace]:namespace:_nswg_netns' \
				'--dry-run[print what would be done, do nothing]' \
				'--trust-netns-owner[accept a namespace of another user namespace]' '1:interface:_nswg_managed' && ret=0
			;;
		reload)
			_nswg_relay_args
			_arguments "$reply[@]" '--netns[the namespace]:namespace:_nswg_netns' \
				'--dry-run[print what would be done, do nothing]' \
				'--no-relays[no relay any more (relay options given: these alone)]' \
				'--trust-netns-owner[accept a namespace of another user namespace]' '1:interface:_nswg_managed' && ret=0
			;;
		reresolve)
			_arguments '--netns[the namespace]:namespace:_nswg_netns' '--dry-run[print what would be done, do nothing]' \
				'1:interface:_nswg_managed' && ret=0
			;;
		show)
			_arguments '--netns[the namespace]:namespace:_nswg_netns' '--json[JSON, for scripts]' \
				'--features[what the kernel'"'"'s WireGuard can do]' \
				'1:interface:{_nswg_managed; _wanted all expl all compadd all}' && ret=0
			;;
		exec)
			# After --, the command line is the command's own.
			local sep=${words[(i)--]}
			if (( sep < CURRENT )); then
				shift $sep words
				(( CURRENT -= sep ))
				_normal && ret=0
			else
				_arguments '1:namespace:_nswg_netns' '--user[run as this user]:user:_users' \
					'2:end of options:(--)' && ret=0
			fi
			;;
		esac
		;;
	esac
	return ret
}

_nswg "$@"
