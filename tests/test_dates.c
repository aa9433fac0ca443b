/*
 * People's dates: the calendar, where a day falls among a person's dates,
 * what render and diff make of a person out of them, and "Coming up". The
 * day of the run is the model's today, set here as the clock would.
 */
#include <time.h>

#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define MAIL	"cn=mail,ou=services,dc=sitiv,dc=fr"

static long
day(const char *s)
{
	long	d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static void
dates_of_the_calendar_parse_and_print_back(void **state)
{
	static const char *const good[] = { "1970-01-01", "2024-02-29",
	    "2000-02-29", "2026-12-31", "9999-12-31", NULL };
	char	 buf[DATE_LEN + 1];
	size_t	 i;

	(void)state;
	assert_int_equal(day("1970-01-01"), 0);
	assert_int_equal(day("2000-03-01"), 11017);
	assert_int_equal(day("2026-03-01") - day("2026-02-28"), 1);
	assert_int_equal(day("2024-03-01") - day("2024-02-28"), 2);
	for (i = 0; good[i] != NULL; i++) {
		date_format(day(good[i]), buf);
		assert_string_equal(buf, good[i]);
	}
}

static void
what_is_no_date_is_refused(void **state)
{
	static const char *const bad[] = { "2026-02-30", "2025-02-29",
	    "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
	    "2026-01-00", "1969-12-31", "2026-1-01", "2026-01-011",
	    "2026/01/01", "31-12-2026", "2026-0a-01", "", " 2026-01-01", NULL };
	long	 d;
	size_t	 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++)
		if (date_parse(bad[i], &d) != -1)
			fail_msg("\"%s\" was taken for a date", bad[i]);
}

static void
a_day_starts_at_local_midnight_in_generalized_time(void **state)
{
	char	 t[16];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	date_gentime(day("2027-01-04"), t);
	assert_string_equal(t, "20270104000000Z");
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	date_gentime(day("2027-01-04"), t);
	assert_string_equal(t, "20270103230000Z");
	date_gentime(day("2027-07-04"), t);
	assert_string_equal(t, "20270703220000Z");
	unsetenv("TZ");
	tzset();
}

static void
a_period_is_before_within_or_after_the_dates(void **state)
{
	struct tenant	t = { .mandate_end = DATE_NONE };
	struct person	p = { .valid_from = DATE_NONE, .valid_until = DATE_NONE,
	    .tenant = &t };
	int		mandate;

	(void)state;
	assert_int_equal(person_period(&p, day("2026-06-01")), PERIOD_IN);
	p.valid_from = day("2026-06-02");
	p.valid_until = day("2026-06-30");
	assert_int_equal(person_period(&p, day("2026-06-01")), PERIOD_BEFORE);
	assert_int_equal(person_period(&p, day("2026-06-02")), PERIOD_IN);
	/* the last day is worked whole */
	assert_int_equal(person_period(&p, day("2026-06-30")), PERIOD_IN);
	assert_int_equal(person_period(&p, day("2026-07-01")), PERIOD_AFTER);
	/* a mandate ends the elected officials without a date of their own */
	p.valid_until = DATE_NONE;
	t.mandate_end = day("2026-06-15");
	assert_int_equal(person_period(&p, day("2026-06-20")), PERIOD_IN);
	p.kind = KIND_ELECTED;
	assert_int_equal(person_period(&p, day("2026-06-20")), PERIOD_AFTER);
	assert_int_equal(person_until(&p, &mandate), day("2026-06-15"));
	assert_int_equal(mandate, 1);
	p.valid_until = day("2026-12-31");
	assert_int_equal(person_period(&p, day("2026-06-20")), PERIOD_IN);
	assert_int_equal(person_until(&p, &mandate), day("2026-12-31"));
	assert_int_equal(mandate, 0);
}

static const char syndicate[] =
    "version: 1\n"
    "syndicate: {id: sitiv, name: SITIV, base_dn: \"dc=sitiv,dc=fr\", "
    "mail_domain: sitiv.fr}\n"
    "directory: {uri: \"ldap://127.0.0.1:3890\", bind_dn: "
    "\"cn=admin,dc=sitiv,dc=fr\"}\n"
    "policy: {first_password: reset_required}\n"
    "services: {mail: }\n"
    "tenants:\n"
    "  - id: venissieux\n"
    "    name: Vénissieux\n"
    "    mandate_end: 2026-06-15\n"
    "    services: [mail]\n"
    "    groups: [{id: dsi, name: DSI, members: [A-1, A-2, E-1]}]\n"
    "    people:\n"
    "      - {id: A-1, given_name: Anne, surname: Tôt, kind: agent, "
    "valid_from: 2026-06-10}\n"
    "      - {id: A-2, given_name: Paul, surname: Fin, kind: agent, "
    "valid_until: 2026-05-31}\n"
    "      - {id: A-3, given_name: Luc, surname: Là, kind: agent, "
    "valid_from: 2026-01-01, valid_until: 2026-12-31}\n"
    "      - {id: E-1, given_name: Eve, surname: Élue, kind: elected}\n"
    "      - {id: E-2, given_name: Max, surname: Réélu, kind: elected, "
    "valid_until: 2032-03-31}\n";

