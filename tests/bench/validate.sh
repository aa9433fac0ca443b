#!/bin/bash
# Validation of a syndicate split over one file per town: the generator's
# syndicate, each town's people moved to towns/<id>.yaml, then mutualize
# validate, timed (best of three) with its peak memory. Prints one figure.
#
#   validate.sh [-n people] [-t towns]      (default: 100,000 people, 50 towns)
#
# Needs ./mutualize (or MUTUALIZE=path) and build/bench/gen (or GEN=path);
# touches no server.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=${MUTUALIZE:-$top/mutualize}
gen=${GEN:-$top/build/bench/gen}
people=100000 towns=50
while getopts n:t: opt; do
	case $opt in
	n) people=$OPTARG ;;
	t) towns=$OPTARG ;;
	*) echo "usage: validate.sh [-n people] [-t towns]" >&2; exit 1 ;;
	esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-validate.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/towns"

"$gen" -n "$people" -t "$towns" >"$work/one.yaml"
# Each "    people:" list goes to its town's file, one level less indented.
awk -v dir="$work/towns" '
/^  - id: / { town = $3 }
/^    people:$/ { file = dir "/" town ".yaml"; print "    people_file: towns/" town ".yaml"; next }
file != "" && /^      - / { print substr($0, 7) > file; next }
{ if (file != "") { close(file); file = "" } print }
' "$work/one.yaml" >"$work/syndicate.yaml"

best=
for _ in 1 2 3; do
	/usr/bin/time -f "%e %M" -o "$work/time" "$prog" validate \
		"$work/syndicate.yaml" >"$work/out"
	read -r secs kb <"$work/time"
	if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$secs peak=$kb
	fi
done
cat "$work/out"
printf 'validate of %s people in %s files: %s s (target < 1 s), peak RSS %s MB\n' \
	"$people" "$(find "$work/towns" -type f | wc -l)" "$best" "$((peak / 1024))"
