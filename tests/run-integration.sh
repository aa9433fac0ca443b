#!/bin/bash
# Starts private slapd servers on 127.0.0.1 for the integration tests, runs the
# tests, and stops the servers by PID whatever happens (failure, Ctrl-C, TERM):
#
#   SLAPD    the tests' server: StartTLS and ldaps:// with a throwaway CA made
#            for this run, and an ldapi:// socket for SASL EXTERNAL
#   SLAPD2   a second one without TLS, which tests stop with SIGSTOP
#   SLAPD3   one started and stopped at once: its port refuses connections
#
# Then the end-to-end tests of the services (tests/e2e/run.sh) on SLAPD.
#
# All of it runs once for each configuration that production directories run
# (SLAPD_CONFIGS, by default all four of tests/slapd.sh's SLAPD_OVERLAYS):
# memberof alone, memberof with refint on member, memberof with
# memberof-refint, and the configuration directory-config makes of Debian's
# stock cn=config. Each gets servers of its own.
#
# Everything the tests print, and everything the programs they run print,
# goes to logs in the run's temporary directory; once the tests are over, the
# logs are searched for the passwords the tests used.
# Usage: run-integration.sh PROGRAM...
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-run.XXXXXX") || exit 1
# A throwaway password for this run's servers. Every other password of the
# tests holds it (see test_password), so finding it finds them all.
SLAPD_ROOTPW=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
MUTUALIZE_TEST_LOG=$RUN_DIR/programs.log
SLAPD_TLS_DIR=$RUN_DIR/tls
export SLAPD_ROOTPW MUTUALIZE_TEST_LOG SLAPD_TLS_DIR

trap 'slapd_stop_all; rm -rf "$RUN_DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

exec 3>&1 4>&2
exec > >(tee -a "$RUN_DIR/tests.log") 2>&1
tee_pid=$!

tls_make "$SLAPD_TLS_DIR" || exit 1
export MUTUALIZE_TEST_BIN=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
# The templates of this tree, not those of an installed copy.
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$(cd "$here/../templates" && pwd)}
: >"$MUTUALIZE_TEST_LOG"
status=0

# The servers of one configuration, the tests, then the servers stopped.
run_config() {
	SLAPD_OVERLAYS=$1
	export SLAPD_OVERLAYS
	shift
	echo "== overlays: $SLAPD_OVERLAYS"
	# The generated configuration's rules for the services of the
	# end-to-end tests, whose accounts they bind as.
	SLAPD_TENANTS=$here/data/services.yaml slapd_start "dc=sitiv,dc=fr" \
		"$SLAPD_ROOTPW" SLAPD "$SLAPD_TLS_DIR" || return 1
	slapd_start "dc=sitiv,dc=fr" "$SLAPD_ROOTPW" SLAPD2 || return 1
	slapd_start "dc=sitiv,dc=fr" "$SLAPD_ROOTPW" SLAPD3 || return 1
	slapd_kill SLAPD3
	echo "slapd $SLAPD_PID on $SLAPD_URI $SLAPD_LDAPS_URI; $SLAPD2_PID on" \
		"$SLAPD2_URI; none on $SLAPD3_URI"
	LABEL="integration ($SLAPD_OVERLAYS)" sh "$here/run-unit.sh" "$@" ||
		status=1
	# Then the real services, on the same slapd.
	bash "$here/e2e/run.sh" || status=1
	slapd_stop_all
}

for config in ${SLAPD_CONFIGS:-memberof memberof+refint memberof-refint generated}; do
	run_config "$config" "$@" || status=1
done

exec 1>&3 2>&4 3>&- 4>&-
wait "$tee_pid"
if [ ! -s "$MUTUALIZE_TEST_LOG" ]; then
	echo "integration: the programs printed nothing to search for secrets" >&2
	status=1
elif grep -qF -e "$SLAPD_ROOTPW" "$RUN_DIR"/*.log; then
	# Name the files, never the lines: they hold the secret.
	echo "integration: a password of the tests was printed, in:" >&2
	grep -lF -e "$SLAPD_ROOTPW" "$RUN_DIR"/*.log >&2
	status=1
else
	echo "integration: no password in the $(wc -l <"$RUN_DIR/tests.log") +" \
		"$(wc -l <"$MUTUALIZE_TEST_LOG") lines the tests and programs printed"
fi
exit "$status"
