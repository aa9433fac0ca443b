/*
 * LDIF as RFC 2849 writes it: which values go in base64, how lines fold, and
 * the export of the small syndicate against a golden file. slapadd loading it
 * is tested against a real slapd by test_export.sh.
 */
#include "harness.h"

#define TENANTS	"ou=tenants,dc=sitiv,dc=fr"

/* What ldif_put writes for one value; the caller frees it. */
static char *
put(const char *type, const char *value)
{
	char	*buf = NULL, *out;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	ldif_put(fp, type, value);
	fclose(fp);
	out = xstrdup(buf);
	free(buf);
	return out;
}

static void
assert_put(const char *type, const char *value, const char *want)
{
	char	*got = put(type, value);

	assert_string_equal(got, want);
	free(got);
}

static void
safe_strings_are_written_as_they_are(void **state)
{
	(void)state;
	assert_put("cn", "Marie Martin", "cn: Marie Martin\n");
	assert_put("dn", "uid=marie.martin,ou=people," TENANTS,
	    "dn: uid=marie.martin,ou=people," TENANTS "\n");
	/* colons and angle brackets are only unsafe at the start */
	assert_put("description", "a: <b>", "description: a: <b>\n");
	assert_put("member", "", "member:\n");
}

static void
other_values_go_in_base64(void **state)
{
	(void)state;
	assert_put("sn", "é", "sn:: w6k=\n");
	assert_put("cn", "Hélène", "cn:: SMOpbMOobmU=\n");
	assert_put("description", " lead", "description:: IGxlYWQ=\n");
	assert_put("description", "trail ", "description:: dHJhaWwg\n");
	assert_put("description", ":colon", "description:: OmNvbG9u\n");
	assert_put("description", "<angle", "description:: PGFuZ2xl\n");
	assert_put("description", "two\nlines", "description:: dHdvCmxpbmVz\n");
	assert_put("description", "cr\r", "description:: Y3IN\n");
	assert_int_equal(ldif_is_safe("ok", 2), 1);
	assert_int_equal(ldif_is_safe("a\0b", 3), 0);
}

