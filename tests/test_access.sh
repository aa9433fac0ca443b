#!/bin/bash
# Integration: who may do what in a directory that directory-config made of
# Debian's stock cn=config, asserted by real binds. Each role (mutualize, each
# service's account, town a's admin, town b's admin, a person, an anonymous
# client) tries each action, and the table of what happened must be the one
# mutualize(1) prints under ACCESS CONTROL. Then the rules that go with it
# (own password, the password policy, pwdReset, the mail routing, the
# address book) and the refusals of directory-config itself.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" access
PEOPLE_A="ou=people,ou=a,ou=tenants,$BASE"
PEOPLE_B="ou=people,ou=b,ou=tenants,$BASE"
BOB="uid=bob.agent,$PEOPLE_A"
DAN="uid=dan.agent,$PEOPLE_B"
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$here/../templates}

# The syndicate: two towns, each with an admin; mail for all, files for some.
write_tenants() {
	cat >"$work/tenants.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: "SITIV", base_dn: "$BASE", mail_domain: sitiv.fr}
directory:
  uri: "ldap://127.0.0.1:389"
  bind_dn: "cn=admin,$BASE"
  bind_password_file: secret/bind.pw
policy: {address_book: $1}
services:
  mail: {quota: 1GiB}
  files: {quota: 2GiB}
tenants:
  - id: a
    name: "Town A"
    services: [mail]
    admins: [A-1]
    people:
      - {id: "A-1", given_name: "Alice", surname: "Admin", kind: agent}
      - {id: "A-2", given_name: "Bob", surname: "Agent", kind: agent, services: [mail, files]}
      - {id: "A-3", given_name: "Carl", surname: "Person", kind: agent}
      - {id: "A-4", given_name: "Eve", surname: "Files", kind: agent, services: [files]}
    mailboxes:
      - {id: mairie, address: mairie-a@sitiv.fr, delegates: [A-2]}
  - id: b
    name: "Town B"
    services: [mail]
    admins: [B-1]
    people:
      - {id: "B-1", given_name: "Beth", surname: "Admin", kind: elected}
      - {id: "B-2", given_name: "Dan", surname: "Agent", kind: agent, services: [mail, files], aliases: ["accueil-b@sitiv.fr"]}
      - {id: "B-3", given_name: "Fay", surname: "Leaver", kind: agent}
YAML
}

# directory-config for the server, applied as an admin does.
configure() {
	"$prog" directory-config -H "$SLAPD_LDAPI_URI" \
		--db-directory "$SLAPD_DIR/db" "$work/tenants.yaml" \
		>"$work/config.ldif" 2>"$work/config.err" &&
		ldapmodify -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" \
			-f "$work/config.ldif" >"$work/ldapmodify.out" 2>&1
}

setup() {
	mkdir -m 700 "$work/secret" &&
		od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/secret/bind.pw" &&
		chmod 600 "$work/secret/bind.pw" &&
		write_tenants false || return 1
	slapd_start_stock SLAPD || return 1
	check "directory-config's LDIF applies to a stock Debian cn=config" \
		configure || { cat "$work/config.err" "$work/ldapmodify.out"; return 1; }
	"$prog" -q apply -H "$SLAPD_URI" --credentials "$work/creds" \
		"$work/tenants.yaml" >"$work/apply.out" 2>&1 ||
		{ cat "$work/apply.out"; return 1; }
}

password_of() {
	case $1 in
	mutualize) cat "$work/secret/bind.pw" ;;
	mail | files) cat "$work/secret/$1.pw" ;;
	*) awk -v u="$1" '$1 == u { print $3 }' "$work/creds" ;;
	esac
}

dn_of() {
	case $1 in
	mutualize) echo "cn=admin,$BASE" ;;
	mail | files) echo "cn=$1,ou=system,$BASE" ;;
	alice.admin | carl.person) echo "uid=$1,$PEOPLE_A" ;;
	beth.admin) echo "uid=$1,$PEOPLE_B" ;;
	esac
}

# Runs an ldap tool as the role: ROLE TOOL ARGS...
as() {
	local role=$1 tool=$2
	shift 2
	if [ "$role" = anonymous ]; then
		"$tool" -x -H "$SLAPD_URI" "$@"
	else
		"$tool" -x -H "$SLAPD_URI" -D "$(dn_of "$role")" \
			-w "$(password_of "$role")" "$@"
	fi
}

