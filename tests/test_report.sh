#!/bin/bash
# Integration: mutualize report against its own slapd on 127.0.0.1. A file of
# two towns is applied (agents and elected officials, quotas of their own, one
# entitled to fewer services, one whose account starts tomorrow); the counts
# are then asserted exactly in the three formats (the CSV read by Python's
# csv module, the JSON by its json module), then moved: a departure, an
# entry made by hand, a tenant of the directory alone, functional mailboxes
# added with ldapadd, a name full of commas, quotes, newlines and escapes.
# Each failure has its exit status, and none prints a count.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" report
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_BIND_PASSWORD=$pw
export MUTUALIZE_TEMPLATES=$here/../templates
GiB=1073741824
tomorrow=$(date -d tomorrow +%Y-%m-%d)

# The file: alpha (mail and files for all but Zoé, who has mail and visio;
# Joël and Zoé with quotas of their own) and beta (mail and visio; Nina
# starts tomorrow, Paul is suspended: active, in no service); LEFT drops Joël. Each is applied; the report reads
# NAME+.yaml, which also has delta, a tenant the directory does not have.
tenants() {
	cat >"$work/$1.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: SITIV, base_dn: "$BASE", mail_domain: sitiv.fr}
directory: {uri: "$SLAPD_URI", bind_dn: "cn=admin,$BASE", timeout: 3}
services:
  mail: {quota: 1GiB}
  files: {quota: 10GiB}
  visio: {}
tenants:
  - id: alpha
    name: 'Ville "A", Nord'
    services: [mail, files]
    people:
      - {id: "A-1", given_name: "Marie", surname: "Martin", kind: elected}
      - {id: "A-3", given_name: "Zoé", surname: "Roux", kind: agent, services: {mail: {quota: 500MB}, visio: ~}}
YAML
	[ "$1" = left ] || cat >>"$work/$1.yaml" <<YAML
      - {id: "A-2", given_name: "Joël", surname: "Mercier", kind: agent, services: {mail: {quota: 2GiB}, files: ~}}
YAML
	cat >>"$work/$1.yaml" <<YAML
  - id: beta
    name: "Écully"
    services: [mail, visio]
    people:
      - {id: "B-1", given_name: "Loïc", surname: "Petit", kind: elected}
      - {id: "B-2", given_name: "Inès", surname: "Blanc", kind: agent}
      - {id: "B-3", given_name: "Nina", surname: "Morel", kind: agent, valid_from: "$tomorrow"}
      - {id: "B-4", given_name: "Paul", surname: "Girard", kind: agent, state: suspended}
YAML
	cp "$work/$1.yaml" "$work/$1+.yaml" &&
		printf '  - {id: delta, name: "Delta"}\n' >>"$work/$1+.yaml"
}

# report ARGS...: the exit status in $rc, standard output in out, error in err.
report() {
	"$prog" report "$@" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >>"$work/all.log"
}

# The CSV of out, as rows of Python lists, by a Python expression on rows.
csv() {
	python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print(eval(sys.argv[2]))' "$work/out" "$1"
}

json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$work/out" "$1"
}

ldap() {
	"$1" -x -H "$SLAPD_URI" -D "cn=admin,$BASE" -w "$pw" >>"$work/ldap.log" 2>&1
}

setup() {
	slapd_start "$BASE" "$pw" || return 1
	tenants all && tenants left &&
		"$prog" -q apply --credentials "$work/creds1" "$work/all.yaml" \
			>"$work/apply.log" 2>&1 || { cat "$work/apply.log"; return 1; }
}

