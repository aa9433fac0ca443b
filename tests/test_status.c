/*
 * status on plain data: CSNs and the lag they make, the journal's last apply,
 * the verdict and its exit status, the JSON of a fixed report.
 */
#include "harness.h"
#include "status.h"

#define CSN_A	"20261201120000.000000Z#000000#001#000000"

static void
a_csn_is_its_time_and_server_id(void **state)
{
	struct csn	c;

	(void)state;
	assert_int_equal(csn_parse(CSN_A, &c), 0);
	assert_true(c.usec == 1796126400LL * 1000000);
	assert_int_equal(c.sid, 1);
	assert_string_equal(c.text, CSN_A);
	assert_int_equal(csn_parse("20261201120000.250000Z#00000a#0ff#000000",
	    &c), 0);
	assert_true(c.usec == 1796126400LL * 1000000 + 250000);
	assert_int_equal(c.sid, 0xff);
}

static void
anything_else_is_no_csn(void **state)
{
	static const char *const bad[] = {
		"", "20261201120000Z",
		"20261201120000.000000Z#000000#001",
		"20261201120000.000000Z#000000#001#0000000",
		"2026120112000x.000000Z#000000#001#000000",
		"20261301120000.000000Z#000000#001#000000",
		"20261201250000.000000Z#000000#001#000000",
		"20261201120000.000000Z#000000#00g#000000",
		"20261201120000,000000Z#000000#001#000000", NULL
	};
	struct csn	c;
	size_t		i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (csn_parse(bad[i], &c) != -1)
			fail_msg("\"%s\" was taken", bad[i]);
}

/* A reachable server with the CSNs given, as "sid:seconds" pairs. */
static void
server(struct server_status *s, struct csn *store, size_t n,
    const unsigned *sids, const long long *secs)
{
	size_t	i;

	memset(s, 0, sizeof(*s));
	s->uri = "ldap://x/";
	s->reachable = 1;
	s->csns = store;
	s->ncsns = n;
	for (i = 0; i < n; i++) {
		store[i].sid = sids[i];
		store[i].usec = secs[i] * 1000000 + 500000;
	}
}

static void
lag_is_behind_the_newest_of_the_same_server_id(void **state)
{
	struct server_status	v[4];
	struct csn		a[2], b[2], c[1];
	const unsigned		sids[] = { 1, 2 };
	const long long		ta[] = { 1000, 500 }, tb[] = { 990, 500 };
	const long long		tc[] = { 1000 };

	(void)state;
	server(&v[0], a, 2, sids, ta);
	server(&v[1], b, 2, sids, tb);
	/* it has heard of serverID 1 only: 2's newest is older than its own */
	server(&v[2], c, 1, sids, tc);
	memset(&v[3], 0, sizeof(v[3]));		/* unreachable */
	csn_lags(v, 4);
	assert_true(v[0].lag == 0);
	assert_true(v[1].lag == 10);
	assert_true(v[2].lag == 0);
	assert_true(v[3].lag == -1);
	/* a provider quiet for long is not a lag: times of two IDs differ */
	b[0].usec = a[0].usec;
	b[1].usec = a[1].usec - 3500000;
	csn_lags(v, 4);
	assert_true(v[1].lag == 3);
	v[1].ncsns = 0;
	csn_lags(v, 4);
	assert_true(v[1].lag == -1);
}

#define LINE(time, result) "{\"time\": \"" time "\", \"user\": \"root\", " \
	"\"host\": \"h\", \"op\": \"add\", \"dn\": \"uid=a\\\\, \\\"b\\\"\", " \
	"\"attributes\": [\"cn\"], \"result\": \"" result "\"}\n"

static void
the_last_apply_is_the_last_time_user_and_host(void **state)
{
	struct last_apply	a;

	(void)state;
	memset(&a, 0, sizeof(a));
	last_apply_line(&a, LINE("2026-01-01T00:00:00Z", "sending"));
	last_apply_line(&a, LINE("2026-01-01T00:00:00Z", "ok"));
	last_apply_line(&a, LINE("2026-01-02T00:00:00Z", "sending"));
	last_apply_line(&a, LINE("2026-01-02T00:00:00Z", "sending"));
	last_apply_line(&a, LINE("2026-01-02T00:00:00Z", "sending"));
	last_apply_line(&a, LINE("2026-01-02T00:00:00Z", "ok"));
	last_apply_line(&a, LINE("2026-01-02T00:00:00Z",
	    "Already exists (68)"));
	last_apply_line(&a, "{\"time\": \"2026-01-03T00:00:00Z\", \"us");
	assert_true(a.found);
	assert_string_equal(a.time, "2026-01-02T00:00:00Z");
	assert_string_equal(a.user, "root");
	assert_string_equal(a.host, "h");
	assert_int_equal(a.sent, 3);
	assert_int_equal(a.done, 1);
	assert_int_equal(a.failed, 1);
	assert_int_equal(last_apply_unanswered(&a), 1);
}