/* The syndicate above on that day, checked, logins given. */
static struct model *
load_on(const char *today)
{
	struct diags	 d = { 0 };
	char		*path = write_temp(syndicate, sizeof(syndicate) - 1);
	struct model	*m = model_load(path, &d);

	unlink(path);
	free(path);
	assert_non_null(m);
	assert_int_equal(model_check(m, &d), 0);
	assert_int_equal(model_identities(m, NULL, &d), 0);
	m->today = day(today);
	return m;
}

static const struct entry *
person_entry(const struct entries *es, const char *login)
{
	char			*dn = xasprintf("uid=%s,ou=people," VEN, login);
	const struct entry	*e = entries_find(es, dn);

	free(dn);
	assert_non_null(e);
	return e;
}

static void
out_of_dates_people_are_rendered_disabled_in_no_group(void **state)
{
	struct model	*m = load_on("2026-06-01");
	struct entries	 es;

	(void)state;
	entries_init(&es);
	es.ppolicy = 1;
	setenv("TZ", "UTC", 1);
	tzset();
	render(m, &es);
	/* A-1 not started, A-2 ended; A-3 and the elected within theirs */
	assert_attr(entries_find(&es, MAIL), "member",
	    "uid=luc.la,ou=people," VEN "|uid=eve.elue,ou=people," VEN
	    "|uid=max.reelu,ou=people," VEN);
	assert_attr(entries_find(&es, "cn=dsi,ou=groups," VEN), "member",
	    "uid=eve.elue,ou=people," VEN);
	assert_attr(person_entry(&es, "anne.tot"), "mutualizeDisabled",
	    "20260601000000Z");
	assert_attr(person_entry(&es, "anne.tot"), "pwdAccountLockedTime",
	    LOCKED_FOREVER);
	assert_attr(person_entry(&es, "anne.tot"), "pwdStartTime",
	    "20260610000000Z");
	assert_attr(person_entry(&es, "paul.fin"), "pwdEndTime",
	    "20260601000000Z");
	assert_attr(person_entry(&es, "paul.fin"), "mutualizeDisabled",
	    "20260601000000Z");
	assert_attr(person_entry(&es, "luc.la"), "mutualizeDisabled", "");
	assert_attr(person_entry(&es, "luc.la"), "pwdEndTime",
	    "20270101000000Z");
	/* the mandate's end for Eve; Max's own date for him */
	assert_attr(person_entry(&es, "eve.elue"), "pwdEndTime",
	    "20260616000000Z");
	assert_attr(person_entry(&es, "max.reelu"), "pwdEndTime",
	    "20320401000000Z");
	assert_attr(person_entry(&es, "eve.elue"), "pwdReset", "TRUE");
	unsetenv("TZ");
	tzset();
	entries_free(&es);
	model_free(m);
}

static void
without_ppolicy_people_get_none_of_its_attributes(void **state)
{
	struct model	*m = load_on("2026-06-01");
	struct entries	 es;

	(void)state;
	entries_init(&es);
	render(m, &es);
	assert_attr(person_entry(&es, "anne.tot"), "pwdStartTime", "");
	assert_attr(person_entry(&es, "anne.tot"), "pwdAccountLockedTime", "");
	assert_attr(person_entry(&es, "eve.elue"), "pwdReset", "");
	assert_int_equal(entry_attr(person_entry(&es, "anne.tot"),
	    "mutualizeDisabled")->nvals, 1);
	entries_free(&es);
	model_free(m);
}

/* The plan of the model on that day against the directory of another. */
static void
plan_between(const char *then, const char *now, struct plan *p,
    struct entries *want, struct entries *have, struct model **mp)
{
	struct model	*old = load_on(then), *m = load_on(now);
	struct diff_opts o = { 0 };
	static const char *const managed[] = { "ou=tenants,dc=sitiv,dc=fr",
	    NULL };
	size_t		 i;

	entries_init(want);
	entries_init(have);
	render(old, have);
	for (i = 0; i < have->v.n; i++) {
		struct entry		*e = have->v.v[i];
		const struct attr	*id = entry_attr(e, "employeeNumber");

		if (e->kind == ENTRY_PERSON && id != NULL)
			hmap_put(&have->by_id, id->vals[0], e);
	}
	render(m, want);
	o.model = m;
	o.managed = managed;
	o.now = "20260701120000Z";
	o.lock_accounts = 1;
	memset(p, 0, sizeof(*p));
	diff(want, have, &o, p);
	model_free(old);
	*mp = m;
}

