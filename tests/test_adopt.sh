#!/bin/bash
# Integration: a directory made by hand in another layout (a flat ou=people
# whose towns are told apart by l, groupOfNames in ou=groups, one of which
# means the mail service, people without employeeNumber, passwords set as
# {SSHA}, {CRYPT} and by ldappasswd) imported over LDAP and from its LDIF
# (the same file both ways), validated, adopted with --move; then the plan
# is empty, every password still binds, entryUUIDs are kept. Each refusal of
# adopt is checked to write nothing. Run on memberof, then memberof+refint
# (refint rewrites member values after each modrdn), or on SLAPD_CONFIGS.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" adopt
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_BIND_PASSWORD=$pw
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$here/../templates}
# The people's passwords, by uid.
declare -A PASS=([marie.martin]=Marie-pw-1 [joel.mercier]=Joel-pw-2
	[helene.dupont]=Helene-pw-3 [noel.rousseau]=Noel-pw-4)

ldap() {
	"$1" -x -H "$SLAPD_URI" -D "cn=admin,$BASE" -w "$pw" "${@:2}"
}

# The directory as an admin made it by hand, before mutualize.
hand_made() {
	local ssha crypt
	ssha=$(slappasswd -h '{SSHA}' -s "${PASS[marie.martin]}")
	crypt=$(slappasswd -h '{CRYPT}' -c '$6$%.16s' -s "${PASS[joel.mercier]}")
	ldap ldapadd >"$work/add.log" 2>&1 <<LDIF
dn: $BASE
objectClass: dcObject
objectClass: organization
dc: sitiv
o: SITIV

dn: ou=people,$BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$BASE
objectClass: organizationalUnit
ou: groups

dn: cn=backup,$BASE
objectClass: organizationalRole
cn: backup

dn: uid=marie.martin,ou=people,$BASE
objectClass: inetOrgPerson
uid: marie.martin
cn: Marie Martin
givenName: Marie
sn: Martin
employeeNumber: F-1
l: Feyzin
mail: marie.martin@feyzin.fr
userPassword: $ssha

dn: uid=joel.mercier,ou=people,$BASE
objectClass: inetOrgPerson
objectClass: inetLocalMailRecipient
uid: joel.mercier
cn: Joël Mercier
givenName: Joël
sn: Mercier
employeeNumber: F-2
l: Feyzin
mail: joel.mercier@feyzin.fr
mailLocalAddress: j.mercier@feyzin.fr
userPassword: $crypt

dn: uid=helene.dupont,ou=people,$BASE
objectClass: inetOrgPerson
uid: helene.dupont
cn: Hélène Dupont
givenName:: $(printf ' Hélène "#1"' | base64 -w0)
sn: Dupont: l'aînée # 'x' \\ y
employeeNumber: V-1
l: Vénissieux

dn: cn=Noël Rousseau,ou=people,$BASE
objectClass: inetOrgPerson
uid: noel.rousseau
cn: Noël Rousseau
givenName: Noël
sn: Rousseau
employeeNumber: V-2
l: Vénissieux

dn: uid=paul.nobody,ou=people,$BASE
objectClass: inetOrgPerson
uid: paul.nobody
cn: Paul Nobody
givenName: Paul
sn: Nobody
l: Feyzin

dn: uid=zoe.nowhere,ou=people,$BASE
objectClass: inetOrgPerson
uid: zoe.nowhere
cn: Zoé Nowhere
givenName: Zoé
sn: Nowhere
employeeNumber: Z-1

dn: cn=mail-users,ou=groups,$BASE
objectClass: groupOfNames
cn: mail-users
member: uid=marie.martin,ou=people,$BASE
member: uid=joel.mercier,ou=people,$BASE
member: uid=helene.dupont,ou=people,$BASE

dn: cn=dsi,ou=groups,$BASE
objectClass: groupOfNames
cn: dsi
description: Direction des systèmes d'information
member: uid=helene.dupont,ou=people,$BASE
member: cn=Noël Rousseau,ou=people,$BASE

dn: cn=accueil,ou=groups,$BASE
objectClass: groupOfNames
cn: accueil
member: uid=marie.martin,ou=people,$BASE
member: uid=joel.mercier,ou=people,$BASE
member: uid=paul.nobody,ou=people,$BASE
LDIF
	[ $? = 0 ] || { cat "$work/add.log"; return 1; }
	ldap ldappasswd -s "${PASS[helene.dupont]}" \
		"uid=helene.dupont,ou=people,$BASE" >>"$work/add.log" 2>&1 &&
	ldap ldappasswd -s "${PASS[noel.rousseau]}" \
		"cn=Noël Rousseau,ou=people,$BASE" >>"$work/add.log" 2>&1
}

