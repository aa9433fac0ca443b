# Helpers of the end-to-end tests, sourced by tests/e2e/run.sh.
#
# Every server a test starts listens on 127.0.0.1 only, on a free port, in a
# temporary directory; it is polled for readiness (bounded) and stopped by its
# PID, also when a test fails. Passwords never reach a command line or a log:
# they go through standard input or into files of mode 0600.

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
E2E_PIDS=

# A port of 127.0.0.1 that nothing listens on (20 tries at most), below the
# range the kernel gives to outgoing connections, so that no client socket of
# another test holds it either.
free_port() {
	local port i low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${low:-0}" -gt 12000 ] || low=32768
	for i in $(seq 1 20); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# wait_port PORT PID: until the port answers (at most 30 s: a loaded machine
# starts Prosody slowly) or PID is gone.
wait_port() {
	local port=$1 pid=$2 i
	for i in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || return 1
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# started PID: remembers a server so that stop_all stops it.
started() {
	E2E_PIDS="$E2E_PIDS $1"
}

# stop PID: TERM, then KILL after 5 s; waits for it either way.
stop() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	E2E_PIDS=$(echo "$E2E_PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
	return 0
}

stop_all() {
	local pid
	for pid in $E2E_PIDS; do
		stop "$pid"
	done
}

# The password of a login in a credentials file (login, mail, password, id).
password_of() {
	awk -F '\t' -v login="$2" '$1 == login { print $3 }' "$1"
}

# The same template with @BIND_PASSWORD@ filled in, read from a file: the
# substitution happens in the shell, never on a command line.
fill_password() {
	local text pw
	text=$(cat "$1")
	pw=$(cat "$2")
	printf '%s\n' "${text//@BIND_PASSWORD@/$pw}"
}

# show_log FILE: the end of a server's log, when a test failed.
show_log() {
	echo "--- last lines of $1:"
	tail -n 20 "$1" 2>/dev/null | sed 's/^/    /'
}

# wipe_directory ROOT_PASSWORD_FILE: the base and everything below it, gone.
# (slapd 2.5.13 with memberof crashes on the delete of an entry that does not
# exist: only what is there is deleted.)
wipe_directory() {
	if ldapsearch -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1" -b "$BASE" \
		-s base 1.1 >/dev/null 2>&1; then
		ldapdelete -x -r -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1" "$BASE"
	fi
}

# must_change ROOT_PASSWORD_FILE LOGIN on|off: the person's first password
# must be changed, as first_password: reset_required leaves a new account
# (pwdReset TRUE, under a default policy with pwdMustChange TRUE); or no
# longer. The services then bind as a person whom slapd lets bind, and lets
# do nothing but change the password.
must_change() {
	local dn="uid=$2,ou=people,ou=venissieux,ou=tenants,$BASE"
	if [ "$3" = on ]; then
		ldapmodify -a -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1" \
			>/dev/null <<LDIF
dn: ou=policies,$BASE
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$BASE
objectClass: device
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMustChange: TRUE

dn: $dn
changetype: modify
replace: pwdReset
pwdReset: TRUE
LDIF
	else
		ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -y "$1" \
			>/dev/null <<LDIF
dn: $dn
changetype: modify
delete: pwdReset

dn: cn=default,ou=policies,$BASE
changetype: delete

dn: ou=policies,$BASE
changetype: delete
LDIF
	fi
}

# restricted WORK LOGIN PASSWORD: slapd takes the person's bind, says the
# password must be changed, and refuses the person's own search meanwhile.
restricted() {
	local dn="uid=$2,ou=people,ou=venissieux,ou=tenants,$BASE" out
	( umask 077; printf '%s' "$3" >"$1/person.pw" )
	out=$(ldapwhoami -x -H "$SLAPD_URI" -D "$dn" -y "$1/person.pw" \
		-e ppolicy 2>&1)
	case $out in
	*"Password must be changed"*) ;;
	*) rm -f "$1/person.pw"; return 1 ;;
	esac
	ldapsearch -x -H "$SLAPD_URI" -D "$dn" -y "$1/person.pw" -b "$dn" \
		-s base 1.1 >/dev/null 2>&1
	[ $? = 50 ]
	local st=$?
	rm -f "$1/person.pw"
	return $st
}
