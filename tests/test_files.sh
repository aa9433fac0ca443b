#!/bin/bash
# What an apply must not lose, whatever stops it: every account it creates
# has its password in the credentials file, every change it makes is in its
# journal and its undo file, and it never says otherwise.
#
#   - a symbolic link that points nowhere, given as --credentials, --undo or
#     plan --out, is refused before the server is contacted;
#   - a file system that fills under the credentials file, the undo file or
#     the journal stops the apply (non-zero) with no account whose password
#     is nowhere, and no undo file named that does not exist;
#   - SIGINT (twice), SIGTERM and SIGHUP stop an apply once the batch in
#     flight is answered: 128 + the signal, the lock released, the undo file,
#     the journal and the credentials file complete for what landed; SIGTERM
#     during a first load (no base, no lock) as well.
#
# The file systems that fill are 64 KiB tmpfs mounts when this runs as root
# and may mount; elsewhere a file size limit (ulimit -f, SIGXFSZ ignored)
# makes writes fail with EFBIG instead. Its own slapd on 127.0.0.1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/slapd.sh"
# The optimised build: thousands of adds under the sanitizers take long.
bin=${MUTUALIZE_FILES_BIN:-./mutualize}
people=3000
passed=0 failed=0
mounts=()

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-files.XXXXXX") || exit 1
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
cleanup() {
	local m
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
	slapd_stop_all
	[ -n "${FILES_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

awk -v people="$people" 'BEGIN {
	split("Hélène Marie Zoé Jérôme Loïc Anaïs Benoît Thérèse Noël Maëlle", g, " ")
	split("Dupont Martin Lefèvre Cœur Le-Gall Ménard Roux Favre Perrin Caillat", s, " ")
	print "version: 1"
	print "syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", mail_domain: sitiv.fr}"
	print "directory: {uri: \"ldap://127.0.0.1:1\", bind_dn: \"cn=admin,dc=sitiv,dc=fr\"}"
	print "policy: {password_scheme: sha512-crypt}"
	print "tenants:"
	print "  - id: town1\n    name: \"Ville 1\"\n    groups: [{id: tous, name: Tous}]\n    people:"
	for (n = 0; n < people; n++)
		printf "      - {id: \"P%06d\", given_name: \"%s\", surname: \"%s\", kind: agent, groups: [tous]}\n", \
		    n, g[n % 10 + 1], s[int(n / 10) % 10 + 1]
}' >"$work/big.yaml"

slapd_start "dc=sitiv,dc=fr" "$pw" || exit 1
printf '%s' "$pw" >"$work/pw"
chmod 600 "$work/pw"
export MUTUALIZE_BIND_PASSWORD=$pw
ldap() {
	local tool=$1
	shift
	"$tool" -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$work/pw" "$@"
}

# The uids of the people in the directory, sorted.
people_uids() {
	ldap ldapsearch -LLL -o ldif-wrap=no -b "dc=sitiv,dc=fr" \
		"(objectClass=inetOrgPerson)" uid 2>/dev/null |
		sed -n 's/^uid: //p' | sort
}
count_entries() {
	ldap ldapsearch -LLL -b "dc=sitiv,dc=fr" "(objectClass=*)" 1.1 \
		2>/dev/null | grep -c '^dn:'
}
# Empties the directory, deepest first (slapd 2.5 crashes on ldapdelete -r
# of a base that does not exist), then gives it its base, for the lock,
# unless "empty": the first load, which makes the base and takes no lock.
reset_directory() {
	ldap ldapsearch -LLL -o ldif-wrap=no -b "dc=sitiv,dc=fr" "(objectClass=*)" \
		1.1 2>/dev/null | sed -n 's/^dn: //p' | awk -F, '{ print NF "\t" $0 }' |
		sort -rn | cut -f2- | ldap ldapdelete -c >/dev/null 2>&1
	[ "${1:-}" = empty ] && return 0
	ldap ldapadd >/dev/null <<LDIF
dn: dc=sitiv,dc=fr
objectClass: dcObject
objectClass: organization
dc: sitiv
o: SITIV
LDIF
}
# Every account in the directory has its password in the credentials file.
passwords_complete() {
	local creds=$1
	people_uids >"$work/uids"
	[ -s "$work/uids" ] || return 0
	[ -f "$creds" ] || return 1
	awk -F'\t' '!/^#/ && $3 != "" { print $1 }' "$creds" | sort -u >"$work/have"
	[ -z "$(comm -23 "$work/uids" "$work/have")" ]
}
# The last account made binds with the password the file has for it.
password_works() {
	local creds=$1 uid pass
	uid=$(people_uids | tail -n 1)
	[ -n "$uid" ] || return 0
	pass=$(awk -F'\t' -v u="$uid" '$1 == u { print $3 }' "$creds" | tail -n 1)
	ldapwhoami -x -H "$SLAPD_URI" -D "uid=$uid,ou=people,ou=town1,ou=tenants,dc=sitiv,dc=fr" \
		-y <(printf '%s' "$pass") >/dev/null 2>&1
}
# The changes a journal says were made.
oks() { cat "$1" 2>/dev/null | awk '/"result": "ok"/ { n++ } END { print n + 0 }'; }
# The journal names every entry the apply made, with "ok".
journal_complete() { [ "$(oks "$1")" -ge "$2" ]; }
# The undo file takes back every entry made: one delete each.
undo_complete() {
	local undo=$1 made=$2
	[ -f "$undo" ] && head -n 2 "$undo" | grep -q '^version: 1$' &&
		[ "$(grep -c '^changetype: delete$' "$undo")" -ge "$made" ]
}
lock_released() {
	! ldap ldapsearch -LLL -b "cn=mutualize-lock,dc=sitiv,dc=fr" -s base 1.1 \
		2>/dev/null | grep -q '^dn:'
}

