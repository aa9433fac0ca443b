#!/bin/sh
# Installs the Debian packages mutualize needs to build, test and run its demo,
# when some are missing: the end-to-end tests run the real services (Dovecot,
# Apache, Prosody, an SMTP sink, a SCIM server on npm's scimmy), whose packages
# start nothing here. As root only; otherwise it names what to install.
# Usage: deps.sh [fuzz]     (fuzz: also clang's libFuzzer, for make fuzz)
set -eu

# openssl makes the integration tests' throwaway CA and server certificate.
PACKAGES="gcc make pkg-config libc6-dev libldap-dev libyaml-dev libcmocka-dev
libunistring-dev libcrypt-dev libcurl4-openssl-dev nettle-dev slapd ldap-utils
mandoc curl time openssl dovecot-imapd dovecot-ldap apache2 prosody lua-ldap
python3-aiosmtpd nodejs"
if [ "${1:-}" = fuzz ]; then
	PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev"
fi

missing=
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
# npm may come with a nodejs of another origin than Debian's.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them as root: apt-get install -y$missing" >&2
	exit 1
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# The packages' scripts must not start the system's own slapd: the tests and the
# demo run a private one. policy-rc.d is put in place only if there was none.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy=1
fi
rc=0
apt-get -o DPkg::Lock::Timeout=300 update -qq || rc=$?
if [ "$rc" = 0 ]; then
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
		$missing || rc=$?
fi
[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
exit "$rc"
