/*
 * Groups of more members than one change carries (MEMBERS_PER_CHANGE),
 * against the real slapd: the add of a service group of 2,300 people goes in
 * three parts, each sent once the one before is answered; every member is
 * written and gets its memberOf, and the next plan is empty; the text plan
 * counts the group once and says which changes continue it.
 */
#include "integration.h"

#define PEOPLE	2300
#define MAILGRP	"cn=mail,ou=services," BASE

/* One town of PEOPLE people, all entitled to mail; the first n only when n. */
static char *
town_file(int n)
{
	FILE	*fp;
	char	*text = NULL, *path;
	size_t	 len = 0;
	int	 i;

	fp = open_memstream(&text, &len);
	fputs(YAML_HEAD
	    "policy: {password_scheme: none, max_removals: 100%}\n"
	    "services: {mail: {bind_dn: \"cn=admin," BASE "\"}}\n"
	    "tenants:\n  - id: bron\n    name: Bron\n    services: [mail]\n"
	    "    people:\n", fp);
	for (i = 0; i < (n ? n : PEOPLE); i++)
		fprintf(fp, "      - {id: \"B-%d\", given_name: Agent, surname: "
		    "\"N%d\", kind: agent}\n", i, i);
	fclose(fp);
	path = write_temp(text, len);
	free(text);
	return path;
}

static int
setup(void **state)
{
	*state = town_file(0);
	return wipe(state);
}

/* How many entries below the base match the filter. */
static size_t
count(const char *filter)
{
	LDAP		*ld = root();
	LDAPMessage	*res = NULL;
	char		*attrs[] = { "1.1", NULL };
	size_t		 n;

	assert_int_equal(ldap_search_ext_s(ld, BASE, LDAP_SCOPE_SUBTREE,
	    filter, attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res),
	    LDAP_SUCCESS);
	n = (size_t)ldap_count_entries(ld, res);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return n;
}

static size_t
members(void)
{
	char	*v = values(MAILGRP, "member"), *s;
	size_t	 n = 0;

	for (s = v; s != NULL && *s != '\0'; s++)
		n += *s == '|';
	n += v != NULL && *v != '\0';
	free(v);
	return n;
}

static void
a_long_group_is_written_in_parts_and_whole(void **state)
{
	struct run	 r = run_root("plan --detail", *state);

	assert_int_equal(r.status, 0);
	/* the syndicate's four adds, the group among them, once */
	assert_non_null(strstr(r.out, "    4       0       0        0       0"
	    "  syndicate sitiv\n"));
	assert_non_null(strstr(r.out, "~ " MAILGRP " (continued: more of its "
	    "members)\n"));
	assert_non_null(strstr(r.out, "Plan: 2307 to add, 0 to change, "));
	run_free(&r);
	r = run_root("apply", *state);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(members(), PEOPLE);
	assert_int_equal(count("(memberOf=" MAILGRP ")"), PEOPLE);
	r = run_root("plan --exit-code", *state);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void
a_long_removal_is_made_in_parts_too(void **state)
{
	struct run	 r = run_root("apply", *state);
	char		*few = town_file(100);

	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_root("apply --allow-mass-removal --allow-mass-change", few);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(members(), 100);
	assert_int_equal(count("(memberOf=" MAILGRP ")"), 100);
	r = run_root("plan --exit-code", few);
	assert_int_equal(r.status, 0);
	run_free(&r);
	unlink(few);
	free(few);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, \
	    file_teardown)
	const struct CMUnitTest tests[] = {
		T(a_long_group_is_written_in_parts_and_whole),
		T(a_long_removal_is_made_in_parts_too),
	};
#undef T

	return cmocka_run_group_tests_name("parts", tests, NULL, NULL);
}
