#!/bin/sh
# Runs cmocka test programs (built with ASan and UBSan), and shell tests that
# report through tap.sh, and prints a total.
# Usage: run-unit.sh PROGRAM...
set -u
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

passed=0 failed=0 status=0
log=$(mktemp "${TMPDIR:-/tmp}/mutualize-unit.XXXXXX")
for t in "$@"; do
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n -e 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' \
		-e 's/^[a-z0-9-]*: \([0-9]*\) passed, [0-9]* failed$/\1/p' "$log")
	f=$(sed -n -e 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' \
		-e 's/^[a-z0-9-]*: [0-9]* passed, \([1-9][0-9]*\) failed$/\1/p' "$log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" != 0 ]; then
		echo "$t: exit status $rc" >&2
		status=1
		[ -z "$f" ] && failed=$((failed + 1))
	fi
done
rm -f "$log"
echo "${LABEL:-unit}: $passed passed, $failed failed"
exit "$status"
