#!/bin/bash
# The benchmark: mutualize against the OpenLDAP tools doing the same work, in
# one run against one private slapd on 127.0.0.1 (tests/slapd.sh: back-mdb,
# the memberof and ppolicy overlays), stopped by PID at the end whatever
# happens. Between stages the same slapd is stopped, its database emptied or
# reloaded offline, and started again on the same port with the same config.
#
#   bench.sh [-n people] [-t towns] [-p scheme]
#
# 100,000 people over 50 towns by default; -p is the password scheme of the
# arrivals of the 1% change (yescrypt, the default, or sha512-crypt: "make
# check" runs it on 1,000 people with sha512-crypt, cheaper to hash).
#
# On the syndicate of build/bench/gen and its 1% change (gen -c 1):
#   initial load   apply into an empty database, on the default path (no
#                  transactions) and with --transactions, against ldapadd -f
#                  of the same entries into an empty database and slapadd -q
#                  of them offline: the LDIF of "plan --format ldif" on the
#                  empty directory. The syndicate's password_scheme is none, so
#                  that the loads are compared, not the hashing: a password
#                  hash costs far more than an add (20 ms of CPU for
#                  yescrypt). Its cost is measured apart, as what plan
#                  --show-hashes takes beyond plain LDIF on 1,000 people, and
#                  added to the load as an estimate.
#   no change      plan of the loaded directory, against an ldapsearch -E
#                  pr=1000 dump of it plus libyaml's bare event parse of the
#                  file (build/bench/yamlparse)
#   1% change      plan then apply of the changed file, whose arrivals get
#                  passwords of -p's scheme, against the ldapsearch dump
#                  plus ldapmodify -f of the plan's LDIF (arrivals with a
#                  hash of that scheme), taken before the apply, on a copy of the
#                  loaded directory (its slapcat, loaded by slapadd)
#   validate       tests/bench/validate.sh: the file split in one file a town
# Read-only steps are timed best of three. With the peak RSS of each mutualize
# run, the figures are printed beside the targets. A benchmark, not
# a test: a missed target is printed, never an exit status. It exits 1 only
# when a command fails or a plan right after an apply is not empty.
# Needs ./mutualize (or MUTUALIZE=path), build/bench/gen and
# build/bench/yamlparse: "make bench" builds them and runs it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/slapd.sh
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
gen=${GEN:-$top/build/bench/gen}
yamlparse=$top/build/bench/yamlparse
base=dc=sitiv,dc=fr
people=100000 towns=50 scheme=yescrypt
usage() {
	echo "usage: bench.sh [-n people] [-t towns] [-p scheme]" >&2
	exit 1
}
while getopts n:t:p: opt; do
	case $opt in
	n) people=$OPTARG ;;
	t) towns=$OPTARG ;;
	p) scheme=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || usage
