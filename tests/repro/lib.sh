# What the reproductions of slapd's faults share, sourced by bash scripts:
# one private slapd on 127.0.0.1 from a slapd.conf of their own (back-mdb;
# no mutualize, no schema of ours), stopped by its PID at the end.
#
#   repro_init NAME [SLAPD.CONF LINES...]
#       a temporary directory and the slapd.conf of an empty database
#       dc=example,dc=org (schemas core, cosine, inetorgperson, nis, misc;
#       equality indexes on uid and mail), with the lines given appended
#       (moduleload and overlay lines); sets REPRO_DIR, REPRO_BASE,
#       REPRO_ROOTDN, and the password file REPRO_DIR/pw. Traps EXIT to stop
#       slapd and remove the directory (REPRO_KEEP=1 keeps it).
#   repro_start        slapd on a free port: REPRO_URI, REPRO_PID; exit 2 if
#                      it does not start
#   repro_stop         stops it by PID, waiting for it to go
#   repro_alive        whether it still runs
#   repro_modify ARGS  ldapmodify as the rootdn, the LDIF on standard input
#   repro_search ARGS  ldapsearch -LLL as the rootdn

repro_init() {
	local name=$1
	shift
	REPRO_NAME=$name
	REPRO_BASE=dc=example,dc=org
	REPRO_ROOTDN=cn=admin,$REPRO_BASE
	REPRO_PID=
	REPRO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 2
	trap repro_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	od -An -tx1 -N12 /dev/urandom | tr -d ' \n' >"$REPRO_DIR/pw"
	chmod 600 "$REPRO_DIR/pw"
	cat >"$REPRO_DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/misc.schema
pidfile $REPRO_DIR/slapd.pid
argsfile $REPRO_DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 1073741824
suffix "$REPRO_BASE"
rootdn "$REPRO_ROOTDN"
rootpw $(cat "$REPRO_DIR/pw")
directory $REPRO_DIR/db
index objectClass eq
index uid,mail eq
CONF
	# moduleload lines belong before the database, the rest after it.
	printf '%s\n' "$@" | grep '^moduleload ' |
		sed -i "/^moduleload back_mdb\$/r /dev/stdin" "$REPRO_DIR/slapd.conf"
	printf '%s\n' "$@" | grep -v '^moduleload ' | grep . \
		>>"$REPRO_DIR/slapd.conf"
	mkdir "$REPRO_DIR/db"
}

repro_cleanup() {
	repro_stop
	if [ -n "${REPRO_KEEP:-}" ]; then
		echo "$REPRO_NAME: kept $REPRO_DIR"
	else
		rm -rf "$REPRO_DIR"
	fi
}

repro_alive() {
	[ -n "$REPRO_PID" ] && kill -0 "$REPRO_PID" 2>/dev/null &&
		[ "$(ps -o stat= -p "$REPRO_PID" 2>/dev/null | cut -c1)" != Z ]
}

repro_stop() {
	local i
	[ -n "$REPRO_PID" ] || return 0
	kill "$REPRO_PID" 2>/dev/null
	for i in $(seq 1 200); do
		repro_alive || break
		sleep 0.05
	done
	repro_alive && kill -9 "$REPRO_PID" 2>/dev/null
	wait "$REPRO_PID" 2>/dev/null
	REPRO_PID=
}

# slapd in the foreground of a background job (-d 0), so that its PID is
# ours to wait for; a port taken makes it exit: another is tried.
repro_start() {
	local tries i port
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		REPRO_URI=ldap://127.0.0.1:$port/
		"${SLAPD_BIN:-/usr/sbin/slapd}" -d 0 -f "$REPRO_DIR/slapd.conf" \
			-h "$REPRO_URI" >>"$REPRO_DIR/slapd.log" 2>&1 &
		REPRO_PID=$!
		for i in $(seq 1 100); do
			repro_alive || break
			ldapsearch -x -LLL -H "$REPRO_URI" -s base -b "" 1.1 \
				>/dev/null 2>&1 && return 0
			sleep 0.05
		done
		repro_stop
	done
	echo "$REPRO_NAME: slapd did not start; its log:" >&2
	tail -n 20 "$REPRO_DIR/slapd.log" >&2
	exit 2
}

repro_modify() {
	ldapmodify -x -H "$REPRO_URI" -D "$REPRO_ROOTDN" -y "$REPRO_DIR/pw" "$@"
}

repro_search() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$REPRO_URI" -D "$REPRO_ROOTDN" \
		-y "$REPRO_DIR/pw" "$@"
}
