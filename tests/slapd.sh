# Private slapd servers for tests and the demo: sourced by bash scripts.
#
#   slapd_start BASE_DN ROOT_PASSWORD [NAME [TLS_DIR]]
#       starts a slapd on 127.0.0.1, on a free port, in a new temporary
#       directory; sets NAME_URI (ldap://127.0.0.1:PORT/), NAME_LDAPI_URI (a
#       socket in that directory), NAME_PID and NAME_DIR, where NAME is SLAPD
#       unless given; and SLAPD_ROOTDN. With TLS_DIR (made by tls_make) it
#       also offers StartTLS, and ldaps:// on 127.0.0.1 and ::1 on a second
#       port: NAME_LDAPS_URI and NAME_LDAPS6_URI.
#       SLAPD_LDIF, when set, is loaded offline (slapadd -q) before it starts.
#       SLAPD_OVERLAYS chooses how groups are kept, as production directories
#       do (ppolicy always):
#         memberof         memberof alone (the default)
#         memberof+refint  memberof, and refint on member (the guide's pairing)
#         memberof-refint  memberof with memberof-refint TRUE
#   slapd_restart [NAME]
#                       starts one again, killed or stopped, on the same
#                       database, NAME_URI and NAME_LDAPI_URI (not ldaps://);
#                       sets NAME_PID
#   slapd_stop [NAME]   stops one by PID (continued first, if it was stopped
#                       with SIGSTOP), waits for it, removes its directory
#   slapd_stop_all      stops every one this shell started
#   tls_make DIR        a throwaway CA (ca.pem), a server certificate and key
#                       for 127.0.0.1 and localhost signed by it, and a second
#                       CA that signed nothing (other-ca.pem)
#
# Loops are bounded; only 127.0.0.1 and ::1 are used. The root uid of the
# ldapi:// socket (SASL EXTERNAL) is the rootdn; cn=reader may read, with a
# size limit that only paged searches pass; cn=limited may not even page
# past it; cn=writer may write, except to entries named uid=hidden.*, which
# it cannot see.

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_NAMES=
SLAPD_SCHEMA=$(cd "$(dirname "${BASH_SOURCE[0]}")/../templates" && pwd)/mutualize.schema

slapd_write_conf() {
	local dir=$1 base=$2 pw=$3 tls=$4
	# slapd.conf takes one level of backslashes off a quoted string: the
	# regular expression's \+ is written \\+.
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
$(slapd_modules)
authz-regexp "^gidNumber=$(id -g)\\\\+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth$" "cn=admin,$base"
CONF
	if [ -n "$tls" ]; then
		cat >>"$dir/slapd.conf" <<CONF
TLSCACertificateFile $tls/ca.pem
TLSCertificateFile $tls/server.pem
TLSCertificateKeyFile $tls/server.key
CONF
	fi
	cat >>"$dir/slapd.conf" <<CONF
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
limits dn.exact="cn=limited,$base" size.soft=5 size.hard=5 size.prtotal=5
access to attrs=userPassword
	by self write
	by anonymous auth
	by * none
access to dn.regex="^uid=hidden\\.[^,]*,ou=people,"
	by dn.exact="cn=writer,$base" none
	by * read
access to *
	by dn.exact="cn=writer,$base" write
	by * read
CONF
	slapd_write_overlays "$dir" "$base" || return 1
	mkdir -p "$dir/db"
}

# The modules SLAPD_OVERLAYS needs besides memberof and ppolicy.
slapd_modules() {
	case ${SLAPD_OVERLAYS:-memberof} in
	memberof+refint) echo "moduleload refint" ;;
	esac
}

# The overlays of SLAPD_OVERLAYS. refint is declared after memberof: slapd
# runs the overlay declared last first, so refint sees a modrdn first and its
# rewrite of the groups goes down through memberof, which keeps memberOf.
slapd_write_overlays() {
	local dir=$1 base=$2
	case ${SLAPD_OVERLAYS:-memberof} in
	memberof)
		echo "overlay memberof" ;;
	memberof+refint)
		printf '%s\n' "overlay memberof" "overlay refint" \
			"refint_attributes member" ;;
	memberof-refint)
		printf '%s\n' "overlay memberof" "memberof-refint TRUE" ;;
	*)
		echo "SLAPD_OVERLAYS: no configuration \"$SLAPD_OVERLAYS\"" >&2
		return 1 ;;
	esac >>"$dir/slapd.conf"
	cat >>"$dir/slapd.conf" <<CONF
overlay ppolicy
ppolicy_default "cn=default-policy,$base"
CONF
}