template() {
	cat >"$work/template.yaml" <<YAML
version: 1
# The syndicate's directory, before its people are written here.
syndicate: {id: sitiv, name: "SITIV", base_dn: "$BASE", mail_domain: sitiv.fr}
directory: {uri: "$SLAPD_URI", bind_dn: "cn=admin,$BASE"}
services:
  mail: {}
tenants: []
YAML
}

import() {
	"$prog" import --tenant-attr l \
		--service-group "mail=cn=mail-users,ou=groups,$BASE" "$@" \
		"$work/template.yaml"
}

imports_agree() {
	import -o "$work/ldap.yaml" --report "$work/ldap.report" \
		>"$work/import.out" 2>&1 || { cat "$work/import.out"; return 1; }
	ldap ldapsearch -LLL -o ldif-wrap=40 -b "$BASE" >"$work/dump.ldif" ||
		return 1
	import --ldif "$work/dump.ldif" -o "$work/ldif.yaml" \
		--report "$work/ldif.report" >>"$work/import.out" 2>&1 ||
		{ cat "$work/import.out"; return 1; }
	cmp "$work/ldap.yaml" "$work/ldif.yaml" &&
		cmp "$work/ldap.report" "$work/ldif.report"
}

report_says_why() {
	local r=$work/ldap.report
	grep -qx "uid=paul.nobody,ou=people,$BASE: no employeeNumber" "$r" &&
	grep -qx "uid=zoe.nowhere,ou=people,$BASE: in no tenant: no l" "$r" &&
	grep -qx "cn=backup,$BASE: neither a person nor a group: left out" "$r" &&
	grep -qx "cn=accueil,ou=groups,$BASE: member \"uid=paul.nobody,ou=people,$BASE\" is not an imported person: left out" "$r" &&
	[ "$(wc -l <"$r")" = 4 ] || { cat "$r"; return 1; }
}

# An output that exists is never replaced: the tenants file, the report, a
# people file; the import writes nothing then.
never_replaces() {
	cp "$work/ldap.yaml" "$work/ldap.yaml.before" &&
	mkdir -p "$work/again/towns" && : >"$work/again/towns/feyzin.yaml" ||
		return 1
	import -o "$work/ldap.yaml" >"$work/import.out" 2>&1 && return 1
	grep -q "output $work/ldap.yaml exists" "$work/import.out" &&
	cmp -s "$work/ldap.yaml" "$work/ldap.yaml.before" || return 1
	import -o "$work/new.yaml" --report "$work/ldap.report" \
		>"$work/import.out" 2>&1 && return 1
	[ ! -e "$work/new.yaml" ] || return 1
	import -o "$work/again/again.yaml" --people-files towns \
		>"$work/import.out" 2>&1 && return 1
	grep -q "people file $work/again/towns/feyzin.yaml exists" \
		"$work/import.out" && [ ! -e "$work/again/again.yaml" ] &&
	[ ! -e "$work/again/towns/venissieux.yaml" ] ||
		{ cat "$work/import.out"; ls -R "$work/again"; return 1; }
	rm -rf "$work/again" "$work/ldap.yaml.before"
}

# Ids from uid: the person without employeeNumber is imported too.
ids_from_uid() {
	import --id-attr uid -o "$work/uid.yaml" --report "$work/uid.report" \
		>"$work/import.out" 2>&1 &&
	grep -q '^      - id: "paul.nobody"$' "$work/uid.yaml" &&
	grep -q "adopt --id-attr uid --move" "$work/uid.yaml" &&
	! grep -q "no employeeNumber" "$work/uid.report" &&
	"$prog" validate "$work/uid.yaml" >"$work/validate.out" 2>&1 ||
		{ cat "$work/import.out" "$work/uid.report" "$work/validate.out"; return 1; }
}

