# Files: Apache WebDAV (mod_dav) whose login is the mod_authnz_ldap part that
# "mutualize service-config files" wrote, in place of Nextcloud's login, which
# uses the same filter. Sourced by tests/e2e/run.sh.

MODULES=/usr/lib/apache2/modules

# http_status PORT LOGIN PASSWORD METHOD [FILE]: the HTTP status of a PUT of
# FILE or a GET of /dav/hello.txt; the credentials on curl's standard input.
http_status() {
	local upload=
	[ -n "${5:-}" ] && upload="--upload-file $5"
	# shellcheck disable=SC2086
	printf 'user = "%s:%s"\n' "$2" "$3" |
		curl -s --max-time 10 -K - -o /dev/null -w '%{http_code}' \
		-X "$4" $upload "http://127.0.0.1:$1/dav/hello.txt"
}

# denied PORT LOGIN PASSWORD: a PUT is answered 401 or 403.
denied() {
	local code
	code=$(http_status "$1" "$2" "$3" PUT "$WEBDAV_FILE")
	[ "$code" = 401 ] || [ "$code" = 403 ]
}

e2e_files() {
	local work=$1 dir=$1/apache port pid pw code
	mkdir -p "$dir/dav" "$dir/lock" "$dir/run"
	chown www-data:www-data "$dir/dav" "$dir/lock"	# WebDAV writes as www-data
	# httpd reads the password file itself (exec:), as root at start
	sed -n '/^# Apache/,/^Require/p' "$work/files.conf" >"$dir/files-ldap.conf"
	chmod 600 "$dir/files-ldap.conf"	# read by the parent, as root
	port=$(free_port) || { not_ok "files: a free port"; return; }
	cat >"$dir/httpd.conf" <<CONF
ServerRoot $dir
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/run/httpd.pid
DefaultRuntimeDir $dir/run
ErrorLog $dir/error.log
LogLevel warn authnz_ldap:info
User www-data
Group www-data
LoadModule mpm_event_module $MODULES/mod_mpm_event.so
LoadModule authn_core_module $MODULES/mod_authn_core.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule auth_basic_module $MODULES/mod_auth_basic.so
LoadModule ldap_module $MODULES/mod_ldap.so
LoadModule authnz_ldap_module $MODULES/mod_authnz_ldap.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule dav_module $MODULES/mod_dav.so
LoadModule dav_fs_module $MODULES/mod_dav_fs.so
LDAPCacheTTL 0
LDAPOpCacheTTL 0
DavLockDB $dir/lock/DavLock
Alias /dav $dir/dav
<Directory $dir/dav>
  Dav On
  Include $dir/files-ldap.conf
</Directory>
CONF
	apache2 -f "$dir/httpd.conf" -DFOREGROUND >"$dir/stdout.log" 2>&1 &
	pid=$!
	started "$pid"
	if ! wait_port "$port" "$pid"; then
		not_ok "files: apache starts"
		show_log "$dir/stdout.log"
		show_log "$dir/error.log"
		stop "$pid"
		return
	fi
	WEBDAV_FILE=$dir/hello.txt
	echo "Bonjour de Vénissieux" >"$WEBDAV_FILE"
	pw=$(password_of "$work/credentials" helene.dupont-sebastien)
	code=$(http_status "$port" helene.dupont-sebastien "$pw" PUT "$WEBDAV_FILE")
	check "files: an entitled agent can PUT a file over WebDAV ($code)" \
		test "$code" = 201
	code=$(printf 'user = "%s:%s"\n' helene.dupont-sebastien "$pw" |
		curl -s --max-time 10 -K - "http://127.0.0.1:$port/dav/hello.txt")
	check "files: and GET it back" test "$code" = "Bonjour de Vénissieux"
	check "files: a wrong password gets 401 or 403" \
		denied "$port" helene.dupont-sebastien "wrong-$pw"
	check "files: an agent without files gets 401 or 403" \
		denied "$port" karim.benaissa \
		"$(password_of "$work/credentials" karim.benaissa)"
	check "files: another agent without files gets 401 or 403" \
		denied "$port" aminata.ndiaye \
		"$(password_of "$work/credentials" aminata.ndiaye)"
	check "files: a departed agent gets 401 or 403" \
		denied "$port" joel.mercier \
		"$(password_of "$work/credentials" joel.mercier)"
	must_change "$work/root.pw" helene.dupont-sebastien on
	code=$(http_status "$port" helene.dupont-sebastien "$pw" GET)
	# Apache binds as her to check the password; its own account compares
	check "files: a password to change (pwdReset) still gets the file ($code)" \
		test "$code" = 200
	must_change "$work/root.pw" helene.dupont-sebastien off
	code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$port/dav/hello.txt")
	check "files: nobody gets in without a password ($code)" test "$code" = 401
	[ "$TAP_FAILED" = 0 ] || show_log "$dir/error.log"
	stop "$pid"
}
