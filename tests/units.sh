#!/bin/sh
# SPDX-License-Identifier: MIT
#
# systemd-analyze verify on the units as make install writes them, into a
# scratch PREFIX so that ExecStart names a binary that exists. Any complaint,
# on any unit, fails.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v systemd-analyze >/dev/null || { echo "not ok - systemd-analyze missing (make check installs systemd)"; exit 1; }
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make -s install PREFIX="$prefix/usr" >/dev/null || { echo "not ok - make install failed"; exit 1; }
units=$prefix/usr/lib/systemd/system
cp "$prefix/usr/share/doc/nswg/examples/nswg-example-app.service" "$units/"
fail=0
for unit in nswg@wg0.service nswg.target nswg-example-app.service nswg-reresolve@wg0.service nswg-reresolve@wg0.timer; do
	out=$(cd "$units" && MANPATH="$prefix/usr/share/man:" SYSTEMD_UNIT_PATH="$units:" systemd-analyze verify "$unit" 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ -z "$out" ]; then
		echo "ok - systemd-analyze verify $unit: clean"
	else
		echo "not ok - systemd-analyze verify $unit (exit $rc)"
		echo "$out" | sed 's/^/#   /'
		fail=1
	fi
done
exit $fail
