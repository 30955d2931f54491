#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Puts build/bench/results.md, as make bench wrote it, into README.md between
# the bench markers: the figures there are measured, never typed in.
set -eu
cd "$(dirname "$0")/../.."
results=${1:-build/bench/results.md}
[ -s "$results" ] || { echo "readme.sh: no $results: run make bench first" >&2; exit 1; }
awk -v results="$results" '
	/^<!-- bench:begin -->$/ { print; while ((getline line < results) > 0) print line; skip = 1; next }
	/^<!-- bench:end -->$/ { skip = 0 }
	!skip { print }' README.md >README.md.new
mv README.md.new README.md
