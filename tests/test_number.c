/* Numbers as people write them: whole numbers within bounds, and sizes. */
#include "harness.h"

static void
whole_numbers_within_bounds(void **state)
{
	unsigned long long	n = 7;

	(void)state;
	assert_int_equal(parse_uint("0", 0, 10, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse_uint("10", 0, 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(parse_uint("007", 0, 10, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(parse_uint("18446744073709551615", 0, ULLONG_MAX, &n),
	    0);
	assert_true(n == ULLONG_MAX);
}

static void
anything_else_is_refused_and_left_alone(void **state)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "+1", "-1", "1x", "0x10", "1.5", "11",
		"18446744073709551616", NULL
	};
	unsigned long long	 n = 42;
	size_t			 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (parse_uint(bad[i], 0, 10, &n) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
	assert_int_equal(parse_uint("0", 1, 10, &n), -1);
	assert_int_equal(n, 42);
}

static void
sizes_with_units(void **state)
{
	unsigned long long	n;

	(void)state;
	assert_int_equal(parse_size("1024", &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(parse_size("5 GiB", &n), 0);
	assert_true(n == 5ULL << 30);
	assert_int_equal(parse_size("500MB", &n), 0);
	assert_int_equal(n, 500000000);
	assert_int_equal(parse_size("5 gib", &n), -1);
	assert_int_equal(parse_size("-5GB", &n), -1);
	assert_int_equal(parse_size("GB", &n), -1);
	assert_int_equal(parse_size("20000000TiB", &n), -1);
	assert_int_equal(parse_size("99999999999999999999", &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_numbers_within_bounds),
		cmocka_unit_test(anything_else_is_refused_and_left_alone),
		cmocka_unit_test(sizes_with_units),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
