#!/bin/bash
# Integration: what "mutualize export" writes, slapadd loads into an empty
# database, and the plan against the slapd serving it is empty. Each test
# starts its own slapd on 127.0.0.1 and stops it by PID. MUTUALIZE_TEST_BIN:
# the program (run-integration.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"
. "$here/tap.sh"
prog=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-export.XXXXXX") || exit 1
trap 'slapd_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() {
	echo "$name: $*" >&2
	return 1
}

# The export of a file, loaded by slapadd, is what apply would have made.
slapadd_of_export_needs_no_change() {
	local file=$1 pw out rc
	pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
	rm -f "$work/export.ldif"
	"$prog" export -o "$work/export.ldif" "$file" >"$work/out" || return 1
	grep -q "^$work/export.ldif: [0-9]* entries\.\$" "$work/out" ||
		fail "no count of entries: $(cat "$work/out")" || return 1
	SLAPD_LDIF="$work/export.ldif" slapd_start "dc=sitiv,dc=fr" "$pw" || return 1
	out=$(MUTUALIZE_BIND_PASSWORD=$pw "$prog" plan --exit-code \
		-H "$SLAPD_URI" "$file" 2>&1)
	rc=$?
	slapd_stop
	[ "$rc" = 0 ] || fail "plan exited $rc: $out" || return 1
	[ "$out" = "No changes. The directory matches $file." ] ||
		fail "plan said: $out"
}

export_of_small_file() {
	slapadd_of_export_needs_no_change tests/data/small.yaml
}

export_of_the_example() {
	slapadd_of_export_needs_no_change examples/sitiv.yaml
}

# A group longer than one change carries (1,000 member values, cut into
# parts by the plan): each entry once, whole.
export_of_a_long_group() {
	local i
	{
		sed -n '2,/^  bind_dn:/p' tests/data/small.yaml
		printf 'services: {mail: {bind_dn: "cn=admin,dc=sitiv,dc=fr"}}\ntenants:\n'
		printf '  - id: bron\n    name: Bron\n    services: [mail]\n    people:\n'
		for i in $(seq 1 1200); do
			printf '      - {id: "B-%d", given_name: Agent, surname: "N%d", kind: agent}\n' "$i" "$i"
		done
	} >"$work/long.yaml"
	slapadd_of_export_needs_no_change "$work/long.yaml" || return 1
	[ "$(grep -c '^dn: ' "$work/export.ldif")" = \
		"$(grep '^dn: ' "$work/export.ldif" | sort -u | wc -l)" ] ||
		fail "an entry is written twice" || return 1
	[ "$(awk '/^dn: cn=mail,ou=services/ { on = 1; next } /^$/ { on = 0 }
		on && /^member: / { n++ } END { print n }' "$work/export.ldif")" = 1200 ] ||
		fail "cn=mail does not list the 1,200 people"
}

# Standard output, -o -, and the same bytes as -o FILE.
export_to_standard_output() {
	"$prog" export tests/data/small.yaml >"$work/a.ldif" || return 1
	"$prog" export -o - tests/data/small.yaml >"$work/b.ldif" || return 1
	"$prog" export -o "$work/c.ldif" tests/data/small.yaml >/dev/null ||
		return 1
	cmp -s "$work/a.ldif" "$work/b.ldif" && cmp -s "$work/a.ldif" "$work/c.ldif" ||
		fail "the three outputs differ"
}

# An invalid file writes nothing and says why, as the other commands do.
invalid_file_exports_nothing() {
	sed 's/kind: elected/kind: mayor/' tests/data/small.yaml >"$work/bad.yaml"
	if "$prog" export -o "$work/bad.ldif" "$work/bad.yaml" 2>"$work/err"; then
		fail "exit status 0"
		return 1
	fi
	[ ! -e "$work/bad.ldif" ] || fail "an LDIF was written" || return 1
	grep -q 'kind "mayor" is neither' "$work/err" || fail "$(cat "$work/err")"
}

# A file of that name, or a link in its place, is never replaced; a new one
# is 0600 whatever the umask.
export_makes_a_new_file_only() {
	local mode
	echo "kept" >"$work/taken.ldif"
	ln -s "$work/nowhere.ldif" "$work/link.ldif"
	if "$prog" export -o "$work/taken.ldif" tests/data/small.yaml \
		>/dev/null 2>&1; then
		fail "an existing file was replaced"
		return 1
	fi
	[ "$(cat "$work/taken.ldif")" = kept ] || fail "the file changed" || return 1
	if "$prog" export -o "$work/link.ldif" tests/data/small.yaml \
		>/dev/null 2>"$work/err"; then
		fail "a dangling link was followed"
		return 1
	fi
	[ ! -e "$work/nowhere.ldif" ] || fail "written through the link" || return 1
	grep -q "symbolic link" "$work/err" || fail "$(cat "$work/err")" || return 1
	(umask 0; "$prog" export -o "$work/new.ldif" tests/data/small.yaml \
		>/dev/null) || return 1
	mode=$(stat -c %a "$work/new.ldif")
	[ "$mode" = 600 ] || fail "mode $mode"
}

tests="export_of_small_file export_of_the_example export_of_a_long_group
export_to_standard_output
invalid_file_exports_nothing export_makes_a_new_file_only"
for name in $tests; do
	check "$name" $name
done
tap_done export
