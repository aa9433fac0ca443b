/* The progress line: its text for known inputs, and where it is drawn. */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>

#include "harness.h"

static void
assert_line(const char *want, size_t done, size_t total, double seconds)
{
	char	buf[256];

	assert_int_equal(progress_format(buf, sizeof(buf), "changes", done,
	    total, seconds), strlen(want));
	assert_string_equal(buf, want);
}

static void
start_has_no_rate_nor_eta(void **state)
{
	(void)state;
	assert_line("      0 / 100,000 changes    0%", 0, 100000, 0);
	/* time passes, nothing done yet: still nothing to estimate from */
	assert_line("      0 / 100,000 changes    0%", 0, 100000, 2.5);
}

static void
middle_has_rate_and_eta(void **state)
{
	(void)state;
	assert_line(" 41,000 / 100,000 changes   41%  8,200/s  ETA 0:08", 41000,
	    100000, 5);
}

static void
finished_has_time_taken(void **state)
{
	(void)state;
	assert_line("100,000 / 100,000 changes  100%  6,250/s  in 0:16", 100000,
	    100000, 16);
}

static void
hundred_percent_only_once_all_done(void **state)
{
	(void)state;
	assert_line(" 99,999 / 100,000 changes   99%  10,000/s  ETA 0:01",
	    99999, 100000, 10);
}

static void
more_done_than_total_counts_as_total(void **state)
{
	(void)state;
	assert_line("10 / 10 changes  100%  5.0/s  in 0:02", 12, 10, 2);
}

static void
zero_total_is_a_count_and_rate(void **state)
{
	(void)state;
	assert_line("0 changes", 0, 0, 0);
	assert_line("1,500 changes  750/s", 1500, 0, 2);
}

static void
slow_rate_has_a_decimal(void **state)
{
	(void)state;
	assert_line("  3 / 100 changes    3%  0.5/s  ETA 3:14", 3, 100, 6);
}

static void
large_numbers_are_grouped_and_eta_in_hours(void **state)
{
	(void)state;
	if (SIZE_MAX < 40000000000ULL)
		skip();
	assert_line("10,000,000,000 / 40,000,000,000 changes   25%  2,000,000/s"
	    "  ETA 4:10:00", (size_t)10000000000ULL, (size_t)40000000000ULL,
	    5000);
}

static void
eta_beyond_a_hundred_hours_is_no_estimate(void **state)
{
	(void)state;
	assert_line("        1 / 1,000,000 changes    0%  1.0/s  ETA >99:59:59",
	    1, 1000000, 1);
}

static void
short_buffer_is_cut_and_terminated(void **state)
{
	const char	*whole =
	    " 41,000 / 100,000 changes   41%  8,200/s  ETA 0:08";
	char		 buf[8];

	(void)state;
	assert_int_equal(progress_format(buf, sizeof(buf), "changes", 41000,
	    100000, 5), strlen(whole));
	assert_string_equal(buf, " 41,000");
	assert_int_equal(progress_format(NULL, 0, "changes", 0, 0, 0), 9);
}

static void
no_progress_when_not_a_terminal(void **state)
{
	FILE	*fp = tmpfile();

	(void)state;
	assert_non_null(fp);
	assert_null(progress_new(fp, "changes", 100, 1));
	/* the calls on NULL do nothing, and write nothing */
	progress_step(NULL, 1);
	progress_free(NULL);
	assert_int_equal(ftell(fp), 0);
	fclose(fp);
}

/* A pseudo-terminal: *term is its terminal side, the return its other side. */
static int
open_pty(FILE **term)
{
	int	master, fd;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) == -1)
		return -1;
	if (grantpt(master) == -1 || unlockpt(master) == -1 ||
	    (fd = open(ptsname(master), O_RDWR | O_NOCTTY)) == -1) {
		close(master);
		return -1;
	}
	*term = fdopen(fd, "w");
	assert_non_null(*term);
	return master;
}

/*
 * Appends to *text what was written to the terminal, waiting up to wait_ms
 * for it. Read as the steps go, so that too many draws fail the test rather
 * than fill the terminal and block it.
 */