read_mail() {
	as "$1" ldapsearch -LLL -b "$2" -s base mail 2>/dev/null | grep -q '^mail:'
}
read_password() {
	as "$1" ldapsearch -LLL -b "$BOB" -s base userPassword 2>/dev/null |
		grep -q '^userPassword'
}
write_mail() {
	printf 'dn: %s\nchangetype: modify\nreplace: mail\nmail: x@attacker.example\n' \
		"$BOB" | as "$1" ldapmodify >/dev/null 2>&1
}
reset_password() {
	as "$1" ldappasswd -s "reset-by-$1-$RANDOM" "$2" >/dev/null 2>&1
}
add_entry() {
	printf 'dn: uid=intruder,%s\nchangetype: add\nobjectClass: account\nuid: intruder\n' \
		"$PEOPLE_A" | as "$1" ldapmodify >/dev/null 2>&1
}
read_lock() {
	as "$1" ldapsearch -LLL -b "cn=mutualize-lock,$BASE" -s base cn \
		2>/dev/null | grep -q '^cn:'
}

not() {
	! "$@"
}

# One cell: Y when the action was allowed, N when refused.
cell() {
	if "$@"; then echo Y; else echo N; fi
}

# The table as mutualize(1) prints it, rows in this order.
expected_table() {
	cat <<'TABLE'
mutualize    Y Y Y Y Y Y Y Y
mail         Y Y N N N N N N
files        Y Y N N N N N N
alice.admin  Y N N N Y N N N
beth.admin   N Y N N N Y N N
carl.person  N N N N N N N N
anonymous    N N N N N N N N
TABLE
}

matrix() {
	local role
	# mutualize last: what it may do changes what the others see.
	for role in mail files alice.admin beth.admin carl.person anonymous \
		mutualize; do
		printf '%-12s %s %s %s %s %s %s %s %s\n' "$role" \
			"$(cell read_mail "$role" "$BOB")" \
			"$(cell read_mail "$role" "$DAN")" \
			"$(cell read_password "$role")" \
			"$(cell write_mail "$role")" \
			"$(cell reset_password "$role" "$BOB")" \
			"$(cell reset_password "$role" "$DAN")" \
			"$(cell add_entry "$role")" \
			"$(cell read_lock "$role")"
	done
}

access_matrix() {
	# A lock as an apply leaves it, for the last column.
	printf 'dn: cn=mutualize-lock,%s\nobjectClass: applicationProcess\ncn: mutualize-lock\n' \
		"$BASE" | as mutualize ldapadd >/dev/null || return 1
	echo "# role         readA readB readPw writeMail resetA resetB add readLock"
	matrix | sort >"$work/got"
	sed 's/^/# /' "$work/got"
	expected_table | sort >"$work/want"
	as mutualize ldapdelete "cn=mutualize-lock,$BASE" || return 1
	diff -u "$work/want" "$work/got"
}

# Each service's account sees the people of its service, and of their
# memberOf only its own value.
service_scope() {
	local n
	n=$(as mail ldapsearch -LLL -b "ou=tenants,$BASE" \
		"(&(objectClass=inetOrgPerson)(memberOf=cn=mail,ou=services,$BASE)(!(mutualizeDisabled=*)))" \
		1.1 | grep -c '^dn:')
	# six people and town a's functional mailbox
	[ "$n" = 7 ] || { echo "mail's account found $n entries, not 7"; return 1; }
	as mail ldapsearch -LLL -b "uid=eve.files,$PEOPLE_A" -s base 1.1 \
		2>/dev/null | grep -q '^dn:' &&
		{ echo "mail's account sees a person without mail"; return 1; }
	as mail ldapsearch -LLL -b "$DAN" -s base memberOf | grep -q "cn=files" &&
		{ echo "mail's account sees the files entitlement"; return 1; }
	as files ldapsearch -LLL -b "uid=eve.files,$PEOPLE_A" -s base uid |
		grep -q '^uid: eve.files' || return 1
	# Postfix's virtual_alias_maps finds a person by an alias
	as mail ldapsearch -LLL -b "ou=tenants,$BASE" \
		"(mailLocalAddress=accueil-b@sitiv.fr)" mail |
		grep -q '^mail: dan.agent@' ||
		{ echo "mail's account cannot find an alias"; return 1; }
}