# The exact counts of the file applied, in the three formats.
counts_as_applied() {
	local m=$((GiB + 2 * GiB + 500000000))
	report --format csv "$work/all+.yaml" || return 1
	[ "$rc" = 0 ] || { cat "$work/err"; return 1; }
	[ "$(csv 'rows[0]')" = "['tenant', 'name', 'people', 'agents', 'elected', 'active', 'disabled', 'mailboxes', 'mail', 'mail_quota_bytes', 'files', 'files_quota_bytes', 'visio']" ] ||
		{ csv 'rows[0]'; return 1; }
	[ "$(csv 'rows[1:]')" = "[['alpha', 'Ville \"A\", Nord', '3', '2', '1', '3', '0', '0', '3', '$m', '2', '$((20 * GiB))', '1'], ['beta', 'Écully', '4', '3', '1', '3', '1', '0', '2', '$((2 * GiB))', '0', '0', '2'], ['', 'total', '7', '5', '2', '6', '1', '0', '5', '$((m + 2 * GiB))', '2', '$((20 * GiB))', '3']]" ] ||
		{ cat "$work/out"; return 1; }
	grep -q $'\r$' "$work/out" && [ "$(grep -vc $'\r$' "$work/out")" = 0 ] ||
		{ echo "lines do not all end with CRLF"; return 1; }
	report --format json "$work/all+.yaml"
	[ "$rc" = 0 ] || return 1
	[ "$(json '[(t["tenant"], t["name"], t["people"], t["agents"], t["elected"], t["active"], t["disabled"], t["mailboxes"], t["services"]) for t in d["tenants"]]')" = \
		"[('alpha', 'Ville \"A\", Nord', 3, 2, 1, 3, 0, 0, {'mail': {'people': 3, 'quota_bytes': $m}, 'files': {'people': 2, 'quota_bytes': $((20 * GiB))}, 'visio': {'people': 1}}), ('beta', 'Écully', 4, 3, 1, 3, 1, 0, {'mail': {'people': 2, 'quota_bytes': $((2 * GiB))}, 'files': {'people': 0, 'quota_bytes': 0}, 'visio': {'people': 2}})]" ] ||
		{ cat "$work/out"; return 1; }
	[ "$(json 'd["total"]')" = "{'people': 7, 'agents': 5, 'elected': 2, 'active': 6, 'disabled': 1, 'mailboxes': 0, 'services': {'mail': {'people': 5, 'quota_bytes': $((m + 2 * GiB))}, 'files': {'people': 2, 'quota_bytes': $((20 * GiB))}, 'visio': {'people': 3}}}" ] ||
		{ json 'd["total"]'; return 1; }
	[ "$(json '[(s["id"], s["group"], s["quota_attribute"]) for s in d["services"]]')" = \
		"[('mail', 'cn=mail,ou=services,$BASE', 'mutualizeMailQuota'), ('files', 'cn=files,ou=services,$BASE', 'mutualizeFilesQuota'), ('visio', 'cn=visio,ou=services,$BASE', None)]" ] ||
		{ json 'd["services"]'; return 1; }
	report "$work/all+.yaml"
	[ "$rc" = 0 ] || return 1
	diff - "$work/out" <<TEXT
tenant  name             people  agents  elected  active  disabled  mailboxes  mail  mail_quota  files  files_quota  visio
alpha   Ville "A", Nord       3       2        1       3         0          0     3     3.5 GiB      2       20 GiB      1
beta    Écully                4       3        1       3         1          0     2       2 GiB      0          0 B      2
        total                 7       5        2       6         1          0     5     5.5 GiB      2       20 GiB      3
TEXT
}

# Joël leaves: disabled, out of his groups; the counts follow.
departure_moves_the_counts() {
	"$prog" -q apply --credentials "$work/creds2" "$work/left.yaml" \
		>"$work/apply.log" 2>&1 || { cat "$work/apply.log"; return 1; }
	report --format csv "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(csv 'rows[1]')" = "['alpha', 'Ville \"A\", Nord', '3', '2', '1', '2', '1', '0', '2', '$((GiB + 500000000))', '1', '$((10 * GiB))', '1']" ] ||
		{ cat "$work/out" "$work/err"; return 1; }
}

