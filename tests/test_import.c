/*
 * What import reads and writes without a server: LDIF content records
 * (folded lines, base64, comments, CRLF, and what is refused, at its line),
 * LDIF that ldif.c writes read back value for value, the YAML scalars of the
 * tenants file read back by the loader's parser as they were, hostile ones
 * included, and the ids made of town names.
 */
#include "harness.h"
#include "import.h"

/* Reads text as LDIF into es; the number of errors, each at d. */
static size_t
read_ldif(const char *text, struct entries *es, struct diags *d)
{
	entries_init(es);
	ldif_read("t.ldif", text, strlen(text), es, d);
	return d->n;
}

static const char *
value(const struct entries *es, const char *dn, const char *attr, size_t i)
{
	const struct entry	*e = entries_find(es, dn);
	const struct attr	*a;

	assert_non_null(e);
	a = entry_attr(e, attr);
	assert_non_null(a);
	assert_true(i < a->nvals);
	return a->vals[i];
}

static void
ldif_records_are_read(void **state)
{
	struct entries	es;
	struct diags	d = { 0 };

	(void)state;
	assert_int_equal(read_ldif("version: 1\n"
	    "# a comment\n#  folded\n"
	    "dn: uid=marie,ou=people,dc=x\n"
	    "objectClass: inetOrgPerson\n"
	    "cn: Marie\n  Martin\n"
	    "sn:: TWFydGlu\n"
	    "givenName:: IEjDqWzDqG5lICIjMSI=\n"
	    "description:value with: colon\n"
	    "\n\n"
	    "dn:: dWlkPWpvw6tsLGRjPXg=\r\n"
	    "cn: Jo\r\n"
	    " \xc3\xabl\r\n"
	    "mail: a@b.fr\n"
	    "mail: c@b.fr\n", &es, &d), 0);
	assert_int_equal(es.v.n, 2);
	assert_string_equal(value(&es, "uid=marie,ou=people,dc=x", "cn", 0),
	    "Marie Martin");
	assert_string_equal(value(&es, "uid=marie,ou=people,dc=x", "sn", 0),
	    "Martin");
	assert_string_equal(value(&es, "uid=marie,ou=people,dc=x",
	    "givenName", 0), " H\xc3\xa9l\xc3\xa8ne \"#1\"");
	assert_string_equal(value(&es, "uid=marie,ou=people,dc=x",
	    "description", 0), "value with: colon");
	assert_string_equal(value(&es, "uid=jo\xc3\xabl,dc=x", "cn", 0),
	    "Jo\xc3\xabl");
	assert_string_equal(value(&es, "uid=jo\xc3\xabl,dc=x", "mail", 1),
	    "c@b.fr");
	entries_free(&es);
	diag_free(&d);
}

/* Each refusal at its line, the rest of the file still read. */
static void
ldif_refusals_name_the_line(void **state)
{
	struct entries	es;
	struct diags	d = { 0 };

	(void)state;
	assert_int_equal(read_ldif("dn: cn=a,dc=x\nchangetype: modify\n\n"
	    "dn: cn=b,dc=x\ncn:< file:///etc/passwd\n\n"
	    "dn: cn=c,dc=x\ncn:: ###\n\n"
	    "cn: d\n\n"
	    " lone continuation\n\n"
	    "dn: cn=e,dc=x\ncn: e\n\n"
	    "dn: cn=E,dc=x\ncn: again\n\n"
	    "dn: cn=f,dc=x\ncn: f\n", &es, &d), 6);
	assert_int_equal(d.v[0].pos.line, 2);
	assert_non_null(strstr(d.v[0].msg, "change records are not read"));
	assert_int_equal(d.v[1].pos.line, 5);
	assert_non_null(strstr(d.v[1].msg, "values by URL"));
	assert_int_equal(d.v[2].pos.line, 8);
	assert_non_null(strstr(d.v[2].msg, "not base64"));
	assert_int_equal(d.v[3].pos.line, 10);
	assert_non_null(strstr(d.v[3].msg, "starts with dn:"));
	assert_int_equal(d.v[4].pos.line, 12);
	assert_int_equal(d.v[5].pos.line, 17);
	assert_non_null(strstr(d.v[5].msg, "a second record"));
	assert_non_null(entries_find(&es, "cn=f,dc=x"));
	entries_free(&es);
	diag_free(&d);
}

/* What ldif.c writes, the reader reads back, value for value. */
static void
ldif_written_is_read_back(void **state)
{
	static const char *const hostile[] = { "plain", " lead", "trail ",
	    ":colon", "<angle", "two\nlines", "cr\r", "H\xc3\xa9l\xc3\xa8ne",
	    "a very long value that goes past the seventy-six columns of a "
	    "line, so that it is folded once and even twice over the lines",
	    "", NULL };
	struct entries	out, in;
	struct diags	d = { 0 };
	struct entry	*e;
	char		*buf = NULL;
	size_t		 len = 0, i;
	FILE		*fp;

	(void)state;
	entries_init(&out);
	e = entries_add(&out, "cn=h\\2C x,dc=x", NULL, ENTRY_OTHER);
	for (i = 0; hostile[i] != NULL; i++)
		entry_add_value(&out, e, "description", hostile[i]);
	fp = open_memstream(&buf, &len);
	fputs("version: 1\n\n", fp);
	ldif_write_entry(fp, e);
	fclose(fp);
	assert_int_equal(read_ldif(buf, &in, &d), 0);
	for (i = 0; hostile[i] != NULL; i++)
		assert_string_equal(value(&in, "cn=h\\2C x,dc=x", "description",
		    i), hostile[i]);
	free(buf);
	entries_free(&out);
	entries_free(&in);
}