# A hash of the scheme, as apply stores one for each new person.
# shellcheck disable=SC2016
case $scheme in
yescrypt) pwhash='{CRYPT}$y$j9T$Zc1q0rOW2wP9nD3sV6kLm.$44wXyekhTz3/XHZKPB6wTENfV4knwjMih01pYDHzhs3' ;;
sha512-crypt) pwhash='{CRYPT}$6$Zc1q0rOW2wP9nD3s$esgC8RrKOHbNYfZPc/iLy0T0VubFhkuMZ37vdVDGGm2BlenMdhYYxaD6nBLpDvQUkH6L8EgPFSpZEVVxQpvGL1' ;;
*) echo "bench: -p yescrypt or sha512-crypt" >&2; exit 1 ;;
esac
for f in "$prog" "$gen" "$yamlparse" /usr/bin/time; do
	[ -x "$f" ] || { echo "bench: $f is missing: make bench" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-bench.XXXXXX") || exit 1
trap 'slapd_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
declare -A secs cpu rss

die() {
	echo "bench: $*" >&2
	exit 1
}

# Arithmetic on the seconds of time(1), in awk.
calc() {
	awk "BEGIN { $1 }" </dev/null
}

# A / B, two decimals, of two sums; "-" when B is 0 (under time's 10 ms).
ratio() {
	calc "b = $2; if (b > 0) printf \"%.2f\", ($1) / b; else print \"-\""
}

# A ratio as a factor.
factor() {
	if [ "$1" = - ]; then echo -; else echo "${1}x"; fi
}

# VALUE OP LIMIT: ok or MISSED.
verdict() {
	if [ "$1" != - ] && calc "exit !($1 $2 $3)"; then
		echo ok
	else
		echo MISSED
	fi
}

# timed NAME COMMAND...: runs it, output in $work/NAME.out and .err; its
# seconds in secs[NAME], the CPU seconds of its process in cpu[NAME] and its
# peak RSS (kB) in rss[NAME]. Returns its status.
timed() {
	local name=$1 rc user sys
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$work/$name.time" "$@" \
		>"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	read -r "secs[$name]" "rss[$name]" user sys \
		< <(tail -n 1 "$work/$name.time")
	cpu[$name]=$(calc "printf \"%.2f\", $user + $sys")
	return "$rc"
}

# must NAME COMMAND...: timed, and the end of the run if it fails.
must() {
	local name=$1
	timed "$@" && return 0
	echo "bench: $name failed (${*:2}):" >&2
	tail -n 20 "$work/$name.err" >&2
	exit 1
}

# mutualize NAME COMMAND ARGS...: the command on the bench's slapd.
mutualize() {
	local name=$1 command=$2
	shift 2
	must "$name" "$prog" "$command" -H "$SLAPD_URI" "$@"
}

# The plan of FILE must be empty: the one failure that is not a command's.
must_be_in_sync() {
	local name=$1 file=$2
	timed "$name" "$prog" plan --exit-code -H "$SLAPD_URI" "$file" && return 0
	echo "bench: the plan of $file right after an apply is not empty:" >&2
	tail -n 20 "$work/$name.out" "$work/$name.err" >&2
	exit 1
}

# best3 FUNCTION NAME ARGS...: FUNCTION NAME ARGS... three times, for a
# read-only step; the best time is kept.
best3() {
	local fn=$1 name=$2 best='' best_cpu='' best_rss=''
	shift
	for _ in 1 2 3; do
		"$fn" "$@"
		if [ -z "$best" ] || calc "exit !(${secs[$name]} < $best)"; then
			best=${secs[$name]} best_cpu=${cpu[$name]}
			best_rss=${rss[$name]}
		fi
	done
	secs[$name]=$best cpu[$name]=$best_cpu rss[$name]=$best_rss
}

ldap_tool() {
	local name=$1 tool=$2
	shift 2
	must "$name" "$tool" -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" \
		-y "$work/bench.pw" "$@"
}

dump() {
	ldap_tool "$1" ldapsearch -LLL -E pr=1000/noprompt -b "$base"
}

# Stops the slapd and empties its database; with an LDIF, loads it offline,
# timed as NAME.
slapd_down() {
	local dir=${SLAPD_DIR:?set by slapd.sh}
	slapd_kill
	rm -rf "$dir/db"
	mkdir "$dir/db" || exit 1
	[ $# = 0 ] || must "$1" slapadd -q -f "$dir/slapd.conf" -l "$2"
}

# The same slapd again, on the same port.
slapd_up() {
	slapd_restart || die "slapd did not start again on $SLAPD_URI"
}

# A plan's LDIF with the hash where apply would make a password (none when
# HASH is empty); with "content", as content records for slapadd.
fill_passwords() {
	awk -v hash="$1" -v content="${2:-}" '
	/^# userPassword: generated by apply/ {
		if (hash != "") print "userPassword: " hash
		next
	}
	content && (/^version: 1$/ || /^changetype: add$/) { next }
	{ print }'
}

prepare() {
	if ! "$gen" -n "$people" -t "$towns" -p none >"$work/syndicate.yaml" ||
		! "$gen" -n "$people" -t "$towns" -p "$scheme" -c 1 \
			>"$work/changed.yaml" ||
		! "$gen" -n 1000 -t 5 -p "$scheme" >"$work/sample.yaml"; then
		die "gen failed"
	fi
	# The directory section of gen's files names this password file.
	(umask 077 && od -An -tx1 -N12 /dev/urandom | tr -d ' \n' \
		>"$work/bench.pw") || exit 1
	slapd_start "$base" "$(cat "$work/bench.pw")" || die "slapd did not start"
	mutualize ldif0 plan --format ldif "$work/syndicate.yaml"
	fill_passwords "" <"$work/ldif0.out" >"$work/initial.ldif"
	fill_passwords "" content <"$work/ldif0.out" >"$work/initial-content.ldif"
	entries=$(grep -c '^dn:' "$work/initial.ldif")
	# The hashing of 1,000 new accounts, on the empty directory.
	mutualize sample plan --format ldif "$work/sample.yaml"
	mutualize hashed plan --format ldif --show-hashes \
		--credentials "$work/credentials-sample" "$work/sample.yaml"
	secs[hash]=$(calc "printf \"%.4f\", (${cpu[hashed]} - ${cpu[sample]}) / 1000")
}

# The transactional load first, on a database emptied after it: the rest of
# the bench goes on from the default path's.
initial_load() {
	ldap_tool ldapadd ldapadd -f "$work/initial.ldif"
	slapd_down slapadd "$work/initial-content.ldif"
	slapd_down
	slapd_up
	mutualize apply_txn apply --transactions --journal "$work/journal" \
		--undo "$work/undo0t.ldif" "$work/syndicate.yaml"
	slapd_down
	slapd_up
	mutualize apply apply --journal "$work/journal" \
		--undo "$work/undo0.ldif" "$work/syndicate.yaml"
}

no_change() {
	best3 must_be_in_sync plan0 "$work/syndicate.yaml"
	best3 dump dump0
	best3 must parse "$yamlparse" "$work/syndicate.yaml"
}

# The change's LDIF is made before the apply, on the directory the apply
# finds; the copy that ldapmodify changes is that directory, from its slapcat.
change() {
	local file=$work/changed.yaml
	must slapcat slapcat -f "$SLAPD_DIR/slapd.conf" -l "$work/loaded.ldif"
	mutualize ldif1 plan --format ldif "$file"
	fill_passwords "$pwhash" <"$work/ldif1.out" >"$work/change.ldif"
	best3 mutualize plan1 plan "$file"
	mutualize apply1 apply --credentials "$work/credentials1" \
		--journal "$work/journal" --undo "$work/undo1.ldif" "$file"
	must_be_in_sync plan2 "$file"
	slapd_down restore "$work/loaded.ldif"
	slapd_up
	best3 dump dump1
	ldap_tool ldapmodify ldapmodify -f "$work/change.ldif"
}

validate() {
	local line
	MUTUALIZE=$prog GEN=$gen must validate bash "$top/tests/bench/validate.sh" \
		-n "$people" -t "$towns"
	line=$(tail -n 1 "$work/validate.out")
	secs[validate]=$(echo "$line" | sed -n 's/.*files: \([0-9.]*\) s .*/\1/p')
	rss[validate]=$(($(echo "$line" | sed -n 's/.*peak RSS \([0-9]*\) MB$/\1/p') * 1024))
	[ -n "${secs[validate]}" ] || die "validate.sh said: $line"
	cpu[validate]='' # that of the script, not of the best validate
}

row() {
	printf '%-44s %8s %8s %9s\n' "$1" "${secs[$2]}" "${cpu[$2]:-}" \
		"$([ -n "${3:-}" ] && echo "$((rss[$2] / 1024)) MB")"
}

target() {
	printf '%-52s %10s  %s\n' "$1" "$2" "${3:-}"
}

# The peak RSS of every mutualize run, in MB.
peak_rss() {
	local name max=0
	for name in ldif0 apply_txn apply plan0 ldif1 plan1 apply1 plan2 validate; do
		[ "${rss[$name]}" -gt "$max" ] && max=${rss[$name]}
	done
	echo $((max / 1024))
}

timings() {
	echo "mutualize benchmark: $people people in $towns towns," \
		"$entries entries; $($SLAPD_BIN -VV 2>&1 | sed -n 's/.*\(slapd [0-9.]*\).*/\1/p')" \
		"on 127.0.0.1, $(nproc) CPUs"
	echo "the 1% change: $(grep '^Plan:' "$work/plan1.out")"
	echo
	printf '%-44s %8s %8s %9s\n' stage seconds "CPU s" "peak RSS"
	row "mutualize apply, empty directory" apply rss
	row "the same with --transactions" apply_txn rss
	row "ldapadd -f, empty directory" ldapadd
	row "slapadd -q, offline" slapadd
	row "mutualize plan, no change" plan0 rss
	row "ldapsearch -E pr=1000 dump" dump0
	row "libyaml event parse of the file" parse
	row "mutualize plan, 1% change" plan1 rss
	row "mutualize apply, 1% change" apply1 rss
	row "ldapsearch dump of the copy" dump1
	row "ldapmodify -f, 1% change, on the copy" ldapmodify
	row "mutualize validate, $towns files (best of 3)" validate rss
	printf '%-44s %8s %8s\n' "$scheme hash per new account" "" \
		"${secs[hash]}"
}

targets() {
	local r rss_mb
	echo
	target target figure
	r=$(ratio "${secs[ldapadd]}" "${secs[apply]}")
	# the default path writes as ldapadd does, one fsync'd add at a time,
	# pipelined: at least as fast is the aim
	target "initial apply >= 1x ldapadd's throughput" "$(factor "$r")" \
		"$(verdict "$r" ">=" 1)"
	target "the same with --transactions (no target)" \
		"$(factor "$(ratio "${secs[ldapadd]}" "${secs[apply_txn]}")")"
	# apply hashes on every processor (tests/bench/hashpool.sh measures
	# it); the sum is the estimate as if nothing overlapped the writes
	target "the same, hashing $scheme passwords (estimate)" \
		"$(factor "$(ratio "${secs[ldapadd]}" \
		"${secs[apply]} + $people * ${secs[hash]} / $(getconf _NPROCESSORS_ONLN)")")"
	target "initial apply / slapadd -q (no target)" \
		"$(factor "$(ratio "${secs[apply]}" "${secs[slapadd]}")")"
	r=$(ratio "${secs[plan0]}" "${secs[dump0]} + ${secs[parse]}")
	target "no-change plan <= 1.5x (dump + parse)" "$(factor "$r")" \
		"$(verdict "$r" "<=" 1.5)"
	r=$(ratio "${secs[plan1]} + ${secs[apply1]}" \
		"${secs[ldapmodify]} + ${secs[dump1]}")
	target "1% change, plan + apply <= 1.5x (ldapmodify + dump)" \
		"$(factor "$r")" \
		"$(verdict "$r" "<=" 1.5)"
	r=$(ratio "${secs[apply1]}" "${secs[ldapmodify]} + ${secs[dump1]}")
	target "1% change, apply alone / (ldapmodify + dump)" "$(factor "$r")"
	rss_mb=$(peak_rss)
	target "peak RSS of every mutualize run < 200 MB" "$rss_mb MB" \
		"$(verdict "$rss_mb" "<" 200)"
	target "validate of $people people in $towns files < 1 s" \
		"${secs[validate]} s" "$(verdict "${secs[validate]}" "<" 1)"
}

prepare
initial_load
no_change
change
validate
timings
targets