# Joël put back in the mail group by hand: still disabled, so no service
# lets him in, and he is not counted in it.
disabled_member_is_not_entitled() {
	ldap ldapmodify <<LDIF || return 1
dn: cn=mail,ou=services,$BASE
changetype: modify
add: member
member: uid=joel.mercier,ou=people,ou=alpha,ou=tenants,$BASE
LDIF
	report --format csv "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(csv 'rows[1][8:10]')" = "['2', '$((GiB + 500000000))']" ] ||
		{ cat "$work/out"; return 1; }
}

# A person made by hand, without the mark, in a group: not counted.
unmarked_is_not_counted() {
	ldap ldapadd <<LDIF || return 1
dn: uid=hand,ou=people,ou=alpha,ou=tenants,$BASE
objectClass: inetOrgPerson
uid: hand
cn: Made By Hand
sn: Hand
employeeType: agent

dn: cn=visio,ou=services,$BASE
changetype: modify
add: member
member: uid=hand,ou=people,ou=alpha,ou=tenants,$BASE
LDIF
	report --format csv "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(csv '(rows[1][2:8], rows[1][12])')" = "(['3', '2', '1', '2', '1', '0'], '1')" ] ||
		{ cat "$work/out"; return 1; }
}

# Mailboxes below ou=mailboxes, one of them in the mail group: their own
# column, not the people's; one without the mark is not counted.
mailboxes_are_their_own_column() {
	ldap ldapadd <<LDIF || return 1
dn: ou=mailboxes,ou=alpha,ou=tenants,$BASE
objectClass: organizationalUnit
objectClass: mutualizeManaged
ou: mailboxes

dn: uid=contact@alpha.fr,ou=mailboxes,ou=alpha,ou=tenants,$BASE
objectClass: account
objectClass: mutualizeManaged
uid: contact@alpha.fr

dn: uid=mairie@alpha.fr,ou=mailboxes,ou=alpha,ou=tenants,$BASE
objectClass: account
objectClass: mutualizeManaged
uid: mairie@alpha.fr

dn: uid=old@alpha.fr,ou=mailboxes,ou=alpha,ou=tenants,$BASE
objectClass: account
uid: old@alpha.fr

dn: cn=mail,ou=services,$BASE
changetype: modify
add: member
member: uid=contact@alpha.fr,ou=mailboxes,ou=alpha,ou=tenants,$BASE
LDIF
	report --format json "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(json '(d["tenants"][0]["mailboxes"], d["tenants"][0]["people"], d["tenants"][0]["services"]["mail"]["people"], d["total"]["mailboxes"])')" = "(2, 3, 2, 2)" ] ||
		{ cat "$work/out"; return 1; }
}

# A tenant in the directory and not in the file is counted; delta, in the
# file and not in the directory, is not.
directory_tenants_only() {
	ldap ldapadd <<LDIF || return 1
dn: ou=gamma,ou=tenants,$BASE
objectClass: organizationalUnit
ou: gamma
description: Gamma, hors fichier

dn: ou=people,ou=gamma,ou=tenants,$BASE
objectClass: organizationalUnit
ou: people

dn: uid=g.one,ou=people,ou=gamma,ou=tenants,$BASE
objectClass: inetOrgPerson
objectClass: mutualizeManaged
uid: g.one
cn: G One
sn: One
employeeType: elected
LDIF
	report --format csv "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(csv '[r[0] for r in rows[1:]]')" = "['alpha', 'beta', 'gamma', '']" ] &&
		[ "$(csv 'rows[3][:8]')" = "['gamma', 'Gamma, hors fichier', '1', '0', '1', '1', '0', '0']" ] &&
		[ "$(csv 'rows[4][2]')" = 8 ] || { cat "$work/out"; return 1; }
}

