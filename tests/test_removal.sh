#!/bin/bash
# Integration: a service template's on_removal command, run for each person an
# apply deletes (here on_departure: delete; --prune deletes the same way), once
# the delete landed; listed by the plan first, recorded in the journal; a command
# that fails kept in the outbox and run by apply --retry-pending once it is
# due; a bad placeholder refused at its place. Its own slapd on 127.0.0.1.
# MUTUALIZE_TEST_BIN: the program.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/shtest.sh" removal
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_BIND_PASSWORD=$pw

# The mail template with a hook that writes what it was given to a log, and
# fails while the file "down" exists (a service that does not answer).
templates() {
	mkdir -p "$work/templates" && cp "$here"/../templates/*.yaml \
		"$work/templates/" || return 1
	cat >>"$work/templates/mail.yaml" <<YAML
on_removal: "test ! -e $work/down && printf '%s|%s|%s\\\\n' {login} {id} {mail} >>$work/removed.log"
YAML
}

# The file: Marie and Joël with mail; LEFT drops Joël, whose entry a
# departure deletes at once.
tenants() {
	cat >"$work/$1.yaml" <<YAML
version: 1
syndicate: {id: sitiv, name: SITIV, base_dn: "dc=sitiv,dc=fr", mail_domain: sitiv.fr}
directory: {uri: "$SLAPD_URI", bind_dn: "cn=admin,dc=sitiv,dc=fr"}
policy: {on_departure: delete}
services:
  mail: {}
tenants:
  - id: feyzin
    name: Feyzin
    services: [mail]
    people:
      - {id: "F-1", given_name: "Marie", surname: "Martin", kind: agent}
YAML
	[ "$1" = left ] || printf '      - {id: "F-2", given_name: "Joël", surname: "Mercier", kind: agent}\n' \
		>>"$work/$1.yaml"
}

# run COMMAND ARGS...: the command with the test's templates and a new
# credentials file, the rest of its arguments after them.
run() {
	(cd "$work" && "$prog" "$1" --templates "$work/templates" \
		--credentials "$work/creds.$RANDOM" "${@:2}") >"$work/out" 2>&1
}

setup() {
	slapd_start "dc=sitiv,dc=fr" "$pw" && templates && tenants all &&
		tenants left && run apply all.yaml
}

deletion_runs_the_hook() {
	(cd "$work" && "$prog" plan --templates "$work/templates" \
		left.yaml) >"$work/plan" 2>&1
	grep -q "run for joel.mercier, removed from mail" "$work/plan" ||
		{ cat "$work/plan"; return 1; }
	[ ! -e "$work/removed.log" ] || { echo "the plan ran it"; return 1; }
	run apply left.yaml || { cat "$work/out"; return 1; }
	[ "$(cat "$work/removed.log")" = "joel.mercier|F-2|joel.mercier@sitiv.fr" ] ||
		{ cat "$work/removed.log"; return 1; }
	grep -q '"call": "run for joel.mercier, removed from mail: .*", "outcome": "ok"}' \
		"$work/mutualize.journal" || { tail -n 3 "$work/mutualize.journal"; return 1; }
}

# Joël again, then deleted while the hook fails: queued, then run once.
failed_hook_waits_in_the_outbox() {
	rm -f "$work/removed.log"
	run apply all.yaml || return 1
	touch "$work/down"
	run apply left.yaml
	[ $? = 9 ] || { cat "$work/out"; return 1; }
	grep -q '"kind": *"command"' "$work/mutualize.outbox" ||
		{ cat "$work/mutualize.outbox"; return 1; }
	rm -f "$work/down"
	sed -i 's/"next": [0-9]*/"next": 0/' "$work/mutualize.outbox"
	run apply --retry-pending left.yaml || { cat "$work/out"; return 1; }
	run apply --retry-pending left.yaml || return 1
	[ "$(cat "$work/removed.log")" = "joel.mercier|F-2|joel.mercier@sitiv.fr" ]
}

bad_placeholder_refused() {
	printf 'on_removal: "occ user:delete {nextcloud_user}"\n' \
		>>"$work/templates/visio.yaml"
	sed 's/^  mail: {}$/  mail: {}\n  visio: {}/' "$work/left.yaml" >"$work/bad.yaml"
	(cd "$work" && "$prog" validate --templates "$work/templates" \
		bad.yaml) >"$work/bad.out" 2>&1
	[ $? = 1 ] && grep -q "visio.yaml:[0-9]*:[0-9]*: on_removal: unknown placeholder" \
		"$work/bad.out" || { cat "$work/bad.out"; return 1; }
}

setup || { cat "$work/out"; echo "removal: setup failed"; exit 1; }
check "a deleted person's hook runs once the delete landed, listed by the plan" \
	deletion_runs_the_hook
check "a hook that fails waits in the outbox and runs once when due" \
	failed_hook_waits_in_the_outbox
check "an unknown placeholder in on_removal is refused at its place" \
	bad_placeholder_refused
tap_done removal