static const struct change *
change_of(const struct plan *p, const char *login)
{
	char	*dn = xasprintf("uid=%s,ou=people," VEN, login);
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].dn, dn) == 0 &&
		    p->v[i].op == CHANGE_MODIFY) {
			free(dn);
			return &p->v[i];
		}
	free(dn);
	return NULL;
}

static void
a_day_later_the_plan_disables_and_enables_by_the_dates(void **state)
{
	struct plan		 p;
	struct entries		 want, have;
	struct model		*m;
	const struct change	*c;

	(void)state;
	/* on 2026-06-16: Anne started, Eve's mandate ended, Paul still gone */
	plan_between("2026-06-01", "2026-06-16", &p, &want, &have, &m);
	assert_non_null(c = change_of(&p, "anne.tot"));
	assert_int_equal(c->why, WHY_STARTED);
	assert_non_null(c = change_of(&p, "eve.elue"));
	assert_int_equal(c->why, WHY_ENDED);
	assert_int_equal(c->nmods, 2);
	assert_string_equal(c->mods[0].attr, "mutualizeDisabled");
	assert_string_equal(c->mods[0].vals[0], "20260701120000Z");
	assert_string_equal(c->mods[1].attr, "pwdAccountLockedTime");
	assert_null(change_of(&p, "paul.fin"));
	assert_null(change_of(&p, "max.reelu"));
	assert_int_equal(p.ndisable, 1);
	plan_free(&p);
	entries_free(&want);
	entries_free(&have);
	model_free(m);
}

static void
coming_up_lists_the_changes_within_the_horizon(void **state)
{
	struct model		*m = load_on("2026-06-01");
	struct print_opts	 o = { 0, 30, 0, 0 };
	struct memtext		 mt;
	FILE			*fp = memtext_open(&mt);
	char			*text;

	(void)state;
	plan_print_coming(m, fp, &o);
	o.horizon = 14;
	plan_print_coming(m, fp, &o);
	o.horizon = 8;
	plan_print_coming(m, fp, &o);
	text = memtext_close(&mt);
	assert_string_equal(text,
	    "Coming up within 30 days\n"
	    "  2026-06-10  starts  venissieux/A-1  Anne Tôt (anne.tot): "
	    "valid_from\n"
	    "  2026-06-16  ends    venissieux/E-1  Eve Élue (eve.elue): "
	    "mandate_end, last day 2026-06-15\n"
	    "\n"
	    "Coming up within 14 days\n"
	    "  2026-06-10  starts  venissieux/A-1  Anne Tôt (anne.tot): "
	    "valid_from\n"
	    "\n");
	free(text);
	model_free(m);
}

static void
coming_up_is_in_the_json_plan_too(void **state)
{
	struct model		*m = load_on("2026-06-01");
	struct print_opts	 o = { 0, 30, 0, 0 };
	struct plan		 p = { 0 };
	struct memtext		 mt;
	FILE			*fp = memtext_open(&mt);
	char			*text;

	(void)state;
	plan_print_json(&p, m, &o, "t.yaml", fp);
	o.horizon = 8;
	plan_print_coming_json(m, o.horizon, fp);
	text = memtext_close(&mt);
	assert_string_equal(text, "{\n  \"file\": \"t.yaml\",\n"
	    "  \"summary\": {\"add\": 0, \"change\": 0, \"rename\": 0, "
	    "\"disable\": 0, \"delete\": 0, \"removals\": 0},\n"
	    "  \"changes\": [],\n  \"unmanaged\": [],\n"
	    "  \"coming\": {\"horizon\": 30, \"accounts\": [\n"
	    "    {\"day\": \"2026-06-10\", \"event\": \"start\", "
	    "\"tenant\": \"venissieux\", \"id\": \"A-1\", \"login\": "
	    "\"anne.tot\", \"key\": \"valid_from\"},\n"
	    "    {\"day\": \"2026-06-16\", \"event\": \"end\", "
	    "\"tenant\": \"venissieux\", \"id\": \"E-1\", \"login\": "
	    "\"eve.elue\", \"key\": \"mandate_end\", \"last_day\": "
	    "\"2026-06-15\"}\n  ]}\n}\n"
	    "{\"horizon\": 8, \"accounts\": []}");
	free(text);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_of_the_calendar_parse_and_print_back),
		cmocka_unit_test(what_is_no_date_is_refused),
		cmocka_unit_test(a_day_starts_at_local_midnight_in_generalized_time),
		cmocka_unit_test(a_period_is_before_within_or_after_the_dates),
		cmocka_unit_test(out_of_dates_people_are_rendered_disabled_in_no_group),
		cmocka_unit_test(without_ppolicy_people_get_none_of_its_attributes),
		cmocka_unit_test(a_day_later_the_plan_disables_and_enables_by_the_dates),
		cmocka_unit_test(coming_up_lists_the_changes_within_the_horizon),
		cmocka_unit_test(coming_up_is_in_the_json_plan_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
