# The one way the shell tests report, sourced by bash scripts: a line
# "ok - WHAT" or "not ok - WHAT" a check, and a closing line
# "LABEL: N passed, N failed" that run-integration.sh and CI count.
#
#   ok WHAT...           a check that passed
#   not_ok WHAT...       a check that failed
#   check WHAT CMD...    ok when the command succeeds, not_ok otherwise
#   tap_done LABEL       prints the closing line; returns 0 when none failed

TAP_PASSED=0
TAP_FAILED=0

ok() {
	TAP_PASSED=$((TAP_PASSED + 1))
	echo "ok - $*"
}

not_ok() {
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok - $*"
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

tap_done() {
	echo "$1: $TAP_PASSED passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" = 0 ]
}
