#!/bin/bash
# The write path under load, on each overlay configuration that production
# directories run: a syndicate is applied, then rounds of moves between towns,
# renames (a new surname and the login made from it) and departures are
# applied while another process keeps editing people's entries. After each
# round the apply exits 0 and the next plan is empty; at the end slapd is
# stopped and slapcat must decode the whole database, entry for entry.
#
#   stress.sh [-n people] [-t towns] [-r rounds] [-T [-R]] [config...]
#
# config is memberof (the overlay alone), memberof+refint (refint with
# refint_attributes member beside it), memberof-refint (memberof with
# memberof-refint TRUE) or generated (what directory-config makes of Debian's
# stock cn=config); all four by default. -T applies with
# --transactions, to measure that path: it is not what make check runs; -R
# then applies again without transactions, as an admin would, when an apply
# fails (stress.sh -T -R memberof+refint shows what slapd 2.5 makes of it).
# 300 people in 4 towns and 3 rounds by default (make check); make bench runs
# more. Each configuration has its own slapd on 127.0.0.1 (tests/slapd.sh),
# stopped by PID whatever happens. TAP lines, then "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"
. "$here/tap.sh"
bin=${MUTUALIZE_STRESS_BIN:-$here/../mutualize}
people=300 towns=4 rounds=3 txn= again=
while getopts n:t:r:TR opt; do
	case $opt in
	n) people=$OPTARG ;;
	t) towns=$OPTARG ;;
	r) rounds=$OPTARG ;;
	T) txn=--transactions ;;
	R) again=1 ;;
	*) echo "usage: stress.sh [-n people] [-t towns] [-r rounds] [-T [-R]]" \
		"[config...]" >&2; exit 1 ;;
	esac
done
shift $((OPTIND - 1))
configs=${*:-memberof memberof+refint memberof-refint generated}
base=dc=sitiv,dc=fr

work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-stress.XXXXXX") || exit 1
writer_pid=
trap '[ -z "$writer_pid" ] || kill "$writer_pid" 2>/dev/null; slapd_stop_all;
	[ -n "${STRESS_KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '%s' "$pw" >"$work/pw"
chmod 600 "$work/pw"
export MUTUALIZE_BIND_PASSWORD=$pw

# The people, one line each: id, town, given name, surname, login ("-" while
# derived), present (1) or gone (0). Round 0 is the syndicate at first.
initial_people() {
	awk -v n="$people" -v t="$towns" 'BEGIN {
		split("Hélène Zoé Jérôme Loïc Anaïs Benoît Thérèse Noël Maëlle Éric", g, " ")
		split("Dupont Lefèvre Cœur Le-Gall Ménard Roux Favre N’Diaye Perrin Caillat", s, " ")
		for (i = 0; i < n; i++)
			printf "S%05d\t%d\t%s\t%s\t-\t1\n", i, i % t + 1, g[i % 10 + 1],
			    s[int(i / 10) % 10 + 1]
	}'
}

# Round R of the people: of those present, one in ten moves to the next
# town, one in ten takes a new surname and a login made of it, one in
# twenty-five leaves. The same round always picks the same people.
next_round() {
	awk -F '\t' -v OFS='\t' -v r="$1" -v t="$towns" -v seed="$1" 'BEGIN { srand(seed) }
	$6 == 1 {
		x = rand()
		if (x < 0.1)
			$2 = $2 % t + 1
		else if (x < 0.2) {
			$4 = "Renommé" r
			$5 = "renomme" r "." tolower($1)
		} else if (x < 0.24)
			$6 = 0
	}
	{ print }'
}

