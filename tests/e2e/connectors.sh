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

# start_scim WORK: the SCIM server on SCIM_PORT (again, once stopped).
start_scim() {
	node "$SCIM_DIR/server.js" "$SCIM_PORT" "$1/scim.token" \
		>>"$1/scim.log" 2>&1 &
	SCIM_PID=$!
	started "$SCIM_PID"
	wait_port "$SCIM_PORT" "$SCIM_PID"
}

# scim_count WORK ID: how many SCIM users have that externalId.
scim_count() {
	scim_get "$1" "Users?filter=externalId%20eq%20%22$2%22" |
		/usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["Resources"]))'
}

# pending WORK: the pending calls of the outbox (a call line each).
pending() {
	grep -c '"type": "call"' "$1/mutualize.outbox" 2>/dev/null
}

# due_now WORK: every pending call of the outbox made due, as if its time had come.
due_now() {
	sed -i 's/"next": [0-9]*/"next": 0/' "$1/mutualize.outbox"
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
	: >"$work/scim.log"
	wait_port "$SMTP_PORT" "$SMTP_PID" && wait_port "$WEBHOOK_PORT" "$WEBHOOK_PID" &&
		start_scim "$work"
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
	e2e_outbox "$work"
	[ "$TAP_FAILED" = 0 ] || { cat "$work/out"; show_log "$work/webhook.log"; }
	stop "$SMTP_PID"
	stop "$WEBHOOK_PID"
}

# A person added while the SCIM server is down (apply: lina.roux, V-5): the
# calls wait in the outbox, are retried once due, exactly once, by apply
# --retry-pending and by a plain apply; one queued too long is given up.
e2e_outbox() {
	local work=$1 code
	check "outbox: the failed apply says its calls are queued" \
		grep -q "queued in the outbox .*mutualize.outbox, retried by the next apply" "$work/out"
	check "outbox: it holds them, mode 0600, no token in it" \
		eval '[ "$(stat -c %a "$work/mutualize.outbox")" = 600 ] &&
		grep -q "\"key\": \"V-5\"" "$work/mutualize.outbox" &&
		! grep -qF -- "$(cat "$work/scim.token")" "$work/mutualize.outbox"'
	"$BIN" plan -H "$SLAPD_URI" "$work/connectors.yaml" >"$work/plan.out" 2>&1
	check "outbox: plan counts the pending calls" \
		grep -q "^[1-9][0-9]* calls* to the services pending in .*mutualize.outbox" "$work/plan.out"

	start_scim "$work" || { not_ok "outbox: the SCIM server starts again"; return; }
	run_apply "$work" apply --retry-pending
	code=$?
	check "outbox: a call not yet due is not retried ($code)" \
		eval '[ $code = 0 ] && ! grep -q "^Calls kept" "$work/out" &&
		[ "$(scim_user "$work" V-5 userName)" = none ] && [ "$(pending "$work")" -gt 0 ]'
	due_now "$work"
	run_apply "$work" apply --retry-pending
	code=$?
	check "outbox: --retry-pending delivers them once due ($code)" \
		eval '[ $code = 0 ] && grep -q "^Calls kept from earlier applies: [1-9][0-9]* made, 0 failed" "$work/out"'
	check "outbox: the user once, with the right attributes" \
		eval '[ "$(scim_count "$work" V-5)" = 1 ] &&
		[ "$(scim_user "$work" V-5 userName)" = lina.roux ] &&
		[ "$(scim_user "$work" V-5 active)" = True ] &&
		[ "$(scim_user "$work" V-5 externalId)" = V-5 ]'
	check "outbox: nothing pending once delivered" \
		eval '[ ! -s "$work/mutualize.outbox" ] && [ ! -e "$work/mutualize.outbox.dead" ]'
	due_now "$work"
	run_apply "$work" apply --retry-pending
	check "outbox: a second --retry-pending sends nothing again" \
		eval '! grep -q "^Calls" "$work/out" && [ "$(scim_count "$work" V-5)" = 1 ]'

	# The same, delivered by the next plain apply (no change of its own);
	# the SCIM server keeps its users in memory: it starts empty again.
	stop "$SCIM_PID"
	sed 's/^    people:$/    people:\n      - {id: "V-6", given_name: "Marc", surname: "Blanc", kind: agent}/' \
		"$work/connectors.yaml" >"$work/more.yaml"
	mv "$work/more.yaml" "$work/connectors.yaml"
	run_apply "$work" apply --credentials "$work/credentials3"
	code=$?
	check "outbox: another apply without SCIM exits 9, its calls queued ($code)" \
		eval '[ $code = 9 ] && grep -q "\"key\": \"V-6\"" "$work/mutualize.outbox"'
	start_scim "$work" || { not_ok "outbox: the SCIM server starts again"; return; }
	due_now "$work"
	run_apply "$work" apply
	code=$?
	check "outbox: the next plain apply delivers them ($code)" \
		eval '[ $code = 0 ] && grep -q "^Calls kept from earlier applies: [1-9][0-9]* made, 0 failed" "$work/out" &&
		[ "$(scim_count "$work" V-6)" = 1 ] && [ "$(scim_user "$work" V-6 userName)" = marc.blanc ] &&
		[ ! -s "$work/mutualize.outbox" ]'

	# Given up: a call queued before policy.connector_give_up_days.
	stop "$SCIM_PID"
	sed -i 's/"V-6", given_name: "Marc", surname: "Blanc"/"V-6", given_name: "Marc", surname: "Leblanc"/' \
		"$work/connectors.yaml"
	run_apply "$work" apply
	sed -i 's/"queued": [0-9]*/"queued": 1000/' "$work/mutualize.outbox"
	run_apply "$work" apply --retry-pending
	code=$?
	check "outbox: a call queued too long goes to the dead-letter file ($code)" \
		eval '[ $code = 0 ] && grep -q "given up, moved to .*mutualize.outbox.dead" "$work/out" &&
		[ "$(stat -c %a "$work/mutualize.outbox.dead")" = 600 ] &&
		grep -q "\"key\": \"V-6\"" "$work/mutualize.outbox.dead" && [ ! -s "$work/mutualize.outbox" ]'
	"$BIN" plan -H "$SLAPD_URI" "$work/connectors.yaml" >"$work/plan.out" 2>&1
	check "outbox: plan shows it, a line a dead call" \
		grep -q "^  dead: SCIM files: create or update user marc\.[a-z]* (V-6)" "$work/plan.out"
	"$BIN" status --format json -H "$SLAPD_URI" "$work/connectors.yaml" >"$work/status.out" 2>&1
	code=$?
	check "outbox: status says degraded, with the dead call ($code)" \
		eval '[ $code = 2 ] && /usr/bin/python3 -c "import json, sys
d = json.load(open(sys.argv[1]))[\"pending_calls\"]
assert d[\"dead\"] >= 1 and d[\"pending\"] == 0, d" "$work/status.out"'
	rm -f "$work/mutualize.outbox.dead"
	"$BIN" status -H "$SLAPD_URI" "$work/connectors.yaml" >"$work/status.out" 2>&1
	check "outbox: and healthy once the dead-letter file is removed" \
		grep -q "^outbox      0 calls pending, 0 given up" "$work/status.out"
	check "outbox: no password, token or key in what mutualize printed" \
		no_secret "$work"
}