# With --people-files, each town's people in a file of their own that the
# tenants file names; the loader reads the same people.
people_files() {
	mkdir -p "$work/split" &&
	cp "$work/template.yaml" "$work/split/" &&
	import -o "$work/split/split.yaml" --people-files towns \
		>"$work/import.out" 2>&1 &&
	grep -qx '    people_file: "towns/feyzin.yaml"' "$work/split/split.yaml" &&
	grep -qx -- '- id: "F-1"' "$work/split/towns/feyzin.yaml" &&
	[ "$(stat -c %a "$work/split/towns")" = 700 ] &&
	"$prog" validate "$work/split/split.yaml" >"$work/validate.out" 2>&1 &&
	grep -q "valid: 2 tenants, 4 people, 2 groups" "$work/validate.out" ||
		{ cat "$work/import.out" "$work/validate.out"; return 1; }
}

file_is_valid() {
	"$prog" validate "$work/ldap.yaml" >"$work/validate.out" 2>&1 &&
	grep -q "valid: 2 tenants, 4 people, 2 groups" "$work/validate.out" ||
		{ cat "$work/validate.out" "$work/ldap.yaml"; return 1; }
}

# What adopt must not have written: no entry marked, no entry moved.
untouched() {
	[ "$(ldap ldapsearch -LLL -b "$BASE" '(objectClass=mutualizeManaged)' dn |
		grep -c '^dn:')" = "${1:-0}" ] &&
	[ "$(ldap ldapsearch -LLL -b "ou=people,$BASE" -s one '(uid=*)' dn |
		grep -c '^dn:')" = 6 ]
}

# adopt ARGS...: its status in rc, what it said in out.
adopt() {
	(cd "$work" && "$prog" adopt "$@" ldap.yaml) >"$work/out" 2>&1
	rc=$?
}

refused() {
	[ "$rc" = 1 ] && grep -q "$1" "$work/out" && untouched "${2:-0}" ||
		{ echo "rc $rc"; cat "$work/out"; return 1; }
}

needs_move() {
	adopt
	refused "joel.mercier,ou=people,$BASE is outside the layout .*: give --move"
}

refuses_two_entries() {
	ldap ldapadd >"$work/tmp.log" 2>&1 <<LDIF || return 1
dn: uid=marie.bis,$BASE
objectClass: inetOrgPerson
uid: marie.bis
cn: Marie Bis
sn: Bis
employeeNumber: F-1
LDIF
	adopt --move
	refused "person F-1: held by .* and by "
	local ret=$?
	ldap ldapdelete "uid=marie.bis,$BASE" || return 1
	return $ret
}

refuses_managed_elsewhere() {
	ldap ldapadd >"$work/tmp.log" 2>&1 <<LDIF || return 1
dn: uid=joel.old,$BASE
objectClass: inetOrgPerson
objectClass: mutualizeManaged
uid: joel.old
cn: Joel Old
sn: Old
employeeNumber: F-2
LDIF
	adopt --move
	refused "person F-2: uid=joel.old,$BASE is managed by mutualize already" 1
	local ret=$?
	ldap ldapdelete "uid=joel.old,$BASE" || return 1
	return $ret
}

refuses_taken_dn() {
	ldap ldapadd >"$work/tmp.log" 2>&1 <<LDIF || return 1
dn: ou=tenants,$BASE
objectClass: organizationalUnit
ou: tenants

dn: ou=venissieux,ou=tenants,$BASE
objectClass: organizationalUnit
ou: venissieux

dn: ou=people,ou=venissieux,ou=tenants,$BASE
objectClass: organizationalUnit
ou: people

dn: uid=noel.rousseau,ou=people,ou=venissieux,ou=tenants,$BASE
objectClass: inetOrgPerson
uid: noel.rousseau
cn: Someone Else
sn: Else
LDIF
	adopt --move
	refused "V-2: cn=Noël Rousseau,ou=people,$BASE cannot move to uid=noel.rousseau,ou=people,ou=venissieux,ou=tenants,$BASE: the DN is taken"
	local ret=$?
	ldap ldapdelete -r "ou=tenants,$BASE" || return 1
	return $ret
}

dry_run_writes_nothing() {
	adopt -n --move
	[ "$rc" = 0 ] && grep -q "^Adopting 4 people and 2 groups" "$work/out" &&
	grep -q "uid=marie.martin,ou=people,$BASE" "$work/out" && untouched ||
		{ echo "rc $rc"; cat "$work/out"; return 1; }
}

