/* The directory section: URIs and their TLS, binds, timeouts, the CA file. */
#include <sys/stat.h>

#include "harness.h"

#define HEAD	"version: 1\n" \
	"syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", " \
	"mail_domain: sitiv.fr}\n"
#define TAIL	"tenants: []\n"

static void
uri_list_is_kept_in_order_with_every_key(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(HEAD
	    "directory:\n"
	    "  uri:\n"
	    "    - \"ldaps://ldap1.sitiv.fr\"\n"
	    "    - \"ldaps://ldap2.sitiv.fr:636/\"\n"
	    "  bind_dn: \"cn=mutualize,dc=sitiv,dc=fr\"\n"
	    "  bind_password_file: secret/bind.pw\n"
	    "  tls: ldaps\n"
	    "  ca_file: /etc/ssl/sitiv-ca.pem\n"
	    "  timeout: 30\n" TAIL, &d);

	(void)state;
	assert_non_null(m);
	assert_int_equal(d.n, 0);
	assert_int_equal(m->directory.nuris, 2);
	assert_string_equal(m->directory.uris[0].uri, "ldaps://ldap1.sitiv.fr");
	assert_int_equal(m->directory.uris[0].pos.line, 5);
	assert_int_equal(m->directory.uris[0].pos.col, 7);
	assert_string_equal(m->directory.uris[1].uri,
	    "ldaps://ldap2.sitiv.fr:636/");
	assert_int_equal(m->directory.tls, TLS_LDAPS);
	assert_int_equal(m->directory.bind, BIND_SIMPLE);
	assert_string_equal(m->directory.ca_file, "/etc/ssl/sitiv-ca.pem");
	assert_int_equal(m->directory.timeout, 30);
	model_free(m);
	diag_free(&d);
}

static void
defaults_are_starttls_simple_and_ten_seconds(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(HEAD "directory: {uri: \"ldap://ldap.sitiv.fr\", "
	    "bind_dn: \"cn=a,dc=b\"}\n" TAIL, &d);

	(void)state;
	assert_int_equal(d.n, 0);
	assert_int_equal(m->directory.nuris, 1);
	assert_int_equal(m->directory.tls, TLS_DEFAULT);
	assert_int_equal(m->directory.bind, BIND_SIMPLE);
	assert_int_equal(m->directory.timeout, DIRECTORY_TIMEOUT);
	assert_null(m->directory.ca_file);
	model_free(m);
	diag_free(&d);
}

static void
external_bind_over_ldapi_needs_no_dn(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(HEAD "directory:\n"
	    "  uri: \"ldapi://%2Fvar%2Frun%2Fslapd%2Fldapi\"\n"
	    "  bind: external\n" TAIL, &d);

	(void)state;
	assert_int_equal(d.n, 0);
	assert_int_equal(m->directory.bind, BIND_EXTERNAL);
	assert_null(m->directory.bind_dn);
	model_free(m);
	diag_free(&d);
}

static void
bad_values_are_reported_where_they_are(void **state)
{
	(void)state;
	assert_errors(HEAD "directory:\n"
	    "  uri: []\n"
	    "  tls: yes\n"
	    "  bind: kerberos\n"
	    "  timeout: 0\n"
	    "  ca_file: \"\"\n" TAIL,
	    "4:3: directory has no \"bind_dn\"\n"
	    "4:8: uri must name at least one server\n"
	    "5:8: tls \"yes\" is not starttls, ldaps or none\n"
	    "6:9: bind \"kerberos\" is not simple or external\n"
	    "7:12: timeout \"0\" is not a number of seconds from 1 to 3600\n"
	    "8:12: ca_file must not be empty\n");
	assert_errors(HEAD "directory: {uri: \"ldap://h\", bind_dn: \"cn=a\", "
	    "timeout: 3601, tlss: none}\n" TAIL,
	    "3:56: timeout \"3601\" is not a number of seconds from 1 to 3600\n"
	    "3:62: unknown key \"tlss\" in directory; did you mean \"tls\"?\n");
	assert_errors(HEAD "directory: {uri: \"ldap://h\", bind_dn: \"cn=a\", "
	    "timeout: \"-1\"}\n" TAIL,
	    "3:56: timeout \"-1\" is not a number of seconds from 1 to 3600\n");
	assert_errors(HEAD "directory: {uri: \"ldap://h\", bind_dn: \"cn=a\", "
	    "timeout: 99999999999999999999}\n" TAIL,
	    "3:56: timeout \"99999999999999999999\" is not a number of seconds "
	    "from 1 to 3600\n");
}

