/*
 * report on plain data: where an entry stands by its DN, what it counts for,
 * and the three formats of a fixed census, hostile names included.
 */
#include "harness.h"
#include "census.h"

#define TENANTS	"ou=tenants,dc=s,dc=fr"

static const struct census_service services[] = {
	{ "mail", "cn=mail,ou=services,dc=s,dc=fr", "mutualizeMailQuota" },
	{ "visio", "cn=visio,ou=services,dc=s,dc=fr", NULL },
};

static struct span
sp(const char *s)
{
	return (struct span){ s, s != NULL ? strlen(s) : 0 };
}

static enum census_place
place(const struct census *c, const char *dn, char tenant[64])
{
	struct span		t = { NULL, 0 };
	enum census_place	p = census_place(c, sp(dn), &t);

	snprintf(tenant, 64, "%.*s", (int)t.len, t.s != NULL ? t.s : "");
	return p;
}

static void
entries_are_placed_by_their_dn(void **state)
{
	struct census	c;
	char		t[64];

	(void)state;
	census_init(&c, "f.yaml", TENANTS, services, 2);
	assert_int_equal(place(&c, "ou=alpha," TENANTS, t), PLACE_TENANT);
	assert_string_equal(t, "alpha");
	assert_int_equal(place(&c, "uid=a,ou=people,ou=alpha," TENANTS, t),
	    PLACE_PERSON);
	assert_string_equal(t, "alpha");
	assert_int_equal(place(&c, "UID=a,OU=People,OU=Beta," TENANTS, t),
	    PLACE_PERSON);
	assert_string_equal(t, "Beta");
	assert_int_equal(place(&c, "uid=a\\,ou=people,ou=mailboxes,ou=x,"
	    TENANTS, t), PLACE_MAILBOX);
	assert_string_equal(t, "x");
	assert_int_equal(place(&c, "uid=c@x.fr,ou=mailboxes,ou=x," TENANTS,
	    t), PLACE_MAILBOX);
	assert_int_equal(place(&c, "cn=g,ou=groups,ou=x," TENANTS, t),
	    PLACE_OTHER);
	assert_int_equal(place(&c, "ou=people,ou=x," TENANTS, t), PLACE_OTHER);
	assert_int_equal(place(&c, "uid=a,ou=people,cn=x," TENANTS, t),
	    PLACE_OTHER);
	assert_int_equal(place(&c, "cn=x," TENANTS, t), PLACE_OTHER);
	assert_int_equal(place(&c, TENANTS, t), PLACE_OTHER);
	assert_int_equal(place(&c, "uid=b,uid=a,ou=people,ou=x," TENANTS, t),
	    PLACE_OTHER);
	census_free(&c);
}

/* A person of the tenant, with the kind, the mark and the quota given. */
static void
person(struct census *c, const char *dn, const char *kind, int managed,
    int disabled, const char *quota)
{
	struct census_entry	e;
	struct span		q[2] = { sp(quota), { NULL, 0 } };

	memset(&e, 0, sizeof(e));
	e.place = census_place(c, sp(dn), &e.tenant);
	e.kind = sp(kind);
	e.managed = managed;
	e.disabled = disabled;
	e.quota = q;
	/* the groups as read: a disabled person's too */
	e.member = census_member_of(c, census_lower(c, dn, strlen(dn)));
	census_take(c, &e);
}

static void
tenant(struct census *c, const char *dn, const char *ou, const char *name,
    int managed)
{
	struct census_entry	e;

	memset(&e, 0, sizeof(e));
	e.place = census_place(c, sp(dn), &e.tenant);
	e.ou = sp(ou);
	e.description = sp(name);
	e.managed = managed;
	census_take(c, &e);
}

#define P(t, u)	"uid=" u ",ou=people,ou=" t "," TENANTS
#define HOSTILE	"Comma, \"quote\"\r\nnew\033[0m \xc3\xa9 \xf0\x9f\x8c\xbb"

/*
 * alpha: an agent with mail, an elected official disabled though still in
 * the mail group; its entry comes after its people. beta: an agent with
 * mail and visio, a mailbox in the mail group, a person without the mark.
 */
