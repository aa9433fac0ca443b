#!/bin/bash
# What taking over a directory costs: import and adopt --move of N people
# (-n, 100,000 by default) in T towns (-t, 50), against the standard tools
# doing the same reading and the same moves.
#
# The directory is made by hand, as a syndicate's admins made theirs: a flat
# ou=people (uid=...,ou=people,BASE) whose towns are told apart by l ("Ville
# 7"), employeeNumber E-i, a userPassword {SSHA} each (a pool of 32 hashes
# made by slappasswd), and in ou=groups a staff group a town listing all its
# people, cn=dsi listing one person in 500 across the towns, and the mail
# group cn=mail-users listing one person in four (--service-group mail). Its
# LDIF is written by awk and loaded offline (slapadd -q, tests/slapd.sh) into
# a private slapd on memberof+refint, the overlays production runs; refint
# rewrites every group naming a person each time one moves.
#
# Measured in the same run:
#   import            mutualize import over LDAP (best of three)
#   dump              ldapsearch -E pr=1000 of the same base (best of three)
#   import --ldif     mutualize import of that dump (best of three)
#   adopt             mutualize adopt --move --allow-mass-change (one run)
#   ldapmodify        ldapmodify -f of the same moves as plain LDIF: the
#                     containers, then a modrdn and a modify adding
#                     objectClass mutualizeManaged per person, then per
#                     group moved, applied to a second server loaded from
#                     the same slapadd LDIF (one run)
#   plan              the first plan after adopt, which must be empty
# Both servers are read whole once before their write, so that each starts
# with warm caches. The ratios are mutualize / the standard tool; peak RSS
# is /usr/bin/time's %M of the client.
# The long steps are run once: at 100,000 people the whole script takes
# about 8 minutes on 2 cores, adopt 4.7 of them.
#   adopt.sh [-n people] [-t towns]
# KEEP=1 keeps the work directory (the LDIFs, outputs, journal, undo file).
# Needs ./mutualize (or MUTUALIZE=path): "make bench" builds it and runs
# this. A measure, not a test: it exits 1 only when a step fails, or when
# the plan after adopt is not empty, or when the standard tool's moves do
# not leave the same people in the layout.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/slapd.sh
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$top/templates}
export SLAPD_OVERLAYS=memberof+refint
base=dc=sitiv,dc=fr
people=100000 towns=50
while getopts n:t: opt; do
	case $opt in
	n) people=$OPTARG ;;
	t) towns=$OPTARG ;;
	*) echo "usage: adopt.sh [-n people] [-t towns]" >&2; exit 1 ;;
	esac