static void
external_bind_takes_no_dn_nor_password_and_only_ldapi(void **state)
{
	(void)state;
	assert_errors(HEAD "directory:\n"
	    "  uri: [\"ldapi://\", \"ldap://127.0.0.1\"]\n"
	    "  bind: external\n"
	    "  bind_dn: \"cn=a,dc=b\"\n"
	    "  bind_password_file: pw\n" TAIL,
	    "4:21: uri \"ldap://127.0.0.1\" is not an ldapi:// URI, which bind: "
	    "external needs\n"
	    "6:12: bind_dn goes with a simple bind; bind: external needs none\n"
	    "7:23: bind_password_file goes with a simple bind; bind: external "
	    "needs none\n");
}

static void
uris_that_cannot_serve_are_refused(void **state)
{
	(void)state;
	assert_errors(HEAD "directory:\n"
	    "  bind_dn: \"cn=a,dc=b\"\n"
	    "  uri:\n"
	    "    - \"ldap://a ldap://b\"\n"
	    "    - \"ldap://a,ldap://b\"\n"
	    "    - \"ldap://\"\n"
	    "    - \"ldap://h:0\"\n"
	    "    - \"ldap://h:65536\"\n"
	    "    - \"ldap://h:x\"\n"
	    "    - \"ldap://h/dc=fr\"\n"
	    "    - \"ldap://[::1\"\n"
	    "    - \"ldap://[zz]:389\"\n"
	    "    - \"ldap://h_1\"\n"
	    "    - \"ldapi://a b\"\n"
	    "    - \"http://h\"\n"
	    "    - \"ldap://h:389\"\n"
	    "    - \"ldap://h:389\"\n" TAIL,
	    "6:7: uri \"ldap://a ldap://b\" holds a space or a comma: give each "
	    "URI as an item of a list\n"
	    "7:7: uri \"ldap://a,ldap://b\" holds a space or a comma: give each "
	    "URI as an item of a list\n"
	    "8:7: uri \"ldap://\" names no host\n"
	    "9:7: uri \"ldap://h:0\" has a port that is not a number from 1 to "
	    "65535\n"
	    "10:7: uri \"ldap://h:65536\" has a port that is not a number from 1 "
	    "to 65535\n"
	    "11:7: uri \"ldap://h:x\" has a port that is not a number from 1 to "
	    "65535\n"
	    "12:7: uri \"ldap://h/dc=fr\" has more than a host and a port\n"
	    "13:7: uri \"ldap://[::1\" has a host that is neither a name nor an "
	    "address\n"
	    "14:7: uri \"ldap://[zz]:389\" has a host that is neither a name nor "
	    "an address\n"
	    "15:7: uri \"ldap://h_1\" has a host that is neither a name nor an "
	    "address\n"
	    "16:7: uri \"ldapi://a b\" holds a space or a comma: give each URI as "
	    "an item of a list\n"
	    "17:7: uri \"http://h\" is not an ldap://, ldaps:// or ldapi:// URI\n"
	    "19:7: uri \"ldap://h:389\" is listed twice\n");
}

