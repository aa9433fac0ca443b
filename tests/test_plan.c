/*
 * The plan as the admin reads it, compared with golden files in tests/golden/.
 * MUTUALIZE_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
 */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define TENANTS	"ou=tenants,dc=sitiv,dc=fr"

/* color: 0 or 1 for text; -1 for JSON. */
static char *
print_plan(struct small *f, int color)
{
	struct print_opts	 po = { color > 0, HORIZON_DEFAULT, 0, 0 };
	char			*buf = NULL, *out;
	size_t			 len = 0;
	FILE			*fp = open_memstream(&buf, &len);

	assert_int_equal(identities(f->m, &f->current), 0);
	render(f->m, &f->desired);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	if (color < 0)
		plan_print_json(&f->plan, f->m, &po, "small.yaml", fp);
	else {
		plan_print_text(&f->plan, f->m, fp, &po);
		plan_print_summary(&f->plan, "small.yaml", fp, &po);
	}
	fclose(fp);
	out = xstrdup(buf);
	free(buf);
	return out;
}

static struct entry *
have(struct entries *es, const char *dn, const char *attr, const char *value)
{
	struct entry	*e = entries_find(es, dn);

	if (e == NULL) {
		e = entries_add(es, dn, NULL, ENTRY_OTHER);
		entry_classify(es, e, "dc=sitiv,dc=fr", TENANTS);
	}
	if (attr != NULL)
		entry_add_value(es, e, attr, value);
	if (attr != NULL && e->kind == ENTRY_PERSON &&
	    strcmp(attr, "employeeNumber") == 0)
		hmap_put(&es->by_id, e->attrs[e->nattrs - 1].vals[0], e);
	return e;
}

static void
initial_plan_lists_every_entry_by_tenant(void **state)
{
	char	*got = print_plan(*state, 0);

	assert_golden(got, "initial.plan");
	free(got);
}

#define LAETITIA_FEY	"uid=laetitia.ndiaye,ou=people,ou=feyzin," TENANTS
#define LAETITIA_VEN	"uid=laetitia.ndiaye,ou=people," VEN

/*
 * A directory where Michèle Picard has another name, Lætitia N'Diaye still
 * works in Vénissieux (the file has her in Feyzin now), Paul Roux has left,
 * a group lost a member, and entries were made by hand.
 */
static void
print_changes(struct small *f, int json)
{
	char		*got;
	size_t		 i, a, v;
	struct entries	 tmp;

	/* start from the directory as the initial apply leaves it */
	entries_init(&tmp);
	assert_int_equal(identities(f->m, NULL), 0);
	render(f->m, &tmp);
	for (i = 0; i < tmp.v.n; i++) {
		const struct entry	*e = tmp.v.v[i];

		for (a = 0; a < e->nattrs; a++)
			for (v = 0; v < e->attrs[a].nvals; v++) {
				const char	*val = e->attrs[a].vals[v];

				if (strcmp(e->attrs[a].name, "sn") == 0 &&
				    strcmp(val, "Picard") == 0)
					val = "Picard-Durand";
				if (strcmp(e->attrs[a].name, "member") == 0 &&
				    strncmp(val, "uid=marie", 9) == 0 &&
				    strstr(e->dn, "cn=rh") != NULL)
					continue;
				if (strcmp(val, LAETITIA_FEY) == 0)
					val = LAETITIA_VEN;
				have(&f->current, strcmp(e->dn, LAETITIA_FEY) == 0 ?
				    LAETITIA_VEN : e->dn, e->attrs[a].name, val);
			}
	}
	entries_free(&tmp);
	have(&f->current, "ou=oldtown," TENANTS, "ou", "oldtown");
	have(&f->current, "ou=people,ou=oldtown," TENANTS, "ou", "people");
	have(&f->current, "cn=rh,ou=groups," VEN, "member", "");
	have(&f->current, "uid=paul.roux,ou=people,ou=feyzin," TENANTS,
	    "objectClass", "mutualizeManaged");
	have(&f->current, "uid=paul.roux,ou=people,ou=feyzin," TENANTS,
	    "employeeNumber", "F-0099");
	got = print_plan(f, json);
	assert_golden(got, json ? "changes.json" : "changes.plan");
	if (json)
		assert_true(json_valid(got));
	free(got);
}