done
for f in "$prog" /usr/bin/time; do
	[ -x "$f" ] || { echo "adopt.sh: $f is missing: make bench" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-adopt-bench.XXXXXX") || exit 1
trap 'slapd_stop_all; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
declare -A secs cpu rss

die() {
	echo "adopt.sh: $*" >&2
	exit 1
}

# timed NAME RUNS COMMAND...: the command RUNS times, in $work; its best
# wall time in secs[NAME], that run's CPU time in cpu[NAME] and peak RSS
# (MiB) in rss[NAME]; output in NAME.out, NAME.err.
timed() {
	local name=$1 runs=$2 e u s m
	shift 2
	secs[$name]=
	for _ in $(seq 1 "$runs"); do
		(cd "$work" && /usr/bin/time -f "%e %U %S %M" -o "$name.time" \
			"$@" >"$name.out" 2>"$name.err") || {
			tail -n 5 "$work/$name.out" "$work/$name.err" >&2
			die "$name failed"
		}
		read -r e u s m <"$work/$name.time"
		if [ -z "${secs[$name]}" ] || awk "BEGIN { exit !($e < ${secs[$name]}) }"; then
			secs[$name]=$e
			cpu[$name]=$(awk "BEGIN { printf \"%.2f\", $u + $s }")
			rss[$name]=$((m / 1024))
		fi
	done
}

ratio() {
	awk "BEGIN { if ($2 > 0) printf \"%.2fx\", $1 / $2; else print \"-\" }"
}

# The hand-made directory as LDIF (hand.ldif), and the standard tool's moves
# of it (moves.ldif): the same DNs adopt moves each entry to.
generate() {
	local i
	for i in $(seq 1 32); do
		slappasswd -h '{SSHA}' -s "pw-$i" || return 1
	done >"$work/hashes"
	awk -v n="$people" -v t="$towns" -v base="$base" -v work="$work" '
	BEGIN {
		split("Marie Jean Pierre Anne Louis Claire Paul Julie Marc Sophie" \
		    " Luc Emma Hugo Lea Noel Chloe", given)
		split("Martin Bernard Dubois Thomas Robert Richard Petit Durand" \
		    " Leroy Moreau Simon Laurent Lefebvre Michel Garcia David", sn)
		while ((getline h < (work "/hashes")) > 0)
			hash[++nh] = h
		hand = work "/hand.ldif"; moves = work "/moves.ldif"
		print "dn: " base "\nobjectClass: dcObject\nobjectClass: organization\ndc: sitiv\no: SITIV\n" > hand
		print "dn: ou=people," base "\nobjectClass: organizationalUnit\nou: people\n" > hand
		print "dn: ou=groups," base "\nobjectClass: organizationalUnit\nou: groups\n" > hand
		print "dn: ou=tenants," base "\nchangetype: add\nobjectClass: organizationalUnit\nou: tenants\n" > moves
		for (k = 1; k <= t; k++) {
			town = "ou=ville-" k ",ou=tenants," base
			print "dn: " town "\nchangetype: add\nobjectClass: organizationalUnit\nou: ville-" k "\n" > moves
			print "dn: ou=people," town "\nchangetype: add\nobjectClass: organizationalUnit\nou: people\n" > moves
			print "dn: ou=groups," town "\nchangetype: add\nobjectClass: organizationalUnit\nou: groups\n" > moves
		}
		for (i = 1; i <= n; i++) {
			g = given[(i - 1) % 16 + 1]; s = sn[int((i - 1) / 16) % 16 + 1]
			uid[i] = tolower(g) "." tolower(s) "." i
			k = (i - 1) % t + 1
			print "dn: uid=" uid[i] ",ou=people," base "\nobjectClass: inetOrgPerson\nuid: " uid[i] "\ncn: " g " " s "\ngivenName: " g "\nsn: " s "\nemployeeNumber: E-" i "\nl: Ville " k "\nmail: " uid[i] "@sitiv.fr\nuserPassword: " hash[(i - 1) % nh + 1] "\n" > hand
			dn = "uid=" uid[i] ",ou=people,ou=ville-" k ",ou=tenants," base
			print "dn: uid=" uid[i] ",ou=people," base "\nchangetype: modrdn\nnewrdn: uid=" uid[i] "\ndeleteoldrdn: 0\nnewsuperior: ou=people,ou=ville-" k ",ou=tenants," base "\n" > moves
			print "dn: " dn "\nchangetype: modify\nadd: objectClass\nobjectClass: mutualizeManaged\n-\n" > moves
		}
		for (k = 1; k <= t; k++) {
			printf "dn: cn=staff-%d,ou=groups,%s\nobjectClass: groupOfNames\ncn: staff-%d\ndescription: Staff of Ville %d\n", k, base, k, k > hand
			for (i = k; i <= n; i += t)
				print "member: uid=" uid[i] ",ou=people," base > hand
			print "" > hand
			group("staff-" k, k)
		}
		print "dn: cn=dsi,ou=groups," base "\nobjectClass: groupOfNames\ncn: dsi" > hand
		for (i = 1; i <= n; i += 500)
			print "member: uid=" uid[i] ",ou=people," base > hand
		print "" > hand
		group("dsi", 1)
		print "dn: cn=mail-users,ou=groups," base "\nobjectClass: groupOfNames\ncn: mail-users" > hand
		for (i = 1; i <= n; i += 4)
			print "member: uid=" uid[i] ",ou=people," base > hand
		print "" > hand
	}
	function group(cn, k) {
		print "dn: cn=" cn ",ou=groups," base "\nchangetype: modrdn\nnewrdn: cn=" cn "\ndeleteoldrdn: 0\nnewsuperior: ou=groups,ou=ville-" k ",ou=tenants," base "\n" > moves
		print "dn: cn=" cn ",ou=groups,ou=ville-" k ",ou=tenants," base "\nchangetype: modify\nadd: objectClass\nobjectClass: mutualizeManaged\n-\n" > moves
	}'
}

# The default timeout (10 s): the mail service's group, every fourth person,
# is written in parts of 1,000 members, each answered well within it.
template() {
	cat >"$work/template.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: "SITIV", base_dn: "$base", mail_domain: sitiv.fr}
directory: {uri: "$SLAPD_URI", bind_dn: "cn=admin,$base"}
services:
  mail: {}
tenants: []
YAML
}

# The people below ou=tenants marked managed.
in_layout() {
	ldapsearch -x -LLL -E pr=1000/noprompt -H "$SLAPD_URI" \
		-D "cn=admin,$base" -y "$work/bench.pw" -b "ou=tenants,$base" \
		'(&(objectClass=inetOrgPerson)(objectClass=mutualizeManaged))' 1.1 |
		grep -c '^dn: uid=.*,ou=people,ou=ville-[0-9]*,ou=tenants,'
}

warm() {
	ldapsearch -x -LLL -E pr=1000/noprompt -H "$SLAPD_URI" -D "cn=admin,$base" \
		-y "$work/bench.pw" -b "$base" >/dev/null
}

# The import command line, for sh -c, whose $0 names the outputs.
imp() {
	echo "$prog import --tenant-attr l --service-group" \
		"mail=cn=mail-users,ou=groups,$base --report \$0.report" \
		"-o \$0.yaml $* template.yaml"
}

# The reading side and adopt, on the first server.
mutualize_side() {
	timed import 3 sh -c "rm -f \$0.yaml \$0.report; $(imp)" import
	timed dump 3 ldapsearch -x -LLL -E pr=1000/noprompt -H "$SLAPD_URI" \
		-D "cn=admin,$base" -y "$work/bench.pw" -b "$base"
	cp "$work/dump.out" "$work/dump.ldif"
	timed ldif 3 sh -c "rm -f \$0.yaml \$0.report; $(imp --ldif dump.ldif)" ldif
	cmp -s "$work/import.yaml" "$work/ldif.yaml" ||
		die "import over LDAP and --ldif wrote different files"
	grep -q "^# .*$people people" "$work/import.yaml" ||
		{ head -n 12 "$work/import.yaml" >&2; die "import did not take $people people"; }
	timed adopt 1 "$prog" adopt --move --allow-mass-change import.yaml
	# plan --exit-code: 2 when there is something to do, which fails here
	timed plan 1 "$prog" plan --exit-code import.yaml
	[ "$(in_layout)" = "$people" ] || die "adopt left not $people people in the layout"
}

standard_side() {
	timed ldapmodify 1 ldapmodify -x -H "$SLAPD_URI" -D "cn=admin,$base" \
		-y "$work/bench.pw" -f "$work/moves.ldif"
	[ "$(in_layout)" = "$people" ] ||
		die "ldapmodify left not $people people in the layout"
}

row() {
	printf '%-52s %8s %8s %8s\n' "$1" "${secs[$2]}" "${cpu[$2]}" "${rss[$2]}"
}

report() {
	echo "adopt benchmark: $people people in $towns towns," \
		"$(grep -c '^dn:' "$work/hand.ldif") entries loaded by slapadd," \
		"memberof+refint; $(nproc) CPUs"
	printf '%-52s %8s %8s %8s\n' step seconds "CPU s" "RSS MiB"
	row "mutualize import over LDAP (best of 3)" import
	row "ldapsearch -E pr=1000 dump (best of 3)" dump
	row "mutualize import --ldif of the dump (best of 3)" ldif
	row "mutualize adopt --move (one run)" adopt
	row "ldapmodify -f, modrdn + modify (one run)" ldapmodify
	row "mutualize plan after adopt, empty (one run)" plan
	printf '%-52s %8s\n' "import / dump" "$(ratio "${secs[import]}" "${secs[dump]}")"
	printf '%-52s %8s\n' "import --ldif / dump" "$(ratio "${secs[ldif]}" "${secs[dump]}")"
	printf '%-52s %8s\n' "adopt / ldapmodify" \
		"$(ratio "${secs[adopt]}" "${secs[ldapmodify]}")"
	printf '%-52s %8s\n' "adopt / ldapmodify, per operation" \
		"$(ratio "(${secs[adopt]} / $(ops adopt))" \
		"(${secs[ldapmodify]} / $(ops ldapmodify))")"
	echo "operations: adopt $(ops adopt) ($(grep -m1 '^Plan:' "$work/adopt.out" |
		sed 's/^Plan: //; s/\.$//')), ldapmodify $(ops ldapmodify)"
}

# The operations a step wrote: adopt's from its last line, ldapmodify's
# from its LDIF.
ops() {
	if [ "$1" = adopt ]; then
		grep -m1 '^Apply complete:' "$work/adopt.out" |
			grep -o '[0-9][0-9]*' | paste -sd+ | bc
	else
		grep -c '^dn:' "$work/moves.ldif"
	fi
}

(umask 077 && od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/bench.pw") ||
	exit 1
export MUTUALIZE_BIND_PASSWORD
MUTUALIZE_BIND_PASSWORD=$(cat "$work/bench.pw")
generate || die "the hand-made LDIF failed"
SLAPD_LDIF=$work/hand.ldif slapd_start "$base" "$MUTUALIZE_BIND_PASSWORD" ||
	die "slapd did not start"
template
warm || die "the first server cannot be read"
mutualize_side
slapd_stop
SLAPD_LDIF=$work/hand.ldif slapd_start "$base" "$MUTUALIZE_BIND_PASSWORD" ||
	die "the second slapd did not start"
warm || die "the second server cannot be read"
standard_side
report