static void
tls_setting_and_scheme_must_agree(void **state)
{
	(void)state;
	assert_errors(HEAD "directory: {uri: \"ldaps://h\", bind_dn: \"cn=a\", "
	    "tls: none}\n" TAIL,
	    "3:18: uri \"ldaps://h\" always uses TLS: it cannot go with tls: "
	    "none\n");
	assert_errors(HEAD "directory: {uri: \"ldaps://h\", bind_dn: \"cn=a\", "
	    "tls: starttls}\n" TAIL,
	    "3:18: uri \"ldaps://h\" is TLS from the start: it cannot go with "
	    "tls: starttls\n");
	assert_errors(HEAD "directory: {uri: \"ldap://h\", bind_dn: \"cn=a\", "
	    "tls: ldaps}\n" TAIL,
	    "3:18: uri \"ldap://h\" is not an ldaps:// URI, which tls: ldaps "
	    "needs\n");
}

static void
check_tls(const char *uri, enum tls_mode asked, enum tls_mode want)
{
	enum tls_mode	 got = TLS_DEFAULT;
	const char	*why = NULL;

	if (directory_uri_tls(uri, asked, BIND_SIMPLE, &got, &why) == -1)
		fail_msg("%s refused: %s", uri, why);
	if (got != want)
		fail_msg("%s with tls %s gets %s, not %s", uri,
		    tls_mode_name(asked), tls_mode_name(got), tls_mode_name(want));
}

/* A password in clear text to another machine is what the warning is for. */
static void
cleartext_only_to_another_machine(void **state)
{
	(void)state;
	assert_true(directory_uri_cleartext("ldap://ldap.sitiv.fr", TLS_NONE,
	    BIND_SIMPLE));
	assert_true(directory_uri_cleartext("ldap://192.0.2.7:389/", TLS_NONE,
	    BIND_SIMPLE));
	assert_true(directory_uri_cleartext("ldap://localhost.sitiv.fr",
	    TLS_NONE, BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldap://ldap.sitiv.fr",
	    TLS_DEFAULT, BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldaps://ldap.sitiv.fr",
	    TLS_DEFAULT, BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldap://127.0.0.1:3890", TLS_NONE,
	    BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldap://[::1]", TLS_NONE,
	    BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldap://localhost", TLS_NONE,
	    BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldapi://%2Frun%2Fslapd%2Fldapi",
	    TLS_DEFAULT, BIND_SIMPLE));
	assert_false(directory_uri_cleartext("ldapi://%2Frun%2Fslapd%2Fldapi",
	    TLS_DEFAULT, BIND_EXTERNAL));
}

/* StartTLS unless the server is this machine; the scheme decides the rest. */
static void
each_uri_gets_its_tls(void **state)
{
	(void)state;
	check_tls("ldap://ldap.sitiv.fr", TLS_DEFAULT, TLS_STARTTLS);
	check_tls("ldap://192.0.2.7:389/", TLS_DEFAULT, TLS_STARTTLS);
	check_tls("ldap://[2001:db8::1]:389", TLS_DEFAULT, TLS_STARTTLS);
	check_tls("ldap://127.0.0.1:3890", TLS_DEFAULT, TLS_NONE);
	check_tls("ldap://127.1.2.3", TLS_DEFAULT, TLS_NONE);
	check_tls("ldap://[::1]:389/", TLS_DEFAULT, TLS_NONE);
	check_tls("ldap://[::ffff:127.0.0.1]", TLS_DEFAULT, TLS_NONE);
	check_tls("ldap://localhost", TLS_DEFAULT, TLS_NONE);
	check_tls("LDAP://LocalHost.:389", TLS_DEFAULT, TLS_NONE);
	check_tls("ldap://localhost.sitiv.fr", TLS_DEFAULT, TLS_STARTTLS);
	check_tls("ldap://128.0.0.1", TLS_DEFAULT, TLS_STARTTLS);
	check_tls("ldap://127.0.0.1", TLS_STARTTLS, TLS_STARTTLS);
	check_tls("ldap://ldap.sitiv.fr", TLS_NONE, TLS_NONE);
	check_tls("ldaps://127.0.0.1", TLS_DEFAULT, TLS_LDAPS);
	check_tls("ldaps://ldap.sitiv.fr", TLS_LDAPS, TLS_LDAPS);
	check_tls("ldapi://", TLS_DEFAULT, TLS_NONE);
	check_tls("ldapi://%2Ftmp%2Fs", TLS_STARTTLS, TLS_NONE);
	check_tls("ldapi://%2Ftmp%2Fs", TLS_LDAPS, TLS_NONE);
}