static void
changes_show_old_and_new_values(void **state)
{
	print_changes(*state, 0);
}

static void
the_json_plan_is_one_document_with_every_change(void **state)
{
	print_changes(*state, -1);
}

static void
a_plan_restricted_to_a_tenant_keeps_its_changes_only(void **state)
{
	struct small	*f = *state;
	const char *const feyzin[] = { "feyzin", NULL };
	char		*got = print_plan(f, 0);
	size_t		 i;

	free(got);
	plan_restrict(&f->plan, feyzin);
	assert_int_equal(f->plan.n, 6);
	assert_int_equal(f->plan.nadd, 6);
	for (i = 0; i < f->plan.n; i++)
		assert_string_equal(f->plan.v[i].entry->tenant, "feyzin");
}

static void
nothing_to_do_says_so(void **state)
{
	struct small	*f = *state;
	char		*got;
	struct plan	 empty = { 0 };
	struct print_opts po = { 0 };
	size_t		 len = 0;
	FILE		*fp = open_memstream(&got, &len);

	(void)f;
	plan_print_text(&empty, f->m, fp, &po);
	plan_print_summary(&empty, "small.yaml", fp, &po);
	fclose(fp);
	assert_string_equal(got, "No changes. The directory matches small.yaml.\n");
	free(got);
}

/*
 * A replace reads "old -> new" for one value; an attribute that comes or
 * goes, or whose values change, as the values it loses and those it gets.
 * A repair of memberOf says so.
 */
static void
replaces_and_repairs_read_as_what_changes(void **state)
{
	struct small	*f = *state;
	struct entries	 es;
	struct change	 c[2];
	struct mod	 m[4];
	struct plan	 p = { 0 };
	struct print_opts po = { 0 };
	const char	*a[] = { "a" }, *b[] = { "b" }, *two[] = { "c", "d" };
	const char	*x[] = { "uid=x," VEN };
	char		*got = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&got, &len);

	entries_init(&es);
	memset(c, 0, sizeof(c));
	c[0].op = c[1].op = CHANGE_MODIFY;
	c[0].entry = entries_add(&es, "uid=x," VEN, NULL, ENTRY_PERSON);
	c[0].dn = c[0].entry->dn;
	m[0] = (struct mod){ MOD_REPLACE, "sn", b, 1, a, 1 };
	m[1] = (struct mod){ MOD_REPLACE, "title", b, 1, NULL, 0 };
	m[2] = (struct mod){ MOD_REPLACE, "ou", NULL, 0, a, 1 };
	m[3] = (struct mod){ MOD_REPLACE, "telephoneNumber", a, 1, two, 2 };
	c[0].mods = m;
	c[0].nmods = 4;
	c[1].entry = entries_add(&es, "cn=g," VEN, NULL, ENTRY_GROUP);
	c[1].dn = c[1].entry->dn;
	c[1].why = WHY_DRIFT;
	c[1].mods = (struct mod[]){ { MOD_ADD, "member", x, 1, NULL, 0 },
	    { MOD_DELETE, "member", x, 1, NULL, 0 } };
	c[1].nmods = 2;
	p.v = c;
	p.n = 2;
	plan_print_text(&p, f->m, fp, &po);
	fclose(fp);
	assert_string_equal(got, "Changes by tenant:\n"
	    "  add  change  rename  disable  delete\n"
	    "    0       2       0        0       0  syndicate sitiv\n\n"
	    "syndicate sitiv\n~ uid=x," VEN "\n"
	    "    sn: a -> b\n    + title: b\n    - ou: a\n"
	    "    - telephoneNumber: c\n    - telephoneNumber: d\n"
	    "    + telephoneNumber: a\n"
	    "~ cn=g," VEN " (memberOf drift: members written again, so that the "
	    "memberof overlay corrects their memberOf)\n"
	    "    + member: uid=x," VEN "\n    - member: uid=x," VEN "\n\n");
	free(got);
	entries_free(&es);
}