# The YAML file of a people list: the towns with their groups, and everyone
# present in "tous" and one of "a" and "b".
syndicate() {
	awk -F '\t' -v t="$towns" 'BEGIN {
		print "version: 1"
		print "syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", mail_domain: sitiv.fr}"
		print "directory: {uri: \"ldap://127.0.0.1:1\", bind_dn: \"cn=admin,dc=sitiv,dc=fr\"}"
		print "policy: {password_scheme: sha512-crypt}"
		print "tenants:"
	}
	$6 == 1 { line[$2] = line[$2] sprintf("      - {id: \"%s\", given_name: \"%s\", " \
	    "surname: \"%s\", kind: agent, %sgroups: [tous, %s]}\n", $1, $3, $4,
	    $5 == "-" ? "" : "login: \"" $5 "\", ", substr($1, 6) % 2 ? "a" : "b") }
	END {
		for (i = 1; i <= t; i++) {
			printf "  - id: town%d\n    name: \"Ville %d\"\n", i, i
			print "    groups: [{id: tous, name: Tous}, {id: a, name: A}, {id: b, name: B}]"
			print "    people:"
			printf "%s", line[i]
		}
	}'
}

ldap_root() {
	local tool=$1
	shift
	"$tool" -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/pw" "$@"
}

# The other writer: modifies of attributes people's entries have that the
# file does not manage (mutualize would put back a managed one, by design),
# on entries picked at random from those of the start of the round, some of
# them moved or renamed meanwhile (their modify fails, as it would). Twenty a
# call, at most LIMIT modifies and SECS seconds; it stops sooner once the
# file STOP exists.
writer() {
	local dns=$1 limit=$2 secs=$3 stop=$4 done=0 end=$((SECONDS + $3))
	while [ "$done" -lt "$limit" ] && [ "$SECONDS" -lt "$end" ] && [ ! -e "$stop" ]; do
		shuf -n 20 "$dns" | awk -v n="$done" '{
			printf "dn: %s\nchangetype: modify\nreplace: description\n" \
			    "description: edited by another writer %d\n-\nreplace: roomNumber\n" \
			    "roomNumber: %d\n-\nreplace: homePhone\nhomePhone: +33 4 78 00 %02d %02d\n\n",
			    $0, n + NR, n + NR, (n + NR) % 100, NR
		}' | ldap_root ldapmodify -c >/dev/null 2>&1
		done=$((done + 20))
	done
	echo "$done"
}

people_dns() {
	ldap_root ldapsearch -LLL -o ldif-wrap=no -b "ou=tenants,$base" \
		"(objectClass=inetOrgPerson)" 1.1 | sed -n 's/^dn: //p'
}

# apply ROUND [RUN]: the file of the round; RUN names its outputs.
apply() {
	local run=${2:-$1}
	"$bin" -q apply ${3:-$txn} --allow-mass-removal --allow-mass-change \
		--credentials "$work/$STRESS_CONFIG.credentials.$run" \
		--journal "$work/$STRESS_CONFIG.journal" \
		--undo "$work/$STRESS_CONFIG.undo.$run" -H "$SLAPD_URI" \
		"$work/round$1.yaml" >"$work/$STRESS_CONFIG.apply.$run" 2>&1
}

in_sync() {
	"$bin" plan --exit-code -H "$SLAPD_URI" "$work/round$1.yaml" \
		>"$work/$STRESS_CONFIG.plan.$1" 2>&1
}

# Every group's members have it in their memberOf, and no one has it besides.
memberof_matches() {
	ldap_root ldapsearch -LLL -o ldif-wrap=no -b "ou=tenants,$base" \
		"(objectClass=groupOfNames)" member | awk '
		/^dn: / { g = substr($0, 5) }
		/^member: ./ { print tolower(substr($0, 9)) "\t" tolower(g) }' |
		sort >"$work/by-member"
	ldap_root ldapsearch -LLL -o ldif-wrap=no -b "ou=tenants,$base" \
		"(objectClass=inetOrgPerson)" memberOf | awk '
		/^dn: / { p = substr($0, 5) }
		/^memberOf: / { print tolower(p) "\t" tolower(substr($0, 11)) }' |
		sort >"$work/by-memberof"
	cmp -s "$work/by-member" "$work/by-memberof"
}

