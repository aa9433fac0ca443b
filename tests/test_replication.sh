#!/bin/bash
# Integration: failover under load on replicated servers. Two providers and a
# read replica on 127.0.0.1, each a stock Debian cn=config made the
# syndicate's directory by directory-config (--replicas, --consumer-of),
# replicating over StartTLS with a throwaway CA. An apply of many people goes
# to provider 1; halfway through, provider 1 is killed (or stopped with
# SIGSTOP). A second admin pointing at provider 2 is refused while the first
# apply runs. After the stale lock is removed, as mutualize says to, the next
# apply goes to provider 2 while provider 1's last changes still arrive there
# by replication, and finishes; provider 1 comes back, and all three servers
# hold the same entries: nothing lost, nothing doubled, every person binds
# with the password of the last credentials file that names them.
#
#   test_replication.sh [-n people] [-s people-for-sigstop]
#
# MUTUALIZE_TEST_BIN: the program. TAP lines, then "replication: N passed,
# N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"
. "$here/tap.sh"
prog=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
gen=$here/../build/bench/gen
people=10000
stopped_people=3000
while getopts n:s: opt; do
	case $opt in
	n) people=$OPTARG ;;
	s) stopped_people=$OPTARG ;;
	*) echo "usage: test_replication.sh [-n people] [-s people]" >&2; exit 1 ;;
	esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-replication.XXXXXX") || exit 1
trap '[ -n "${REPLICATION_KEEP:-}" ] || { slapd_stop_all; rm -rf "$work"; }' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
BASE="dc=sitiv,dc=fr"
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$here/../templates}

# The servers: stock cn=config with TLS, then directory-config on each.
servers() {
	local n i=0 opts
	for n in P1 P2 C1; do
		slapd_start_stock "$n" "" "$work/tls" || return 1
	done
	write_file 2
	for n in P1 P2 C1; do
		i=$((i + 1))
		if [ "$n" = C1 ]; then
			opts="--consumer-of $P1_URI"
		else
			opts="--replicas $P1_URI,$P2_URI --server-id $i"
		fi
		configure "$n" $opts || return 1
	done
}

configure() {
	local name=$1 ldapi dir
	shift
	ldapi=${name}_LDAPI_URI dir=${name}_DIR
	ldapi=${!ldapi} dir=${!dir}
	"$prog" directory-config -H "$ldapi" --db-directory "$dir/db" \
		-o "$work/$name.ldif" "$@" "$work/tenants.yaml" &&
		ldapmodify -Q -Y EXTERNAL -H "$ldapi" -f "$work/$name.ldif" \
			>"$work/$name.out" 2>&1 ||
		{ cat "$work/$name.out"; return 1; }
}

# The generated syndicate, written to the providers in this order, with a
# timeout that gets past a stopped server in a few seconds.
write_file() {
	local timeout=$1
	"$gen" -n "$people" -t 10 -p sha512-crypt | awk -v p1="$P1_URI" \
		-v p2="$P2_URI" -v ca="$work/tls/ca.pem" -v t="$timeout" '
	/^directory:/ {
		print
		print "  uri: [\"" p1 "\", \"" p2 "\"]"
		print "  bind_dn: \"cn=admin,dc=sitiv,dc=fr\""
		print "  bind_password_file: secret/bind.pw"
		print "  ca_file: \"" ca "\""
		print "  timeout: " t
		skip = 1
		next
	}
	skip && /^  / { next }
	/^tenants:/ { print "services:\n  mail: {}" }
	{ skip = 0; print }
	/^  - id: / && !towns++ { print "    services: [mail]" }' \
		>"$work/tenants.yaml"
}

count() {
	local ldapi=${1}_LDAPI_URI
	ldapsearch -Q -LLL -Y EXTERNAL -H "${!ldapi}" -b "ou=tenants,$BASE" \
		"(objectClass=inetOrgPerson)" 1.1 2>/dev/null | grep -c '^dn:'
}

# Waits until provider 1 holds at least n people (at most 120 s).
wait_for() {
	local n=$1 i
	for i in $(seq 1 600); do
		[ "$(count P1)" -ge "$n" ] && return 0
		sleep 0.2
	done
	return 1
}

# The whole tree of a server as it is, operational attributes included,
# sorted: what must be the same everywhere once replication settled.
dump() {
	local ldapi=${1}_LDAPI_URI
	ldapsearch -Q -LLL -Y EXTERNAL -H "${!ldapi}" -o ldif-wrap=no \
		-b "$BASE" "(!(cn=mutualize-lock))" '*' entryUUID entryCSN \
		memberOf | awk 'BEGIN { RS = ""; ORS = "\n\n" } { print }' |
		LC_ALL=C sort
}