uuids() {
	ldap ldapsearch -LLL -b "$BASE" '(employeeNumber=*)' employeeNumber \
		entryUUID | awk '/^employeeNumber:/ { n = $2 }
		/^entryUUID:/ { u = $2 } /^$/ && n != "" { print n, u; n = "" }' |
		sort
}

adopts_and_plan_is_empty() {
	uuids >"$work/uuids.before"
	adopt --move
	[ "$rc" = 0 ] || { cat "$work/out"; return 1; }
	(cd "$work" && "$prog" plan --exit-code ldap.yaml) >"$work/plan" 2>&1 ||
		{ echo "plan: $?"; cat "$work/out" "$work/plan"; return 1; }
}

passwords_bind() {
	local uid dn
	for uid in "${!PASS[@]}"; do
		case $uid in
		marie.* | joel.*) dn="uid=$uid,ou=people,ou=feyzin,ou=tenants,$BASE" ;;
		*) dn="uid=$uid,ou=people,ou=venissieux,ou=tenants,$BASE" ;;
		esac
		ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w "${PASS[$uid]}" \
			>/dev/null 2>&1 || { echo "$dn does not bind"; return 1; }
	done
}

uuids_kept() {
	uuids >"$work/uuids.after"
	cmp "$work/uuids.before" "$work/uuids.after" &&
	[ "$(wc -l <"$work/uuids.after")" = 5 ]
}

in_the_layout() {
	local dn="uid=helene.dupont,ou=people,ou=venissieux,ou=tenants,$BASE"
	[ "$(ldap ldapsearch -LLL -b "$BASE" '(objectClass=mutualizeManaged)' dn |
		grep -c '^dn: uid=.*,ou=people,ou=[a-z]*,ou=tenants,')" = 4 ] &&
	ldap ldapsearch -LLL -b "$dn" -s base sn | grep -qx "sn:: $(printf '%s' \
		"Dupont: l'aînée # 'x' \\ y" | base64 -w0)" ||
		{ ldap ldapsearch -LLL -b "$dn" -s base sn; return 1; }
	ldap ldapsearch -LLL -b "cn=dsi,ou=groups,ou=venissieux,ou=tenants,$BASE" \
		-s base member | grep -q "member: uid=noel.rousseau,ou=people,ou=venissieux"
}

# A second adopt finds everything managed: nothing to adopt, nothing to do.
adopt_again_is_quiet() {
	adopt --move
	[ "$rc" = 0 ] && grep -q "^Adopting 0 people and 0 groups" "$work/out" &&
	(cd "$work" && "$prog" plan --exit-code ldap.yaml) >"$work/plan" 2>&1 ||
		{ echo "rc $rc"; cat "$work/out" "$work/plan"; return 1; }
}

# An entry made by hand in the layout itself is adopted where it is,
# without --move; her password binds after.
in_place_without_move() {
	local dn="uid=lea.new,ou=people,ou=feyzin,ou=tenants,$BASE"
	ldap ldapadd >"$work/tmp.log" 2>&1 <<LDIF || { cat "$work/tmp.log"; return 1; }
dn: $dn
objectClass: inetOrgPerson
uid: lea.new
cn: Léa New
givenName: Léa
sn: New
employeeNumber: F-9
userPassword: $(slappasswd -h '{SSHA}' -s Lea-pw-9)
LDIF
	awk '{ print } /^    people:$/ && !done { done = 1
		print "      - {id: \"F-9\", given_name: \"Léa\", surname: \"New\", kind: agent, login: \"lea.new\"}" }' \
		"$work/ldap.yaml" >"$work/more.yaml" && mv "$work/more.yaml" "$work/ldap.yaml"
	adopt
	[ "$rc" = 0 ] && grep -q "^Adopting 1 people and 0 groups of ldap.yaml (0 moved" "$work/out" &&
	(cd "$work" && "$prog" plan --exit-code ldap.yaml) >"$work/plan" 2>&1 &&
	ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w Lea-pw-9 >/dev/null ||
		{ echo "rc $rc"; cat "$work/out" "$work/plan"; return 1; }
}

