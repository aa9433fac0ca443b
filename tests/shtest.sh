# What every shell test with servers of its own starts with, sourced by
# bash scripts once they have set "here" (their directory):
#
#   . "$here/shtest.sh" NAME
#
# sources slapd.sh (the servers) and tap.sh (the report); sets prog, the
# program as an absolute path (MUTUALIZE_TEST_BIN, by default
# build/san/mutualize), work, a new directory mutualize-NAME.XXXXXX that the
# exit removes with the servers it stops (kept when KEEP is set), and BASE,
# the syndicate's base DN; an interrupt or a TERM exits through the same.
. "$here/slapd.sh"
. "$here/tap.sh"
prog=${MUTUALIZE_TEST_BIN:-build/san/mutualize}
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
work=$(mktemp -d "${TMPDIR:-/tmp}/mutualize-$1.XXXXXX") || exit 1
trap 'slapd_stop_all; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
BASE="dc=sitiv,dc=fr"
