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
#   slapd_start_stock [NAME [MODULE_PATH [TLS_DIR]]]
#       starts a slapd on the cn=config that Debian's slapd package installs,
#       configured no further (with TLS_DIR, its certificate and ldaps://);
#       sets what slapd_start sets
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
# ldapi:// socket (SASL EXTERNAL) is the rootdn (generated: it manages the
# database); cn=reader may read, with a size limit that only paged searches
# pass; cn=limited may not even page past it; cn=writer may write, except to
# entries named uid=hidden.*, which it cannot see. The generated
# configuration's own rules come first, but for those three, and give
# anonymous clients nothing.

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_NAMES=
SLAPD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SLAPD_SCHEMA=$SLAPD_TOP/templates/mutualize.schema
SLAPD_MUTUALIZE=${SLAPD_MUTUALIZE:-$SLAPD_TOP/mutualize}

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
ppolicy_default "cn=default,ou=policies,$base"
CONF
}

# The cn=config that Debian's slapd package makes on install (its postinst
# fills in slapd.init.ldif and loads it with slapadd), in the server's
# directory: database dc=nodomain, schemas core, cosine, nis, inetorgperson.
# With MODULE_PATH, back_mdb is loaded by its full name and the module path
# is that one: a host that lacks the other modules.
slapd_stock_config() {
	local dir=$1 tls=$2 modules=${3:-}
	mkdir -p "$dir/slapd.d" "$dir/nodomain" "$dir/db" || return 1
	sed -e "s|@SUFFIX@|dc=nodomain|g" -e "s|@PASSWORD@|{CRYPT}*|g" \
		-e "s|/var/lib/ldap|$dir/nodomain|" -e "s|/var/run/slapd|$dir|" \
		${modules:+-e "s|^olcModulePath: .*|olcModulePath: $modules|"} \
		${modules:+-e "s|^olcModuleLoad: back_mdb|olcModuleLoad: /usr/lib/ldap/back_mdb.la|"} \
		/usr/share/slapd/slapd.init.ldif >"$dir/init.ldif" || return 1
	if [ -n "$tls" ]; then
		sed -i "/^olcToolThreads:/a\\
olcTLSCACertificateFile: $tls/ca.pem\\
olcTLSCertificateFile: $tls/server.pem\\
olcTLSCertificateKeyFile: $tls/server.key" "$dir/init.ldif"
	fi
	slapadd -n0 -F "$dir/slapd.d" -l "$dir/init.ldif" >"$dir/slapadd.log" 2>&1
}

# A tenants file for directory-config when the caller names none.
slapd_tenants_file() {
	local dir=$1 base=$2
	cat >"$dir/tenants.yaml" <<YAML
version: 1
syndicate: {id: test, name: "Tests", base_dn: "$base", mail_domain: example.org}
directory: {uri: "ldap://127.0.0.1:389", bind_dn: "cn=admin,$base"}
tenants:
  - {id: t, name: "T"}
YAML
	echo "$dir/tenants.yaml"
}

# What directory-config prints for the server, applied with ldapmodify, then
# the rules and limits of the tests' own readers and writer. The tests also
# make cn=admin,BASE the database's rootdn (with the same password), so that
# they may wipe the base and the entry with it between tests; that the entry
# alone, under the generated rules, does mutualize's work is the access
# test's (tests/test_access.sh).
slapd_generate() {
	local dir=$1 base=$2 pw=$3 ldapi=$4 file
	file=${SLAPD_TENANTS:-$(slapd_tenants_file "$dir" "$base")}
	MUTUALIZE_BIND_PASSWORD=$pw "$SLAPD_MUTUALIZE" directory-config \
		--templates "$SLAPD_TOP/templates" -H "$ldapi" \
		--db-directory "$dir/db" "$file" >"$dir/config.ldif" \
		2>"$dir/config.log" &&
	ldapmodify -Q -Y EXTERNAL -H "$ldapi" -f "$dir/config.ldif" \
		>>"$dir/config.log" 2>&1 &&
	ldapmodify -Q -Y EXTERNAL -H "$ldapi" >>"$dir/config.log" 2>&1 <<LDIF
dn: olcDatabase={2}mdb,cn=config
changetype: modify
add: olcAccess
olcAccess: {4}to dn.regex="^uid=hidden[.][^,]*,ou=people," by dn.exact="cn=writer,$base" none by * break
olcAccess: {5}to * by dn.exact="cn=writer,$base" write by dn.exact="cn=reader,$base" read by dn.exact="cn=limited,$base" read by * break
-
add: olcLimits
olcLimits: dn.exact="cn=reader,$base" size.soft=5 size.hard=5 size.pr=1000 size.prtotal=unlimited
olcLimits: dn.exact="cn=limited,$base" size.soft=5 size.hard=5 size.prtotal=5
-
replace: olcRootDN
olcRootDN: cn=admin,$base
-
replace: olcRootPW
olcRootPW: $(printf '%s' "$pw" | slappasswd -T /dev/stdin)
LDIF
	[ $? = 0 ] && return 0
	echo "slapd: the generated configuration failed:" >&2
	cat "$dir/config.log" >&2
	return 1
}