# The mail service reads a functional mailbox and what its delegates hold
# (Dovecot's master passdb filters on it); the files service neither, nor
# a person.
mailbox_scope() {
	local box="uid=mairie-a@sitiv.fr,ou=mailboxes,ou=a,ou=tenants,$BASE"
	as mail ldapsearch -LLL -b "$box" -s base mail | grep -q '^mail: mairie-a@' ||
		{ echo "mail's account cannot read the mailbox"; return 1; }
	as mail ldapsearch -LLL -b "ou=tenants,$BASE" \
		"(mutualizeMailboxAccess=mairie-a@sitiv.fr)" uid |
		grep -q '^uid: bob.agent$' ||
		{ echo "mail's account cannot find the delegate"; return 1; }
	as files ldapsearch -LLL -b "$box" -s base 1.1 2>/dev/null |
		grep -q '^dn:' && { echo "files' account sees the mailbox"; return 1; }
	as files ldapsearch -LLL -b "$BOB" -s base mutualizeMailboxAccess |
		grep -q '^mutualizeMailboxAccess' &&
		{ echo "files' account reads the delegation"; return 1; }
	as carl.person ldapsearch -LLL -b "$box" -s base 1.1 2>/dev/null |
		grep -q '^dn:' && { echo "a person sees the mailbox"; return 1; }
	return 0
}

own_password() {
	local dn="uid=eve.files,$PEOPLE_A" pw
	pw=$(password_of eve.files)
	ldappasswd -x -H "$SLAPD_URI" -D "$dn" -w "$pw" -s "short-1" \
		>"$work/pw.out" 2>&1 &&
		{ echo "a 7-character password was taken"; return 1; }
	grep -q "Constraint violation (19)" "$work/pw.out" || return 1
	ldappasswd -x -H "$SLAPD_URI" -D "$dn" -w "$pw" \
		-s "a-long-enough-password" >/dev/null || return 1
	ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w "a-long-enough-password" \
		>/dev/null
}

# A town's admin sets pwdReset in the town only, and never touches what
# routes mail.
admin_limits() {
	local attr
	printf 'dn: %s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n' \
		"$BOB" | as alice.admin ldapmodify >/dev/null 2>&1 ||
		{ echo "alice cannot set pwdReset in her town"; return 1; }
	printf 'dn: %s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n' \
		"$DAN" | as alice.admin ldapmodify >/dev/null 2>&1 &&
		{ echo "alice set pwdReset in another town"; return 1; }
	for attr in mailLocalAddress mutualizeFormerMail; do
		printf 'dn: %s\nchangetype: modify\nadd: %s\n%s: alice@attacker.example\n' \
			"$BOB" "$attr" "$attr" | as alice.admin ldapmodify \
			>/dev/null 2>&1 &&
			{ echo "alice added a $attr"; return 1; }
	done
	return 0
}

# With the address book, a person reads the others' names and mail; the LDIF
# is then the change of the rules alone, and a second run has nothing to do.
address_book() {
	read_mail carl.person "$BOB" && { echo "carl reads bob already"; return 1; }
	read_mail carl.person "$(dn_of carl.person)" || return 1
	write_tenants true
	configure || { cat "$work/config.err" "$work/ldapmodify.out"; return 1; }
	grep -q '^replace: olcAccess' "$work/config.ldif" || return 1
	grep -q '^changetype: add' "$work/config.ldif" &&
		{ echo "a second configuration adds entries"; return 1; }
	read_mail carl.person "$BOB" && read_mail carl.person "$DAN" ||
		{ echo "carl cannot read the address book"; return 1; }
	as carl.person ldapsearch -LLL -b "$BOB" -s base memberOf employeeNumber |
		grep -q '^memberOf\|^employeeNumber' &&
		{ echo "the address book shows more than names"; return 1; }
	"$prog" directory-config -H "$SLAPD_LDAPI_URI" "$work/tenants.yaml" \
		>"$work/again.ldif" 2>/dev/null || return 1
	grep -q '^# Nothing to change' "$work/again.ldif" &&
		! grep -q '^dn:' "$work/again.ldif"
}