apply() {
	local dir=$1; shift
	"$bin" apply --batch-size 100 "$@" -H "$SLAPD_URI" "$work/big.yaml" \
		>"$dir/out" 2>"$dir/err"
}

# 1. Dangling symbolic links, refused before the server is contacted.
reset_directory
for opt in credentials undo journal; do
	d=$work/link-$opt
	mkdir -p "$d"
	ln -s "$d/nowhere" "$d/link"
	args=(--credentials "$d/c" --undo "$d/u" --journal "$d/j")
	case $opt in
	credentials) args[1]=$d/link ;;
	undo) args[3]=$d/link ;;
	journal) args[5]=$d/link ;;
	esac
	apply "$d" "${args[@]}"
	status=$?
	check "--$opt as a dangling link: refused (exit $status)" [ "$status" -ne 0 ]
	check "--$opt as a dangling link: said" grep -q "symbolic link" "$d/err"
	check "--$opt as a dangling link: nothing written" [ "$(count_entries)" -eq 1 ]
	check "--$opt as a dangling link: nothing where it points" [ ! -e "$d/nowhere" ]
done
d=$work/link-out
mkdir -p "$d"
ln -s "$d/nowhere" "$d/link"
"$bin" plan --out "$d/link" -H "$SLAPD_URI" "$work/big.yaml" >"$d/out" 2>"$d/err"
status=$?
check "plan --out a dangling link: refused (exit $status)" [ "$status" -ne 0 ]
check "plan --out a dangling link: said before the plan" \
	[ ! -s "$d/out" -a -n "$(grep "symbolic link" "$d/err")" ]
check "plan --out a dangling link: nothing where it points" [ ! -e "$d/nowhere" ]

# 2, 3. A full file system under each file in turn.
# FILES_LIMIT=ulimit tries the fallback where mounting would work.
if [ "${FILES_LIMIT:-}" != ulimit ] && mkdir -p "$work/probe" &&
	mount -t tmpfs -o size=64k tmpfs "$work/probe" 2>/dev/null; then
	umount "$work/probe"
	limit=tmpfs
else
	limit=ulimit
