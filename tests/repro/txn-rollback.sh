#!/bin/bash
# A reproduction, with slapd and the OpenLDAP command-line tools alone, of the
# damage a rolled-back RFC 5805 transaction does to a back-mdb database in
# slapd 2.5 (seen with 2.5.13, Debian 12). No mutualize involved: the steps
# below are what to send upstream.
#
#   txn-rollback.sh [-k] [-n] [attribute | long-uid]
#
# attribute (the default): a transaction whose first update gives uid=a an
#     attribute description no entry held before (mailLocalAddress, with the
#     auxiliary class inetLocalMailRecipient) and whose second update fails
#     (it deletes a description value uid=b does not have: No such attribute)
#     is rolled back. Then a plain modify, outside any transaction, gives uid=b
#     a mailLocalAddress. slapd stores an entry it cannot decode: a search
#     answers "internal error in mdb_entry_decode" (80), and slapcat, once
#     slapd has stopped, says "attribute index N not recognized" (and may
#     crash); a restart does not mend it.
# long-uid: the same with another failure. The transaction adds uid=c with
#     a mail (no entry holds one yet), then an entry whose uid is 601
#     characters long, which slapd refuses with Other (80): the key of the
#     uid index is too long for mdb. Then a plain modify gives uid=b a mail,
#     and every later search of the database answers "internal error" (80).
#     What matters is a new attribute description followed by any failure.
#
# Why, in OpenLDAP's source: mdb_txn() in servers/slapd/back-mdb/id2entry.c,
# on SLAP_TXN_ABORT, sets mi_numads to 0 (the table of attribute
# descriptions is read again) but leaves mi_adxs[], the index each
# description was given, as the aborted transaction set it; mdb_ad_get()
# then takes the new description for known, and entries are written with an
# index the ad2id table never recorded. A single failed operation calls
# mdb_ad_unwind() instead. Unchanged in 2.5.19, 2.6.10 and master (2026-08).
#
# One private slapd on 127.0.0.1, from a slapd.conf in
# a temporary directory (back-mdb, the schemas core, cosine, inetorgperson,
# nis and misc, equality indexes on uid and mail), stopped by its PID at the
# end. Exits 0 when the damage is seen, 1 when it is not, 2 when the set-up
# failed, and says which. -k keeps the directory (database, logs) to look at;
# -n sends the same updates without the transaction (the control: the first
# update then stays, and nothing is damaged).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
txn="-E txn=commit"
while getopts kn opt; do
	case $opt in
	k) REPRO_KEEP=1 ;;
	n) txn= ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
mode=${1:-attribute}
case $mode in
attribute | long-uid) ;;
*) echo "usage: txn-rollback.sh [-k] [-n] [attribute | long-uid]" >&2; exit 2 ;;
esac
repro_init txn-rollback
dir=$REPRO_DIR base=$REPRO_BASE rootdn=$REPRO_ROOTDN

modify() {
	repro_modify "$@"
}

repro_start
uri=$REPRO_URI
echo "txn-rollback: $("${SLAPD_BIN:-/usr/sbin/slapd}" -VV 2>&1 | sed -n 's/.*\(slapd [^ ]*\).*/\1/p'), mode $mode${txn:+ in a transaction}${txn:-, no transaction}, $uri"
modify -a >"$dir/setup.log" 2>&1 <<LDIF || { cat "$dir/setup.log" >&2; exit 2; }
dn: $base
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,$base
objectClass: organizationalUnit
ou: people

dn: uid=a,ou=people,$base
objectClass: inetOrgPerson
uid: a
cn: A
sn: A

dn: uid=b,ou=people,$base
objectClass: inetOrgPerson
uid: b
cn: B
sn: B
LDIF

# The transaction: its first update brings an attribute description that no
# entry holds yet, its second fails; slapd rolls it back.
if [ "$mode" = attribute ]; then
	attr=mailLocalAddress
	modify $txn >"$dir/txn.log" 2>&1 <<LDIF
dn: uid=a,ou=people,$base
changetype: modify
add: objectClass
objectClass: inetLocalMailRecipient
-
add: mailLocalAddress
mailLocalAddress: a@example.org