# A town's admin sets a password and pwdReset: the person binds, is told to
# change it, and may do nothing else until they do.
reset_must_change() {
	local out
	as alice.admin ldappasswd -s "set-by-the-town-admin-1" "$BOB" \
		>/dev/null || return 1
	printf 'dn: %s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n' \
		"$BOB" | as alice.admin ldapmodify >/dev/null || return 1
	out=$(ldapwhoami -x -H "$SLAPD_URI" -D "$BOB" \
		-w "set-by-the-town-admin-1" -e ppolicy 2>&1)
	printf '%s' "$out" | grep -q "Password must be changed" ||
		{ echo "$out"; return 1; }
	out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$BOB" \
		-w "set-by-the-town-admin-1" -b "$BOB" -s base uid 2>&1)
	printf '%s' "$out" | grep -q "Insufficient access (50)" ||
		{ echo "$out"; return 1; }
	ldappasswd -x -H "$SLAPD_URI" -D "$BOB" -w "set-by-the-town-admin-1" \
		-s "chosen-by-bob-himself" >/dev/null &&
		ldapsearch -x -LLL -H "$SLAPD_URI" -D "$BOB" \
		-w "chosen-by-bob-himself" -b "$BOB" -s base uid | grep -q '^uid:'
}

# mutualize, as its own entry under the rules, disables a person who leaves
# the file: ppolicy then refuses her bind; she comes back and binds again.
departure_locks() {
	local dn="uid=fay.leaver,$PEOPLE_B" pw out
	pw=$(password_of fay.leaver)
	ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w "$pw" >/dev/null || return 1
	grep -v '"B-3"' "$work/tenants.yaml" >"$work/left.yaml"
	out=$("$prog" -q apply -H "$SLAPD_URI" "$work/left.yaml" 2>&1) ||
		{ echo "$out"; return 1; }
	ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w "$pw" >/dev/null 2>&1 &&
		{ echo "a departed person still binds"; return 1; }
	out=$("$prog" -q apply -H "$SLAPD_URI" "$work/tenants.yaml" 2>&1) ||
		{ echo "$out"; return 1; }
	ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -w "$pw" >/dev/null
}

# As the walk-through of mutualize(1) has it: root over ldapi:// with
# bind: external manages the tree (here, plans nothing, then adds a person).
external_root_manages() {
	local out
	sed -e 's|^  uri: .*|  uri: "'"$SLAPD_LDAPI_URI"'"|' -e '/bind_dn:/d' \
		-e 's|^  bind_password_file: .*|  bind: external|' \
		"$work/tenants.yaml" >"$work/external.yaml"
	"$prog" plan --exit-code "$work/external.yaml" >"$work/external.out" 2>&1 ||
		{ cat "$work/external.out"; return 1; }
	sed 's|^      - {id: "B-3".*|&\n      - {id: "B-4", given_name: "Gus", surname: "New", kind: agent}|' \
		"$work/external.yaml" >"$work/external2.yaml"
	out=$("$prog" -q apply --credentials "$work/external.creds" \
		"$work/external2.yaml" 2>&1) || { echo "$out"; return 1; }
	as mutualize ldapsearch -LLL -b "uid=gus.new,$PEOPLE_B" -s base 1.1 |
		grep -q '^dn:'
}

# The first LDIF applied again is refused at its first record and changes
# nothing.
second_application_refused() {
	local before after
	before=$(ldapsearch -Q -LLL -Y EXTERNAL -H "$SLAPD_LDAPI_URI" \
		-b cn=config -o ldif-wrap=no | grep -v -i 'entryCSN\|modifyTimestamp')
	ldapmodify -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" -f "$work/first.ldif" \
		>"$work/again.out" 2>&1 && { echo "applied twice"; return 1; }
	grep -q "already exists" "$work/again.out" || return 1
	after=$(ldapsearch -Q -LLL -Y EXTERNAL -H "$SLAPD_LDAPI_URI" \
		-b cn=config -o ldif-wrap=no | grep -v -i 'entryCSN\|modifyTimestamp')
	[ "$before" = "$after" ]
}

