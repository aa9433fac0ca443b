# Private slapd for tests and the demo: sourced by bash scripts.
#
#   slapd_start BASE_DN ROOT_PASSWORD [LDIF]
#                                       starts slapd on 127.0.0.1 on a free port in a
#                                       new temporary directory, its database first
#                                       loaded offline from LDIF (slapadd -q) if given;
#                                       sets SLAPD_URI, SLAPD_PID, SLAPD_DIR, SLAPD_ROOTDN
#   slapd_stop                          stops it by PID, waits for it, removes the dir
#
# Loops are bounded; only 127.0.0.1 is used.

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_SCHEMA=$(cd "$(dirname "${BASH_SOURCE[0]}")/../templates" && pwd)/mutualize.schema

slapd_write_conf() {
	local dir=$1 base=$2 pw=$3
	cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/misc.schema
include $SLAPD_SCHEMA
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload ppolicy
database mdb
maxsize 4294967296
suffix "$base"
rootdn "cn=admin,$base"
rootpw $pw
directory $dir/db
index objectClass eq
index uid,mail,employeeNumber eq
index member eq
limits dn.exact="cn=reader,$base" size.soft=5 size.hard=5 size.pr=1000 size.prtotal=unlimited
overlay memberof
overlay ppolicy
ppolicy_default "cn=default-policy,$base"
CONF
	mkdir -p "$dir/db"
}

slapd_start() {
	local base=$1 pw=$2 ldif=${3:-} port tries i
	SLAPD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-slapd.XXXXXX") || return 1
	SLAPD_ROOTDN="cn=admin,$base"
	slapd_write_conf "$SLAPD_DIR" "$base" "$pw"
	if [ -n "$ldif" ] && ! slapadd -q -f "$SLAPD_DIR/slapd.conf" -l "$ldif" \
		>"$SLAPD_DIR/slapadd.log" 2>&1; then
		echo "slapadd of $ldif failed:" >&2
		cat "$SLAPD_DIR/slapadd.log" >&2
		rm -rf "$SLAPD_DIR"
		return 1
	fi
	# A random port in 20000-59999; if slapd cannot bind it, it exits and we try another.
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		"$SLAPD_BIN" -d 0 -f "$SLAPD_DIR/slapd.conf" -h "ldap://127.0.0.1:$port/" \
			>"$SLAPD_DIR/slapd.log" 2>&1 &
		SLAPD_PID=$!
		for i in $(seq 1 100); do
			if ! kill -0 "$SLAPD_PID" 2>/dev/null; then
				break
			fi
			if ldapsearch -x -LLL -H "ldap://127.0.0.1:$port/" -s base -b "" \
				namingContexts >/dev/null 2>&1; then
				SLAPD_URI="ldap://127.0.0.1:$port/"
				export SLAPD_URI SLAPD_PID SLAPD_DIR SLAPD_ROOTDN
				return 0
			fi
			sleep 0.05
		done
		slapd_kill
	done
	echo "slapd did not start; its log:" >&2
	cat "$SLAPD_DIR/slapd.log" >&2
	rm -rf "$SLAPD_DIR"
	return 1
}

# Stop the slapd we started (by PID) and wait at most 10 s for it to go.
slapd_kill() {
	local i
	[ -n "${SLAPD_PID:-}" ] || return 0
	kill "$SLAPD_PID" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$SLAPD_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$SLAPD_PID" 2>/dev/null; then
		kill -9 "$SLAPD_PID" 2>/dev/null
	fi
	wait "$SLAPD_PID" 2>/dev/null
	SLAPD_PID=
}

slapd_stop() {
	slapd_kill
	if [ -n "${SLAPD_DIR:-}" ]; then
		rm -rf "$SLAPD_DIR"
		SLAPD_DIR=
	fi
}
