#!/bin/bash
# Integration: mutualize status against real servers. Two servers of the
# generated configuration with syncprov added (each keeps a contextCSN of the
# base), not replicating to each other: a write to one alone makes the other
# lag, by as long as the test waits. A third server without syncprov has no
# contextCSN. Then the lock as lock.c writes it, the journal of a real apply
# and one of an apply that stopped mid-way, and the servers stopped one by
# one: exit 0 healthy, 2 degraded, 3 none reachable, 1 a bad option.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" status
PW=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$here/../templates}

# The tenants file naming the servers given, in that order.
write_tenants() {
	local uris=$1
	cat >"$work/tenants.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: "SITIV", base_dn: "$BASE", mail_domain: sitiv.fr}
directory:
  uri: [$uris]
  tls: none
  timeout: 2
  bind_dn: "cn=admin,$BASE"
  bind_password_file: secret/bind.pw
services:
  mail: {quota: 1GiB}
tenants:
  - id: a
    name: "Town A"
    services: [mail]
    people:
      - {id: "A-1", given_name: "Alice", surname: "Admin", kind: agent}
      - {id: "A-2", given_name: "Bob", surname: "Agent", kind: agent}
YAML
}

# syncprov on the syndicate's database of a generated server, over ldapi://.
add_syncprov() {
	ldapmodify -Q -Y EXTERNAL -H "$1" >>"$work/syncprov.log" 2>&1 <<LDIF
dn: cn=module{0},cn=config
changetype: modify
add: olcModuleLoad
olcModuleLoad: syncprov

dn: olcOverlay=syncprov,olcDatabase={2}mdb,cn=config
changetype: add
objectClass: olcOverlayConfig
objectClass: olcSyncProvConfig
olcOverlay: syncprov
LDIF
}

# A write to one server alone, as root over its ldapi:// socket.
touch_server() {
	ldapmodify -Q -Y EXTERNAL -H "$1" >>"$work/touch.log" 2>&1 <<LDIF
dn: ou=tenants,$BASE
changetype: modify
replace: description
description: touched $(date +%s.%N)
LDIF
}

# status with its arguments: the exit status in $rc, the output in out.
run_status() {
	"$prog" status "$@" "$work/tenants.yaml" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >>"$work/all.log"
}

# A key of the JSON document in out, by a Python expression on d.
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$work/out" "$1"
}

setup() {
	mkdir -m 700 "$work/secret" && printf '%s' "$PW" >"$work/secret/bind.pw" &&
		chmod 600 "$work/secret/bind.pw" || return 1
	SLAPD_OVERLAYS=generated slapd_start "$BASE" "$PW" A || return 1
	SLAPD_OVERLAYS=generated slapd_start "$BASE" "$PW" B || return 1
	SLAPD_OVERLAYS=memberof slapd_start "$BASE" "$PW" C || return 1
	add_syncprov "$A_LDAPI_URI" && add_syncprov "$B_LDAPI_URI" ||
		{ cat "$work/syncprov.log"; return 1; }
	write_tenants "\"$A_URI\", \"$B_URI\""
	for uri in "$A_URI" "$B_URI" "$C_URI"; do
		"$prog" -q apply -H "$uri" --credentials "$work/creds.$RANDOM" \
			"$work/tenants.yaml" >>"$work/apply.log" 2>&1 ||
			{ cat "$work/apply.log"; return 1; }
	done
}

in_sync() {
	run_status
	check "all servers up and within --max-lag: exit 0" [ "$rc" = 0 ]
	check "the text names each server ok" \
		grep -q "^$A_URI *ok .*#" "$work/out"
	grep -q "^$B_URI *ok .*#" "$work/out" || not_ok "B is not said ok"
	check "the text ends with the verdict" \
		grep -q "^status *ok$" "$work/out"
	run_status --format json
	check "--format json parses" bash -c \
		"python3 -m json.tool '$work/out' >/dev/null"
	check "the JSON has the documented keys" [ "$(json \
		'sorted(d.keys())')" = "['exit', 'file', 'journal', 'last_apply', 'lock', 'max_lag_seconds', 'pending_calls', 'problems', 'servers', 'status']" ]
	check "each server has the documented keys" [ "$(json \
		'sorted(d["servers"][0].keys())')" = "['context_csn', 'error', 'lag_seconds', 'note', 'reachable', 'state', 'uri']" ]
	check "the JSON says ok, both reachable, a contextCSN each" [ "$(json \
		'(d["status"], d["exit"], [s["reachable"] for s in d["servers"]], [len(s["context_csn"]) for s in d["servers"]], d["pending_calls"]["pending"], d["pending_calls"]["dead"])')" = "('ok', 0, [True, True], [1, 1], 0, 0)" ]
}

lagging() {
	sleep 2
	touch_server "$A_LDAPI_URI" || { cat "$work/touch.log"; return 1; }
	run_status --max-lag 1 --format json
	check "a server behind by more than --max-lag: exit 2" [ "$rc" = 2 ]
	check "the newest server lags 0 s" [ "$(json \
		'd["servers"][0]["lag_seconds"]')" = 0 ]
	check "the other lags the 2 s it missed, and is said lagging" [ "$(json \
		'(d["servers"][1]["lag_seconds"] >= 2, d["servers"][1]["state"], d["status"])')" = \
		"(True, 'lagging', 'degraded')" ]
	check "the problem names the server behind" [ "$(json \
		'd["problems"][0].startswith(d["servers"][1]["uri"] + " ")')" = True ]
	run_status --max-lag 60
	check "the same lag within --max-lag: exit 0" [ "$rc" = 0 ]
	run_status -H "$B_URI" --max-lag 0
	check "-H: that server alone, no other to lag behind" \
		[ "$rc:$(grep -c '^ldap://' "$work/out")" = "0:1" ]
}