# A path as the host part of an ldapi:// URI.
slapd_urlencode() {
	local s=$1 out= c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

slapd_start() {
	local base=$1 pw=$2 name=${3:-SLAPD} tls=${4:-} dir port sport ldapi urls
	local tries i pid
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-slapd.XXXXXX") || return 1
	printf -v "${name}_DIR" '%s' "$dir"
	export "${name}_DIR"
	SLAPD_ROOTDN="cn=admin,$base"
	export SLAPD_ROOTDN
	SLAPD_NAMES="$SLAPD_NAMES $name"
	slapd_write_conf "$dir" "$base" "$pw" "$tls"
	if [ -n "${SLAPD_LDIF:-}" ] && ! slapadd -q -f "$dir/slapd.conf" \
		-l "$SLAPD_LDIF" >"$dir/slapadd.log" 2>&1; then
		echo "slapadd of $SLAPD_LDIF failed:" >&2
		cat "$dir/slapadd.log" >&2
		slapd_stop "$name"
		return 1
	fi
	ldapi="ldapi://$(slapd_urlencode "$dir/ldapi")"
	# Random ports in 20000-59999; if slapd cannot bind one, it exits and we
	# try others.
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		sport=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		urls="ldap://127.0.0.1:$port/ $ldapi"
		[ -n "$tls" ] && urls="$urls ldaps://127.0.0.1:$sport/ ldaps://[::1]:$sport/"
		"$SLAPD_BIN" -d 0 -f "$dir/slapd.conf" -h "$urls" >"$dir/slapd.log" 2>&1 &
		pid=$!
		printf -v "${name}_PID" '%s' "$pid"
		export "${name}_PID"
		for i in $(seq 1 100); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if ldapsearch -x -LLL -H "ldap://127.0.0.1:$port/" -s base -b "" \
				namingContexts >/dev/null 2>&1; then
				printf -v "${name}_URI" '%s' "ldap://127.0.0.1:$port/"
				printf -v "${name}_LDAPI_URI" '%s' "$ldapi"
				export "${name}_URI" "${name}_LDAPI_URI"
				if [ -n "$tls" ]; then
					printf -v "${name}_LDAPS_URI" '%s' \
						"ldaps://127.0.0.1:$sport/"
					printf -v "${name}_LDAPS6_URI" '%s' \
						"ldaps://[::1]:$sport/"
					export "${name}_LDAPS_URI" "${name}_LDAPS6_URI"
				fi
				return 0
			fi
			sleep 0.05
		done
		slapd_kill "$name"
	done
	echo "slapd $name did not start; its log:" >&2
	cat "$dir/slapd.log" >&2
	slapd_stop "$name"
	return 1
}

slapd_restart() {
	local name=${1:-SLAPD} dir uri ldapi pid i
	dir=${name}_DIR uri=${name}_URI ldapi=${name}_LDAPI_URI
	dir=${!dir} uri=${!uri} ldapi=${!ldapi}
	"$SLAPD_BIN" -d 0 -f "$dir/slapd.conf" -h "$uri $ldapi" \
		>>"$dir/slapd.log" 2>&1 &
	pid=$!
	printf -v "${name}_PID" '%s' "$pid"
	export "${name}_PID"
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		ldapsearch -x -LLL -H "$uri" -s base -b "" namingContexts \
			>/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "slapd $name did not start again on $uri; its log:" >&2
	tail -n 20 "$dir/slapd.log" >&2
	return 1
}

# Stop the slapd started as NAME (by PID) and wait at most 10 s for it to go.
slapd_kill() {
	local name=${1:-SLAPD} var pid i
	var=${name}_PID
	pid=${!var:-}
	[ -n "$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null
	kill "$pid" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	printf -v "$var" '%s' ""
}

slapd_stop() {
	local name=${1:-SLAPD} var
	slapd_kill "$name"
	var=${name}_DIR
	if [ -n "${!var:-}" ]; then
		rm -rf "${!var}"
		printf -v "$var" '%s' ""
	fi
}

slapd_stop_all() {
	local name
	for name in $SLAPD_NAMES; do
		slapd_stop "$name"
	done
	SLAPD_NAMES=
}

tls_make() {
	local dir=$1
	mkdir -p "$dir" && chmod 700 "$dir" || return 1
	(
		cd "$dir" || exit 1
		set -e
		for ca in ca other-ca; do
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
				-nodes -days 2 -subj "/CN=mutualize test $ca" \
				-keyout "$ca.key" -out "$ca.pem" 2>/dev/null
		done
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
		printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			"extendedKeyUsage=serverAuth" \
			"keyUsage=critical,digitalSignature" \
			"basicConstraints=critical,CA:FALSE" >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-set_serial 2 -days 2 -extfile server.ext -out server.pem 2>/dev/null
		rm -f ca.key other-ca.key server.csr server.ext
	)
}