static void
fixed(struct census *c)
{
	static const char *const mail[] = {
		"UID=m.agent,OU=people,OU=alpha," TENANTS, P("alpha", "m.elu"),
		P("beta", "b.agent"), "uid=box,ou=mailboxes,ou=beta," TENANTS,
		P("beta", "hand"), NULL
	};
	struct census_entry	box;
	size_t			i;

	census_init(c, "f.yaml", TENANTS, services, 2);
	for (i = 0; mail[i] != NULL; i++)
		census_member(c, 0, mail[i], strlen(mail[i]));
	census_member(c, 1, P("beta", "b.agent"), strlen(P("beta", "b.agent")));
	person(c, P("alpha", "m.agent"), "agent", 1, 0, "1073741824");
	person(c, P("alpha", "m.elu"), "elected", 1, 1, "1073741824");
	tenant(c, "ou=alpha," TENANTS, "alpha", HOSTILE, 1);
	tenant(c, "ou=beta," TENANTS, "beta", "\xc3\x89" "cully", 1);
	person(c, P("beta", "b.agent"), "AGENT", 1, 0, "536870912");
	person(c, P("beta", "hand"), "agent", 0, 0, "536870912");
	memset(&box, 0, sizeof(box));
	box.place = census_place(c, sp("uid=box,ou=mailboxes,ou=beta,"
	    TENANTS), &box.tenant);
	box.managed = 1;
	census_take(c, &box);
	census_done(c);
}

static void
people_count_as_the_services_see_them(void **state)
{
	struct census			c;
	const struct census_row		*a, *b;

	(void)state;
	fixed(&c);
	assert_int_equal(c.rows.n, 2);
	a = c.rows.v[0];
	b = c.rows.v[1];
	assert_string_equal(a->id, "alpha");
	assert_string_equal(a->name, HOSTILE);
	assert_true(a->people == 2 && a->agents == 1 && a->elected == 1 &&
	    a->active == 1 && a->disabled == 1 && a->mailboxes == 0);
	assert_true(a->entitled[0] == 1 && a->quota[0] == 1073741824ULL &&
	    a->entitled[1] == 0);
	assert_true(b->people == 1 && b->agents == 1 && b->active == 1 &&
	    b->mailboxes == 1);
	assert_true(b->entitled[0] == 1 && b->quota[0] == 536870912ULL &&
	    b->entitled[1] == 1);
	assert_true(c.total.people == 3 && c.total.disabled == 1 &&
	    c.total.entitled[0] == 2 && c.total.quota[0] == 1610612736ULL);
	assert_true(c.bad_quotas == 0);
	census_free(&c);
}

static char	*printed(const struct census *, const char *);

static void
quotas_that_are_no_number_are_not_counted(void **state)
{
	struct census	 c;
	char		*got;

	(void)state;
	census_init(&c, "f.yaml", TENANTS, services, 2);
	census_member(&c, 0, P("a", "x"), strlen(P("a", "x")));
	census_member(&c, 0, P("a", "y"), strlen(P("a", "y")));
	census_member(&c, 0, P("a", "z"), strlen(P("a", "z")));
	person(&c, P("a", "x"), "agent", 1, 0, "-5");
	person(&c, P("a", "y"), "agent", 1, 0, "18446744073709551615");
	person(&c, P("a", "z"), "agent", 1, 0, "10");
	census_done(&c);
	assert_true(c.bad_quotas == 1);
	assert_true(((struct census_row *)c.rows.v[0])->entitled[0] == 3);
	/* the sum stops at the largest number rather than wrap round */
	assert_true(c.total.quota[0] == ~0ULL);
	/* its entry unread: the id is its RDN value, it has no name */
	assert_string_equal(((struct census_row *)c.rows.v[0])->id, "a");
	got = printed(&c, "json");
	assert_non_null(strstr(got, "{\"tenant\": \"a\", \"name\": null, "));
	free(got);
	census_free(&c);
}

static char *
printed(const struct census *c, const char *format)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_int_not_equal(census_format(format), -1);
	census_print(c, census_format(format), fp);
	fclose(fp);
	return buf;
}

static void
the_text_is_aligned_and_escaped(void **state)
{
	static const char want[] =
	    "tenant  name" "%33s" "  people  agents  elected  active  disabled"
	    "  mailboxes  mail  mail_quota  visio\n"
	    "alpha   Comma, \"quote\"\\x0d\\x0anew\\x1b[0m \xc3\xa9 "
	    "\xf0\x9f\x8c\xbb       2       1        1       1         1"
	    "          0     1       1 GiB      0\n"
	    "beta    \xc3\x89" "cully" "%38s" "1       1        0       1"
	    "         0          1     1     512 MiB      1\n"
	    "        total" "%39s" "3       2        1       2         1"
	    "          1     2     1.5 GiB      1\n";
	char		 expect[sizeof(want) + 128];
	struct census	 c;
	char		*got;

	(void)state;
	/* the name column is 37 wide: the flower takes two */
	snprintf(expect, sizeof(expect), want, "", "", "");
	fixed(&c);
	got = printed(&c, "text");
	assert_string_equal(got, expect);
	free(got);
	census_free(&c);
}