# WHAT PATTERN CMD...: the command fails, prints no record, says PATTERN.
refused() {
	local what=$1 pattern=$2 out rc
	shift 2
	out=$("$@" 2>&1 >"$work/refused.ldif")
	rc=$?
	if [ "$rc" = 0 ] || grep -q '^dn:' "$work/refused.ldif"; then
		not_ok "$what: not refused"
	elif printf '%s' "$out" | grep -q -- "$pattern"; then
		ok "$what"
	else
		not_ok "$what: said $out"
	fi
}

bad_inputs() {
	sed "s/dc=sitiv,dc=fr/dc=nodomain/g" "$work/tenants.yaml" >"$work/nodomain.yaml"
	"$prog" directory-config -H "$SLAPD_LDAPI_URI" "$work/nodomain.yaml" \
		>"$work/nodomain.ldif" 2>&1
	check "the mdb database that serves the base DN already is changed" \
		grep -qx 'dn: olcDatabase={1}mdb,cn=config' "$work/nodomain.ldif"
	check "no database is added beside it" \
		not grep -q '^dn: olcDatabase=mdb' "$work/nodomain.ldif"
	ldapmodify -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" >/dev/null <<LDIF
dn: olcDatabase=ldif,cn=config
changetype: add
objectClass: olcDatabaseConfig
objectClass: olcLdifConfig
olcDatabase: ldif
olcSuffix: dc=ldif,dc=fr
olcDbDirectory: $SLAPD_DIR/nodomain
LDIF
	sed "s/dc=sitiv,dc=fr/dc=ldif,dc=fr/g" "$work/tenants.yaml" >"$work/ldif.yaml"
	refused "a base DN served by a database other than mdb is refused" \
		"serves dc=ldif,dc=fr with olcDatabase={3}ldif" \
		"$prog" directory-config -H "$SLAPD_LDAPI_URI" "$work/ldif.yaml"
	sed "s/dc=sitiv,dc=fr/ou=x,dc=nodomain/g" "$work/tenants.yaml" >"$work/below.yaml"
	refused "a base DN inside another database is refused" \
		"serves dc=nodomain with olcDatabase={1}mdb" \
		"$prog" directory-config -H "$SLAPD_LDAPI_URI" "$work/below.yaml"
	refused "a missing ldapi socket is refused" "Can't contact LDAP server" \
		"$prog" directory-config -H "ldapi://%2Fnonexistent%2Fsocket" \
		"$work/tenants.yaml"
	"$prog" directory-config -H "ldapi://%2Fnonexistent%2Fsocket" \
		"$work/tenants.yaml" >/dev/null 2>&1
	check "and exits 3, no server reachable ($?)" [ "$?" = 3 ]
	# The file where nobody may read it, as the test's runs do.
	chmod 711 "$work" "$SLAPD_DIR" && mkdir -m 755 "$work/pub" &&
		cp "$work/tenants.yaml" "$work/pub/" &&
		chmod 644 "$work/pub/tenants.yaml"
	refused "an identity that cannot read cn=config is refused" \
		"cannot read cn=config" runuser -u nobody -- "$prog" \
		directory-config -H "$SLAPD_LDAPI_URI" "$work/pub/tenants.yaml"
	sed "s/dc=sitiv,dc=fr/dc=other,dc=fr/g" "$work/tenants.yaml" >"$work/other.yaml"
	refused "a database directory not made yet is refused" \
		"does not exist: make it" "$prog" directory-config \
		-H "$SLAPD_LDAPI_URI" --db-directory "$work/none" "$work/other.yaml"
	mkdir "$work/no-modules" && slapd_start_stock BARE "$work/no-modules" ||
		return 1
	refused "a module the host lacks is refused" \
		"cannot load the module memberof" "$prog" directory-config \
		-H "$BARE_LDAPI_URI" --db-directory "$work" "$work/other.yaml"
	refused "replication on a database that runs memberof is refused" \
		"runs memberof" "$prog" directory-config -H "$SLAPD_LDAPI_URI" \
		--replicas ldap://127.0.0.1:1/,ldap://127.0.0.1:2/ --server-id 1 \
		"$work/tenants.yaml"
	refused "--replicas without --server-id is refused" "needs --server-id" \
		"$prog" directory-config --stock \
		--replicas ldap://127.0.0.1:1/,ldap://127.0.0.1:2/ "$work/tenants.yaml"
	sed 's/bind_dn: "cn=admin,/bind_dn: "cn=ad^min,/' "$work/tenants.yaml" \
		>"$work/caret.yaml"
	refused "a DN no rule can hold is refused at its place" \
		'caret.yaml:[0-9]*:[0-9]*: bind_dn "cn=ad^min,dc=sitiv,dc=fr": directory-config writes no rule' \
		"$prog" directory-config --stock "$work/caret.yaml"
}

