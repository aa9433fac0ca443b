/*
 * The placeholder engine: which placeholders each kind of text knows, what
 * expanding them makes, and what is said of a format or a template that names
 * one it does not know.
 */
#include "harness.h"

static const char *const fields[] = { "login", "mail_domain", NULL };

static void
known_placeholders_are_found_with_their_length(void **state UNUSED)
{
	size_t	len = 0;

	assert_int_equal(placeholder_at("{mail_domain}.fr", fields, &len), 1);
	assert_int_equal(len, 13);
	assert_int_equal(placeholder_at("{login}", fields, &len), 0);
	assert_int_equal(len, 7);
	assert_int_equal(placeholder_at("{log}", fields, &len), -1);
	assert_int_equal(placeholder_at("{login", fields, &len), -1);
}

static void
the_first_unknown_placeholder_is_at_its_brace(void **state UNUSED)
{
	assert_int_equal(placeholder_unknown("{login}@{mail_domain}", fields),
	    -1);
	assert_int_equal(placeholder_unknown("plain text", fields), -1);
	assert_int_equal(placeholder_unknown("{login}.{surname}", fields), 8);
	/* a '{' always opens a placeholder: one never closed is unknown */
	assert_int_equal(placeholder_unknown("a{b", fields), 1);
}

static void
expansion_replaces_each_placeholder(void **state UNUSED)
{
	const char *const	 vals[] = { "marie.curie", "sitiv.fr", NULL };
	char			*s;

	s = placeholder_expand("{login}@{mail_domain} {x}", fields, vals);
	assert_string_equal(s, "marie.curie@sitiv.fr {x}");
	free(s);
	s = placeholder_expand("", fields, vals);
	assert_string_equal(s, "");
	free(s);
}

static void
a_null_value_used_makes_no_text(void **state UNUSED)
{
	const char *const	 vals[] = { "marie.curie", NULL, NULL };
	char			*s;

	assert_null(placeholder_expand("{login}@{mail_domain}", fields, vals));
	/* a NULL value not used is no matter */
	s = placeholder_expand("uid={login}", fields, vals);
	assert_string_equal(s, "uid=marie.curie");
	free(s);
}

static void
format_placeholders_name_their_field(void **state UNUSED)
{
	size_t	len = 0;

	assert_int_equal(format_placeholder("{surname_initial}", &len),
	    FMT_SURNAME_INITIAL);
	assert_int_equal(len, 17);
	assert_int_equal(format_placeholder("{tenant}x", &len), FMT_TENANT);
	assert_int_equal(format_placeholder("{quota}", &len), FMT_NONE);
	assert_int_equal(format_placeholder("surname", &len), FMT_NONE);
}

static void
format_errors_say_what_is_wrong(void **state UNUSED)
{
	char	*err;

	assert_null(format_error("{given_initial}{surname}", 0));
	assert_null(format_error("{login}@{mail_domain}", 1));
	err = format_error("{given_name}.{nom}", 0);
	assert_string_equal(err, "unknown placeholder in \"{given_name}.{nom}\"; "
	    "known: {given_name}, {surname}, {given_initial}, "
	    "{surname_initial}, {id}");
	free(err);
	err = format_error("{nom}@{mail_domain}", 1);
	assert_string_equal(err, "unknown placeholder in \"{nom}@{mail_domain}\"; "
	    "known: {given_name}, {surname}, {given_initial}, "
	    "{surname_initial}, {id}, {login}, {mail_domain}, {tenant}");
	free(err);
	err = format_error("{surname}.{tenant}", 0);
	assert_string_equal(err, "{tenant} cannot be used in a login");
	free(err);
	err = format_error("{surname} {id}", 0);
	assert_string_equal(err, "' ' cannot be part of a login");
	free(err);
	err = format_error("{login}", 1);
	assert_string_equal(err, "a mail format needs one '@', as in "
	    "\"{login}@{mail_domain}\"");
	free(err);
}

static void
template_values_and_filters_know_their_own(void **state UNUSED)
{
	char	*err;

	assert_null(placeholder_error("{login}@{mail_domain}:{quota}", 0));
	assert_null(placeholder_error("(memberOf={group})", 1));
	err = placeholder_error("(memberOf={login})", 1);
	assert_string_equal(err, "unknown placeholder in \"(memberOf={login})\"; "
	    "known: {group}, {base}, {service}");
	free(err);
	err = placeholder_error("{group}", 0);
	assert_string_equal(err, "unknown placeholder in \"{group}\"; known: "
	    "{login}, {mail}, {given_name}, {surname}, {id}, {tenant}, "
	    "{mail_domain}, {quota}, {service}");
	free(err);
}

static void
a_template_value_without_quota_is_none(void **state UNUSED)
{
	struct arena		a = { 0 };
	struct tenant		t = { .id = "ven", .mail_domain = "ven.fr" };
	struct person		p = { .login = "marie.curie", .id = "A1",
	    .given_name = "Marie", .surname = "Curie", .tenant = &t };
	struct service		s = { .id = "mail" };
	struct entitlement	e = { .id = "mail" };

	assert_null(template_value(&a, "{quota}", &p, &s, &e));
	assert_string_equal(template_value(&a, "{login}@{mail_domain}/{service}",
	    &p, &s, &e), "marie.curie@ven.fr/mail");
	s.quota = 1024;
	assert_string_equal(template_value(&a, "{quota}", &p, &s, &e), "1024");
	e.quota = 2048;	/* the person's own wins over the service's */
	assert_string_equal(template_value(&a, "{quota}", &p, &s, &e), "2048");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(known_placeholders_are_found_with_their_length),
		cmocka_unit_test(the_first_unknown_placeholder_is_at_its_brace),
		cmocka_unit_test(expansion_replaces_each_placeholder),
		cmocka_unit_test(a_null_value_used_makes_no_text),
		cmocka_unit_test(format_placeholders_name_their_field),
		cmocka_unit_test(format_errors_say_what_is_wrong),
		cmocka_unit_test(template_values_and_filters_know_their_own),
		cmocka_unit_test(a_template_value_without_quota_is_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
