#!/bin/bash
# What report costs: the counts of N people (-n, 100,000 by default) in T
# towns (-t, 50), against a no-change plan of the same file and a plain
# ldapsearch -E pr=1000 dump of the same subtree, ou=tenants. The syndicate
# is build/bench/gen's, with three services (mail and files with a quota,
# visio without) that every town is entitled to; its export is loaded
# offline by slapadd into a private slapd (tests/slapd.sh), and one apply
# adds what export leaves to it (the services' accounts), so that the plan
# has nothing to do. Each step is timed best of three, and the report's
# total of people must be N.
#   report.sh [-n people] [-t towns]
# Needs ./mutualize (or MUTUALIZE=path) and build/bench/gen: "make bench"
# builds them and runs it. A measure, not a test: it exits 1 only when a
# step fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/slapd.sh
. "$top/tests/slapd.sh"
prog=${MUTUALIZE:-$top/mutualize}
export MUTUALIZE_TEMPLATES=${MUTUALIZE_TEMPLATES:-$top/templates}
gen=${GEN:-$top/build/bench/gen}
base=dc=sitiv,dc=fr
people=100000 towns=50
while getopts n:t: opt; do
	case $opt in
	n) people=$OPTARG ;;
	t) towns=$OPTARG ;;
	*) echo "usage: report.sh [-n people] [-t towns]" >&2; exit 1 ;;
	esac
done
for f in "$prog" "$gen" /usr/bin/time; do
	[ -x "$f" ] || { echo "report.sh: $f is missing: make bench" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-report-bench.XXXXXX") || exit 1
trap 'slapd_stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
declare -A secs cpu

die() {
	echo "report.sh: $*" >&2
	exit 1
}

# best NAME COMMAND...: the command three times; its best wall time in
# secs[NAME], the CPU time of that run in cpu[NAME]; output in NAME.out.
best() {
	local name=$1 e u s
	shift
	secs[$name]=
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U %S" -o "$work/$name.time" "$@" \
			>"$work/$name.out" 2>"$work/$name.err" ||
			{ tail -n 5 "$work/$name.err" >&2; die "$name failed"; }
		read -r e u s <"$work/$name.time"
		if [ -z "${secs[$name]}" ] || awk "BEGIN { exit !($e < ${secs[$name]}) }"; then
			secs[$name]=$e
			cpu[$name]=$(awk "BEGIN { printf \"%.2f\", $u + $s }")
		fi
	done
}

ratio() {
	awk "BEGIN { if ($2 > 0) printf \"%.2fx\", $1 / $2; else print \"-\" }"
}

# gen's syndicate with services: declared after the policy, and every town
# entitled to all three.
syndicate() {
	"$gen" -n "$people" -t "$towns" -p none | awk '
	/^policy:/ { policy = 1 }
	policy && /^$/ {
		print "\nservices:\n  mail: {quota: 5GiB}\n  files: {quota: 20GiB}\n  visio: {}"
		policy = 0
	}
	/^    mail_domain: / { print; print "    services: [mail, files, visio]"; next }
	{ print }' >"$work/syndicate.yaml"
}

syndicate || die "gen failed"
grep -q '^  mail: {quota' "$work/syndicate.yaml" || die "no services added"
(umask 077 && od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$work/bench.pw") ||
	exit 1
"$prog" export -o "$work/export.ldif" "$work/syndicate.yaml" >/dev/null ||
	die "export failed"
SLAPD_LDIF=$work/export.ldif slapd_start "$base" "$(cat "$work/bench.pw")" ||
	die "slapd did not start"
"$prog" -q apply -H "$SLAPD_URI" "$work/syndicate.yaml" >"$work/apply.out" \
	2>&1 || { cat "$work/apply.out" >&2; die "the apply failed"; }
"$prog" plan --exit-code -H "$SLAPD_URI" "$work/syndicate.yaml" \
	>"$work/plan.out" 2>&1 || { tail "$work/plan.out" >&2; die "the plan is not empty"; }

best report "$prog" report --format csv -H "$SLAPD_URI" "$work/syndicate.yaml"
total=$(tail -n 1 "$work/report.out" | cut -d, -f3)
[ "$total" = "$people" ] || die "the report counts $total people, not $people"
best plan "$prog" plan -H "$SLAPD_URI" "$work/syndicate.yaml"
best dump ldapsearch -x -LLL -E pr=1000/noprompt -H "$SLAPD_URI" \
	-D "cn=admin,$base" -y "$work/bench.pw" -b "ou=tenants,$base"

echo "report benchmark: $people people in $towns towns, three services," \
	"$(grep -c '^dn:' "$work/export.ldif") entries loaded by slapadd;" \
	"$(nproc) CPUs"
printf '%-44s %8s %8s\n' step seconds "CPU s"
printf '%-44s %8s %8s\n' "mutualize report --format csv" "${secs[report]}" \
	"${cpu[report]}"
printf '%-44s %8s %8s\n' "mutualize plan, no change" "${secs[plan]}" \
	"${cpu[plan]}"
printf '%-44s %8s %8s\n' "ldapsearch -E pr=1000 dump of ou=tenants" \
	"${secs[dump]}" "${cpu[dump]}"
printf '%-44s %8s\n' "report / plan (target <= 1)" \
	"$(ratio "${secs[report]}" "${secs[plan]}")"
printf '%-44s %8s\n' "report / dump" "$(ratio "${secs[report]}" "${secs[dump]}")"
