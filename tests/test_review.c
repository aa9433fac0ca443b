/*
 * A plan a person can review at thousands of changes, against the real
 * slapd: the text opens with one line per tenant and its counts, details at
 * most --detail-limit changes (200 by default) and says how many it left
 * out; --detail and --tenant show them all, and LDIF and JSON always hold
 * every change.
 */
#include "integration.h"

#define TOWNS	3
/* per town: 140, 70 and 10 people, 220 in all: past the default limit */
static const int town_people[TOWNS] = { 140, 70, 10 };
static const char *const towns[TOWNS] = { "bron", "feyzin", "givors" };

/*
 * The tenants file of the three towns, everyone entitled to mail; later:
 * b-0 and g-1 gone, b-1 moved from bron to feyzin, f-0 with another given
 * name.
 */
static char *
towns_file(int later)
{
	FILE	*fp;
	char	*text = NULL, *path;
	size_t	 len = 0;
	int	 t, i;

	fp = open_memstream(&text, &len);
	fputs(YAML_HEAD
	    "services: {mail: {bind_dn: \"cn=admin," BASE "\"}}\n"
	    "tenants:\n", fp);
	for (t = 0; t < TOWNS; t++) {
		fprintf(fp, "  - id: %s\n    name: \"Mairie de %s\"\n"
		    "    services: [mail]\n    people:\n", towns[t], towns[t]);
		if (later && t == 1)
			fputs("      - {id: \"b-1\", given_name: Agent, kind: agent, "
			    "surname: \"N1b\"}\n", fp);
		for (i = 0; i < town_people[t]; i++) {
			if (later && t != 1 && i <= 1 && (t == 0 || i == 1))
				continue;
			fprintf(fp, "      - {id: \"%c-%d\", given_name: %s, kind: agent, "
			    "surname: \"N%d%c\"}\n", towns[t][0], i,
			    later && t == 1 && i == 0 ? "Agente" : "Agent", i,
			    towns[t][0]);
		}
	}
	fclose(fp);
	path = write_temp(text, len);
	free(text);
	return path;
}

static int
setup(void **state)
{
	*state = towns_file(0);
	return wipe(state);
}

/* How many lines of text begin with prefix. */
static size_t
lines_starting(const char *text, const char *prefix)
{
	size_t		 n = 0, len = strlen(prefix);
	const char	*s = text;

	for (; s != NULL && *s != '\0'; s = strchr(s, '\n'), s = s ? s + 1 : s)
		n += strncmp(s, prefix, len) == 0;
	return n;
}

/* How many times needle is in text. */
static size_t
occurrences(const char *text, const char *needle)
{
	size_t		 n = 0;
	const char	*s = text;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static struct run
plan(const char *file, const char *opts)
{
	char		*cmd = xasprintf("plan %s", opts);
	struct run	 r = run_root(cmd, file);

	free(cmd);
	return r;
}

/*
 * A first load of 220 people: 3 containers per town and the town, its
 * people; the syndicate's base, ou=tenants, ou=services, cn=mail.
 */
static void
the_plan_opens_with_one_line_per_tenant(void **state)
{
	struct run	 r = plan(*state, "");

	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "Changes by tenant:\n"
	    "  add  change  rename  disable  delete\n"
	    "    4       0       0        0       0  syndicate sitiv\n"
	    "  143       0       0        0       0  tenant bron (Mairie de bron)\n"
	    "   73       0       0        0       0  tenant feyzin (Mairie de "
	    "feyzin)\n"
	    "   13       0       0        0       0  tenant givors (Mairie de "
	    "givors)\n\n", 245) == 0 || (print_message("%s", r.out), 0));
	assert_non_null(strstr(r.out, "Plan: 233 to add, 0 to change, "));
	run_free(&r);
}