dn: uid=b,ou=people,$base
changetype: modify
delete: description
description: a value uid=b does not have
LDIF
else
	attr=mail
	long=$(printf 'x%.0s' $(seq 1 601))
	modify -a $txn >"$dir/txn.log" 2>&1 <<LDIF
dn: uid=c,ou=people,$base
objectClass: inetOrgPerson
uid: c
cn: C
sn: C
mail: c@example.org

dn: uid=$long,ou=people,$base
objectClass: inetOrgPerson
uid: $long
cn: Long
sn: Long
LDIF
fi
echo "txn-rollback: the updates: exit $?, $(grep -m1 -o 'ldap_[a-z_]*: .*' "$dir/txn.log")"
# Nothing of it may have landed.
ldapsearch -x -LLL -H "$uri" -D "$rootdn" -y "$dir/pw" -b "$base" \
	"(|($attr=*)(uid=c)(uid=xxx*))" 1.1 >"$dir/landed.log" 2>&1
echo "txn-rollback: entries it left: $(grep -c '^dn:' "$dir/landed.log")"

# A plain write with that attribute, outside any transaction.
if [ "$mode" = attribute ]; then
	modify >"$dir/plain.log" 2>&1 <<LDIF
dn: uid=b,ou=people,$base
changetype: modify
add: objectClass
objectClass: inetLocalMailRecipient
-
add: mailLocalAddress
mailLocalAddress: b@example.org
LDIF
else
	modify >"$dir/plain.log" 2>&1 <<LDIF
dn: uid=b,ou=people,$base
changetype: modify
add: mail
mail: b@example.org
LDIF
fi
echo "txn-rollback: the plain modify giving uid=b a $attr: exit $?"

ldapsearch -x -LLL -H "$uri" -D "$rootdn" -y "$dir/pw" -b "$base" \
	>"$dir/search.log" 2>&1
search=$?
echo "txn-rollback: ldapsearch of the whole database: exit $search," \
	"$(grep -c '^dn:' "$dir/search.log") entries," \
	"$(grep -e '([0-9]*)$' -e '^Additional information' "$dir/search.log" |
	tr '\n' ' ')"
grep -q -e mdb_entry_decode -e 'internal error' -e 'Other (e.g., implementation specific) error' \
	-e 'Internal (implementation specific) error' "$dir/search.log"
search_bad=$((! $?))
[ "$search" -ne 0 ] && search_bad=1

# Offline, whatever the server kept in memory is gone.
repro_stop
# (bash would say "Segmentation fault" on its own line: said below instead)
{ slapcat -f "$dir/slapd.conf" -l "$dir/slapcat.ldif" >"$dir/slapcat.log" 2>&1; } 2>/dev/null
cat_rc=$?
[ "$cat_rc" -gt 128 ] && echo "txn-rollback: slapcat died of signal $((cat_rc - 128))"
echo "txn-rollback: slapcat: exit $cat_rc, $(grep -c '^dn:' "$dir/slapcat.ldif") entries," \
	"$(grep -m1 -o -e 'attribute index [0-9]* not recognized' -e 'mdb_entry_decode.*' \
	"$dir/slapcat.log")"
cat_bad=$([ "$cat_rc" -ne 0 ] || grep -q 'not recognized' "$dir/slapcat.log" && echo 1 || echo 0)

# And after a restart.
repro_start
uri=$REPRO_URI
ldapsearch -x -LLL -H "$uri" -D "$rootdn" -y "$dir/pw" -b "$base" \
	>"$dir/search2.log" 2>&1
again=$?
echo "txn-rollback: ldapsearch after a restart: exit $again," \
	"$(grep -c '^dn:' "$dir/search2.log") entries"
[ "$again" -ne 0 ] && search_bad=1

if [ "$search_bad" = 1 ] || [ "$cat_bad" = 1 ]; then
	echo "txn-rollback: REPRODUCED ($mode): the database is damaged"
	exit 0
fi
echo "txn-rollback: not reproduced ($mode): the database reads whole"
exit 1