/* Lines stop at 76 columns; a continuation starts with one space. */
static void
long_lines_fold_at_76_columns(void **state)
{
	char	 value[201], *got, *line, *save = NULL, *joined;
	size_t	 n = 0;

	(void)state;
	memset(value, 'x', 200);
	value[200] = '\0';
	got = put("description", value);
	joined = xstrdup("");
	for (line = strtok_r(got, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		char	*tmp;

		assert_true(strlen(line) <= 76);
		if (n == 0)
			assert_int_equal(strlen(line), 76);
		else
			assert_int_equal(line[0], ' ');
		tmp = xasprintf("%s%s", joined, n == 0 ? line : line + 1);
		free(joined);
		joined = tmp;
	}
	assert_int_equal(n, 3);
	assert_string_equal(joined + strlen("description: "), value);
	free(joined);
	free(got);
}

static char *
export_small(void)
{
	struct model	*m;
	struct entries	 desired, none;
	struct plan	 plan;
	struct diff_opts opts;
	struct diags	 d = { 0 };
	char		*buf = NULL, *out;
	size_t		 len = 0, i;
	FILE		*fp = open_memstream(&buf, &len);

	m = model_load("tests/data/small.yaml", &d);
	assert_non_null(m);
	assert_int_equal(model_check(m, &d), 0);
	entries_init(&desired);
	entries_init(&none);
	memset(&plan, 0, sizeof(plan));
	assert_int_equal(identities(m, NULL), 0);
	render(m, &desired);
	opts = diff_opts_default();
	diff(&desired, &none, &opts, &plan);
	for (i = 0; i < plan.n; i++)
		ldif_write_entry(fp, plan.v[i].entry);
	fclose(fp);
	out = xstrdup(buf);
	free(buf);
	plan_free(&plan);
	entries_free(&desired);
	entries_free(&none);
	model_free(m);
	return out;
}

static void
export_of_the_small_file(void **state)
{
	char	*got = export_small();

	(void)state;
	assert_golden(got, "small.ldif");
	free(got);
}

/* Change records as ldapmodify reads them: add, modify with "-", delete. */
static void
changes_are_change_records(void **state)
{
	struct entries	 es;
	struct entry	*e;
	struct change	 c;
	struct mod	 mods[2];
	const char	*plus[] = { "uid=a," TENANTS }, *old[] = { "Old" };
	const char	*new[] = { "Néw" };
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&buf, &len);

	(void)state;
	entries_init(&es);
	e = entries_add(&es, "cn=g," TENANTS, "t", ENTRY_GROUP);
	entry_add_value(&es, e, "objectClass", "groupOfNames");
	entry_add_value(&es, e, "member", "");
	memset(&c, 0, sizeof(c));
	c.op = CHANGE_ADD;
	c.entry = e;
	c.dn = e->dn;
	ldif_write_change(fp, &c, NULL, NULL, 0);
	mods[0] = (struct mod){ MOD_ADD, "member", plus, 1, NULL, 0 };
	mods[1] = (struct mod){ MOD_REPLACE, "description", new, 1, old, 1 };
	c.op = CHANGE_MODIFY;
	c.mods = mods;
	c.nmods = 2;
	ldif_write_change(fp, &c, NULL, NULL, 0);
	c.op = CHANGE_MODRDN;
	c.newrdn = "cn=h";
	c.newsuperior = "ou=groups," TENANTS;
	ldif_write_change(fp, &c, NULL, NULL, 0);
	c.op = CHANGE_DELETE;
	ldif_write_change(fp, &c, NULL, NULL, 0);
	fclose(fp);
	assert_string_equal(buf,
	    "dn: cn=g," TENANTS "\nchangetype: add\nobjectClass: groupOfNames\n"
	    "member:\n\n"
	    "dn: cn=g," TENANTS "\nchangetype: modify\nadd: member\n"
	    "member: uid=a," TENANTS "\n-\nreplace: description\n"
	    "description:: TsOpdw==\n-\n\n"
	    "dn: cn=g," TENANTS "\nchangetype: modrdn\nnewrdn: cn=h\n"
	    "deleteoldrdn: 1\nnewsuperior: ou=groups," TENANTS "\n\n"
	    "dn: cn=g," TENANTS "\nchangetype: delete\n\n");
	free(buf);
	entries_free(&es);
}

/* A value that goes: the attribute replaced by none, whatever it holds. */
static void
a_replace_without_values_removes_the_attribute(void **state)
{
	struct entries	 es;
	struct entry	*e;
	struct change	 c;
	struct mod	 mods[2];
	const char	*old[] = { "Ingénieure" }, *new[] = { "+33 4 72 21 44 44" };
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&buf, &len);

	(void)state;
	entries_init(&es);
	e = entries_add(&es, "uid=a," TENANTS, "t", ENTRY_PERSON);
	memset(&c, 0, sizeof(c));
	c.op = CHANGE_MODIFY;
	c.entry = e;
	c.dn = e->dn;
	mods[0] = (struct mod){ MOD_REPLACE, "title", NULL, 0, old, 1 };
	mods[1] = (struct mod){ MOD_REPLACE, "telephoneNumber", new, 1, NULL, 0 };
	c.mods = mods;
	c.nmods = 2;
	ldif_write_change(fp, &c, NULL, NULL, 0);
	fclose(fp);
	assert_string_equal(buf, "dn: uid=a," TENANTS "\nchangetype: modify\n"
	    "replace: title\n-\nreplace: telephoneNumber\n"
	    "telephoneNumber: +33 4 72 21 44 44\n-\n\n");
	free(buf);
	entries_free(&es);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(safe_strings_are_written_as_they_are),
		cmocka_unit_test(other_values_go_in_base64),
		cmocka_unit_test(long_lines_fold_at_76_columns),
		cmocka_unit_test(export_of_the_small_file),
		cmocka_unit_test(changes_are_change_records),
		cmocka_unit_test(a_replace_without_values_removes_the_attribute),
	};

	return cmocka_run_group_tests_name("ldif", tests, NULL, NULL);
}