/* The first 200 changes in detail, then how many are left out and how to see them. */
static void
past_the_limit_the_detail_stops_and_says_what_it_left(void **state)
{
	struct run	 r = plan(*state, "");

	assert_int_equal(r.status, 0);
	assert_int_equal(lines_starting(r.out, "+ "), 200);
	assert_non_null(strstr(r.out, "\n33 more changes not shown: --detail "
	    "shows every change, --tenant id a tenant's; --format ldif and json "
	    "always hold them all.\n"));
	run_free(&r);
	r = plan(*state, "--detail-limit 10");
	assert_int_equal(lines_starting(r.out, "+ "), 10);
	assert_non_null(strstr(r.out, "\n223 more changes not shown"));
	run_free(&r);
	/* 0: the table and the summary alone */
	r = plan(*state, "--detail-limit 0");
	assert_int_equal(lines_starting(r.out, "+ "), 0);
	assert_int_equal(lines_starting(r.out, "tenant "), 0);
	assert_int_equal(lines_starting(r.out, "  143 "), 1);
	run_free(&r);
}

static void
detail_and_tenant_show_every_change(void **state)
{
	struct run	 r = plan(*state, "--detail");

	assert_int_equal(lines_starting(r.out, "+ "), 233);
	assert_null(strstr(r.out, "not shown"));
	run_free(&r);
	r = plan(*state, "--tenant bron --detail-limit 5");
	assert_int_equal(r.status, 0);
	assert_int_equal(lines_starting(r.out, "+ "), 143);
	assert_null(strstr(r.out, "not shown"));
	assert_int_equal(lines_starting(r.out, "  143 "), 1);
	assert_int_equal(lines_starting(r.out, "   73 "), 0);
	run_free(&r);
}

static void
ldif_and_json_hold_every_change_past_the_limit(void **state)
{
	struct run	 r = plan(*state, "--format ldif --detail-limit 1");

	assert_int_equal(r.status, 0);
	assert_int_equal(occurrences(r.out, "\nchangetype: add\n"), 233);
	run_free(&r);
	r = plan(*state, "--format json --detail-limit 1");
	assert_int_equal(occurrences(r.out, "{\"op\": \"add\""), 233);
	run_free(&r);
}

static void
a_limit_that_is_no_number_is_refused(void **state)
{
	struct run	 r = plan(*state, "--detail-limit many");

	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "--detail-limit takes a number"));
	run_free(&r);
}

/* After the load, changes of every kind, counted by tenant. */
static void
the_table_counts_each_kind_of_change(void **state)
{
	struct run	 r = run_root("apply", *state);
	char		*later = towns_file(1);

	assert_int_equal(r.status, 0);
	run_free(&r);
	r = plan(later, "");
	assert_int_equal(r.status, 0);
	/* bron: b-0 leaves, b-1 moves out; feyzin: f-0 renamed, b-1 moves
	   in; givors: g-1 leaves */
	assert_non_null(strstr(r.out, "Changes by tenant:\n"
	    "  add  change  rename  disable  delete\n"));
	assert_int_equal(lines_starting(r.out, "    0       0       1        1"
	    "       0  tenant bron (Mairie de bron)"), 1);
	assert_int_equal(lines_starting(r.out, "    0       1       1        0"
	    "       0  tenant feyzin (Mairie de feyzin)"), 1);
	assert_int_equal(lines_starting(r.out, "    0       0       0        1"
	    "       0  tenant givors (Mairie de givors)"), 1);
	if (lines_starting(r.out, "    0       1       1") != 1)
		print_message("%s", r.out);
	run_free(&r);
	unlink(later);
	free(later);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, \
	    file_teardown)
	const struct CMUnitTest tests[] = {
		T(the_plan_opens_with_one_line_per_tenant),
		T(past_the_limit_the_detail_stops_and_says_what_it_left),
		T(detail_and_tenant_show_every_change),
		T(ldif_and_json_hold_every_change_past_the_limit),
		T(a_limit_that_is_no_number_is_refused),
		T(the_table_counts_each_kind_of_change),
	};
#undef T

	return cmocka_run_group_tests_name("review", tests, NULL, NULL);
}
