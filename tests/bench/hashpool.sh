#!/bin/bash
# What the pool of hashing threads gives a first load: the first apply of N
# new accounts with yescrypt passwords (-n, 1,000 by default), into an empty
# private slapd (tests/slapd.sh), against what the hashing alone takes:
#
#   one hash   build/bench/hashtime: the mean of 20 hashes on one processor
#   serial     N hashes on one processor: what apply spent before the pool
#   ideal      serial / the processors online: hashing on every one of them,
#              with the writes costing nothing
#   apply      the first apply, timed; then the same pinned to one processor
#              (taskset), which is the apply without the pool's parallelism
#
# and prints the ratio of apply to ideal (1 would be perfect overlap of the
# writes with the hashing, on every processor). A measure, not a test.
#   hashpool.sh [-n people] [-p yescrypt|sha512-crypt]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/slapd.sh
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
gen=${GEN:-$top/build/bench/gen}
hashtime=$top/build/bench/hashtime
people=1000 scheme=yescrypt
while getopts n:p: opt; do
	case $opt in
	n) people=$OPTARG ;;
	p) scheme=$OPTARG ;;
	*) echo "usage: hashpool.sh [-n people] [-p scheme]" >&2; exit 1 ;;
	esac
done
for f in "$prog" "$gen" "$hashtime"; do
	[ -x "$f" ] || { echo "hashpool: $f is missing: make bench" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-hashpool.XXXXXX") || exit 1
trap 'slapd_stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_BIND_PASSWORD=$pw
"$gen" -n "$people" -t 2 -p "$scheme" >"$work/syndicate.yaml" || exit 1
cpus=$(getconf _NPROCESSORS_ONLN)

# The first apply into a new, empty slapd; prints its seconds.
first_apply() {
	local run=$1 t0 t1
	shift
	slapd_start "dc=sitiv,dc=fr" "$pw" || exit 1
	mkdir -p "$work/$run"
	t0=$(date +%s.%N)
	"$@" "$prog" -q apply --credentials "$work/$run/c" --journal "$work/$run/j" \
		--undo "$work/$run/u" -H "$SLAPD_URI" "$work/syndicate.yaml" \
		>"$work/$run/out" 2>"$work/$run/err" ||
		{ echo "hashpool: the apply failed:" >&2; cat "$work/$run/err" >&2; exit 1; }
	t1=$(date +%s.%N)
	slapd_stop
	added=$(grep -vc '^#' "$work/$run/c")
	[ "$added" = "$people" ] ||
		{ echo "hashpool: $added passwords for $people people" >&2; exit 1; }
	echo "$t1 - $t0" | bc -l
}

hash=$("$hashtime" -p "$scheme" 20)
all=$(first_apply all)
one=$(first_apply one taskset -c 0)
serial=$(echo "$hash * $people" | bc -l)
ideal=$(echo "$serial / $cpus" | bc -l)
printf 'hashpool: %d new accounts, %s passwords, %d processors online\n' \
	"$people" "$scheme" "$cpus"
printf '  one hash                 %8.2f ms\n' "$(echo "$hash * 1000" | bc -l)"
printf '  serial (N x one hash)    %8.2f s\n' "$serial"
printf '  ideal (serial / %d)       %8.2f s\n' "$cpus" "$ideal"
printf '  apply, every processor   %8.2f s   %.2f x ideal, %.2f x serial\n' \
	"$all" "$(echo "$all / $ideal" | bc -l)" "$(echo "$all / $serial" | bc -l)"
printf '  apply, one processor     %8.2f s   %.2f x ideal, %.2f x serial\n' \
	"$one" "$(echo "$one / $ideal" | bc -l)" "$(echo "$one / $serial" | bc -l)"
