# Moves and renames of a person in groups, against the overlays the server
# runs (memberof alone, with refint, or with memberof-refint): after each one
# the apply succeeds, the next plan is empty, each service's own filter finds
# exactly the people the file entitles, and Dovecot follows. Sourced by
# tests/e2e/run.sh.

# admitted WORK SERVICE: the logins the service's filter (its template's, as
# service-config gives it to the service) finds, sorted, on one line.
admitted() {
	local filter
	filter=$(sed -n 's/^filter: "\(.*\)"$/\1/p' \
		"$MUTUALIZE_TEMPLATES/$2.yaml")
	filter=${filter//\{group\}/cn=$2,ou=services,$BASE}
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1/root.pw" \
		-b "$BASE" "$filter" uid | sed -n 's/^uid: //p' | sort | xargs
}

# services_admit WORK WHAT MAIL FILES VISIO: each service finds exactly these.
services_admit() {
	local work=$1 what=$2 got want
	got="mail: $(admitted "$work" mail); files: $(admitted "$work" files);"
	got="$got visio: $(admitted "$work" visio)"
	want="mail: $3; files: $4; visio: $5"
	if [ "$got" = "$want" ]; then
		ok "move: $what: each service admits exactly whom the file entitles"
	else
		not_ok "move: $what: each service admits exactly whom the file entitles"
		echo "    want $want"
		echo "    got  $got"
	fi
}

# moved WORK NAME WHERE [LOGIN]: the departure file with Hélène (V-1) in
# tenant WHERE (venissieux or feyzin, which has visio only), with LOGIN.
moved() {
	local work=$1 name=$2 where=$3 login=${4:+, login: $4}
	local line="      - {id: \"V-1\", given_name: \"Hélène\", surname: \"Dupont-Sébastien\", kind: agent$login}"
	grep -v '"V-1"' "$work/left.yaml" >"$work/$name.yaml"
	[ "$where" = venissieux ] && sed -i "/^    people:/a\\$line" \
		"$work/$name.yaml"
	printf '  - id: feyzin\n    name: "Mairie de Feyzin"\n' >>"$work/$name.yaml"
	printf '    services: [visio]\n    people:\n' >>"$work/$name.yaml"
	if [ "$where" = feyzin ]; then
		printf '%s\n' "$line" >>"$work/$name.yaml"
	else
		printf '      []\n' >>"$work/$name.yaml"
	fi
}

# apply_move WORK NAME WHAT: applies the file; the next plan is empty.
apply_move() {
	local out=$1/$2.out
	if "$BIN" apply -H "$SLAPD_URI" "$1/$2.yaml" >"$out" 2>&1; then
		ok "move: $3: the apply succeeds ($SLAPD_OVERLAYS)"
	else
		not_ok "move: $3: the apply succeeds ($SLAPD_OVERLAYS)"
		sed 's/^/    /' "$out"
	fi
	if "$BIN" plan --exit-code -H "$SLAPD_URI" "$1/$2.yaml" >"$out" 2>&1; then
		ok "move: $3: the next plan is empty"
	else
		not_ok "move: $3: the next plan is empty"
		sed 's/^/    /' "$out"
	fi
}

e2e_moves() {
	local work=$1 pw port
	pw=$(password_of "$work/credentials" helene.dupont-sebastien)
	dovecot_start "$work" "$work/dovecot-moves" || return
	port=$DOVECOT_PORT
	# the town's functional mailbox is one the mail service admits too
	services_admit "$work" "before" \
		"aminata.ndiaye helene.dupont-sebastien mairie@ville-venissieux.fr" \
		"helene.dupont-sebastien" "helene.dupont-sebastien karim.benaissa"
	# Her mail, kept under her id through the moves and the new login.
	printf 'From: maire@ville-venissieux.fr\r\nSubject: conseil du %s\r\n\r\nOrdre du jour.\r\n' \
		"$$" >"$work/message.eml"
	check "move: a message lands in her mailbox" \
		imap_append "$port" helene.dupont-sebastien "$pw" "$work/message.eml"

	moved "$work" to-feyzin feyzin
	apply_move "$work" to-feyzin "to a town without mail"
	services_admit "$work" "to a town without mail" \
		"aminata.ndiaye mairie@ville-venissieux.fr" "" \
		"helene.dupont-sebastien karim.benaissa"
	check "move: Dovecot refuses her once her town has no mail" \
		imap_refused "$port" helene.dupont-sebastien "$pw"

	moved "$work" renamed feyzin hdupont
	apply_move "$work" renamed "a new login"
	services_admit "$work" "a new login" \
		"aminata.ndiaye mairie@ville-venissieux.fr" "" \
		"hdupont karim.benaissa"

	moved "$work" back venissieux hdupont
	apply_move "$work" back "back to a town with mail"
	services_admit "$work" "back to a town with mail" \
		"aminata.ndiaye hdupont mairie@ville-venissieux.fr" "hdupont" \
		"hdupont karim.benaissa"
	check "move: Dovecot lets her in again, by her new login" \
		imap_login "$port" hdupont "$pw"
	check "move: and her mail is still there, under her id" \
		grep -q "Subject: conseil du $$" <<<"$(imap_first "$port" hdupont "$pw")"
	check "move: her mailbox is the directory of her id, not of a login" \
		[ -d "$work/dovecot-moves/mail/V-1/Maildir" ]
	stop "$DOVECOT_PID"
}
