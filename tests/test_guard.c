/*
 * The guard rails, on plans and directories made by hand: each refusal, the
 * limit it stops at, and the option that lifts it.
 */
#include "harness.h"

#define TENANTS	"ou=tenants,dc=sitiv,dc=fr"

struct fixture {
	struct entries	 current;
	struct plan	 plan;
	struct policy	 pol;
	struct guard_opts o;
	char		*err;
	size_t		 errlen;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	entries_init(&f->current);
	f->o.file = "tenants.yaml";
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	ptrvec_free(&f->plan.tenants_gone);
	entries_free(&f->current);
	free(f->err);
	free(f);
	return 0;
}

/* Managed people and groups of tenant ven, and people made by hand. */
static void
directory_of(struct fixture *f, size_t people, size_t groups, size_t by_hand)
{
	size_t	i;

	for (i = 0; i < people + groups + by_hand; i++) {
		int		 group = i >= people && i < people + groups;
		char		*dn = xasprintf(group ?
		    "cn=g%zu,ou=groups,ou=ven," TENANTS :
		    "uid=p%zu,ou=people,ou=ven," TENANTS, i);
		struct entry	*e = entries_add(&f->current, dn, "ven",
		    group ? ENTRY_GROUP : ENTRY_PERSON);

		if (i < people + groups)
			entry_add_value(&f->current, e, "objectClass",
			    "mutualizeManaged");
		free(dn);
	}
}

static unsigned
check(struct fixture *f)
{
	FILE		*fp;
	unsigned	 r;

	free(f->err);
	f->err = NULL;
	assert_non_null(fp = open_memstream(&f->err, &f->errlen));
	r = guard_plan(&f->plan, &f->current, &f->pol, &f->o, fp);
	fclose(fp);
	return r;
}

static void
default_limit_is_five_percent_clamped_to_10_and_500(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(guard_removal_limit(&f->pol, 0), 10);
	assert_int_equal(guard_removal_limit(&f->pol, 100), 10);
	assert_int_equal(guard_removal_limit(&f->pol, 1000), 50);
	assert_int_equal(guard_removal_limit(&f->pol, 1001), 51);
	assert_int_equal(guard_removal_limit(&f->pol, 10000), 500);
	assert_int_equal(guard_removal_limit(&f->pol, 100000), 500);
}

static void
limit_as_count_or_percentage(void **state)
{
	struct fixture	*f = *state;

	f->pol.max_removals_set = 1;
	f->pol.max_removals = 3;
	assert_int_equal(guard_removal_limit(&f->pol, 1000), 3);
	f->pol.max_removals_percent = 1;
	f->pol.max_removals = 10;
	assert_int_equal(guard_removal_limit(&f->pol, 200), 20);
	assert_int_equal(guard_removal_limit(&f->pol, 201), 21);
	f->pol.max_removals = 0;
	assert_int_equal(guard_removal_limit(&f->pol, 200), 0);
}

static void
removals_over_the_limit_are_refused(void **state)
{
	struct fixture	*f = *state;

	/* the groups are no people: the limit is 5% of 1000 */
	directory_of(f, 1000, 200, 0);
	f->plan.nremovals = f->plan.ndisable = 50;
	assert_int_equal(check(f), 0);
	assert_string_equal(f->err, "");
	f->plan.nremovals = f->plan.ndisable = 51;
	assert_int_equal(check(f), GUARD_REMOVALS);
	assert_non_null(strstr(f->err, "disables or deletes 51 people, more "
	    "than max_removals allows (50 of 1000)"));
	assert_non_null(strstr(f->err, "--allow-mass-removal"));
	assert_non_null(strstr(f->err, "nothing was written"));
	f->o.allow_mass_removal = 1;
	assert_int_equal(check(f), 0);
}

static void
removals_count_people_managed_only(void **state)
{
	struct fixture	*f = *state;

	/* 300 people by hand do not raise the limit of 100 managed ones. */
	directory_of(f, 100, 0, 300);
	f->pol.max_removals_set = f->pol.max_removals_percent = 1;
	f->pol.max_removals = 10;
	f->plan.nremovals = 11;
	assert_int_equal(check(f), GUARD_REMOVALS);
	assert_non_null(strstr(f->err, "(10 of 100)"));
}

static void
more_than_half_changed_is_refused(void **state)
{
	struct fixture	*f = *state;

	directory_of(f, 30, 10, 0);
	f->plan.nmodify = 20;
	assert_int_equal(check(f), 0);
	f->plan.nrename = 1;
	assert_int_equal(check(f), GUARD_CHANGES);
	assert_non_null(strstr(f->err, "changes 21 of the 40 entries"));
	assert_non_null(strstr(f->err, "--allow-mass-change"));
	f->o.allow_mass_change = 1;
	assert_int_equal(check(f), 0);
}

static void
every_kind_of_change_counts_towards_half(void **state)
{
	struct fixture	*f = *state;

	directory_of(f, 20, 0, 0);
	f->pol.max_removals_set = 1;
	f->pol.max_removals = 100;
	f->plan.nmodify = 3;
	f->plan.nrename = 3;
	f->plan.ndisable = 3;
	f->plan.ndelete = 2;
	assert_int_equal(check(f), GUARD_CHANGES);
	/* adds change nothing that exists */
	f->plan.ndelete = 1;
	f->plan.nadd = 1000;
	assert_int_equal(check(f), 0);
}

static void
a_small_directory_has_no_half_rule(void **state)
{
	struct fixture	*f = *state;

	directory_of(f, 19, 0, 0);
	f->plan.nmodify = 19;
	assert_int_equal(check(f), 0);
}

static void
a_tenant_gone_unconfirmed_is_refused(void **state)
{
	struct fixture	*f = *state;
	struct entry	*t;

	directory_of(f, 100, 0, 0);
	t = entries_add(&f->current, "ou=feyzin," TENANTS, "feyzin",
	    ENTRY_TENANT);
	ptrvec_push(&f->plan.tenants_gone, t);
	f->o.allow_mass_removal = f->o.allow_mass_change = 1;
	assert_int_equal(check(f), GUARD_TENANT);
	assert_non_null(strstr(f->err, "tenant \"feyzin\" (ou=feyzin," TENANTS
	    ") is in the directory but not in tenants.yaml"));
	assert_non_null(strstr(f->err, "--remove-tenant feyzin"));
}

static void
refusals_add_up(void **state)
{
	struct fixture	*f = *state;
	struct entry	*t;

	directory_of(f, 40, 0, 0);
	t = entries_add(&f->current, "ou=feyzin," TENANTS, "feyzin",
	    ENTRY_TENANT);
	ptrvec_push(&f->plan.tenants_gone, t);
	f->plan.nremovals = f->plan.ndisable = 30;
	assert_int_equal(check(f), GUARD_TENANT | GUARD_REMOVALS |
	    GUARD_CHANGES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    default_limit_is_five_percent_clamped_to_10_and_500, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(limit_as_count_or_percentage,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    removals_over_the_limit_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    removals_count_people_managed_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    more_than_half_changed_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    every_kind_of_change_counts_towards_half, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_small_directory_has_no_half_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_tenant_gone_unconfirmed_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_add_up, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