static void
the_journal_read_whole_or_absent(void **state)
{
	static const char	 text[] = LINE("2026-01-01T00:00:00Z", "sending")
	    LINE("2026-01-01T00:00:00Z", "ok");
	struct last_apply	 a;
	char			*path = write_temp(text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(last_apply_read(path, &a), 0);
	assert_true(a.found);
	assert_int_equal(a.sent, 1);
	assert_int_equal(last_apply_unanswered(&a), 0);
	unlink(path);
	assert_int_equal(last_apply_read(path, &a), 0);
	assert_false(a.found);
	free(path);
	assert_int_equal(last_apply_read("/", &a), -1);
}

static void
a_lock_says_since_when(void **state)
{
	(void)state;
	assert_true(lock_since("pid 12 on h since 20261201120000Z") ==
	    1796126400LL);
	assert_true(lock_since("pid 12 on h") == -1);
	assert_true(lock_since("pid 12 on h since yesterday") == -1);
}

/* Two servers up, in step, no lock, a finished apply. */
static void
healthy(struct status_report *r, struct server_status v[2], struct csn c[2])
{
	static const unsigned	sids[] = { 0 };
	static const long long	t[] = { 1796126400LL };

	memset(r, 0, sizeof(*r));
	server(&v[0], &c[0], 1, sids, t);
	server(&v[1], &c[1], 1, sids, t);
	snprintf(c[0].text, sizeof(c[0].text), "%s", CSN_A);
	snprintf(c[1].text, sizeof(c[1].text), "%s", CSN_A);
	v[1].uri = "ldap://y/";
	r->file = "t.yaml";
	r->journal = "./mutualize.journal";
	r->outbox = "./mutualize.outbox";
	r->servers = v;
	r->nservers = 2;
	r->max_lag = 60;
	r->now = 1796126400 + 100;
	r->lock.read = 1;
	r->lock.since = -1;
	csn_lags(v, 2);
}

static void
the_verdict_and_its_exit_status(void **state)
{
	struct status_report	r;
	struct server_status	v[2];
	struct csn		c[2];

	(void)state;
	healthy(&r, v, c);
	assert_int_equal(status_health(&r), HEALTH_OK);
	assert_int_equal(status_exit(HEALTH_OK), 0);
	assert_int_equal(status_exit(HEALTH_DEGRADED), 2);
	assert_int_equal(status_exit(HEALTH_DOWN), 3);
	/* an apply stopped mid-way is shown, not counted */
	r.last.found = 1;
	r.last.sent = 4;
	assert_int_equal(status_health(&r), HEALTH_OK);
	c[1].usec -= 60 * 1000000LL;
	csn_lags(v, 2);
	assert_int_equal(status_health(&r), HEALTH_OK);	/* 60 is not past 60 */
	c[1].usec -= 1000000;
	csn_lags(v, 2);
	assert_int_equal(status_health(&r), HEALTH_DEGRADED);
	healthy(&r, v, c);
	r.lock.held = 1;
	r.lock.since = r.now - STATUS_LOCK_OLD;
	assert_int_equal(status_health(&r), HEALTH_OK);
	r.lock.since--;
	assert_int_equal(status_health(&r), HEALTH_DEGRADED);
	r.lock.since = r.now;
	r.lock.gone = 1;
	assert_int_equal(status_health(&r), HEALTH_DEGRADED);
	healthy(&r, v, c);
	v[0].reachable = 0;
	assert_int_equal(status_health(&r), HEALTH_DEGRADED);
	v[1].reachable = 0;
	assert_int_equal(status_health(&r), HEALTH_DOWN);
}

/* What fp wrote, the caller frees it. */
static char *
print_to_string(void (*print)(const struct status_report *, FILE *),
    const struct status_report *r)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	print(r, fp);
	fclose(fp);
	return buf;
}

