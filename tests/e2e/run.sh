#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The end-to-end scenarios on this machine, with wireguard-go: its kernel has
# no WireGuard. Everything runs in a sandbox of its own (network and mount
# namespaces, private /run and TMPDIR, an overlay on /etc), so nothing reaches
# the machine's interfaces, routes or files.
#   tests/e2e/run.sh [SCENARIO...]     (see tests/scenarios.sh)
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need wireguard-go wg ip ss busybox awk
sandbox_enter "$@"

# What the scenarios call by name comes from busybox, as in the VM.
mkdir -p $TMPDIR/e2e/bin $TMPDIR/e2e/data
for applet in nc ping; do ln -s "$(command -v busybox)" "$TMPDIR/e2e/bin/$applet"; done
ln -s "$TOP/tests/corpus/good" $TMPDIR/e2e/data/corpus
"$TOP/tests/lib/bigconfs.sh" $TMPDIR/e2e/data/big peers1000 || die "cannot make the large configurations"

PATH=$TMPDIR/e2e/bin:$PATH USERSPACE=1 NSWG=$NSWG FAULT_NSWG=${FAULT_NSWG:-$TOP/build/fault/nswg} MEASURE=$TOP/build/tests/measure CLOSEDPIPE=$TOP/build/tests/closedpipe TIOCSTI=$TOP/build/tests/tiocsti NLFORGE=$TOP/build/tests/nlforge FANOUT=$TOP/build/tests/fanout DATA=$TMPDIR/e2e/data IP=$(command -v ip) WG=$(command -v wg) \
	SS=$(command -v ss) sh "$TOP/tests/scenarios.sh" "$@"