one_configuration() {
	local overlays=$1
	export SLAPD_OVERLAYS=$overlays
	slapd_start "$BASE" "$pw" || { echo "$overlays: no slapd"; return 1; }
	rm -rf "$work"/*.yaml "$work"/*.report "$work"/mutualize* "$work/split"
	template && hand_made || { not_ok "$overlays: the hand-made directory"; return 1; }
	check "$overlays: import over LDAP and from LDIF write the same file" imports_agree
	check "$overlays: the report names what was left out and why" report_says_why
	check "$overlays: validate accepts the imported file" file_is_valid
	check "$overlays: import never replaces a file" never_replaces
	check "$overlays: --id-attr uid takes the ids from uid" ids_from_uid
	check "$overlays: --people-files writes a people file a tenant" people_files
	check "$overlays: adopt without --move refuses entries outside the layout" needs_move
	check "$overlays: adopt refuses an id held by two entries" refuses_two_entries
	check "$overlays: adopt refuses an id managed elsewhere" refuses_managed_elsewhere
	check "$overlays: adopt refuses a target DN that is taken" refuses_taken_dn
	check "$overlays: adopt -n shows the plan and writes nothing" dry_run_writes_nothing
	check "$overlays: adopt --move, then the plan is empty" adopts_and_plan_is_empty
	check "$overlays: every password still binds" passwords_bind
	check "$overlays: entryUUIDs are kept" uuids_kept
	check "$overlays: the people and groups are in the layout" in_the_layout
	check "$overlays: adopt again has nothing to adopt, the plan stays empty" \
		adopt_again_is_quiet
	check "$overlays: an unmanaged entry in the layout is adopted without --move" \
		in_place_without_move
	slapd_stop
}

# Taking over 25 people changes every entry: the guard rail on mass changes
# refuses it, writing nothing, until --allow-mass-change.
guard_rail_holds() {
	local i
	for i in $(seq 1 25); do
		printf 'dn: uid=p%s,ou=people,%s\nobjectClass: inetOrgPerson\nuid: p%s\ncn: P %s\ngivenName: P\nsn: N%s\nemployeeNumber: E-%s\nl: Feyzin\n\n' \
			"$i" "$BASE" "$i" "$i" "$i" "$i"
	done | ldap ldapadd >"$work/add.log" 2>&1 || { cat "$work/add.log"; return 1; }
	rm -f "$work/ldap.yaml"
	import -o "$work/ldap.yaml" >"$work/import.out" 2>&1 || return 1
	adopt --move
	[ "$rc" = 1 ] && grep -q "run again with --allow-mass-change" "$work/out" &&
	[ "$(ldap ldapsearch -LLL -b "$BASE" '(objectClass=mutualizeManaged)' dn |
		grep -c '^dn:')" = 0 ] || { echo "rc $rc"; cat "$work/out"; return 1; }
	adopt --move --allow-mass-change
	[ "$rc" = 0 ] || { cat "$work/out"; return 1; }
}

# The directory as it stands, without what slapd keeps of its own writes.
dump() {
	ldap ldapsearch -LLL -o ldif-wrap=no -b "$BASE" '(objectClass=*)' \
		'*' entryUUID | awk -v RS= -v ORS='\n\n' '{ print }' | sort
}

# The undo file of an adopt takes it back: the entries where they were, with
# their names (a cn= RDN included), their marks gone.
undo_takes_it_back() {
	local undo
	rm -f "$work/ldap.yaml" "$work"/mutualize-undo-*.ldif
	import -o "$work/ldap.yaml" >"$work/import.out" 2>&1 || return 1
	dump >"$work/before.dump"
	adopt --move --allow-mass-change
	undo=$(ls "$work"/mutualize-undo-*.ldif 2>/dev/null)
	[ "$rc" = 0 ] && [ -n "$undo" ] || { cat "$work/out"; return 1; }
	ldap ldapmodify -f "$undo" >"$work/undo.out" 2>&1 ||
		{ cat "$work/undo.out"; return 1; }
	dump >"$work/after.dump"
	diff -u "$work/before.dump" "$work/after.dump"
}

for c in ${SLAPD_CONFIGS:-memberof memberof+refint}; do
	one_configuration "$c"
done
SLAPD_OVERLAYS=memberof slapd_start "$BASE" "$pw" && template && hand_made &&
	check "adopt of a whole directory needs --allow-mass-change" guard_rail_holds ||
	not_ok "the guard rail's directory"
slapd_stop
SLAPD_OVERLAYS=memberof+refint slapd_start "$BASE" "$pw" && template &&
	hand_made && check "the undo file of an adopt takes it back" \
	undo_takes_it_back || not_ok "the undo test's directory"
slapd_stop
tap_done adopt