static void
the_json_of_a_fixed_report(void **state)
{
	static const char	want[] = "{\n"
	    "  \"file\": \"t.yaml\",\n"
	    "  \"status\": \"degraded\",\n"
	    "  \"exit\": 2,\n"
	    "  \"max_lag_seconds\": 60,\n"
	    "  \"servers\": [\n"
	    "    {\"uri\": \"ldap://x/\", \"reachable\": true, \"state\": \"ok\", "
	    "\"error\": null, \"context_csn\": [\"" CSN_A "\"], \"note\": null, "
	    "\"lag_seconds\": 0},\n"
	    "    {\"uri\": \"ldap://y/\", \"reachable\": false, \"state\": "
	    "\"unreachable\", \"error\": \"cannot connect: \\\"no\\\"\", "
	    "\"context_csn\": [], \"note\": null, \"lag_seconds\": null}\n"
	    "  ],\n"
	    "  \"lock\": {\"holder\": \"pid 7 on h since 20261201120000Z\", "
	    "\"since\": \"2026-12-01T12:00:00Z\", \"age_seconds\": 100, "
	    "\"stale\": false},\n"
	    "  \"journal\": \"./mutualize.journal\",\n"
	    "  \"last_apply\": {\"time\": \"2026-12-01T11:00:00Z\", \"user\": "
	    "\"root\", \"host\": \"h\", \"changes\": 3, \"done\": 2, "
	    "\"failed\": 0, \"unanswered\": 1, \"finished\": false},\n"
	    "  \"pending_calls\": {\"outbox\": \"./mutualize.outbox\", "
	    "\"pending\": 2, \"oldest_pending_seconds\": 90, \"dead\": 0},\n"
	    "  \"problems\": [\"ldap://y/ unreachable\"]\n"
	    "}\n";
	struct status_report	 r;
	struct server_status	 v[2];
	struct csn		 c[2];
	char			*got;

	(void)state;
	healthy(&r, v, c);
	v[1].reachable = 0;
	v[1].ncsns = 0;
	snprintf(v[1].why, sizeof(v[1].why), "cannot connect: \"no\"");
	csn_lags(v, 2);
	r.lock.held = 1;
	snprintf(r.lock.holder, sizeof(r.lock.holder),
	    "pid 7 on h since 20261201120000Z");
	r.lock.since = lock_since(r.lock.holder);
	r.last.found = 1;
	snprintf(r.last.time, sizeof(r.last.time), "2026-12-01T11:00:00Z");
	snprintf(r.last.user, sizeof(r.last.user), "root");
	snprintf(r.last.host, sizeof(r.last.host), "h");
	r.last.sent = 3;
	r.last.done = 2;
	r.calls.pending = 2;
	r.calls.oldest = r.now - 90;
	got = print_to_string(status_print_json, &r);
	assert_string_equal(got, want);
	free(got);
}

static void
calls_given_up_degrade_and_pending_ones_do_not(void **state)
{
	static const char	want[] = "outbox      3 calls pending (the oldest "
	    "queued 2 h ago), 1 given up\nstatus      degraded: 1 call to the "
	    "services given up (./mutualize.outbox.dead)\n";
	struct status_report	 r;
	struct server_status	 v[2];
	struct csn		 c[2];
	char			*got;

	(void)state;
	healthy(&r, v, c);
	r.calls.pending = 3;
	r.calls.oldest = r.now - 7300;
	assert_int_equal(status_health(&r), HEALTH_OK);
	r.calls.dead = 1;
	assert_int_equal(status_health(&r), HEALTH_DEGRADED);
	got = print_to_string(status_print_text, &r);
	assert_non_null(strstr(got, want));
	free(got);
}

static void
the_text_one_line_a_server_then_lock_apply_verdict(void **state)
{
	static const char	want[] =
	    "server     state           lag  contextCSN\n"
	    "ldap://x/  ok              0 s  " CSN_A "\n"
	    "ldap://y/  lagging        75 s  "
	    "20261201115845.500000Z#000000#000#000000\n"
	    "lock        none\n"
	    "last apply  none in ./mutualize.journal\n"
	    "outbox      0 calls pending, 0 given up\n"
	    "status      degraded: ldap://y/ 75 s behind (more than 60)\n";
	struct status_report	 r;
	struct server_status	 v[2];
	struct csn		 c[2];
	char			*got;

	(void)state;
	healthy(&r, v, c);
	c[1].usec -= 75 * 1000000LL;
	snprintf(c[1].text, sizeof(c[1].text),
	    "20261201115845.500000Z#000000#000#000000");
	csn_lags(v, 2);
	got = print_to_string(status_print_text, &r);
	assert_string_equal(got, want);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_csn_is_its_time_and_server_id),
		cmocka_unit_test(anything_else_is_no_csn),
		cmocka_unit_test(lag_is_behind_the_newest_of_the_same_server_id),
		cmocka_unit_test(the_last_apply_is_the_last_time_user_and_host),
		cmocka_unit_test(the_journal_read_whole_or_absent),
		cmocka_unit_test(a_lock_says_since_when),
		cmocka_unit_test(the_verdict_and_its_exit_status),
		cmocka_unit_test(calls_given_up_degrade_and_pending_ones_do_not),
		cmocka_unit_test(the_json_of_a_fixed_report),
		cmocka_unit_test(the_text_one_line_a_server_then_lock_apply_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
