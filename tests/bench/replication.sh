#!/bin/bash
# The replication benchmark: how long after an apply its entries are on every
# server. Two providers and a read replica on 127.0.0.1, each a stock Debian
# cn=config made the syndicate's directory by directory-config (--replicas,
# --consumer-of), replicating over StartTLS; the syndicate of build/bench/gen
# (password_scheme none: the loads are compared, not the hashing).
#
#   replication.sh [-n people]
#
# 10,000 people by default. Measured in the same run:
#   apply            mutualize apply of the whole syndicate to provider 1
#   ldapadd          ldapadd -f of the same entries (the LDIF of plan
#                    --format ldif) into provider 1 of a second, empty set of
#                    servers: the standard tool's load, replicated the same way
#   visible on P2    from the start of each load to the moment provider 2
#   visible on C1    and the read replica hold every person (polled every
#                    0.2 s, each poll a search of the people)
# The lag is what each server needed beyond its load. A benchmark, not a
# test: it exits 1 only when a command fails. Needs ./mutualize (or
# MUTUALIZE=path) and build/bench/gen: "make bench" builds them and runs it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
people=10000
while getopts n: opt; do
	case $opt in
	n) people=$OPTARG ;;
	*) echo "usage: replication.sh [-n people]" >&2; exit 1 ;;
	esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-replbench.XXXXXX") || exit 1
trap 'slapd_stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export MUTUALIZE_TEMPLATES=$top/templates
BASE="dc=sitiv,dc=fr"

die() {
	echo "replication bench: $*" >&2
	exit 1
}

now() {
	date +%s.%N
}

# Three servers of one set (prefix A or B), configured by directory-config.
servers() {
	local set=$1 n i=0 opts ldapi dir
	for n in P1 P2 C1; do
		slapd_start_stock "$set$n" "" "$work/tls" || return 1
	done
	tenants "$set" >"$work/$set.yaml"
	for n in P1 P2 C1; do
		i=$((i + 1))
		ldapi=$set${n}_LDAPI_URI dir=$set${n}_DIR
		if [ "$n" = C1 ]; then
			opts="--consumer-of $(uri "$set" P1)"
		else
			opts="--replicas $(uri "$set" P1),$(uri "$set" P2) --server-id $i"
		fi
		"$prog" directory-config -H "${!ldapi}" --db-directory \
			"${!dir}/db" -o "$work/$set$n.ldif" $opts "$work/$set.yaml" &&
			ldapmodify -Q -Y EXTERNAL -H "${!ldapi}" \
				-f "$work/$set$n.ldif" >/dev/null || return 1
	done
}

uri() {
	local v=$1${2}_URI
	printf '%s' "${!v}"
}

tenants() {
	"$top/build/bench/gen" -n "$people" -t 10 -p none | awk -v p1="$(uri "$1" P1)" \
		-v ca="$work/tls/ca.pem" '
	/^directory:/ {
		print
		print "  uri: \"" p1 "\""
		print "  bind_dn: \"cn=admin,dc=sitiv,dc=fr\""
		print "  bind_password_file: secret/bind.pw"
		print "  ca_file: \"" ca "\""
		skip = 1
		next
	}
	skip && /^  / { next }
	{ skip = 0; print }'
}

count() {
	local ldapi=$1_LDAPI_URI
	ldapsearch -Q -LLL -Y EXTERNAL -H "${!ldapi}" -b "ou=tenants,$BASE" \
		"(objectClass=inetOrgPerson)" 1.1 2>/dev/null | grep -c '^dn:'
}

# Seconds from START until the server holds every person.
visible() {
	local name=$1 start=$2 i
	for i in $(seq 1 3000); do
		if [ "$(count "$name")" -ge "$people" ]; then
			calc "$(now) - $start"
			return 0
		fi
		sleep 0.2
	done
	return 1
}

calc() {
	LC_ALL=C printf '%.2f' "$(echo "$1" | bc -l)"
}

# Loads set A with mutualize, set B with ldapadd; both timed, then followed.
measure() {
	local start end
	start=$(now)
	(cd "$work" && "$prog" -q apply --credentials "$work/A.creds" A.yaml) \
		>"$work/apply.out" 2>&1 || { cat "$work/apply.out"; die "apply failed"; }
	end=$(now)
	secs_apply=$(calc "$end - $start")
	p2_apply=$(visible AP2 "$start") || die "provider 2 of A never caught up"
	c1_apply=$(visible AC1 "$start") || die "the read replica of A never caught up"
	(cd "$work" && "$prog" plan --format ldif B.yaml) >"$work/B.ldif" ||
		die "plan of B failed"
	start=$(now)
	ldapadd -c -x -H "$BP1_URI" -D "cn=admin,$BASE" -y "$work/secret/bind.pw" \
		-f "$work/B.ldif" >/dev/null 2>"$work/ldapadd.err"
	end=$(now)
	secs_ldapadd=$(calc "$end - $start")
	p2_ldapadd=$(visible BP2 "$start") || die "provider 2 of B never caught up"
	c1_ldapadd=$(visible BC1 "$start") || die "the read replica of B never caught up"
}

report() {
	printf '%-40s %10s %14s %16s\n' "$people people" "load s" "on provider 2" \
		"on read replica"
	printf '%-40s %10s %14s %16s\n' "mutualize apply" "$secs_apply" \
		"$p2_apply" "$c1_apply"
	printf '%-40s %10s %14s %16s\n' "ldapadd -f of the same entries" \
		"$secs_ldapadd" "$p2_ldapadd" "$c1_ldapadd"
	printf '%-40s %10s %14s %16s\n' "replication lag after apply" "" \
		"$(calc "$p2_apply - $secs_apply")" "$(calc "$c1_apply - $secs_apply")"
	printf '%-40s %10s %14s %16s\n' "replication lag after ldapadd" "" \
		"$(calc "$p2_ldapadd - $secs_ldapadd")" \
		"$(calc "$c1_ldapadd - $secs_ldapadd")"
	printf '%-40s %10s\n' "apply / ldapadd" \
		"$(calc "$secs_apply / $secs_ldapadd")"
}

mkdir -m 700 "$work/secret" &&
	od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/secret/bind.pw" &&
	chmod 600 "$work/secret/bind.pw" || die "no bind password"
tls_make "$work/tls" || die "no CA"
servers A || die "set A is not configured"
# set B shares the replication password file: its own servers, same account
servers B || die "set B is not configured"
measure
report