static void
pty_read(int master, char **text, size_t *len, int wait_ms)
{
	struct pollfd	pfd = { .fd = master, .events = POLLIN };
	char		buf[4096];
	ssize_t		n;

	while (poll(&pfd, 1, wait_ms) == 1 &&
	    (n = read(master, buf, sizeof(buf))) > 0) {
		*text = xreallocarray(*text, *len + (size_t)n + 1, 1);
		memcpy(*text + *len, buf, (size_t)n);
		*len += (size_t)n;
		(*text)[*len] = '\0';
	}
}

static void
sleep_seconds(double s)
{
	struct timespec	ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) == -1)
		;
}

static void
no_progress_when_disabled(void **state)
{
	FILE	*term;
	int	 master;

	(void)state;
	if ((master = open_pty(&term)) == -1)
		skip();
	assert_null(progress_new(term, "changes", 100, 0));
	fclose(term);
	close(master);
}

/* A run over before the first draw leaves the terminal as it was. */
static void
short_run_draws_nothing(void **state)
{
	struct progress	*p;
	FILE		*term;
	char		*text;
	int		 master;
	size_t		 i, len = 0;

	(void)state;
	if ((master = open_pty(&term)) == -1)
		skip();
	text = xstrdup("");
	assert_non_null(p = progress_new(term, "changes", 1000, 1));
	for (i = 1; i <= 1000; i++)
		progress_step(p, i);
	progress_free(p);
	pty_read(master, &text, &len, 100);
	assert_string_equal(text, "");
	free(text);
	fclose(term);
	close(master);
}

static double
now_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Many steps past the first half second: drawn once, and again only each
 * tenth of a second that the steps took; cleared at the end.
 */
static void
long_run_draws_at_most_ten_times_a_second(void **state)
{
	struct progress	*p;
	FILE		*term;
	char		*text;
	const char	*s;
	double		 t;
	int		 master, draws = 0;
	size_t		 i, len = 0;

	(void)state;
	if ((master = open_pty(&term)) == -1)
		skip();
	text = xstrdup("");
	assert_non_null(p = progress_new(term, "changes", 100000, 1));
	sleep_seconds(0.6);
	t = now_seconds();
	for (i = 1; i <= 10000; i++) {
		progress_step(p, i);
		if (i % 10 == 0)
			pty_read(master, &text, &len, 0);
	}
	t = now_seconds() - t;
	progress_free(p);
	pty_read(master, &text, &len, 100);
	for (s = text; (s = strchr(s, '\r')) != NULL; s++)
		draws++;
	/* the lines, then the carriage return that clears the last */
	assert_true(draws >= 2);
	assert_true(draws - 2 <= (int)(t * 10));
	s = "\r      1 / 100,000 changes    0%  ";
	assert_true(strncmp(text, s, strlen(s)) == 0);
	assert_non_null(strstr(text, "\033[K\r\033[K"));
	assert_string_equal(text + strlen(text) - 4, "\r\033[K");
	free(text);
	fclose(term);
	close(master);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_has_no_rate_nor_eta),
		cmocka_unit_test(middle_has_rate_and_eta),
		cmocka_unit_test(finished_has_time_taken),
		cmocka_unit_test(hundred_percent_only_once_all_done),
		cmocka_unit_test(more_done_than_total_counts_as_total),
		cmocka_unit_test(zero_total_is_a_count_and_rate),
		cmocka_unit_test(slow_rate_has_a_decimal),
		cmocka_unit_test(large_numbers_are_grouped_and_eta_in_hours),
		cmocka_unit_test(eta_beyond_a_hundred_hours_is_no_estimate),
		cmocka_unit_test(short_buffer_is_cut_and_terminated),
		cmocka_unit_test(no_progress_when_not_a_terminal),
		cmocka_unit_test(no_progress_when_disabled),
		cmocka_unit_test(short_run_draws_nothing),
		cmocka_unit_test(long_run_draws_at_most_ten_times_a_second),
	};

	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
