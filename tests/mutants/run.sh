#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Mutants: each patch here breaks one promise of nswg. Applied to a scratch
# copy of the tree (the files git tracks, as they are now), it must make the
# tier it names fail: the suite bites. A mutant that survives, or no longer
# applies, fails the run.
#   tests/mutants/run.sh [NN-NAME.patch...]    (default: all)
# The results go to build/mutants/results.md: mutant, caught, seconds.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
need patch git make
cd "$TOP" || exit 1
out=$TOP/build/mutants
mkdir -p "$out"
results=$out/results.md
printf '| mutant | breaks | caught by | caught | seconds |\n|---|---|---|---|---|\n' >"$results"
start_all=$(date +%s)

# The tree once, built, so that each copy only rebuilds what its patch touches.
make -s nswg build/fault/nswg build/tests/measure build/tests/closedpipe build/tests/cfgdump >/dev/null ||
	die "the tree does not build"
base=$out/.base
rm -rf "$base"
mkdir -p "$base"
git ls-files -z | cpio -0pdm --quiet "$base" || die "cannot copy the tree"
# The build too (objects, their dependency files), timestamps kept.
tar -C "$TOP" -cf - --exclude=build/vm --exclude=build/mutants --exclude=build/bench* --exclude='build/fuzz' \
	build nswg man/nswg.8 | tar -C "$base" -xf -

mutants=("$@")
[ ${#mutants[@]} -gt 0 ] || mapfile -t mutants < <(cd tests/mutants && ls ./*.patch)
for m in "${mutants[@]}"; do
	m=${m##*/}
	patch=$TOP/tests/mutants/$m
	name=${m%.patch}
	breaks=$(sed -n 's/^Breaks: //p' "$patch")
	tier=$(sed -n 's/^Caught-by: //p' "$patch")
	dir=$out/$name
	rm -rf "$dir"
	cp -a "$base" "$dir"
	t0=$(date +%s)
	if ! patch -d "$dir" -p1 --quiet --no-backup-if-mismatch <"$patch" >"$dir.log" 2>&1; then
		fail "mutant $name: no longer applies"
		continue
	fi
	# A mutant that does not build proves nothing.
	if ! (cd "$dir" && make -s nswg build/fault/nswg build/tests/measure build/tests/closedpipe) >>"$dir.log" 2>&1; then
		fail "mutant $name: does not build"
		continue
	fi
	(cd "$dir" && sh -c "$tier") >>"$dir.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	# Caught by the check it names, not by any failure: a scenario's
	# "not ok - CHECK...", a unit test's "[  FAILED  ] CHECK", else the words.
	expect=$(sed -n 's/^Check: //p' "$patch")
	case $tier in
	*run.sh*) seen="not ok - $expect" ;;
	*build/tests/*) seen="[  FAILED  ] $expect" ;;
	*) seen=$expect ;;
	esac
	if [ "$rc" != 0 ] && grep -qF -- "$seen" "$dir.log"; then
		pass "mutant $name caught by $tier ($secs s): $breaks"
		printf '| %s | %s | `%s` | yes | %s |\n' "$name" "$breaks" "$tier" "$secs" >>"$results"
		rm -rf "$dir"
	else
		fail "mutant $name survived $tier (exit $rc, no \`$seen'): $breaks (log: $dir.log)"
		printf '| %s | %s | `%s` | **no** | %s |\n' "$name" "$breaks" "$tier" "$secs" >>"$results"
	fi
done
rm -rf "$base"
echo "# mutants: ${#mutants[@]}, caught $PASSED, in $(($(date +%s) - start_all)) s (table in $results)"
summary
