# Connectors: after the directory changes, a real SCIM 2.0 server (scimmy and
# scimmy-routers, installed with npm), a webhook receiver that checks the
# signature, and an SMTP sink (aiosmtpd) get what the changes call for.
# Sourced by tests/e2e/run.sh.

SCIM_DIR=$top/tests/scim

# scim_get WORK PATH: a GET on the SCIM server, the token on curl's stdin.
scim_get() {
	printf 'header = "Authorization: Bearer %s"\n' "$(cat "$1/scim.token")" |
		curl -s --max-time 10 -K - "http://127.0.0.1:$SCIM_PORT/scim/v2/$2"
}

# scim_user WORK ID FIELD: a field of the SCIM user of that externalId.
scim_user() {
	scim_get "$1" "Users?filter=externalId%20eq%20%22$2%22" |
		/usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)["Resources"]
print(r[0].get(sys.argv[1]) if r else "none")' "$3"
}

# scim_group_members WORK KEY: the userNames of a SCIM group's members.
scim_group_members() {
	local ids
	ids=$(scim_get "$1" "Groups?filter=externalId%20eq%20%22$2%22" |
		/usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)["Resources"]
print(" ".join(m["value"] for m in r[0]["members"]) if r else "none")')
	for id in $ids; do
		[ "$id" = none ] && { echo none; return; }
		scim_get "$1" "Users/$id" |
			/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["userName"])'
	done
}

# The mails the sink holds, one file each.
mails() {
	find "$1/maildir/new" -type f 2>/dev/null
}

# run_apply WORK ARGS...: mutualize on the connectors' file; output in WORK/out.
run_apply() {
	local work=$1
	shift
	"$BIN" "$@" -H "$SLAPD_URI" "$work/connectors.yaml" >"$work/out" 2>&1
}

# no_secret WORK: nothing mutualize printed holds a password, the token or the key.
no_secret() {
	local s
	for s in "$(cat "$1/scim.token")" "$(cat "$1/webhook.key")" \
		$(awk -F '\t' '{ print $3 }' "$1/credentials" 2>/dev/null); do
		if grep -qF -- "$s" "$1/out"; then
			return 1
		fi
	done
}

start_connector_servers() {
	local work=$1
	SMTP_PORT=$(free_port) && WEBHOOK_PORT=$(free_port) &&
		SCIM_PORT=$(free_port) || return 1
	/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
		-c aiosmtpd.handlers.Mailbox "$work/maildir" >"$work/smtp.log" 2>&1 &
	SMTP_PID=$!
	started "$SMTP_PID"
	/usr/bin/python3 "$here/webhook.py" "$WEBHOOK_PORT" "$work/webhook.key" \
		"$work/webhook.log" >"$work/webhook.out" 2>&1 &
	WEBHOOK_PID=$!
	started "$WEBHOOK_PID"
	node "$SCIM_DIR/server.js" "$SCIM_PORT" "$work/scim.token" \
		>"$work/scim.log" 2>&1 &
	SCIM_PID=$!
	started "$SCIM_PID"
	wait_port "$SMTP_PORT" "$SMTP_PID" && wait_port "$WEBHOOK_PORT" "$WEBHOOK_PID" &&
		wait_port "$SCIM_PORT" "$SCIM_PID"
}

