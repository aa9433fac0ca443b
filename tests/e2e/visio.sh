# Visio: Prosody, the XMPP server that checks the accounts of Jitsi Meet, with
# the mod_auth_ldap settings that "mutualize service-config visio" wrote.
# Sourced by tests/e2e/run.sh.

XMPP_DOMAIN=sitiv.fr

# xmpp_read FD WANT...: reads the stream up to a '>' after which it holds one
# of WANT; prints what it read. At most 200 pieces, 5 s each.
xmpp_read() {
	local fd=$1 got= piece i w
	shift
	for i in $(seq 1 200); do
		IFS= read -r -t 5 -d '>' -u "$fd" piece || break
		got="$got$piece>"
		for w in "$@"; do
			case $got in *"$w"*) printf '%s' "$got"; return 0 ;; esac
		done
	done
	printf '%s' "$got"
	return 1
}

# xmpp_login PORT LOGIN PASSWORD: SASL PLAIN over a c2s stream on loopback;
# succeeds when the server answers <success/>.
xmpp_login() {
	local fd reply
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 2
	printf "<?xml version='1.0'?><stream:stream to='%s' version='1.0' \
xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" \
		"$XMPP_DOMAIN" >&"$fd"
	reply=$(xmpp_read "$fd" '</stream:features>')
	case $reply in
	*'<mechanism>PLAIN</mechanism>'*) ;;
	*) exec {fd}>&-; return 2 ;;
	esac
	printf "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>" \
		"$(printf '\0%s\0%s' "$2" "$3" | base64 -w0)" >&"$fd"
	reply=$(xmpp_read "$fd" '<success' '</failure>')
	printf '</stream:stream>' >&"$fd" 2>/dev/null
	exec {fd}>&-
	case $reply in *'<success'*) return 0 ;; esac
	return 1
}

# xmpp_refused PORT LOGIN PASSWORD: the server answered <failure>, not
# something else going wrong.
xmpp_refused() {
	xmpp_login "$@"
	[ $? = 1 ]
}

e2e_visio() {
	local work=$1 dir=$1/prosody port pid pw
	mkdir -p "$dir/data" "$dir/certs"
	port=$(free_port) || { not_ok "visio: a free port"; return; }
	{
		cat <<CONF
-- Only what the test needs, on 127.0.0.1.
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
certificates = "$dir/certs"
log = { info = "$dir/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { $port }
c2s_direct_tls_ports = { }
modules_enabled = { "saslauth" }
modules_disabled = { "s2s", "offline" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true

VirtualHost "$XMPP_DOMAIN"
CONF
		cat "$work/visio.conf"
	} >"$dir/prosody.cfg.lua"
	chown -R prosody:prosody "$dir"
	# Prosody reads its password file itself, as its own user
	chown prosody "$work/secret/visio.pw"
	chgrp prosody "$work/secret"
	chmod 710 "$work/secret"
	chmod 600 "$dir/prosody.cfg.lua"
	# Prosody refuses to run as root: setpriv makes it the prosody user
	# without a process in between, so that its PID is ours to stop.
	setpriv --reuid=prosody --regid=prosody --init-groups \
		prosody -F --config "$dir/prosody.cfg.lua" >"$dir/stdout.log" 2>&1 &
	pid=$!
	started "$pid"
	if ! wait_port "$port" "$pid"; then
		not_ok "visio: prosody starts"
		show_log "$dir/stdout.log"
		[ "$TAP_FAILED" = 0 ] || show_log "$dir/prosody.log"
		stop "$pid"
		return
	fi
	pw=$(password_of "$work/credentials" helene.dupont-sebastien)
	check "visio: an entitled agent authenticates with SASL PLAIN" \
		xmpp_login "$port" helene.dupont-sebastien "$pw"
	check "visio: so does another, entitled to visio alone" \
		xmpp_login "$port" karim.benaissa \
		"$(password_of "$work/credentials" karim.benaissa)"
	check "visio: a wrong password is refused" \
		xmpp_refused "$port" helene.dupont-sebastien "wrong-$pw"
	check "visio: an agent without visio is refused" \
		xmpp_refused "$port" aminata.ndiaye \
		"$(password_of "$work/credentials" aminata.ndiaye)"
	check "visio: a departed agent is refused" \
		xmpp_refused "$port" joel.mercier \
		"$(password_of "$work/credentials" joel.mercier)"
	must_change "$work/root.pw" helene.dupont-sebastien on
	# Prosody's bind mode binds as her, and asks nothing more
	check "visio: a password to change (pwdReset) still authenticates" \
		xmpp_login "$port" helene.dupont-sebastien "$pw"
	must_change "$work/root.pw" helene.dupont-sebastien off
	[ "$TAP_FAILED" = 0 ] || show_log "$dir/prosody.log"
	stop "$pid"
}