static void
the_csv_is_rfc_4180(void **state)
{
	static const char want[] =
	    "tenant,name,people,agents,elected,active,disabled,mailboxes,mail,"
	    "mail_quota_bytes,visio\r\n"
	    "alpha,\"Comma, \"\"quote\"\"\r\nnew\033[0m \xc3\xa9 "
	    "\xf0\x9f\x8c\xbb\",2,1,1,1,1,0,1,1073741824,0\r\n"
	    "beta,\xc3\x89" "cully,1,1,0,1,0,1,1,536870912,1\r\n"
	    ",total,3,2,1,2,1,1,2,1610612736,1\r\n";
	struct census	 c;
	char		*got;

	(void)state;
	fixed(&c);
	got = printed(&c, "csv");
	assert_string_equal(got, want);
	free(got);
	census_free(&c);
}

static void
the_json_has_numbers_and_quoted_names(void **state)
{
	static const char want[] = "{\n"
	    "  \"file\": \"f.yaml\",\n"
	    "  \"services\": [\n"
	    "    {\"id\": \"mail\", \"group\": \"cn=mail,ou=services,dc=s,dc=fr\", "
	    "\"quota_attribute\": \"mutualizeMailQuota\"},\n"
	    "    {\"id\": \"visio\", \"group\": \"cn=visio,ou=services,dc=s,dc=fr\", "
	    "\"quota_attribute\": null}\n"
	    "  ],\n"
	    "  \"tenants\": [\n"
	    "    {\"tenant\": \"alpha\", \"name\": \"Comma, \\\"quote\\\"\\u000d\\n"
	    "new\\u001b[0m \xc3\xa9 \xf0\x9f\x8c\xbb\", \"people\": 2, "
	    "\"agents\": 1, \"elected\": 1, \"active\": 1, \"disabled\": 1, "
	    "\"mailboxes\": 0, \"services\": {\"mail\": {\"people\": 1, "
	    "\"quota_bytes\": 1073741824}, \"visio\": {\"people\": 0}}},\n"
	    "    {\"tenant\": \"beta\", \"name\": \"\xc3\x89" "cully\", "
	    "\"people\": 1, \"agents\": 1, \"elected\": 0, \"active\": 1, "
	    "\"disabled\": 0, \"mailboxes\": 1, \"services\": {\"mail\": "
	    "{\"people\": 1, \"quota_bytes\": 536870912}, \"visio\": "
	    "{\"people\": 1}}}\n"
	    "  ],\n"
	    "  \"total\": {\"people\": 3, \"agents\": 2, \"elected\": 1, "
	    "\"active\": 2, \"disabled\": 1, \"mailboxes\": 1, \"services\": "
	    "{\"mail\": {\"people\": 2, \"quota_bytes\": 1610612736}, "
	    "\"visio\": {\"people\": 1}}}\n"
	    "}\n";
	struct census	 c;
	char		*got;

	(void)state;
	fixed(&c);
	got = printed(&c, "json");
	assert_string_equal(got, want);
	free(got);
	census_free(&c);
}

static void
an_empty_census_is_a_total_of_zeros(void **state)
{
	struct census	 c;
	char		*got;

	(void)state;
	census_init(&c, "f.yaml", TENANTS, NULL, 0);
	census_done(&c);
	got = printed(&c, "csv");
	assert_string_equal(got, "tenant,name,people,agents,elected,active,"
	    "disabled,mailboxes\r\n,total,0,0,0,0,0,0\r\n");
	free(got);
	got = printed(&c, "json");
	assert_string_equal(got, "{\n  \"file\": \"f.yaml\",\n  \"services\": "
	    "[],\n  \"tenants\": [],\n  \"total\": {\"people\": 0, \"agents\": "
	    "0, \"elected\": 0, \"active\": 0, \"disabled\": 0, \"mailboxes\": "
	    "0, \"services\": {}}\n}\n");
	free(got);
	census_free(&c);
}

static void
bytes_as_people_read_them(void **state)
{
	static const struct {
		unsigned long long	 n;
		const char		*want;
	} cases[] = {
		{ 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1 KiB" },
		{ 1536, "1.5 KiB" }, { 5ULL << 30, "5 GiB" },
		{ 500000000, "476.8 MiB" }, { 3ULL << 40, "3 TiB" },
		{ ~0ULL, "16.0 EiB" },
	};
	char	buf[32];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		census_bytes(buf, sizeof(buf), cases[i].n);
		assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(census_format("ldif"), -1);
	assert_int_equal(census_format("CSV"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries_are_placed_by_their_dn),
		cmocka_unit_test(people_count_as_the_services_see_them),
		cmocka_unit_test(quotas_that_are_no_number_are_not_counted),
		cmocka_unit_test(the_text_is_aligned_and_escaped),
		cmocka_unit_test(the_csv_is_rfc_4180),
		cmocka_unit_test(the_json_has_numbers_and_quoted_names),
		cmocka_unit_test(an_empty_census_is_a_total_of_zeros),
		cmocka_unit_test(bytes_as_people_read_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