static void
base64_decodes(void **state)
{
	char	s[32];

	(void)state;
	strcpy(s, "TWFu");
	assert_int_equal(ldif_base64_decode(s, strlen(s)), 3);
	strcpy(s, "TWE=");
	assert_int_equal(ldif_base64_decode(s, strlen(s)), 2);
	strcpy(s, "TQ==");
	assert_int_equal(ldif_base64_decode(s, strlen(s)), 1);
	assert_int_equal(s[0], 'M');
	strcpy(s, "TQ=");
	assert_int_equal(ldif_base64_decode(s, strlen(s)), -1);
	strcpy(s, "T=Q=");
	assert_int_equal(ldif_base64_decode(s, strlen(s)), -1);
}

static char *
quoted(const char *s)
{
	char	*buf = NULL, *out;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	yaml_quote(fp, s);
	fclose(fp);
	out = xstrdup(buf);
	free(buf);
	return out;
}

static void
assert_quoted(const char *s, const char *want)
{
	char	*got = quoted(s);

	assert_string_equal(got, want);
	free(got);
}

static void
yaml_quoting_escapes_what_it_must(void **state)
{
	(void)state;
	assert_quoted("Marie", "\"Marie\"");
	assert_quoted("a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"");
	assert_quoted("H\xc3\xa9l\xc3\xa8ne", "\"H\xc3\xa9l\xc3\xa8ne\"");
	assert_quoted("tab\there\nnl\x01\x7f", "\"tab\\x09here\\x0anl\\x01\\x7f\"");
	assert_quoted("\xc2\x85 \xe2\x80\xa8 \xef\xbb\xbf",
	    "\"\\x85 \\u2028 \\ufeff\"");
	/* bytes that are no UTF-8 do not pass as they are */
	assert_quoted("bad\xff\xc3", "\"bad\\xff\\xc3\"");
	assert_int_equal(import_text_ok("H\xc3\xa9l\xc3\xa8ne"), 1);
	assert_int_equal(import_text_ok("bad\xff"), 0);
	assert_int_equal(import_text_ok("ctl\x1b"), 0);
	assert_int_equal(import_text_ok("c1\xc2\x9b"), 0);
}

/* Every hostile value, quoted, reads back as itself with the loader's parser. */
static void
yaml_quoted_reads_back(void **state)
{
	static const char *const hostile[] = { "plain", "", " lead", "trail ",
	    "key: value", "# not a comment", "- dash", "[flow]", "{map}",
	    "*alias", "&anchor", "!tag", "@at", "%pct", "`tick`", "yes", "no",
	    "null", "~", "0x1F", "1e3", "'single'", "\"double\"", "back\\slash",
	    "tab\there", "new\nline", "\x01\x1f\x7f", "Hélène d'Aubigné",
	    "\xe2\x80\xa8 \xe2\x80\xa9 \xef\xbb\xbf", "\xf0\x9f\x98\x80",
	    "---", "...", "a: b # c", NULL };
	struct diags	 d = { 0 };
	struct ydoc	*doc;
	char		*q, *text;
	size_t		 i;

	(void)state;
	for (i = 0; hostile[i] != NULL; i++) {
		q = quoted(hostile[i]);
		text = xasprintf("k: %s\n", q);
		doc = ydoc_load_buffer("t.yaml", text, strlen(text),
		    &ylimits_default, &d);
		assert_int_equal(d.n, 0);
		assert_non_null(doc);
		assert_int_equal(doc->roots[0]->kind, YN_MAP);
		assert_string_equal(doc->roots[0]->items[1]->value, hostile[i]);
		ydoc_free(doc);
		free(text);
		free(q);
	}
}

static void
slugs_of_town_names(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_string_equal(import_slug(&a, "V\xc3\xa9nissieux"), "venissieux");
	assert_string_equal(import_slug(&a, "Saint-Fons"), "saint-fons");
	assert_string_equal(import_slug(&a, "L'Isle  d'Abeau "),
	    "l-isle-d-abeau");
	assert_null(import_slug(&a, ""));
	assert_null(import_slug(&a, "---"));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ldif_records_are_read),
		cmocka_unit_test(ldif_refusals_name_the_line),
		cmocka_unit_test(ldif_written_is_read_back),
		cmocka_unit_test(base64_decodes),
		cmocka_unit_test(yaml_quoting_escapes_what_it_must),
		cmocka_unit_test(yaml_quoted_reads_back),
		cmocka_unit_test(slugs_of_town_names),
	};

	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
