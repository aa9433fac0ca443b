# Functional mailboxes: mairie@ville-venissieux.fr, which the delegates the
# file names open in Dovecot with their own password ("ADDRESS*LOGIN", the
# master passdb service-config writes), and nobody else; mail to the address,
# found by the Postfix lookup service-config writes, lands there and stays
# when the delegates change and when the address does. Sourced by
# tests/e2e/run.sh.

MAIRIE=mairie@ville-venissieux.fr
ACCUEIL=accueil@ville-venissieux.fr

# postfix_lookup WORK ADDRESS [TABLE]: what the table service-config wrote
# (ldap-mailboxes, virtual_mailbox_maps, by default; or ldap-aliases,
# virtual_alias_maps) finds for the address, searched as the mail account.
postfix_lookup() {
	local conf filter base
	conf=$(sed -n "/^# \\/etc\\/postfix\\/${3:-ldap-mailboxes}.cf/,/^result_attribute/p" \
		"$1/mail.conf")
	filter=$(printf '%s\n' "$conf" | sed -n 's/^query_filter = //p')
	base=$(printf '%s\n' "$conf" | sed -n 's/^search_base = //p')
	filter=${filter//%s/$2}
	ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" \
		-D "cn=mail,ou=system,$BASE" -y "$1/secret/mail.pw" -b "$base" \
		"$filter" mail | sed -n 's/^mail: //p'
}

# deliver DOVECOT_DIR USER FILE: the message delivered to USER by
# dovecot-lda on the same configuration, as Postfix would hand it over.
deliver() {
	/usr/lib/dovecot/dovecot-lda -c "$1/dovecot.conf" -d "$2" <"$3"
}

# entry_uuid WORK ADDRESS: the entryUUID of the mailbox of that address.
entry_uuid() {
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1/root.pw" \
		-b "$BASE" "(&(objectClass=inetOrgPerson)(mail=$2))" entryUUID |
		sed -n 's/^entryUUID: //p'
}

# mailbox_file WORK NAME DELEGATE ADDRESS: the departure file with the
# mailbox read by DELEGATE at ADDRESS.
mailbox_file() {
	sed -e "s/address: $MAIRIE, \(.*\)delegates: \[V-1\]/address: $4, \1delegates: [$3]/" \
		"$1/left.yaml" >"$1/$2.yaml"
}

# apply_quiet WORK NAME: applies the file, the output in NAME.out.
apply_quiet() {
	"$BIN" apply -H "$SLAPD_URI" "$1/$2.yaml" >"$1/$2.out" 2>&1
}

e2e_mailbox() {
	local work=$1 dir=$1/dovecot-mailbox port pw_helene pw_aminata uuid
	dovecot_start "$work" "$dir" || return
	port=$DOVECOT_PORT
	check "mailbox: validate counts the mailbox" eval \
		'"$BIN" validate "$work/services.yaml" | grep -q ", 1 mailbox\.\$"'
	pw_helene=$(password_of "$work/credentials" helene.dupont-sebastien)
	pw_aminata=$(password_of "$work/credentials" aminata.ndiaye)
	check "mailbox: a delegate opens the mailbox with her own password" \
		imap_login "$port" "$MAIRIE*helene.dupont-sebastien" "$pw_helene"
	check "mailbox: a delegate's wrong password is refused" \
		imap_refused "$port" "$MAIRIE*helene.dupont-sebastien" "x$pw_helene"
	check "mailbox: someone who is no delegate is refused, with her right password" \
		imap_refused "$port" "$MAIRIE*aminata.ndiaye" "$pw_aminata"
	check "mailbox: nobody logs in as the mailbox itself" \
		imap_refused "$port" "$MAIRIE" "$pw_helene"
	check "mailbox: the Postfix lookup finds the mailbox by its address" \
		test "$(postfix_lookup "$work" "$MAIRIE")" = "$MAIRIE"
	printf 'From: prefecture@rhone.gouv.fr\r\nTo: %s\r\nSubject: arrete %s\r\n\r\nPour la mairie.\r\n' \
		"$MAIRIE" "$$" >"$work/mairie.eml"
	check "mailbox: dovecot-lda delivers the mail to the address the lookup gave" \
		deliver "$dir" "$(postfix_lookup "$work" "$MAIRIE")" "$work/mairie.eml"
	check "mailbox: the delegate reads it" eval \
		'imap_first "$port" "$MAIRIE*helene.dupont-sebastien" "$pw_helene" | grep -q "arrete $$"'
	# Dovecot's home: the key, which no person id can be ('+')
	check "mailbox: its mail is in the home named by its key" \
		test -d "$dir/mail/mailbox+venissieux+mairie/Maildir/new"

	mailbox_file "$work" mbx-aminata V-4 "$MAIRIE"
	check "mailbox: the new delegates are applied" \
		apply_quiet "$work" mbx-aminata
	check "mailbox: the former delegate is refused" \
		imap_refused "$port" "$MAIRIE*helene.dupont-sebastien" "$pw_helene"
	check "mailbox: the new delegate reads the mail that was there" eval \
		'imap_first "$port" "$MAIRIE*aminata.ndiaye" "$pw_aminata" | grep -q "arrete $$"'

	uuid=$(entry_uuid "$work" "$MAIRIE")
	mailbox_file "$work" mbx-accueil V-4 "$ACCUEIL"
	"$BIN" plan -H "$SLAPD_URI" "$work/mbx-accueil.yaml" >"$work/mbx-accueil.plan" 2>&1
	check "mailbox: a new address is a rename in the plan, no add or delete" eval \
		'grep -q "is renamed uid=$ACCUEIL,ou=mailboxes" "$work/mbx-accueil.plan" &&
		! grep -q "^[-+] " "$work/mbx-accueil.plan"'
	check "mailbox: the new address is applied" \
		apply_quiet "$work" mbx-accueil
	check "mailbox: the entry is the same (entryUUID kept)" \
		test -n "$uuid" -a "$(entry_uuid "$work" "$ACCUEIL")" = "$uuid"
	check "mailbox: the Postfix lookup finds the new address" \
		test "$(postfix_lookup "$work" "$ACCUEIL")" = "$ACCUEIL"
	check "mailbox: the old address is an alias of the new, as a person's" \
		eval 'test -z "$(postfix_lookup "$work" "$MAIRIE")" &&
		test "$(postfix_lookup "$work" "$MAIRIE" ldap-aliases)" = "$ACCUEIL"'
	check "mailbox: the mail is still there under the new address" eval \
		'imap_first "$port" "$ACCUEIL*aminata.ndiaye" "$pw_aminata" | grep -q "arrete $$"'
	check "mailbox: the old address opens nothing" \
		imap_refused "$port" "$MAIRIE*aminata.ndiaye" "$pw_aminata"
	check "mailbox: the departure file applies again (address, delegate back)" \
		apply_quiet "$work" left

	# Gone from the file: disabled and kept, as a person who left.
	grep -v -e '^    mailboxes:' -e "address: $MAIRIE" "$work/left.yaml" \
		>"$work/mbx-gone.yaml"
	check "mailbox: one gone from the file is applied" \
		apply_quiet "$work" mbx-gone
	check "mailbox: its entry is kept, disabled, not deleted" eval \
		'grep -q "(disable: no longer in the file)" "$work/mbx-gone.out" &&
		! grep -q "^- " "$work/mbx-gone.out" &&
		test "$(entry_uuid "$work" "$MAIRIE")" = "$uuid"'
	check "mailbox: its delegate is refused" \
		imap_refused "$port" "$MAIRIE*helene.dupont-sebastien" "$pw_helene"
	check "mailbox: the Postfix lookups no longer find it" eval \
		'test -z "$(postfix_lookup "$work" "$MAIRIE")" &&
		test -z "$(postfix_lookup "$work" "$ACCUEIL" ldap-aliases)"'
	check "mailbox: back in the file, it is enabled in the same entry" eval \
		'apply_quiet "$work" left &&
		test "$(entry_uuid "$work" "$MAIRIE")" = "$uuid"'
	check "mailbox: and its mail is still there" eval \
		'imap_first "$port" "$MAIRIE*helene.dupont-sebastien" "$pw_helene" | grep -q "arrete $$"'
	[ "$TAP_FAILED" = 0 ] || { show_log "$dir/dovecot.log"; cat "$work/mbx-accueil.plan"; }
	stop "$DOVECOT_PID"
}