round() {
	local r=$1 status writes done
	people_dns >"$work/dns"
	rm -f "$work/stop"
	writer "$work/dns" $((people * 2)) 30 "$work/stop" >"$work/writes" &
	writer_pid=$!
	apply "$r"
	status=$?
	if [ "$status" -ne 0 ] && [ -n "$again" ]; then
		apply "$r" "$r.again" --no-transactions
		echo "# $STRESS_CONFIG: round $r: applied again without transactions: exit $?"
	fi
	touch "$work/stop"
	wait "$writer_pid"
	writer_pid=
	writes=$(cat "$work/writes")
	done=$(sed -n 's/^Apply complete: \(.*\)\.$/\1/p' "$work/$STRESS_CONFIG.apply.$r")
	check "$STRESS_CONFIG: round $r: apply exits 0 ($status: $done; $writes edits beside it)" \
		[ "$status" -eq 0 ]
	[ "$status" -eq 0 ] || sed 's/^/# /' "$work/$STRESS_CONFIG.apply.$r" | tail -n 8
	in_sync "$r"
	status=$?
	check "$STRESS_CONFIG: round $r: the next plan is empty ($status)" [ "$status" -eq 0 ]
	[ "$status" -eq 0 ] || sed 's/^/# /' "$work/$STRESS_CONFIG.plan.$r" | tail -n 8
	if memberof_matches; then
		ok "$STRESS_CONFIG: round $r: memberOf matches the groups"
	else
		not_ok "$STRESS_CONFIG: round $r: memberOf matches the groups" \
			"($(diff "$work/by-member" "$work/by-memberof" |
			grep -c '^[<>]') pairs differ)"
	fi
}

# The database after the rounds, read offline.
decodes() {
	local online dumped
	online=$(ldap_root ldapsearch -LLL -b "$base" 1.1 | grep -c '^dn:')
	slapd_kill
	{ slapcat $SLAPD_CONF -b "$base" -l "$work/$STRESS_CONFIG.slapcat" \
		>"$work/$STRESS_CONFIG.slapcat.err" 2>&1; } 2>/dev/null
	status=$?
	dumped=$(grep -c '^dn:' "$work/$STRESS_CONFIG.slapcat")
	check "$STRESS_CONFIG: slapcat decodes the whole database (exit $status, $dumped entries of $online)" \
		[ "$status" -eq 0 -a "$dumped" -eq "$online" ]
}

stress() {
	local r start=$SECONDS
	STRESS_CONFIG=$1
	SLAPD_OVERLAYS=$1 slapd_start "$base" "$pw" ||
		{ not_ok "$1: slapd starts"; return; }
	# The base exists: applies take the lock, as in production (the
	# generated configuration made it).
	ldap_root ldapsearch -LLL -b "$base" -s base 1.1 >/dev/null 2>&1 ||
		ldap_root ldapadd >/dev/null <<LDIF
dn: $base
objectClass: dcObject
objectClass: organization
dc: sitiv
o: SITIV
LDIF
	syndicate <"$work/people0" >"$work/round0.yaml"
	apply 0
	check "$1: the first apply of $people people exits 0 ($?)" [ "$?" -eq 0 ]
	in_sync 0
	check "$1: and the next plan is empty ($?)" [ "$?" -eq 0 ]
	for r in $(seq 1 "$rounds"); do
		round "$r"
	done
	decodes
	echo "# $1: $((SECONDS - start)) s"
	slapd_stop
}

initial_people >"$work/people0"
for r in $(seq 1 "$rounds"); do
	next_round "$r" <"$work/people$((r - 1))" >"$work/people$r"
	syndicate <"$work/people$r" >"$work/round$r.yaml"
done
for c in $configs; do
	case $c in
	memberof | memberof+refint | memberof-refint | generated) stress "$c" ;;
	*) not_ok "unknown configuration $c" ;;
	esac
done
tap_done stress
