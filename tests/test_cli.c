/*
 * The command line: each command takes the options of its table and refuses
 * the others; repeated options grow without a limit; --format names a format
 * of run.c's table; a stop signal waits, blocked, to be taken. main.c is
 * compiled in, its main renamed, so that its tables are the ones tested.
 */
#include "harness.h"
#include "run.h"

int	mutualize_main(int, char **);
#define main mutualize_main
#include "../src/main.c"
#undef main

static const struct command *
command(const char *name)
{
	size_t	i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	fail_msg("no command %s", name);
	return NULL;
}

/* Parses argv (NULL-ended) as the options of its first word, the command. */
static int
parse(struct options *o, const char **argv)
{
	int	argc = 0;
	FILE	*saved = stderr;

	memset(o, 0, sizeof(*o));
	while (argv[argc] != NULL)
		argc++;
	/* the usage that goes with a refusal is not the test's output */
	stderr = fopen("/dev/null", "w");
	assert_non_null(stderr);
	optind = 0;
	argc = parse_command(command(argv[0]), o, argc, (char **)argv);
	fclose(stderr);
	stderr = saved;
	return argc;
}

static void
options_free(struct options *o)
{
	ptrvec_free(&o->tenants);
	ptrvec_free(&o->remove_tenants);
}

static void
an_option_a_command_does_not_take_is_refused(void **state)
{
	static const char *const refused[][4] = {
		{ "plan", "--batch-size", "5", "f.yaml" },
		{ "plan", "-n", "f.yaml", NULL },
		{ "plan", "--journal", "j", "f.yaml" },
		{ "validate", "--tenant", "a", "f.yaml" },
		{ "validate", "-H", "ldap://x/", "f.yaml" },
		{ "export", "--format", "json", "f.yaml" },
		{ "apply", "-o", "out", "f.yaml" },
		{ "service-config", "--prune", "mail", "f.yaml" },
	};
	const char	*argv[5] = { NULL };
	struct options	 o;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memcpy(argv, refused[i], sizeof(refused[i]));
		if (parse(&o, argv) != -1)
			fail_msg("%s %s was taken", argv[0], argv[1]);
		options_free(&o);
	}
}

static void
an_option_a_command_takes_is_kept(void **state)
{
	const char	*apply[] = { "apply", "--batch-size", "5", "-n",
	    "--format", "json", "--journal", "j", "f.yaml", NULL };
	const char	*export[] = { "export", "-o", "-", "f.yaml", NULL };
	const char	*svc[] = { "service-config", "-H", "ldap://x/", "mail",
	    "f.yaml", NULL };
	struct options	 o;

	(void)state;
	assert_int_equal(parse(&o, apply), 0);
	assert_int_equal(o.batch_size, 5);
	assert_true(o.dry_run);
	assert_int_equal(o.format, FORMAT_JSON);
	assert_string_equal(o.journal, "j");
	assert_string_equal(o.file, "f.yaml");
	options_free(&o);
	assert_int_equal(parse(&o, export), 0);
	assert_null(o.output);
	options_free(&o);
	assert_int_equal(parse(&o, svc), 0);
	assert_string_equal(o.uri, "ldap://x/");
	assert_string_equal(o.service, "mail");
	assert_string_equal(o.file, "f.yaml");
	options_free(&o);
}

static void
a_format_it_does_not_know_is_refused(void **state)
{
	const char	*argv[] = { "plan", "--format", "xml", "f.yaml", NULL };
	struct options	 o;

	(void)state;
	assert_int_equal(parse(&o, argv), -1);
	options_free(&o);
}

static void
repeated_tenants_beyond_64_are_all_kept(void **state)
{
	const char	*argv[2 * 200 + 3];
	char		 ids[200][8];
	struct options	 o;
	size_t		 i, n = 0;

	(void)state;
	argv[n++] = "plan";
	for (i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof(ids[i]), "t%zu", i);
		argv[n++] = i % 2 ? "--tenant" : "--remove-tenant";
		argv[n++] = ids[i];
	}
	argv[n++] = "f.yaml";
	argv[n] = NULL;
	assert_int_equal(parse(&o, argv), 0);
	/* each list ends with NULL, as plan_restrict and diff take them */
	assert_int_equal(o.tenants.n, 100 + 1);
	assert_int_equal(o.remove_tenants.n, 100 + 1);
	assert_string_equal(o.remove_tenants.v[0], "t0");
	assert_string_equal(o.tenants.v[99], "t199");
	assert_null(o.tenants.v[100]);
	assert_null(o.remove_tenants.v[100]);
	options_free(&o);
}

static void
lists_not_given_are_empty_and_ended(void **state)
{
	const char	*argv[] = { "plan", "f.yaml", NULL };
	struct options	 o;

	(void)state;
	assert_int_equal(parse(&o, argv), 0);
	assert_null(o.tenants.v[0]);
	assert_null(o.remove_tenants.v[0]);
	options_free(&o);
}

static void
formats_are_known_by_their_names(void **state)
{
	(void)state;
	assert_int_equal(plan_format("text"), FORMAT_TEXT);
	assert_int_equal(plan_format("json"), FORMAT_JSON);
	assert_int_equal(plan_format("ldif"), FORMAT_LDIF);
	assert_int_equal(plan_format("JSON"), -1);
	assert_int_equal(plan_format(""), -1);
}

static void
a_blocked_stop_signal_waits_to_be_taken(void **state)
{
	sigset_t	stops, mask;

	(void)state;
	stop_signals(&stops);
	assert_int_equal(sigprocmask(SIG_BLOCK, &stops, &mask), 0);
	assert_int_equal(stop_pending(), 0);
	raise(SIGHUP);
	assert_int_equal(stop_pending(), SIGHUP);
	assert_int_equal(stop_take(), SIGHUP);
	assert_int_equal(stop_pending(), 0);
	/* one that comes too late to stop anything makes the status */
	raise(SIGTERM);
	assert_int_equal(stop_end(&mask, EXIT_OK, 1), 128 + SIGTERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_option_a_command_does_not_take_is_refused),
		cmocka_unit_test(an_option_a_command_takes_is_kept),
		cmocka_unit_test(a_format_it_does_not_know_is_refused),
		cmocka_unit_test(repeated_tenants_beyond_64_are_all_kept),
		cmocka_unit_test(lists_not_given_are_empty_and_ended),
		cmocka_unit_test(formats_are_known_by_their_names),
		cmocka_unit_test(a_blocked_stop_signal_waits_to_be_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