/* A directory with a tenants file naming ca_file, and what it points to. */
struct cadir {
	char	 dir[64];
	char	*yaml, *ca;
};

static struct model *
load_with_ca(struct cadir *c, const char *ca_name, const char *ca_text,
    struct diags *d)
{
	FILE		*fp;
	struct model	*m;

	snprintf(c->dir, sizeof(c->dir), "/tmp/mutualize-ca.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	c->yaml = xasprintf("%s/t.yaml", c->dir);
	c->ca = xasprintf("%s/ca.pem", c->dir);
	fp = fopen(c->yaml, "w");
	fprintf(fp, HEAD "directory:\n  uri: \"ldaps://h\"\n  bind_dn: \"cn=a\"\n"
	    "  ca_file: %s\n" TAIL, ca_name);
	fclose(fp);
	if (ca_text != NULL) {
		fp = fopen(c->ca, "w");
		fputs(ca_text, fp);
		fclose(fp);
	}
	m = model_load(c->yaml, d);
	assert_non_null(m);
	assert_int_equal(model_check(m, d), 0);
	return m;
}

static void
cadir_free(struct cadir *c)
{
	unlink(c->ca);
	unlink(c->yaml);
	rmdir(c->dir);
	free(c->yaml);
	free(c->ca);
}

static void
ca_file_is_read_relative_to_the_file(void **state)
{
	struct cadir	 c;
	struct diags	 d = { 0 };
	struct model	*m = load_with_ca(&c, "ca.pem", "-----BEGIN CERTIFICATE-----\n"
	    "MIIB\n-----END CERTIFICATE-----\n", &d);

	(void)state;
	assert_int_equal(directory_ca_check(m, &d), 0);
	assert_int_equal(d.n, 0);
	model_free(m);
	cadir_free(&c);
}

static void
missing_or_empty_ca_file_is_an_error_at_its_key(void **state)
{
	struct cadir	 c;
	struct diags	 d = { 0 };
	struct model	*m = load_with_ca(&c, "ca.pem", NULL, &d);
	char		*want;

	(void)state;
	assert_int_equal(directory_ca_check(m, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].pos.line, 6);
	assert_int_equal(d.v[0].pos.col, 12);
	want = xasprintf("ca_file %s: cannot open: No such file or directory",
	    c.ca);
	assert_string_equal(d.v[0].msg, want);
	free(want);
	diag_free(&d);
	model_free(m);
	cadir_free(&c);

	m = load_with_ca(&c, "ca.pem", "not a certificate\n", &d);
	assert_int_equal(directory_ca_check(m, &d), -1);
	want = xasprintf("ca_file %s: holds no PEM certificate", c.ca);
	assert_string_equal(d.v[0].msg, want);
	free(want);
	diag_free(&d);
	model_free(m);
	cadir_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uri_list_is_kept_in_order_with_every_key),
		cmocka_unit_test(defaults_are_starttls_simple_and_ten_seconds),
		cmocka_unit_test(external_bind_over_ldapi_needs_no_dn),
		cmocka_unit_test(bad_values_are_reported_where_they_are),
		cmocka_unit_test(external_bind_takes_no_dn_nor_password_and_only_ldapi),
		cmocka_unit_test(uris_that_cannot_serve_are_refused),
		cmocka_unit_test(tls_setting_and_scheme_must_agree),
		cmocka_unit_test(each_uri_gets_its_tls),
		cmocka_unit_test(cleartext_only_to_another_machine),
		cmocka_unit_test(ca_file_is_read_relative_to_the_file),
		cmocka_unit_test(missing_or_empty_ca_file_is_an_error_at_its_key),
	};

	return cmocka_run_group_tests_name("directory", tests, NULL, NULL);
}