# Waits for the three servers to hold the same tree (at most 90 s).
converge() {
	local i
	for i in $(seq 1 90); do
		dump P1 >"$work/p1.ldif"
		dump P2 >"$work/p2.ldif"
		dump C1 >"$work/c1.ldif"
		cmp -s "$work/p1.ldif" "$work/p2.ldif" &&
			cmp -s "$work/p1.ldif" "$work/c1.ldif" && return 0
		sleep 1
	done
	diff "$work/p1.ldif" "$work/p2.ldif" | head -n 40 | sed "s/^/# /"
	cp "$work"/p1.ldif "$work"/p2.ldif /tmp/ 2>/dev/null
	return 1
}

apply() {
	(cd "$work" && "$prog" -q apply --credentials "$work/$1" \
		--journal "$work/journal" "${@:2}" tenants.yaml)
}

# While provider 1 is down or stopped, status says so: degraded (2), that
# server unreachable, provider 2 ok.
server_down() {
	local how=$1 out rc
	out=$(cd "$work" && "$prog" status --format json tenants.yaml 2>/dev/null)
	rc=$?
	check "$how: status says degraded while provider 1 is down ($rc)" [ "$rc" = 2 ]
	check "$how: and names provider 1 unreachable, provider 2 reachable" \
		python3 -c '
import json, sys
r = json.loads(sys.argv[1])
s = {x["uri"]: x["reachable"] for x in r["servers"]}
sys.exit(0 if s[sys.argv[2]] is False and s[sys.argv[3]] is True else 1)
' "$out" "$P1_URI" "$P2_URI"
}

# The mail service's account (mail is the first town's) finds its first
# person as Dovecot does (by login and memberOf, which dynlist makes), on each
# server, the read replica included.
service_finds() {
	local name uri got login
	login=$(awk -F'\t' 'NF >= 3 && $1 !~ /^#/ { print $1; exit }' \
		"$work/creds1")
	for name in P1 P2 C1; do
		uri=${name}_URI
		got=$(ldapsearch -x -LLL -H "${!uri}" -D "cn=mail,ou=system,$BASE" \
			-y "$work/secret/mail.pw" -b "ou=tenants,$BASE" \
			"(&(objectClass=inetOrgPerson)(memberOf=cn=mail,ou=services,$BASE)(!(mutualizeDisabled=*))(uid=$login))" \
			uid 2>/dev/null | grep -c "^uid: $login\$")
		[ "$got" = 1 ] || { echo "# $name: the mail account does not find $login"; return 1; }
	done
}

# STATUS OUTPUT PATTERN: a refusal (status not 0) that says the pattern.
said() {
	[ "$1" != 0 ] && printf '%s' "$2" | grep -q -- "$3"
}

# Each person binds with the password of the last credentials file that
# names them, or else of an earlier one that says the server did not answer
# its add (a stopped server may make it when it runs again, after the next
# apply made the account anew); a sample of them.
# Why a person does not bind: which files name them, which password binds,
# and which server wrote the entry last.
why() {
	local login=$1 dn=$2 f pw
	shift 2
	for f in "$@"; do
		pw=$(password_in "$f" "$login")
		[ -n "$pw" ] || continue
		if ldapwhoami -x -H "$P2_URI" -D "$dn" -w "$pw" >/dev/null 2>&1; then
			echo "# $login: the password of $(basename "$f") binds"
		else
			echo "# $login: the password of $(basename "$f") does not bind"
		fi
	done
	grep -h "$login" "$@" | grep '^#' | sed 's/^/# /'
	ldapsearch -Q -LLL -Y EXTERNAL -H "$P2_LDAPI_URI" -b "$dn" -s base \
		entryCSN createTimestamp | sed -n 's/^\(entryCSN\|createTimestamp\)/# &/p'
}

passwords_bind() {
	local login pw dn bad=0 tried=0 late=0 f ok
	for f in "$@"; do passwords "$f"; done | awk -F'\t' '{ pw[$1] = $2 }
		END { for (l in pw) print l "\t" pw[l] }' | LC_ALL=C sort |
		awk 'NR % 97 == 1' >"$work/sample"
	while IFS=$'\t' read -r login pw; do
		dn=$(ldapsearch -Q -LLL -o ldif-wrap=no -Y EXTERNAL \
			-H "$P2_LDAPI_URI" -b "ou=tenants,$BASE" "(uid=$login)" \
			1.1 | sed -n 's/^dn: //p')
		tried=$((tried + 1))
		binds "$dn" "$pw" && continue
		ok=
		for f in "$@"; do
			grep -q "^# created or not, unknown.*: $login;" "$f" &&
				binds "$dn" "$(password_in "$f" "$login")" && ok=1
		done
		if [ -n "$ok" ]; then
			late=$((late + 1))
		else
			bad=$((bad + 1))
			why "$login" "$dn" "$@"
		fi
	done <"$work/sample"
	echo "# $tried people tried: $bad refused, $late with the password of an add said unknown"
	[ "$tried" -gt 0 ] && [ "$bad" = 0 ]
}

