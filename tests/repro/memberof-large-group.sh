#!/bin/bash
# slapd 2.5.13 with memberof: the add of a group answers only once memberof
# has written memberOf to every member, so that its time grows with the
# group, past any fixed time given to one operation. No mutualize: one slapd
# on 127.0.0.1 from a slapd.conf of its own (tests/repro/lib.sh).
#
#   memberof-large-group.sh [members]     (25,000 by default)
#
# N people are loaded offline (slapadd, which writes no memberOf); then one
# group of all N is added by ldapadd in one operation, and another of the
# same N in parts: an add of 1,000, then modifies adding 1,000 each, as
# mutualize writes it. Prints the time of the single operation, of the
# longest part and of all the parts, and checks that both groups gave every
# member its memberOf. Exits 1 when the single operation took longer than
# 10 s (mutualize's default directory.timeout), 0 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
n=${1:-25000}
repro_init memberof-large-group "moduleload memberof" "overlay memberof"
b=$REPRO_BASE
{
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: example\n\n' "$b"
	awk -v n="$n" -v b="$b" 'BEGIN { for (i = 0; i < n; i++)
		printf "dn: uid=p%d,%s\nobjectClass: inetOrgPerson\nuid: p%d\ncn: p%d\nsn: p%d\n\n", i, b, i, i, i }'
} >"$REPRO_DIR/people.ldif"
slapadd -q -f "$REPRO_DIR/slapd.conf" -l "$REPRO_DIR/people.ldif" || exit 2
repro_start
# group NAME FROM TO [add]: an add (or a modify adding) of members FROM..TO-1
group() {
	awk -v g="$1" -v from="$2" -v to="$3" -v add="${4:-}" -v b="$b" 'BEGIN {
		printf "dn: cn=%s,%s\n", g, b
		if (add) printf "changetype: add\nobjectClass: groupOfNames\ncn: %s\n", g
		else printf "changetype: modify\nadd: member\n"
		for (i = from; i < to; i++) printf "member: uid=p%d,%s\n", i, b
	}'
}
now() { date +%s.%N; }
# calc EXPR: awk's arithmetic, printed with two decimals
calc() { awk "BEGIN { printf \"%.2f\", ($1) }"; }
t0=$(now)
group whole 0 "$n" add | repro_modify >/dev/null || exit 2
single=$(calc "$(now) - $t0")
longest=0
t0=$(now)
for ((from = 0; from < n; from += 1000)); do
	to=$((from + 1000 < n ? from + 1000 : n))
	t1=$(now)
	group parts "$from" "$to" $([ "$from" = 0 ] && echo add) |
		repro_modify >/dev/null || exit 2
	part=$(calc "$(now) - $t1")
	[ "$(calc "$part > $longest")" = 1.00 ] && longest=$part
done
all=$(calc "$(now) - $t0")
for g in whole parts; do
	got=$(repro_search -b "$b" "(memberOf=cn=$g,$b)" 1.1 | grep -c '^dn:')
	echo "memberOf=cn=$g: $got of $n members"
	[ "$got" = "$n" ] || exit 2
done
echo "one add of $n members: $single s"
echo "in parts of 1,000: $all s in all, $longest s for the longest part"
[ "$(calc "$single <= 10")" = 1.00 ]