fi
for target in credentials undo journal; do
	d=$work/full-$target
	mkdir -p "$d/small"
	if [ "$limit" = tmpfs ]; then
		mount -t tmpfs -o size=64k,mode=0700 tmpfs "$d/small" || exit 1
		mounts+=("$d/small")
	fi
	creds=$d/c undo=$d/u journal=$d/j
	case $target in
	credentials) creds=$d/small/c ;;
	undo) undo=$d/small/u ;;
	journal) journal=$d/small/j ;;
	esac
	reset_directory
	if [ "$limit" = tmpfs ]; then
		apply "$d" --credentials "$creds" --undo "$undo" --journal "$journal"
	else
		# every file is limited: the one that fills first stops the apply
		( ulimit -f 64; trap '' XFSZ; apply "$d" --credentials "$creds" \
			--undo "$undo" --journal "$journal" )
	fi
	status=$?
	made=$(($(count_entries) - 1))
	check "$target on a full file system ($limit): the apply fails (exit $status)" \
		[ "$status" -ne 0 -a "$status" -lt 128 ]
	check "$target full: it says so, and no 'Apply complete'" \
		[ -n "$(grep -e "cannot write" "$d/err")" -a -z "$(grep "Apply complete" "$d/out")" ]
	check "$target full: it stopped part-way ($made entries made)" \
		[ "$made" -lt "$people" ]
	check "$target full: every account made has its password in $creds" \
		passwords_complete "$creds"
	check "$target full: the last one binds with it" password_works "$creds"
	check "$target full: the undo file takes back all $made entries made" \
		undo_complete "$undo" "$made"
	check "$target full: the journal has them all" journal_complete "$journal" "$made"
	taken=$(sed -n 's/.*ldapmodify -f //p' "$d/out" "$d/err" | head -n 1)
	check "$target full: the undo file it names exists" \
		[ -z "$taken" -o -f "${taken:-/}" ]
	check "$target full: no temporary file is left" \
		[ -z "$(find "$d" -name '.*' -type f)" ]
done

# 4. Signals in the middle of an apply.
# The last one is a first load: no base, no lock, every entry its own.
for spec in INT TERM HUP TERM-first; do
	sig=${spec%-first}
	d=$work/signal-$spec
	mkdir -p "$d"
	if [ "$spec" = TERM-first ]; then
		reset_directory empty
		base=0
	else
		reset_directory
		base=1
	fi
	# itself, not a subshell, in the background; bash would have it ignore
	# SIGINT there: env gives it back its default
	env --default-signal=INT "$bin" apply --batch-size 100 --credentials "$d/c" \
		--undo "$d/u" --journal "$d/j" -H "$SLAPD_URI" "$work/big.yaml" \
		>"$d/out" 2>"$d/err" &
	apply_pid=$!
	for i in $(seq 1 500); do
		[ "$(oks "$d/j")" -ge 500 ] && break
		kill -0 "$apply_pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -"$sig" "$apply_pid"
	# a second Ctrl-C changes nothing: the stop is already under way
	[ "$sig" = INT ] && sleep 0.05 && kill -INT "$apply_pid" 2>/dev/null
	wait "$apply_pid"
	status=$?
	want=$((128 + $(kill -l "$sig")))
	made=$(($(count_entries) - base))
	check "$spec: exit status $want ($status)" [ "$status" -eq "$want" ]
	check "$spec: says it stopped, and what landed" \
		grep -q "stopped by SIG$sig between two batches: $made of" "$d/err"
	check "$spec: and which batches landed, which were not sent" \
		[ -n "$(grep "^mutualize: batches 1 to [0-9]* of [0-9]* landed" "$d/err")" \
		-a -n "$(grep "^mutualize: changes [0-9]* to [0-9]* were not sent" "$d/err")" ]
	check "$spec: stopped part-way ($made entries made)" \
		[ "$made" -gt 0 -a "$made" -lt "$people" ]
	check "$spec: says where the passwords are" grep -q "initial passwords of the new accounts: $d/c" "$d/err"
	check "$spec: the lock is released" lock_released
	check "$spec: every account made has its password" passwords_complete "$d/c"
	check "$spec: the undo file takes back all $made" undo_complete "$d/u" "$made"
	check "$spec: the journal has them all" journal_complete "$d/j" "$made"
	check "$spec: no temporary file is left" [ -z "$(find "$d" -name '.*' -type f)" ]
	if [ "$sig" = INT ]; then
		ldap ldapmodify -f "$d/u" >"$d/undo.out" 2>&1
		check "$spec: ldapmodify -f of the undo file takes the apply back" \
			[ "$?" -eq 0 -a "$(count_entries)" -eq 1 ]
	fi
	mkdir -p "$d/next"
	apply "$d/next" --credentials "$d/next/c" --undo "$d/next/u" --journal "$d/next/j"
	status=$?
	check "$spec: the next apply finishes the work (exit $status)" [ "$status" -eq 0 ]
	check "$spec: without finding a lock" [ -z "$(grep -i lock "$d/next/err")" ]
done

echo "files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
