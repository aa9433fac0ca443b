#!/bin/bash
# End-to-end: real services (Dovecot, Apache WebDAV, Prosody) on 127.0.0.1,
# configured from "mutualize service-config", let in the people the directory
# entitles and refuse the others; then the connectors reach a SCIM server, a
# webhook receiver and an SMTP sink. Runs against the slapd that
# tests/run-integration.sh started (SLAPD_URI, SLAPD_ROOTDN, SLAPD_ROOTPW), as
# root: the services drop to their own users.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
. "$here/lib.sh"
. "$here/mail.sh"
. "$here/mailbox.sh"
. "$here/files.sh"
. "$here/visio.sh"
. "$here/connectors.sh"
. "$here/move.sh"

BIN=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
BASE="dc=sitiv,dc=fr"

work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-e2e.XXXXXX") || exit 1
chmod 755 "$work"	# the services' own users go through it
# The accounts' password files go to secret/ beside the file applied.
FILE=$work/services.yaml
cp tests/data/services.yaml "$FILE" || exit 1
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Secrets live in files of mode 0600 only.
umask 077
printf '%s' "$SLAPD_ROOTPW" >"$work/root.pw"
umask 022

# The directory as the fixture wants it, with a departure and the accounts
# the services bind with.
wipe_directory "$work/root.pw" || exit 1
export MUTUALIZE_BIND_PASSWORD=$SLAPD_ROOTPW
if ! "$BIN" apply --credentials "$work/credentials" -H "$SLAPD_URI" "$FILE" \
	>"$work/apply.log" 2>&1; then
	cat "$work/apply.log"
	echo "e2e: 0 passed, 1 failed"
	exit 1
fi
grep -v '"V-3"' "$FILE" >"$work/left.yaml"
"$BIN" apply -H "$SLAPD_URI" "$work/left.yaml" >>"$work/apply.log" 2>&1 ||
	not_ok "the departure of V-3 is applied"
for s in mail files visio; do
	check "the $s account binds with the password apply wrote" \
		ldapwhoami -x -H "$SLAPD_URI" -D "cn=$s,ou=system,$BASE" \
		-y "$work/secret/$s.pw"
done
for s in mail files visio; do
	"$BIN" service-config -H "$SLAPD_URI" "$s" "$FILE" >"$work/$s.conf" ||
		not_ok "service-config $s"
done

e2e_mail "$work"
e2e_mailbox "$work"
e2e_files "$work"
e2e_visio "$work"
e2e_moves "$work"
e2e_connectors "$work"

tap_done e2e
