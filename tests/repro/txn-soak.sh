#!/bin/bash
# Applies interrupted at random, against one private slapd (tests/slapd.sh:
# back-mdb, memberof, ppolicy), to count how often slapd dies or its database
# stops decoding, with and without transactions:
#
#   txn-soak.sh [-n people] [-r rounds] [-T]
#
# Each round applies, in turn, two syndicates of build/bench/gen with the same
# ids and other names (seeds 1 and 2: thousands of modifications each time),
# and sends SIGINT to mutualize after a random 0.1 to 1.5 s, as a Ctrl-C
# would (the shell ignores it in a background job unless told); with -T the apply
# goes in transactions (--transactions --batch-size 200), else on the default
# path. After each round: is slapd alive, does it answer a search of the whole
# tree, does slapcat (back-mdb reads beside a running slapd) decode every
# entry? A dead slapd is counted, and started again on the same database. A
# measurement, not a test: it prints the counts, and exits 0.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
gen=${GEN:-$top/build/bench/gen}
people=2000 rounds=50 txn=
while getopts n:r:T opt; do
	case $opt in
	n) people=$OPTARG ;;
	r) rounds=$OPTARG ;;
	T) txn="--transactions --batch-size 200" ;;
	*) echo "usage: txn-soak.sh [-n people] [-r rounds] [-T]" >&2; exit 1 ;;
	esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/txn-soak.XXXXXX") || exit 1
trap 'slapd_stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
base=dc=sitiv,dc=fr
# gen's files name bench.pw beside them as the bind password file.
(umask 077 && od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/bench.pw")
"$gen" -n "$people" -t 5 -s 1 -p sha512-crypt >"$work/a.yaml" || exit 1
"$gen" -n "$people" -t 5 -s 2 -p sha512-crypt >"$work/b.yaml" || exit 1
slapd_start "$base" "$(cat "$work/bench.pw")" || exit 1
# Loaded once whole: every round then changes thousands of entries.
"$prog" -q apply --credentials "$work/cred.0" --journal "$work/journal" \
	--undo "$work/undo.0" -H "$SLAPD_URI" "$work/b.yaml" >"$work/apply.0" 2>&1 ||
	{ cat "$work/apply.0"; exit 1; }

search_ok() {
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/bench.pw" \
		-b "$base" 1.1 >"$work/search" 2>&1
}
slapcat_ok() {
	{ slapcat -f "$SLAPD_DIR/slapd.conf" -l "$work/cat" \
		>"$work/cat.err" 2>&1; } 2>/dev/null
}

deaths=0 unreadable=0 undecodable=0 interrupted=0 completed=0
for r in $(seq 1 "$rounds"); do
	file=$work/a.yaml
	[ $((r % 2)) = 0 ] && file=$work/b.yaml
	# shellcheck disable=SC2086
	env --default-signal=INT "$prog" -q apply $txn --allow-mass-removal --allow-mass-change \
		--credentials "$work/cred.$r" --journal "$work/journal" \
		--undo "$work/undo.$r" -H "$SLAPD_URI" "$file" \
		>"$work/apply.$r" 2>&1 &
	apply=$!
	sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.1 + rand() * 1.4 }')"
	if kill -INT "$apply" 2>/dev/null; then
		interrupted=$((interrupted + 1))
	fi
	wait "$apply"
	status=$?
	[ "$status" = 0 ] && completed=$((completed + 1))
	sleep 0.3
	if ! kill -0 "$SLAPD_PID" 2>/dev/null; then
		deaths=$((deaths + 1))
		echo "round $r: slapd died; the apply exited $status"
		wait "$SLAPD_PID" 2>/dev/null
		slapd_restart || exit 1
	fi
	if ! search_ok; then
		unreadable=$((unreadable + 1))
		echo "round $r: search: $(tail -n 2 "$work/search" | tr '\n' ' ')"
	fi
	if ! slapcat_ok; then
		undecodable=$((undecodable + 1))
		echo "round $r: slapcat: $(tail -n 1 "$work/cat.err")"
	fi
	# A lock left by an interrupted apply that could not remove it.
	ldapdelete -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/bench.pw" \
		"cn=mutualize-lock,$base" >/dev/null 2>&1
done
echo "txn-soak: ${txn:-default path}, $people people, $rounds rounds:" \
	"$interrupted interrupted, $completed completed before the signal;" \
	"slapd died $deaths times; search failed $unreadable, slapcat $undecodable"