no_context_csn() {
	run_status -H "$C_URI" --format json
	check "a server without syncprov: reachable, no contextCSN, no lag" [ "$rc:$(json \
		'(d["servers"][0]["reachable"], d["servers"][0]["note"], d["servers"][0]["lag_seconds"])')" = \
		"0:(True, 'no contextCSN (no syncprov on this database)', None)" ]
}

# The lock as lock.c writes it, on the first server.
lock_add() {
	ldapadd -Q -Y EXTERNAL -H "$A_LDAPI_URI" >>"$work/lock.log" 2>&1 <<LDIF
dn: cn=mutualize-lock,$BASE
objectClass: applicationProcess
cn: mutualize-lock
description: pid $1 on elsewhere.example since $2
LDIF
}

lock_del() {
	ldapdelete -Q -Y EXTERNAL -H "$A_LDAPI_URI" "cn=mutualize-lock,$BASE" \
		>>"$work/lock.log" 2>&1
}

held_lock() {
	lock_add 4242 "$(date -u +%Y%m%d%H%M%SZ)" || { cat "$work/lock.log"; return 1; }
	run_status
	check "a lock held now is shown with its holder, and is no fault" \
		[ "$rc:$(grep -c '^lock *held: pid 4242 on elsewhere.example since' "$work/out")" = "0:1" ]
	lock_del
	lock_add 4243 "$(date -u -d '2 hours ago' +%Y%m%d%H%M%SZ)"
	run_status --format json
	check "a lock held over an hour is stale: exit 2" [ "$rc:$(json \
		'(d["lock"]["holder"].startswith("pid 4243 on elsewhere.example since "), d["lock"]["stale"], d["lock"]["age_seconds"] >= 7200)')" = \
		"2:(True, True, True)" ]
	lock_del
	run_status --format json
	check "no lock: null" [ "$(json 'd["lock"]')" = None ]
}

last_apply() {
	run_status --format json
	check "the last apply from a real apply's journal, finished" [ "$(json \
		'(d["last_apply"]["changes"] > 0, d["last_apply"]["changes"] == d["last_apply"]["done"], d["last_apply"]["unanswered"], d["last_apply"]["finished"])')" = \
		"(True, True, 0, True)" ]
	run_status
	check "the text says it finished" grep -q '^last apply .*changes.*; finished$' \
		"$work/out"
	# The last change again, sent by a later apply that got no answer.
	{ cat "$work/mutualize.journal"; tail -n 1 "$work/mutualize.journal" |
		sed -e 's/"time": "[^"]*"/"time": "2099-01-01T00:00:00Z"/' \
		-e 's/"result": "[^"]*"/"result": "sending"/'; } >"$work/stopped.journal"
	run_status --journal "$work/stopped.journal"
	check "an apply with a change sent and no answer is stopped mid-way" \
		grep -q '^last apply *2099-01-01T00:00:00Z .*1 change, 0 made, 0 refused; stopped mid-way' \
		"$work/out"
	check "...shown, but no fault by itself: exit 0" [ "$rc" = 0 ]
	run_status --journal "$work/stopped.journal" --format json
	check "the JSON says it unfinished" [ "$(json \
		'(d["last_apply"]["unanswered"], d["last_apply"]["finished"])')" = "(1, False)" ]
	run_status --journal "$work/none.journal"
	check "no journal: no apply" grep -q "^last apply *none in" "$work/out"
}

bad_options() {
	run_status --max-lag x
	check "--max-lag takes a number: exit 1" [ "$rc" = 1 ]
	run_status --max-lag 86401
	check "--max-lag at most a day" [ "$rc" = 1 ]
	run_status --format ldif
	check "--format ldif is refused for status" \
		[ "$rc:$(grep -c 'text or json' "$work/err")" = "1:1" ]
}

refused_bind() {
	printf '%s' "not-$PW" >"$work/secret/bind.pw"
	run_status -H "$A_URI" --format json
	printf '%s' "$PW" >"$work/secret/bind.pw"
	check "a refused bind is no answer as mutualize binds: exit 3, said" [ "$rc:$(json \
		'(d["servers"][0]["reachable"], "Invalid credentials" in d["servers"][0]["error"], d["status"])')" = \
		"3:(False, True, 'down')" ]
}

servers_down() {
	slapd_kill B
	run_status --format json
	check "one server stopped: exit 2, named unreachable with why" [ "$rc:$(json \
		'(d["servers"][1]["reachable"], d["servers"][1]["state"], "Can" in d["servers"][1]["error"], d["status"])')" = \
		"2:(False, 'unreachable', True, 'degraded')" ]
	run_status
	check "the text says it unreachable" \
		grep -q "^$B_URI *unreachable *- *cannot connect" "$work/out"
	slapd_kill A
	run_status
	check "none reachable: exit 3, down" \
		[ "$rc:$(grep -c '^status *down' "$work/out")" = "3:1" ]
}

if setup; then
	in_sync
	lagging
	no_context_csn
	held_lock
	last_apply
	bad_options
	refused_bind
	servers_down
	check "no password printed" bash -c "! grep -qF -e '$PW' '$work/all.log'"
else
	not_ok "the servers could not be set up"
fi
tap_done status
