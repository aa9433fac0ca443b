#!/bin/bash
# A reproduction, with slapd and the OpenLDAP command-line tools alone, of
# slapd 2.5.13 (Debian 12) dying of a segmentation fault in back-mdb when it
# is asked to delete the suffix entry of an empty database:
#
#   1. an empty back-mdb database for dc=example,dc=org, no overlay;
#   2. ldapdelete dc=example,dc=org (which does not exist);
#   3. ldapdelete gets no answer ("Can't contact LDAP server") and slapd is
#      gone; the kernel logs "segfault ... in back_mdb-2.5.so".
#
# A database that holds the suffix entry answers the same delete as it
# should. The tests that empty a directory delete its entries deepest first
# and never the suffix of an empty one.
#
#   delete-empty-suffix.sh [-k]
#
# Exits 0 when slapd died (the fault), 1 when it answered and lives, 2 when
# the set-up failed. -k keeps the directory (database, log).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
while getopts k opt; do
	case $opt in
	k) REPRO_KEEP=1 ;;
	*) exit 2 ;;
	esac
done
repro_init delete-empty-suffix
repro_start
ldapdelete -x -H "$REPRO_URI" -D "$REPRO_ROOTDN" -y "$REPRO_DIR/pw" \
	"$REPRO_BASE" >"$REPRO_DIR/delete.log" 2>&1
status=$?
sleep 0.2
echo "delete-empty-suffix: ldapdelete $REPRO_BASE: exit $status," \
	"$(grep -m1 -o 'ldap_[a-z_]*: .*' "$REPRO_DIR/delete.log")"
if repro_alive; then
	echo "delete-empty-suffix: not reproduced: slapd answered and runs"
	exit 1
fi
# (bash says "Segmentation fault" on its own line as it reaps the job)
wait "$REPRO_PID" 2>/dev/null
status=$?
REPRO_PID=
[ "$status" -gt 128 ] && status="signal $((status - 128))"
echo "delete-empty-suffix: reproduced: slapd is gone ($status)"
exit 0
