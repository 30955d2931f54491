#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make install into a scratch DESTDIR installs exactly the expected files
# under PREFIX, and make uninstall removes every one of them.
set -u
cd "$(dirname "$0")/.." || exit 1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail=0

make -s install DESTDIR="$dest" PREFIX=/usr/local >/dev/null || { echo "not ok - make install failed"; exit 1; }
(cd "$dest" && find . -type f | sort) >"$dest.list"
cat >"$dest.want" <<'LIST'
./usr/local/bin/nswg
./usr/local/lib/systemd/system/nswg-reresolve@.service
./usr/local/lib/systemd/system/nswg-reresolve@.timer
./usr/local/lib/systemd/system/nswg.target
./usr/local/lib/systemd/system/nswg@.service
./usr/local/share/bash-completion/completions/nswg
./usr/local/share/doc/nswg/examples/nswg-example-app.service
./usr/local/share/man/man8/nswg.8
./usr/local/share/zsh/vendor-completions/_nswg
LIST
if cmp -s "$dest.list" "$dest.want"; then
	echo "ok - make install: the binary, man page, units, completions and example unit, nothing else"
else
	echo "not ok - make install: unexpected file list"
	diff "$dest.want" "$dest.list" | sed 's/^/#   /'
	fail=1
fi
if grep -q '^ExecStart=/usr/local/bin/nswg up %i \$NSWG_OPTS$' "$dest/usr/local/lib/systemd/system/nswg@.service"; then
	echo "ok - make install: the unit names the installed binary"
else
	echo "not ok - make install: the unit does not name /usr/local/bin/nswg"
	fail=1
fi
if [ -x "$dest/usr/local/bin/nswg" ] && "$dest/usr/local/bin/nswg" --version | grep -q '^nswg v'; then
	echo "ok - make install: the installed binary runs"
else
	echo "not ok - make install: the installed binary does not run"
	fail=1
fi
make -s uninstall DESTDIR="$dest" PREFIX=/usr/local >/dev/null
left=$(cd "$dest" && find . -type f)
if [ -z "$left" ]; then
	echo "ok - make uninstall: removes every installed file"
else
	echo "not ok - make uninstall: left $left"
	fail=1
fi
rm -f "$dest.list" "$dest.want"
exit $fail
