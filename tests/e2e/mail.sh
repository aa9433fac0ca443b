# Mail: Dovecot IMAP whose passdb and userdb are the dovecot-ldap.conf.ext that
# "mutualize service-config mail" wrote. Sourced by tests/e2e/run.sh.

# imap_login PORT LOGIN PASSWORD: LOGIN and LIST over IMAP, the password on
# curl's standard input.
imap_login() {
	printf 'user = "%s:%s"\n' "$2" "$3" |
		curl -s --max-time 10 -K - "imap://127.0.0.1:$1/" >/dev/null 2>&1
}

# imap_append PORT LOGIN PASSWORD FILE: the message in FILE into the INBOX.
imap_append() {
	printf 'user = "%s:%s"\n' "$2" "$3" |
		curl -s --max-time 10 -K - -T "$4" "imap://127.0.0.1:$1/INBOX" \
		>/dev/null 2>&1
}

# imap_first PORT LOGIN PASSWORD: the first message of the INBOX.
imap_first() {
	printf 'user = "%s:%s"\n' "$2" "$3" |
		curl -s --max-time 10 -K - "imap://127.0.0.1:$1/INBOX;UID=1" 2>/dev/null
}

# imap_refused PORT LOGIN PASSWORD: the server said no (curl's "login
# denied"), not something else going wrong.
imap_refused() {
	imap_login "$@"
	[ $? = 67 ]
}

# dovecot_start WORK DIR: a Dovecot in DIR, on the configuration that
# service-config wrote in WORK; sets DOVECOT_PORT and DOVECOT_PID.
dovecot_start() {
	local work=$1 dir=$2 port
	DOVECOT_PID=
	mkdir -p "$dir/run" "$dir/state" "$dir/mail"
	chown nobody:nogroup "$dir/mail"	# mail is never root's
	# Dovecot 2.3 takes dnpass only as written: the file filled in
	# The mail store in place of service-config's /var/vmail.
	fill_password "$work/mail.conf" "$work/secret/mail.pw" |
		sed -n '/^# Dovecot 2.3: dovecot-ldap/,/^iterate_attrs/p' |
		sed "s|=home=/var/vmail/|=home=$dir/mail/|" >"$dir/dovecot-ldap.conf.ext"
	# The delegates of functional mailboxes: the master passdb's file.
	fill_password "$work/mail.conf" "$work/secret/mail.pw" |
		sed -n '/^# Dovecot 2.3, delegates/,/^pass_filter/p' \
		>"$dir/dovecot-ldap-delegates.conf.ext"
	chgrp dovecot "$dir/dovecot-ldap.conf.ext" \
		"$dir/dovecot-ldap-delegates.conf.ext"
	chmod 640 "$dir/dovecot-ldap.conf.ext" \
		"$dir/dovecot-ldap-delegates.conf.ext"
	port=$(free_port) || { not_ok "mail: a free port"; return 1; }
	DOVECOT_PORT=$port
	cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
login_trusted_networks = 127.0.0.0/8
mail_uid = nobody
mail_gid = nogroup
mail_home = $dir/mail/%u
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
auth_master_user_separator = *
passdb {
  driver = ldap
  args = $dir/dovecot-ldap-delegates.conf.ext
  master = yes
  result_success = continue
}
passdb {
  driver = ldap
  args = $dir/dovecot-ldap.conf.ext
}
userdb {
  driver = ldap
  args = $dir/dovecot-ldap.conf.ext
}
CONF
	dovecot -F -c "$dir/dovecot.conf" >"$dir/stdout.log" 2>&1 &
	DOVECOT_PID=$!
	started "$DOVECOT_PID"
	if ! wait_port "$port" "$DOVECOT_PID"; then
		not_ok "mail: dovecot starts"
		show_log "$dir/dovecot.log"
		stop "$DOVECOT_PID"
		return 1
	fi
}

e2e_mail() {
	local work=$1 dir=$1/dovecot port pid pw_helene pw_joel quota
	dovecot_start "$work" "$dir" || return
	port=$DOVECOT_PORT pid=$DOVECOT_PID
	pw_helene=$(password_of "$work/credentials" helene.dupont-sebastien)
	pw_joel=$(password_of "$work/credentials" joel.mercier)
	check "mail: an entitled agent logs in over IMAP with the password of the credentials file" \
		imap_login "$port" helene.dupont-sebastien "$pw_helene"
	check "mail: a wrong password is refused" \
		imap_refused "$port" helene.dupont-sebastien "wrong-$pw_helene"
	check "mail: an agent without mail is refused" \
		imap_refused "$port" karim.benaissa \
		"$(password_of "$work/credentials" karim.benaissa)"
	check "mail: a departed agent is refused, though the password is right" \
		imap_refused "$port" joel.mercier "$pw_joel"
	must_change "$work/root.pw" helene.dupont-sebastien on
	check "mail: a password to change binds, and slapd allows nothing else" \
		restricted "$work" helene.dupont-sebastien "$pw_helene"
	# Dovecot binds as her to check the password, and asks nothing more
	check "mail: a password to change (pwdReset) still logs in over IMAP" \
		imap_login "$port" helene.dupont-sebastien "$pw_helene"
	must_change "$work/root.pw" helene.dupont-sebastien off
	quota=$(doveadm -c "$dir/dovecot.conf" user -f quota_rule aminata.ndiaye 2>&1)
	check "mail: the userdb gives the quota of the person ($quota)" \
		test "$quota" = "*:bytes=2147483648"
	[ "$TAP_FAILED" = 0 ] || show_log "$dir/dovecot.log"
	stop "$pid"
}