# A name as the directory may hold it: comma, quote, CR, LF, an escape
# sequence, a bidirectional override, UTF-8. CSV and JSON give it back
# exactly; the text escapes what a terminal would act on.
hostile_names() {
	local name=$'Bad, "name"\r\nline two \e[31mred\e[0m \u202Eevil \U0001F33B'
	ldap ldapmodify <<LDIF || return 1
dn: ou=beta,ou=tenants,$BASE
changetype: modify
replace: description
description:: $(printf '%s' "$name" | base64 -w0)
LDIF
	printf '%s' "$name" >"$work/out.name"
	report --format csv "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(csv 'rows[2][1] == open(sys.argv[1] + ".name", newline="").read()')" = True ] ||
		{ cat -A "$work/out"; return 1; }
	report --format json "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(json 'd["tenants"][1]["name"] == open(sys.argv[1] + ".name", newline="").read()')" = True ] ||
		{ cat -A "$work/out"; return 1; }
	report "$work/left+.yaml"
	[ "$rc" = 0 ] && [ "$(wc -l <"$work/out")" = 5 ] &&
		! grep -q $'\e\|\r' "$work/out" &&
		grep -q 'Bad, "name"\\x0d\\x0aline two \\x1b\[31mred\\x1b\[0m \\u202eevil 🌻' "$work/out" ||
		{ cat -A "$work/out"; return 1; }
}

# -o: a new file, mode 0600, which is never replaced.
output_file() {
	report --format csv -o "$work/month.csv" "$work/left+.yaml"
	[ "$rc" = 0 ] && [ ! -s "$work/out" ] &&
		[ "$(stat -c %a "$work/month.csv")" = 600 ] &&
		[ "$(head -n 1 "$work/month.csv")" = $'tenant,name,people,agents,elected,active,disabled,mailboxes,mail,mail_quota_bytes,files,files_quota_bytes,visio\r' ] ||
		{ cat "$work/err"; return 1; }
	report --format csv -o "$work/month.csv" "$work/left+.yaml"
	[ "$rc" = 1 ] && [ ! -s "$work/out" ] || return 1
}

# Failures: each its exit status, nothing on standard output.
unreachable_exits_3() {
	report -H "ldap://127.0.0.1:1/" "$work/left+.yaml"
	[ "$rc" = 3 ] && [ ! -s "$work/out" ]
}

bind_refused_exits_4() {
	MUTUALIZE_BIND_PASSWORD=wrong report "$work/left+.yaml"
	[ "$rc" = 4 ] && [ ! -s "$work/out" ]
}

# cn=limited may page through 5 entries in all: the read is cut short.
size_limit_exits_8() {
	ldap ldapadd <<LDIF || return 1
dn: cn=limited,$BASE
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: limited
userPassword: $pw
LDIF
	sed "s/bind_dn: \"cn=admin,/bind_dn: \"cn=limited,/" "$work/left+.yaml" \
		>"$work/limited.yaml"
	report --format csv "$work/limited.yaml"
	[ "$rc" = 8 ] && [ ! -s "$work/out" ] || { cat "$work/err"; return 1; }
}

bad_format_exits_1() {
	report --format ldif "$work/left+.yaml"
	[ "$rc" = 1 ] && [ ! -s "$work/out" ] &&
		grep -q "report --format takes text, csv or json" "$work/err"
}

setup || { echo "report: setup failed"; exit 1; }
check "the counts of the file applied, exact in csv, json and text" \
	counts_as_applied
check "a departure is counted disabled and leaves the services" \
	departure_moves_the_counts
check "a disabled person left in a group by hand is not entitled" \
	disabled_member_is_not_entitled
check "an entry without the mark is not counted" unmarked_is_not_counted
check "mailboxes are counted in their own column, not as people" \
	mailboxes_are_their_own_column
check "a tenant of the directory alone is counted, one of the file alone is not" \
	directory_tenants_only
check "a hostile name is exact in csv and json, escaped in text" hostile_names
check "-o writes a new file, mode 0600, never replaced" output_file
check "an unreachable server: exit 3, nothing on standard output" \
	unreachable_exits_3
check "a refused bind: exit 4, nothing on standard output" \
	bind_refused_exits_4
check "a size limit that cuts the read short: exit 8, no count" \
	size_limit_exits_8
check "a format report does not know: exit 1" bad_format_exits_1
tap_done report
