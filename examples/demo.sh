#!/bin/bash
# The demo: a private slapd on 127.0.0.1 with the configuration Debian's slapd
# package installs, made the syndicate's directory by directory-config (applied
# over ldapi:// as root, as mutualize(1) shows it), the plan for
# examples/sitiv.yaml, the apply, and a second plan that has nothing to do. The
# slapd is stopped and its directory removed at the end, whatever happens.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tests/slapd.sh

file=examples/sitiv.yaml
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	say() { printf '\n$ %s\n' "$*"; }
fi

# The demo's slapd gets a password of its own, given to mutualize through the
# environment (a real setup uses directory.bind_password_file, mode 0600).
MUTUALIZE_BIND_PASSWORD=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
export MUTUALIZE_BIND_PASSWORD
# The templates (and the schema) of this tree, not those of an installed copy.
MUTUALIZE_TEMPLATES=$top/templates
export MUTUALIZE_TEMPLATES
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-demo.XXXXXX") || exit 1
trap 'slapd_stop; rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
slapd_start_stock || exit 1
echo "A private slapd (pid $SLAPD_PID) answers on $SLAPD_URI and $SLAPD_LDAPI_URI,"
echo "with the configuration of Debian's slapd package (database dc=nodomain)."

conf=$scratch/sitiv-slapd.ldif
say mutualize directory-config -H ldapi://... --db-directory ... $file \> sitiv-slapd.ldif
./mutualize directory-config -H "$SLAPD_LDAPI_URI" --db-directory "$SLAPD_DIR/db" \
	$file >"$conf" || exit 1
grep '^dn:\|^# ' "$conf"
say ldapmodify -Y EXTERNAL -H ldapi://... -f sitiv-slapd.ldif
ldapmodify -Q -Y EXTERNAL -H "$SLAPD_LDAPI_URI" -f "$conf" >"$scratch/ldapmodify.out" ||
	{ cat "$scratch/ldapmodify.out"; exit 1; }
echo "(applied: $(grep -c '^dn:' "$conf") records)"
say mutualize directory-config -H ldapi://... $file
./mutualize directory-config -H "$SLAPD_LDAPI_URI" $file | tail -n 1 || exit 1

say mutualize validate $file
./mutualize validate $file || exit 1

say mutualize plan -H $SLAPD_URI $file
./mutualize plan -H "$SLAPD_URI" $file || exit 1

creds=$scratch/credentials.txt
say mutualize apply --credentials $creds --journal $scratch/journal --undo $scratch/undo.ldif -H $SLAPD_URI $file
./mutualize apply --credentials "$creds" --journal "$scratch/journal" \
	--undo "$scratch/undo.ldif" -H "$SLAPD_URI" $file | tail -n 4
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
echo "(the passwords are in that file only: mode $(stat -c %a "$creds"), $(wc -l <"$creds") lines)"

say mutualize plan --exit-code -H $SLAPD_URI $file
./mutualize plan --exit-code -H "$SLAPD_URI" $file
rc=$?
echo "(exit status $rc: 0 means in sync, 2 would mean changes pending)"
[ "$rc" = 0 ] || exit 1

say ldapsearch "(employeeNumber=V-00042)" uid mail memberOf
ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_URI" -D "cn=admin,dc=sitiv,dc=fr" \
	-w "$MUTUALIZE_BIND_PASSWORD" -b "ou=tenants,dc=sitiv,dc=fr" \
	"(employeeNumber=V-00042)" uid mail memberOf
echo "The demo's slapd stops now; nothing is left behind."
