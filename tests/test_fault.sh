#!/bin/bash
# slapd killed in the middle of a large apply: mutualize stops, says that the
# directory is partly updated and exits non-zero; once slapd is back, the next
# apply finishes the work (its lock, left by a process now gone, is stale),
# with nothing lost or doubled: every person there once, every member of every
# group a person that exists. Its own slapd on 127.0.0.1, stopped by PID.
# The apply is pipelined (the default, without transactions): what the server
# took before the kill stays, and the adds it had no answer to may have
# landed, so their passwords go to the credentials file too.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"
. "$here/tap.sh"
# The optimised build: 10,000 adds under the sanitizers take minutes. The
# passwords are hashed with SHA-512 crypt: 10,000 yescrypt hashes would too.
bin=${MUTUALIZE_FAULT_BIN:-./mutualize}
people=10000 towns=5

work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-fault.XXXXXX") || exit 1
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
trap 'slapd_stop_all; [ -n "${FAULT_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A syndicate of 10,000 people in 5 towns; everyone in "tous", which so has
# 2,000 members, and in one of three other groups.
awk -v people="$people" -v towns="$towns" 'BEGIN {
	split("Hélène Marie Zoé Jérôme Loïc Anaïs Benoît Thérèse Noël Maëlle", g, " ")
	split("Dupont Martin Lefèvre Cœur Le-Gall Ménard Roux Favre Perrin Caillat", s, " ")
	print "version: 1"
	print "syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", mail_domain: sitiv.fr}"
	print "directory: {uri: \"ldap://127.0.0.1:1\", bind_dn: \"cn=admin,dc=sitiv,dc=fr\"}"
	print "policy: {password_scheme: sha512-crypt}"
	print "tenants:"
	for (t = 1; t <= towns; t++) {
		printf "  - id: town%d\n    name: \"Ville %d\"\n", t, t
		print "    groups: [{id: tous, name: Tous}, {id: a, name: A}, {id: b, name: B}, {id: c, name: C}]"
		print "    people:"
		for (i = 0; i < people / towns; i++) {
			n = (t - 1) * people / towns + i
			printf "      - {id: \"P%06d\", given_name: \"%s\", surname: \"%s\", kind: agent, groups: [tous, %s]}\n", \
			    n, g[n % 10 + 1], s[int(n / 10) % 10 + 1], substr("abc", n % 3 + 1, 1)
		}
	}
}' >"$work/big.yaml"

slapd_start "dc=sitiv,dc=fr" "$pw" || exit 1
count_people() {
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/pw" \
		-b "ou=tenants,dc=sitiv,dc=fr" "(objectClass=inetOrgPerson)" 1.1 \
		2>/dev/null | grep -c '^dn:'
}
printf '%s' "$pw" >"$work/pw"
chmod 600 "$work/pw"
# The base exists: the apply takes its lock (an empty directory has none).
ldapadd -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/pw" >/dev/null <<LDIF
dn: dc=sitiv,dc=fr
objectClass: dcObject
objectClass: organization
dc: sitiv
o: SITIV
LDIF
export MUTUALIZE_BIND_PASSWORD=$pw
run_apply() {
	"$bin" apply --allow-mass-change --credentials "$work/credentials.$1" \
		--journal "$work/journal" --undo "$work/undo.$1" -H "$SLAPD_URI" \
		"$work/big.yaml" >"$work/out.$1" 2>"$work/err.$1"
}

# The first apply, killed with its slapd once a few thousand people are in.
run_apply 1 &
apply_pid=$!
for i in $(seq 1 600); do
	[ "$(count_people)" -ge 3000 ] && break
	kill -0 "$apply_pid" 2>/dev/null || break
	sleep 0.2
done
kill -9 "$SLAPD_PID"
wait "$SLAPD_PID" 2>/dev/null
wait "$apply_pid"
status=$?
check "the interrupted apply exits non-zero ($status)" [ "$status" -ne 0 ]
check "and says the directory is partly updated" \
	grep -q "the directory is partly updated" "$work/err.1"
check "and which batches landed" \
	grep -q -e "^mutualize: batch 1 of [0-9]* landed" \
	-e "^mutualize: batches 1 to [0-9]* of [0-9]* landed" "$work/err.1"
check "and that its credentials are kept for the accounts it made" \
	test -s "$work/credentials.1"

# slapd back on the same database and port.
slapd_restart || exit 1
before=$(count_people)
check "some people were added before the kill ($before), not all" \
	[ "$before" -gt 0 -a "$before" -lt "$people" ]

run_apply 2
status=$?
check "the next apply finishes the work (exit $status)" [ "$status" -eq 0 ]
check "it finds the lock of the dead apply stale" \
	grep -q "removing a stale lock" "$work/err.2"
check "every person is there, once ($(count_people))" [ "$(count_people)" -eq "$people" ]
"$bin" plan --exit-code -H "$SLAPD_URI" "$work/big.yaml" >"$work/out.3" 2>&1
check "and nothing remains to do" [ "$?" -eq 0 ]
# The two credentials files together name everyone: no account is left
# without its initial password. Lines that begin with # mark the passwords
# of adds that the kill kept from being made.
check "every new account has its password in a credentials file" \
	[ "$(grep -hv '^#' "$work/credentials.1" "$work/credentials.2" | cut -f1 |
	sort -u | wc -l)" -eq "$people" ]
# Every member of every group is a person that exists.
ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" \
	-y "$work/pw" -b "ou=tenants,dc=sitiv,dc=fr" "(objectClass=groupOfNames)" \
	member | sed -n 's/^member: //p' | sort -u >"$work/members"
ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" \
	-y "$work/pw" -b "ou=tenants,dc=sitiv,dc=fr" "(objectClass=inetOrgPerson)" \
	1.1 | sed -n 's/^dn: //p' | sort -u >"$work/persons"
check "no group names a missing person" \
	[ -z "$(comm -23 "$work/members" "$work/persons")" ]
check "every person is in the groups the file gives ($(wc -l <"$work/members") members)" \
	[ "$(wc -l <"$work/members")" -eq "$people" ]
tap_done fault