# slapd's arguments for its configuration: a file, or cn=config.
slapd_conf_args() {
	if [ "${SLAPD_OVERLAYS:-}" = generated ]; then
		echo "-F $1/slapd.d"
	else
		echo "-f $1/slapd.conf"
	fi
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

# The configuration of a new server, and the database SLAPD_LDIF loads
# offline into it (the generated one is made online, then loaded).
slapd_prepare() {
	local dir=$1 base=$2 pw=$3 tls=$4
	if [ "${SLAPD_OVERLAYS:-}" = generated ]; then
		slapd_stock_config "$dir" "$tls" || return 1
	else
		slapd_write_conf "$dir" "$base" "$pw" "$tls" || return 1
		slapd_load "$dir" || return 1
	fi
}

slapd_load() {
	local dir=$1 conf ldif=${SLAPD_LDIF:-}
	[ -n "${SLAPD_LDIF:-}" ] || return 0
	if [ -d "$dir/slapd.d" ]; then
		conf="-F $dir/slapd.d -b $2"
		# the generated configuration made the base entry already
		ldif=$dir/load.ldif
		awk -v dn="dn: $2" 'BEGIN { RS = ""; ORS = "\n\n" }
		    index($0, dn "\n") != 1 { print }' "$SLAPD_LDIF" >"$ldif" ||
			return 1
	else
		conf="-f $dir/slapd.conf"
	fi
	# Every entry or none: slapadd -q that fails half way leaves a
	# database slapd cannot read.
	if ! slapadd -q $conf -l "$ldif" >"$dir/slapadd.log" 2>&1; then
		echo "slapadd of $SLAPD_LDIF failed:" >&2
		cat "$dir/slapadd.log" >&2
		return 1
	fi
}

# A started server of the generated configuration: configured over ldapi://,
# then SLAPD_LDIF loaded offline and the server started again.
slapd_configure() {
	local name=$1 base=$2 pw=$3 dir uri ldapi
	[ "${SLAPD_OVERLAYS:-}" = generated ] || return 0
	dir=${name}_DIR ldapi=${name}_LDAPI_URI
	dir=${!dir} ldapi=${!ldapi}
	slapd_generate "$dir" "$base" "$pw" "$ldapi" || return 1
	[ -n "${SLAPD_LDIF:-}" ] || return 0
	slapd_kill "$name"
	slapd_load "$dir" "$base" && slapd_restart "$name"
}

# A new server's directory: sets NAME_DIR, NAME_CONF; SLAPD_ROOTDN.
slapd_new() {
	local name=$1 base=$2 dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-slapd.XXXXXX") || return 1
	printf -v "${name}_DIR" '%s' "$dir"
	export "${name}_DIR"
	SLAPD_ROOTDN="cn=admin,$base"
	export SLAPD_ROOTDN
	SLAPD_NAMES="$SLAPD_NAMES $name"
	printf -v "${name}_CONF" '%s' "$(slapd_conf_args "$dir")"
}

slapd_start() {
	local base=$1 pw=$2 name=${3:-SLAPD} tls=${4:-} dir
	slapd_new "$name" "$base" || return 1
	dir=${name}_DIR
	dir=${!dir}
	if ! slapd_prepare "$dir" "$base" "$pw" "$tls" ||
		! slapd_listen "$name" "$dir" "$tls" ||
		! slapd_configure "$name" "$base" "$pw"; then
		slapd_stop "$name"
		return 1
	fi
}

slapd_start_stock() {
	local name=${1:-SLAPD} modules=${2:-} tls=${3:-} dir
	SLAPD_OVERLAYS=generated slapd_new "$name" "dc=nodomain" || return 1
	dir=${name}_DIR
	dir=${!dir}
	if ! slapd_stock_config "$dir" "$tls" "$modules" ||
		! slapd_listen "$name" "$dir" "$tls"; then
		slapd_stop "$name"
		return 1
	fi
}

# Starts the server on free ports: sets NAME_URI, NAME_LDAPI_URI and, with
# TLS, NAME_LDAPS_URI and NAME_LDAPS6_URI.
slapd_listen() {
	local name=$1 dir=$2 tls=$3 port sport ldapi urls tries i pid conf
	conf=${name}_CONF
	conf=${!conf}
	ldapi="ldapi://$(slapd_urlencode "$dir/ldapi")"
	# Random ports in 20000-59999; if slapd cannot bind one, it exits and we
	# try others.
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		sport=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		urls="ldap://127.0.0.1:$port/ $ldapi"
		[ -n "$tls" ] && urls="$urls ldaps://127.0.0.1:$sport/ ldaps://[::1]:$sport/"
		"$SLAPD_BIN" -d 0 $conf -h "$urls" >"$dir/slapd.log" 2>&1 &
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
	return 1
}

slapd_restart() {
	local name=${1:-SLAPD} dir uri ldapi pid i conf
	dir=${name}_DIR uri=${name}_URI ldapi=${name}_LDAPI_URI conf=${name}_CONF
	dir=${!dir} uri=${!uri} ldapi=${!ldapi} conf=${!conf}
	"$SLAPD_BIN" -d 0 $conf -h "$uri $ldapi" \
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