static void
color_only_when_asked(void **state)
{
	char	*plain = print_plan(*state, 0);

	assert_null(strchr(plain, '\033'));
	free(plain);
}

static void
color_marks_adds_in_green(void **state)
{
	char	*colored = print_plan(*state, 1);

	assert_non_null(strstr(colored, "\033[32m+ dc=sitiv,dc=fr\033[0m\n"));
	assert_non_null(strstr(colored, "Plan: \033[32m16 to add\033[0m"));
	free(colored);
}

/* What a terminal would act on is shown escaped; the rest as it is. */
static void
text_escape_shows_what_a_terminal_would_hide(void **state)
{
	static const char *const cases[][2] = {
		{ "plain, ASCII", "plain, ASCII" },
		{ "a\x1b[2Jb", "a\\x1b[2Jb" },		/* clears the screen */
		{ "tab\there\n", "tab\\x09here\\x0a" },
		{ "\x7f", "\\x7f" },
		{ "\xc2\x9b" "31m", "\\u009b31m" },	/* C1: CSI */
		{ "abc\xe2\x80\xae" "cba", "abc\\u202ecba" },	/* RLO */
		{ "\xe2\x80\x8bzero", "\\u200bzero" },
		{ "\xef\xbb\xbf" "bom", "\\ufeffbom" },
		{ "\xe2\x81\xa6" "isolate", "\\u2066isolate" },
		{ "\xe2\x80\xa8", "\\u2028" },		/* line separator */
		{ "tag\xf3\xa0\x80\x81", "tag\\U000e0001" },	/* Cf, plane 14 */
		{ "Zoë 🌻 Hélène", "Zoë 🌻 Hélène" },
		{ "uid=x\\2Cy", "uid=x\\2Cy" },		/* DN escapes stay */
		{ "bad \xff byte", "bad \\xff byte" },
		{ "cut \xc3", "cut \\xc3" },
	};
	size_t	i;
	char	*got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = text_escape(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

/* A value or a DN that would reorder or recolour the plan is shown escaped. */
static void
the_text_plan_shows_escapes_and_bidi_escaped(void **state)
{
	struct small		*f = *state;
	struct entries		 es;
	struct entry		*e;
	struct change		 ch;
	struct plan		 p;
	struct print_opts	 po = { 0 };
	char			*got = NULL;
	size_t			 len = 0;
	FILE			*fp = open_memstream(&got, &len);

	entries_init(&es);
	e = entries_add(&es, "cn=\xe2\x80\xae" "nimda,dc=sitiv,dc=fr", NULL,
	    ENTRY_OTHER);
	entry_add_value(&es, e, "description", "ok\x1b[2K\rall good");
	memset(&ch, 0, sizeof(ch));
	ch.op = CHANGE_ADD;
	ch.entry = e;
	ch.dn = e->dn;
	memset(&p, 0, sizeof(p));
	p.v = &ch;
	p.n = 1;
	plan_print_text(&p, f->m, fp, &po);
	fclose(fp);
	assert_non_null(strstr(got, "+ cn=\\u202enimda,dc=sitiv,dc=fr\n"));
	assert_non_null(strstr(got, "    description: ok\\x1b[2K\\x0dall good\n"));
	assert_null(strchr(got, '\x1b'));
	assert_null(strstr(got, "\xe2\x80\xae"));
	free(got);
	entries_free(&es);
}

/* file:line:col errors quote the file: what they quote is escaped too. */
static void
errors_show_escapes_escaped(void **state)
{
	struct diags	 d = { 0 };
	struct pos	 pos = { "people\xe2\x80\xae.csv", 3, 7 };
	char		*got = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&got, &len);

	(void)state;
	diag_add(&d, pos, "unknown group \"%s\"", "\x1b]0;owned\x07");
	diag_print(&d, fp);
	fclose(fp);
	assert_string_equal(got, "people\\u202e.csv:3:7: unknown group "
	    "\"\\x1b]0;owned\\x07\"\n");
	diag_free(&d);
	free(got);
}

/* n member DNs, in the arena. */
static const char **
many(struct arena *a, size_t n)
{
	const char	**v = arena_alloc(a, n * sizeof(*v));
	size_t		  i;

	for (i = 0; i < n; i++)
		v[i] = arena_printf(a, "uid=p%zu," VEN, i);
	return v;
}

/*
 * No change carries more than MEMBERS_PER_CHANGE member values: an add keeps
 * the first of them, a modify's long member mods their first part, and each
 * rest follows as modifies that wait for the one before, counted nowhere.
 */
static void
long_member_lists_are_cut_into_parts(void **state)
{
	struct plan	 p = { 0 };
	struct entries	 es;
	struct entry	*g, *h;
	struct arena	 a = { 0 };
	const char	**v = many(&a, 2500), *one[] = { "x" };

	(void)state;
	entries_init(&es);
	g = entries_add(&es, "cn=g," VEN, NULL, ENTRY_GROUP);
	entry_add_value(&es, g, "cn", "g");
	for (size_t i = 0; i < 2500; i++)
		entry_add_value(&es, g, "member", v[i]);
	h = entries_add(&es, "cn=h," VEN, NULL, ENTRY_GROUP);
	p.v = xcalloc(2, sizeof(*p.v));
	p.n = p.cap = 2;
	p.nadd = p.nmodify = 1;
	p.v[0] = (struct change){ .op = CHANGE_ADD, .entry = g, .dn = g->dn };
	p.v[1] = (struct change){ .op = CHANGE_MODIFY, .entry = h, .dn = h->dn,
	    .nmods = 2 };
	p.v[1].mods = arena_alloc(&a, 2 * sizeof(struct mod));
	p.v[1].mods[0] = (struct mod){ MOD_DELETE, "member", v, 1500, NULL, 0 };
	p.v[1].mods[1] = (struct mod){ MOD_REPLACE, "description", one, 1,
	    NULL, 0 };
	plan_cut_members(&p);
	assert_int_equal(p.n, 5);
	assert_int_equal(entry_attr(p.v[0].entry, "member")->nvals, 1000);
	assert_int_equal(entry_attr(p.v[0].entry, "cn")->nvals, 1);
	assert_int_equal(entry_attr(g, "member")->nvals, 2500);
	assert_true(p.v[1].op == CHANGE_MODIFY && p.v[1].why == WHY_CONTINUED &&
	    p.v[1].waits && p.v[1].mods[0].op == MOD_ADD &&
	    p.v[1].mods[0].nvals == 1000 && strcmp(p.v[1].mods[0].vals[0], v[1000]) == 0);
	assert_true(p.v[2].mods[0].nvals == 500 &&
	    strcmp(p.v[2].mods[0].vals[499], v[2499]) == 0);
	assert_true(p.v[3].why == WHY_NONE && p.v[3].nmods == 2 &&
	    p.v[3].mods[0].nvals == 1000 && p.v[3].mods[1].nvals == 1);
	assert_true(p.v[4].why == WHY_CONTINUED && p.v[4].mods[0].op ==
	    MOD_DELETE && p.v[4].mods[0].nvals == 500 &&
	    strcmp(p.v[4].dn, "cn=h," VEN) == 0);
	/* a plan with nothing too long is left as it is */
	plan_cut_members(&p);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.nadd + p.nmodify, 2);
	plan_free(&p);
	entries_free(&es);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, small_setup, \
	    small_teardown)
		T(initial_plan_lists_every_entry_by_tenant),
		T(changes_show_old_and_new_values),
		T(the_json_plan_is_one_document_with_every_change),
		T(a_plan_restricted_to_a_tenant_keeps_its_changes_only),
		T(nothing_to_do_says_so),
		T(replaces_and_repairs_read_as_what_changes),
		T(color_only_when_asked),
		T(color_marks_adds_in_green),
		T(the_text_plan_shows_escapes_and_bidi_escaped),
#undef T
		cmocka_unit_test(text_escape_shows_what_a_terminal_would_hide),
		cmocka_unit_test(long_member_lists_are_cut_into_parts),
		cmocka_unit_test(errors_show_escapes_escaped),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
