#!/bin/bash
# Starts a private slapd on 127.0.0.1 for the integration tests, runs them, and
# stops it by PID whatever happens (failure, Ctrl-C, TERM).
# Then the end-to-end tests of the services (tests/e2e/run.sh) on the same slapd.
# Usage: run-integration.sh PROGRAM...
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"

# A throwaway password for this run's slapd only.
SLAPD_ROOTPW=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export SLAPD_ROOTPW

trap 'slapd_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
slapd_start "dc=sitiv,dc=fr" "$SLAPD_ROOTPW" || exit 1
echo "slapd $SLAPD_PID on $SLAPD_URI"
export MUTUALIZE_TEST_BIN=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
# The templates of this tree, not those of an installed copy.
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$(cd "$here/../templates" && pwd)}
LABEL=integration sh "$here/run-unit.sh" "$@"
status=$?
# Then the real services, on the same slapd.
bash "$here/e2e/run.sh" || status=1
exit "$status"
