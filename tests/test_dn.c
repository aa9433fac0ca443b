/* Escaping names for DNs and search filters: what goes in comes back unchanged. */
#include <ldap.h>

#include "harness.h"

/* Names an admin or an attacker might put in a file. */
static const char *const hostile[] = {
	"*)(uid=*", ",cn=admin", "#", "#x", "+", "\\", "\"", "a=b", "<>;",
	" leading", "trailing ", "  ", " ", "x\\2Cy", "Zoë 🌻", "\xc3",
	"tab\there", "new\nline", "cn=admin,dc=sitiv,dc=fr", "=", "\\00",
	"Dupont-Sébastien", NULL,
};

/* libldap's own parser must give back one RDN holding exactly the value. */
static void
dn_values_survive_the_ldap_parser(void **state)
{
	LDAPDN		 ldn = NULL;
	LDAPAVA		*ava;
	size_t		 i;

	(void)state;
	for (i = 0; hostile[i] != NULL; i++) {
		char	*esc = dn_escape_value(hostile[i]);
		char	*dn = xasprintf("cn=%s,ou=people,dc=sitiv,dc=fr", esc);

		if (ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
			fail_msg("libldap cannot parse %s", dn);
		assert_non_null(ldn[0]);
		assert_non_null(ldn[1]);
		assert_non_null(ldn[2]);
		assert_non_null(ldn[3]);
		assert_null(ldn[4]);
		ava = ldn[0][0];
		assert_null(ldn[0][1]);	/* a '+' did not make a second AVA */
		assert_int_equal(ava->la_value.bv_len, strlen(hostile[i]));
		assert_memory_equal(ava->la_value.bv_val, hostile[i],
		    strlen(hostile[i]));
		ldap_dnfree(ldn);
		free(dn);
		free(esc);
	}
}

static void
filter_check(const char *value, const char *want)
{
	char	*got = filter_escape_value(value);

	assert_string_equal(got, want);
	free(got);
}

static void
filter_specials_are_escaped(void **state)
{
	(void)state;
	filter_check("*)(uid=*", "\\2A\\29\\28uid=\\2A");
	filter_check("a\\b", "a\\5Cb");
	filter_check("(objectClass=*)", "\\28objectClass=\\2A\\29");
	filter_check("plain text, with = and ,", "plain text, with = and ,");
	filter_check("", "");
}

static void
filter_values_stay_seven_bit(void **state)
{
	(void)state;
	filter_check("Hélène", "H\\C3\\A9l\\C3\\A8ne");
	filter_check("🌻", "\\F0\\9F\\8C\\BB");
	filter_check("a\tb\x7f", "a\\09b\\7F");
	filter_check("\xff", "\\FF");
}

/* Whatever the value, the escaped form holds no character a filter gives meaning to. */
static void
escaped_filter_values_hold_no_filter_syntax(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; hostile[i] != NULL; i++) {
		char	*got = filter_escape_value(hostile[i]);
		char	*p;

		assert_null(strpbrk(got, "*()"));
		for (p = got; (p = strchr(p, '\\')) != NULL; p += 3)
			assert_true(strspn(p + 1, "0123456789ABCDEF") >= 2);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dn_values_survive_the_ldap_parser),
		cmocka_unit_test(filter_specials_are_escaped),
		cmocka_unit_test(filter_values_stay_seven_bit),
		cmocka_unit_test(escaped_filter_values_hold_no_filter_syntax),
	};

	return cmocka_run_group_tests_name("dn", tests, NULL, NULL);
}
