#!/bin/bash
# slapd 2.5.13: a replica that refreshes with the memberof overlay leaves
# memberOf wrong for the members added to a group after the group was made
# (OpenLDAP ITS#8613). No mutualize: two slapd on 127.0.0.1 from slapd.conf
# files of their own, stopped by PID at the end.
#
#   memberof-refresh.sh [exattrs|all]
#
# The provider runs memberof and syncprov. A group is made, then a person,
# then the person is added to the group: the provider's memberof gives the
# person memberOf. A new, empty replica with memberof then refreshes from the
# provider: it receives the group (older, so sent first) before the person,
# whose member value dangles when memberof sees it; the person arrives after.
# exattrs: the replica does not replicate memberOf and relies on its own
# memberof; all: memberOf is replicated too. Prints the person's memberOf on
# both and exits 1 when they differ (the fault), 0 when they agree.
set -u
mode=${1:-exattrs}
dir=$(mktemp -d "${TMPDIR:-/tmp}/memberof-refresh.XXXXXX") || exit 2
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
base=dc=example,dc=org
pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
port() {
	echo $((20000 + (RANDOM * 32768 + RANDOM) % 40000))
}
p_port=$(port)
c_port=$(port)
exattrs=
[ "$mode" = exattrs ] && exattrs='exattrs="memberOf"'

conf() {
	local name=$1
	shift
	mkdir -p "$dir/$name.db"
	cat >"$dir/$name.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/$name.pid
argsfile $dir/$name.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload syncprov
database mdb
suffix "$base"
rootdn "cn=admin,$base"
rootpw $pw
directory $dir/$name.db
index objectClass,entryUUID,entryCSN eq
CONF
	printf '%s\n' "$@" >>"$dir/$name.conf"
}

start() {
	local name=$1 port=$2 i
	slapd -d 0 -f "$dir/$name.conf" -h "ldap://127.0.0.1:$port/" \
		>"$dir/$name.log" 2>&1 &
	pids="$pids $!"
	for i in $(seq 1 100); do
		ldapsearch -x -H "ldap://127.0.0.1:$port/" -s base -b "" >/dev/null \
			2>&1 && return 0
		sleep 0.05
	done
	echo "slapd $name did not start" >&2
	exit 2
}

conf provider "overlay memberof" "overlay syncprov"
conf replica "syncrepl rid=001 provider=ldap://127.0.0.1:$p_port/ bindmethod=simple binddn=\"cn=admin,$base\" credentials=$pw searchbase=\"$base\" type=refreshAndPersist retry=\"1 +\" $exattrs" \
	"overlay memberof"
start provider "$p_port"
ldapmodify -x -H "ldap://127.0.0.1:$p_port/" -D "cn=admin,$base" -w "$pw" \
	>/dev/null <<LDIF || exit 2
dn: $base
changetype: add
objectClass: dcObject
objectClass: organization
dc: example
o: example

dn: cn=g,$base
changetype: add
objectClass: groupOfNames
cn: g
member: cn=nobody,$base

dn: uid=u,$base
changetype: add
objectClass: inetOrgPerson
uid: u
cn: u
sn: u

dn: cn=g,$base
changetype: modify
add: member
member: uid=u,$base
LDIF
start replica "$c_port"
for i in $(seq 1 50); do
	ldapsearch -x -LLL -H "ldap://127.0.0.1:$c_port/" -D "cn=admin,$base" \
		-w "$pw" -b "uid=u,$base" -s base 1.1 2>/dev/null | grep -q '^dn:' &&
		break
	sleep 0.1
done
sleep 1
on() {
	ldapsearch -x -LLL -H "ldap://127.0.0.1:$1/" -D "cn=admin,$base" -w "$pw" \
		-b "uid=u,$base" -s base memberOf | sed -n 's/^memberOf: //p'
}
provider=$(on "$p_port")
replica=$(on "$c_port")
echo "memberOf of uid=u on the provider: ${provider:-(none)}"
echo "memberOf of uid=u on the replica ($mode): ${replica:-(none)}"
[ "$provider" = "$replica" ]
