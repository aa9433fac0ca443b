#!/bin/bash
# Integration: a directory whose mutualize schema an older mutualize loaded,
# without what functional mailboxes need (mutualizeMailboxAccess,
# mutualizeDelegate): directory-config adds the definitions it lacks to the
# schema entry, and nothing else of it; once added, it asks for nothing more,
# and an apply writes delegates, and the next plan is empty.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" schema
NEW=$(cd "$here/../templates" && pwd)

# The schema as it was before mailboxes.
mkdir "$work/old" &&
	grep -v -e "\.1\.5 NAME 'mutualizeMailboxAccess'" \
		-e "\.2\.3 NAME 'mutualizeDelegate'" "$NEW/mutualize.ldif" \
		>"$work/old/mutualize.ldif" || exit 1
mkdir -m 700 "$work/secret"
od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/secret/bind.pw"
chmod 600 "$work/secret/bind.pw"
cat >"$work/tenants.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: "SITIV", base_dn: "$BASE", mail_domain: sitiv.fr}
directory:
  uri: "ldap://127.0.0.1:389"
  bind_dn: "cn=admin,$BASE"
  bind_password_file: secret/bind.pw
services:
  mail: {quota: 1GiB}
tenants:
  - id: a
    name: "Town A"
    mail_domain: town-a.fr
    services: [mail]
    people:
      - {id: "A-1", given_name: "Alice", surname: "Agent", kind: agent}
    mailboxes:
      # '+' and '=', which slapd gives back in hex in a DN
      - {id: mairie, address: "mairie+info=x@town-a.fr", delegates: [A-1]}
YAML

# configure TEMPLATES OUT: directory-config's LDIF with those templates,
# applied as an admin does.
configure() {
	MUTUALIZE_TEMPLATES=$1 "$prog" directory-config -H "$SLAPD_LDAPI_URI" \
		--db-directory "$SLAPD_DIR/db" "$work/tenants.yaml" \
		>"$work/$2.ldif" 2>"$work/$2.err" &&
		ldapmodify -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" \
			-f "$work/$2.ldif" >"$work/$2.out" 2>&1
}

# defined NAME: the server's subschema knows it.
defined() {
	ldapsearch -Q -LLL -o ldif-wrap=no -Y EXTERNAL -H "$SLAPD_LDAPI_URI" -b cn=subschema \
		-s base '(objectClass=*)' attributeTypes objectClasses |
		grep -q "NAME '$1'"
}

slapd_start_stock SLAPD || exit 1
check "a stock server takes the schema as it was before mailboxes" eval \
	'ldapadd -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" -f "$work/old/mutualize.ldif" \
	>"$work/old.out" 2>&1'
check "and lacks mutualizeMailboxAccess" eval '! defined mutualizeMailboxAccess'
check "directory-config adds what the loaded schema lacks" \
	configure "$NEW" new
# the record of the mutualize schema entry
sed -n '/^dn: cn={[0-9]*}mutualize,cn=schema,cn=config$/,/^$/p' \
	"$work/new.ldif" >"$work/upgrade.ldif"
check "as a modify of the mutualize schema entry: the two it lacks" eval \
	'grep -q "^changetype: modify$" "$work/upgrade.ldif" &&
	[ "$(grep -c "^olcAttributeTypes: \|^olcObjectClasses: " "$work/upgrade.ldif")" = 2 ] &&
	grep -q "^olcAttributeTypes: .*mutualizeMailboxAccess" "$work/upgrade.ldif" &&
	grep -q "^olcObjectClasses: .*mutualizeDelegate" "$work/upgrade.ldif"'
check "the server knows mutualizeMailboxAccess" defined mutualizeMailboxAccess
check "and mutualizeDelegate" defined mutualizeDelegate
MUTUALIZE_TEMPLATES=$NEW "$prog" directory-config -H "$SLAPD_LDAPI_URI" \
	--db-directory "$SLAPD_DIR/db" "$work/tenants.yaml" >"$work/again.ldif" 2>&1
check "directory-config asks for nothing more of the schema" \
	eval '! grep -q "mutualize,cn=schema" "$work/again.ldif"'
check "an apply writes the delegate and the mailbox" eval \
	'MUTUALIZE_TEMPLATES=$NEW "$prog" -q apply -H "$SLAPD_URI" \
	--credentials "$work/creds" "$work/tenants.yaml" >"$work/apply.out" 2>&1'
check "the delegate holds the address" eval \
	'ldapsearch -Q -LLL -Y EXTERNAL -H "$SLAPD_LDAPI_URI" -b "$BASE" \
	"(mutualizeMailboxAccess=mairie+info=x@town-a.fr)" uid | grep -q "^uid: alice.agent$"'
check "the next plan is empty (an address's DN compares as slapd gives it)" \
	eval 'MUTUALIZE_TEMPLATES=$NEW "$prog" plan --exit-code -H "$SLAPD_URI" \
	"$work/tenants.yaml" >"$work/plan.out" 2>&1'
[ "$TAP_FAILED" = 0 ] || head -50 "$work"/old.out "$work"/new.out
tap_done schema