# The passwords a credentials file gives: login, tab, password; not those
# of accounts it says were not created.
passwords() {
	awk -F'\t' '/^# not created / { sub(/.*: /, ""); gone[$0] = 1; next }
		NF >= 3 && $1 !~ /^#/ { pw[$1] = $3 }
		END { for (l in pw) if (!(l in gone)) print l "\t" pw[l] }' "$1"
}

binds() {
	ldapwhoami -x -H "$P2_URI" -D "$1" -w "$2" >/dev/null 2>&1
}

password_in() {
	passwords "$1" | awk -F'\t' -v l="$2" '$1 == l { print $2 }'
}

# The scenario: STOP is kill (-9) or stop (SIGSTOP); n people.
failover() {
	local how=$1 n=$2 pid rc out
	apply creds1 >"$work/apply1.out" 2>&1 &
	pid=$!
	wait_for $((n / 10)) || { not_ok "$how: provider 1 gets the first people"; return; }
	# The lock is replicated: an admin on provider 2 is refused meanwhile.
	out=$(cd "$work" && "$prog" -q apply -H "$P2_URI" --credentials \
		"$work/other" tenants.yaml 2>&1)
	rc=$?
	check "$how: a second apply on provider 2 is refused while the first runs ($rc)" \
		said "$rc" "$out" "another apply holds the lock"
	wait_for $((n / 2)) || { not_ok "$how: provider 1 gets half"; return; }
	if [ "$how" = kill ]; then
		kill -9 "$P1_PID"
	else
		kill -STOP "$P1_PID"
	fi
	wait "$pid"
	rc=$?
	echo "# $how: provider 1 had $(count P2) people seen on provider 2 when the first apply ended ($rc)"
	check "$how: the first apply reports that it stopped ($rc)" [ "$rc" != 0 ]
	server_down "$how"
	# The lock the first apply held came to provider 2 by replication; its
	# process is gone, on this host: the next apply removes it and says so.
	out=$(apply creds2 2>&1)
	rc=$?
	check "$how: the next apply goes to provider 2 and finishes ($rc)" [ "$rc" = 0 ]
	printf '%s\n' "$out" | grep -v '^[ +~-]\|^$' | tail -n 8 | sed 's/^/# /'
	check "$how: it removed the stale lock of the first" \
		grep -q "removing a stale lock" <<<"$out"
	if [ "$how" = kill ]; then
		slapd_restart P1 || not_ok "$how: provider 1 starts again"
	else
		kill -CONT "$P1_PID"
	fi
	check "$how: the three servers converge on the same tree" converge
	check "$how: each holds every person once ($(count P1) $(count P2) $(count C1) of $n)" \
		[ "$(count P1)" = "$n" -a "$(count P2)" = "$n" -a "$(count C1)" = "$n" ]
	check "$how: no employeeNumber twice" [ -z "$(ldapsearch -Q -LLL -Y EXTERNAL \
		-H "$P1_LDAPI_URI" -b "ou=tenants,$BASE" employeeNumber |
		sed -n 's/^employeeNumber: //p' | sort | uniq -d)" ]
	out=$(cd "$work" && "$prog" plan --exit-code -H "$P1_URI" tenants.yaml 2>&1)
	check "$how: the plan against provider 1 is empty ($?)" [ "$?" = 0 ]
	out=$(cd "$work" && "$prog" status tenants.yaml 2>&1)
	check "$how: status then says all is well ($?)" [ "$?" = 0 ]
	check "$how: the mail account finds a person on each server" \
		service_finds
	check "$how: people bind with their last password" passwords_bind \
		"$work/creds1" "$work/creds2"
}

scenario() {
	local how=$1 n=$2
	people=$n
	slapd_stop_all
	rm -rf "$work/secret" "$work"/creds* "$work/journal" "$work"/*.ldif
	mkdir -m 700 "$work/secret" &&
		od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/secret/bind.pw" &&
		chmod 600 "$work/secret/bind.pw" || return 1
	servers || { not_ok "$how: the servers are configured"; return; }
	ok "$how: two providers and a read replica, configured by directory-config"
	# Configured again without its replication, a provider would lock the
	# replication account out: refused.
	"$prog" directory-config -H "$P1_LDAPI_URI" "$work/tenants.yaml" \
		>"$work/again.ldif" 2>&1
	check "$how: directory-config without --replicas is refused on a provider ($?)" \
		said "$?" "$(cat "$work/again.ldif")" "replicates dc=sitiv,dc=fr"
	failover "$how" "$n"
}

tls_make "$work/tls" || exit 1
start=$SECONDS
scenario kill "$people"
echo "# kill: $((SECONDS - start)) s"
start=$SECONDS
[ -n "${REPLICATION_KEEP:-}" ] && { echo "# kept: $work P1=$P1_LDAPI_URI P2=$P2_LDAPI_URI"; exit; }
scenario stop "$stopped_people"
echo "# stop: $((SECONDS - start)) s"
tap_done replication
