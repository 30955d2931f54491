#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Writes the large configurations the scale scenarios and the benchmark use
# into DIR: bigconfs.sh DIR [NAME...] (default: peers1000 peers10k aips100k).
# Any 32 bytes are a public key to X25519: thousands of them come from
# /dev/urandom without a process per key.
set -eu
dir=$1
shift
mkdir -p "$dir"

# peers N PORT: N peers, each with one /32 and a loopback endpoint.
peers() {
	printf '[Interface]\nPrivateKey = %s\nListenPort = %d\n' "$(wg genkey)" "$2"
	head -c $((34 * $1)) /dev/urandom | base64 -w 0 | fold -w 44 | head -n "$1" | awk -v port="$2" '
		{ key = substr($0, 1, 42) "A=" }
		{ printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\nEndpoint = 127.0.0.1:%d\n",
			key, 100 + int(NR / 65536), int(NR / 256) % 256, NR % 256, 20000 + NR % 40000 }'
}

# aips N: one peer with N allowed IPs, a thousand to a line.
aips() {
	printf '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\n' "$(wg genkey)" "$(wg genkey | wg pubkey)"
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%s10.%d.%d.%d/32%s", (i % 1000 ? ", " : "AllowedIPs = "), \
		64 + int(i / 65536), int(i / 256) % 256, i % 256, (i % 1000 == 999 || i == n - 1 ? "\n" : "") }'
}

for names in "${@:-peers1000 peers10k aips100k}"; do
	for name in $names; do
		case $name in
		peers*k) n=${name#peers}; peers $((${n%k} * 1000)) 53001 ;;
		peers*) peers "${name#peers}" 53000 ;;
		aips*k) n=${name#aips}; aips $((${n%k} * 1000)) ;;
		aips*) aips "${name#aips}" ;;
		*) echo "bigconfs.sh: unknown configuration \`$name'" >&2; exit 1 ;;
		esac >"$dir/$name.conf"
		chmod 600 "$dir/$name.conf"
	done
done
