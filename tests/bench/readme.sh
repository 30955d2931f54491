#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Puts the tables make bench wrote into README.md between their markers:
# build/bench/results.md between bench:begin and bench:end, and
# build/bench/relay.md between bench-relay:begin and bench-relay:end,
# build/bench/via.md between bench-via:begin and bench-via:end. The
# figures there are measured, never typed in; a table not measured again
# stays as it was.
set -eu
cd "$(dirname "$0")/../.."
results=${1:-build/bench/results.md}
relay=${2:-build/bench/relay.md}
via=${3:-build/bench/via.md}
[ -s "$results" ] || [ -s "$relay" ] || [ -s "$via" ] || { echo "readme.sh: no $results, $relay nor $via: run make bench first" >&2; exit 1; }
fill() { # MARKER FILE
	[ -s "$2" ] || return 0
	awk -v results="$2" -v begin="<!-- $1:begin -->" -v end="<!-- $1:end -->" '
		$0 == begin { print; while ((getline line < results) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }' README.md >README.md.new
	mv README.md.new README.md
}
fill bench "$results"
fill bench-relay "$relay"
fill bench-via "$via"
