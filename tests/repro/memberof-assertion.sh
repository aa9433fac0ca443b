#!/bin/bash
# A reproduction, with slapd and the OpenLDAP command-line tools alone, of
# slapd 2.5's memberof overlay ignoring a group change made under the
# assertion control (RFC 4528), seen with 2.5.13 (Debian 12):
#
#   1. an empty back-mdb database with the memberof overlay, a person uid=a
#      and a group cn=g that does not name her;
#   2. ldapmodify -e 'assert=(entryCSN=<the group's entryCSN>)' adds
#      member: uid=a to cn=g; the assertion holds and the modify succeeds;
#   3. uid=a has no memberOf: cn=g.
#
# memberof makes its own change to the member's entry with the controls of
# the operation that triggered it; the assertion, true of the group, is false
# of the member (another entryCSN), so that change fails, and silently.
# Without the control (-n), the same modify gives uid=a her memberOf. This is
# why mutualize sends no assertion with a change to a group.
#
#   memberof-assertion.sh [-k] [-n]
#
# Exits 0 when memberOf is missing (the fault), 1 when it is there, 2 when
# the set-up failed. -k keeps the directory (database, log).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
assert=1
while getopts kn opt; do
	case $opt in
	k) REPRO_KEEP=1 ;;
	n) assert= ;;
	*) exit 2 ;;
	esac
done
repro_init memberof-assertion "moduleload memberof" "overlay memberof"
repro_start
base=$REPRO_BASE
repro_modify -a >"$REPRO_DIR/setup.log" 2>&1 <<LDIF || { cat "$REPRO_DIR/setup.log" >&2; exit 2; }
dn: $base
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: uid=a,$base
objectClass: inetOrgPerson
uid: a
cn: A
sn: A

dn: cn=g,$base
objectClass: groupOfNames
cn: g
member: $REPRO_ROOTDN
LDIF
csn=$(repro_search -b "cn=g,$base" -s base entryCSN | sed -n 's/^entryCSN: //p')
ctrl=${assert:+-e assert=(entryCSN=$csn)}
repro_modify $ctrl >"$REPRO_DIR/modify.log" 2>&1 <<LDIF
dn: cn=g,$base
changetype: modify
add: member
member: uid=a,$base
LDIF
status=$?
members=$(repro_search -b "cn=g,$base" -s base member | grep -c '^member: uid=a,')
memberof=$(repro_search -b "uid=a,$base" -s base memberOf | grep -c '^memberOf: ')
echo "memberof-assertion: the modify of cn=g${assert:+ under (entryCSN=$csn)}:" \
	"exit $status; cn=g names uid=a: $members; uid=a's memberOf values: $memberof"
if [ "$status" -ne 0 ] || [ "$members" -ne 1 ]; then
	echo "memberof-assertion: the modify did not land; nothing shown"
	exit 2
fi
if [ "$memberof" -eq 0 ]; then
	echo "memberof-assertion: reproduced: the group names uid=a, her memberOf does not name it"
	exit 0
fi
echo "memberof-assertion: not reproduced: uid=a's memberOf names the group"
exit 1