# The slapd.conf form and the entries, loaded by slapadd: a server started on
# them takes an apply, and the next plan is empty.
slapd_conf_format() {
	local conf="$work/conf" out
	mkdir -p "$conf/db" &&
		"$prog" directory-config --format slapd.conf --db-directory \
		"$conf/db" "$work/tenants.yaml" >"$conf/part" &&
		"$prog" directory-config --format entries "$work/tenants.yaml" \
		>"$conf/entries.ldif" || return 1
	grep -q '^userPassword: {CRYPT}' "$conf/entries.ldif" || return 1
	{ printf 'pidfile %s/slapd.pid\nargsfile %s/slapd.args\n' "$conf" "$conf"
		cat "$conf/part"; } >"$conf/slapd.conf"
	slaptest -u -f "$conf/slapd.conf" >"$conf/slaptest.out" 2>&1 &&
		slapadd -q -f "$conf/slapd.conf" -l "$conf/entries.ldif" \
		>"$conf/slapadd.out" 2>&1 ||
		{ cat "$conf/slaptest.out" "$conf/slapadd.out"; return 1; }
	CONF_DIR=$conf CONF_CONF="-f $conf/slapd.conf"
	SLAPD_NAMES="$SLAPD_NAMES CONF"
	slapd_listen CONF "$conf" "" || return 1
	out=$(MUTUALIZE_BIND_PASSWORD=$(cat "$work/secret/bind.pw") "$prog" -q \
		apply -H "$CONF_URI" --credentials "$conf/creds" \
		"$work/tenants.yaml" 2>&1) || { echo "$out"; return 1; }
	"$prog" plan --exit-code -H "$CONF_URI" "$work/tenants.yaml" >/dev/null
}

# --stock prints for a stock server what reading that server prints.
stock_is_what_the_server_says() {
	slapd_start_stock STOCK || return 1
	"$prog" directory-config --stock --db-directory "$work" \
		"$work/tenants.yaml" 2>&1 | grep -v '^# for ' >"$work/stock.ldif"
	"$prog" directory-config -H "$STOCK_LDAPI_URI" --db-directory "$work" \
		"$work/tenants.yaml" 2>&1 | grep -v '^# for ' >"$work/read.ldif"
	slapd_stop STOCK
	grep -v '^userPassword\|^ ' "$work/stock.ldif" >"$work/stock.cmp"
	grep -v '^userPassword\|^ ' "$work/read.ldif" >"$work/read.cmp"
	diff -u "$work/stock.cmp" "$work/read.cmp"
}

setup || { echo "access: setup failed"; exit 1; }
cp "$work/config.ldif" "$work/first.ldif"
check "the access matrix is mutualize(1)'s" access_matrix
check "a service's account sees its people and its entitlement only" \
	service_scope
check "the mail account reads mailboxes and delegates, files' neither" \
	mailbox_scope
check "a departure locks the account, a return unlocks it" departure_locks
check "after a town admin's reset the person must change the password" \
	reset_must_change
check "root over ldapi:// (bind: external) manages the tree" \
	external_root_manages
check "a person changes their own password, 12 characters at least" \
	own_password
check "a town's admin sets pwdReset in the town, never mail routing" \
	admin_limits
check "the same LDIF applied again is refused and changes nothing" \
	second_application_refused
check "with the address book people read each other's names and mail" \
	address_book
check "the slapd.conf form and its entries make a server apply takes" \
	slapd_conf_format
check "--stock prints what a stock server's cn=config calls for" \
	stock_is_what_the_server_says
bad_inputs
tap_done access