e2e_connectors() {
	local work=$1/connectors pw code
	mkdir -p "$work"	# aiosmtpd makes the maildir itself
	# The SCIM server's packages, once; never committed.
	if [ ! -d "$SCIM_DIR/node_modules/scimmy-routers" ] &&
		! (cd "$SCIM_DIR" && timeout 300 npm install --no-audit --no-fund \
			--no-package-lock --loglevel=error >/dev/null 2>&1); then
		not_ok "connectors: npm installs scimmy, scimmy-routers and express"
		return
	fi
	umask 077
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$work/scim.token"
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$work/webhook.key"
	umask 022
	if ! start_connector_servers "$work"; then
		not_ok "connectors: the SMTP sink, the webhook receiver and the SCIM server start"
		show_log "$work/smtp.log"
		show_log "$work/webhook.out"
		show_log "$work/scim.log"
		return
	fi
	sed -e "s/@SCIM_PORT@/$SCIM_PORT/" -e "s/@WEBHOOK_PORT@/$WEBHOOK_PORT/" \
		-e "s/@SMTP_PORT@/$SMTP_PORT/" tests/data/connectors.yaml \
		>"$work/connectors.yaml"
	wipe_directory "$1/root.pw"

	run_apply "$work" apply --dry-run
	check "connectors: --dry-run lists the calls it would make" \
		grep -q "^  SCIM files: create or update user helene.dupont-sebastien (V-1)" "$work/out"
	check "connectors: a signed POST per change, a welcome mail per person" \
		eval 'grep -q "^  POST http://127.0.0.1:$WEBHOOK_PORT/hook (webhook: add uid=helene" "$work/out" &&
		grep -q "^  SMTP smtp://127.0.0.1:$SMTP_PORT: welcome mail for karim.benaissa to karim.benaissa@ville-venissieux.fr" "$work/out"'
	check "connectors: and makes none" eval '[ ! -s "$work/webhook.log" ] &&
		[ -z "$(mails "$work")" ] && [ "$(scim_user "$work" V-1 userName)" = none ]'

	run_apply "$work" apply --credentials "$work/credentials"
	code=$?
	check "connectors: apply makes the calls after the directory ($code)" \
		eval '[ $code = 0 ] && grep -q "^Calls to the services: [0-9]* made, 0 failed" "$work/out"'
	check "connectors: SCIM has the entitled user, active" \
		eval '[ "$(scim_user "$work" V-1 userName)" = helene.dupont-sebastien ] &&
		[ "$(scim_user "$work" V-1 active)" = True ]'
	check "connectors: not the one without files" \
		test "$(scim_user "$work" V-2 userName)" = none
	check "connectors: the group holds its entitled members only" \
		test "$(scim_group_members "$work" venissieux/dsi)" = helene.dupont-sebastien
	check "connectors: every webhook delivery is signed, the first one retried" \
		eval '[ "$(head -n 1 "$work/webhook.log")" = "503 first request" ] &&
		! grep -q "bad signature" "$work/webhook.log" &&
		grep -q "^ok add - uid=helene.dupont-sebastien," "$work/webhook.log"'
	pw=$(password_of "$work/credentials" helene.dupont-sebastien)
	check "connectors: a welcome mail in French for each new person, without the password" \
		eval '[ "$(mails "$work" | wc -l)" = 3 ] &&
		grep -l "Identifiant : helene.dupont-sebastien" $(mails "$work") >/dev/null &&
		! grep -qF -- "$pw" $(mails "$work")'
	check "connectors: no password, token or key in what mutualize printed" \
		no_secret "$work"

	grep -v '"V-3"' "$work/connectors.yaml" >"$work/left.yaml"
	mv "$work/left.yaml" "$work/connectors.yaml"
	run_apply "$work" apply
	check "connectors: a departure deactivates the SCIM user" \
		eval '[ "$(scim_user "$work" V-3 active)" = False ] &&
		grep -q "^ok modify disable uid=joel.mercier," "$work/webhook.log"'

	stop "$SCIM_PID"
	sed 's/^    people:$/    people:\n      - {id: "V-5", given_name: "Lina", surname: "Roux", kind: agent}/' \
		"$work/connectors.yaml" >"$work/more.yaml"
	mv "$work/more.yaml" "$work/connectors.yaml"
	run_apply "$work" apply --credentials "$work/credentials2"
	code=$?
	check "connectors: a failed call is reported and the exit status says so ($code)" \
		eval '[ $code = 9 ] && grep -q "^mutualize: failed: SCIM files: create or update user lina.roux (V-5)" "$work/out" &&
		grep -q "^Calls to the services: [0-9]* made, [1-9][0-9]* failed" "$work/out"'
	check "connectors: and the directory keeps its change" \
		"$BIN" plan --exit-code -H "$SLAPD_URI" "$work/connectors.yaml"
	[ "$TAP_FAILED" = 0 ] || { cat "$work/out"; show_log "$work/webhook.log"; }
	stop "$SMTP_PID"
	stop "$WEBHOOK_PID"
}
