/* Loading and checking tenants files: the model, and every error with its place. */
#include <dirent.h>

#include "harness.h"

static void
small_file_loads_into_the_model(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load("tests/data/small.yaml", &d);
	const struct tenant *t;
	const struct person *p;

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_check(m, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(m->syndicate.id, "sitiv");
	assert_string_equal(m->syndicate.base_dn, "dc=sitiv,dc=fr");
	assert_int_equal(m->directory.nuris, 1);
	assert_string_equal(m->directory.uris[0].uri, "ldap://127.0.0.1:3890");
	assert_null(m->directory.bind_password_file);
	assert_string_equal(m->dir, "tests/data");
	assert_int_equal(m->ntenants, 2);
	t = &m->tenants[0];
	assert_string_equal(t->name, "Ville de Vénissieux");
	assert_string_equal(t->mail_domain, "ville-venissieux.fr");
	assert_int_equal(t->ngroups, 2);
	assert_int_equal(t->npeople, 3);
	p = &t->people[0];
	assert_string_equal(p->id, "V-00042");
	assert_string_equal(p->given_name, "Hélène");
	assert_string_equal(p->surname, "Dupont-Sébastien");
	assert_int_equal(p->kind, KIND_AGENT);
	assert_int_equal(p->ngroups, 1);
	assert_string_equal(p->groups[0].id, "dsi");
	assert_ptr_equal(p->tenant, t);
	assert_int_equal(t->people[2].kind, KIND_ELECTED);
	/* feyzin has no mail_domain: the syndicate's applies */
	assert_string_equal(m->tenants[1].mail_domain, "sitiv.fr");
	model_free(m);
	diag_free(&d);
}

static void
example_file_is_valid(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load("examples/sitiv.yaml", &d);

	(void)state;
	assert_non_null(m);
	model_check(m, &d);
	if (d.n > 0) {
		diag_print(&d, stderr);
		fail();
	}
	assert_true(m->ntenants >= 4);
	model_free(m);
	diag_free(&d);
}

static void
unknown_key_gets_a_hint(void **state)
{
	(void)state;
	assert_errors(YAML_HEAD "tenants:\n"
	    "  - id: t\n    name: T\n    people:\n"
	    "      - {id: \"1\", given_name: A, surnme: B, kind: agent}\n"
	    "    colour: red\n",
	    "8:9: person has no \"surname\"\n"
	    "8:34: unknown key \"surnme\" in person; did you mean \"surname\"?\n"
	    "9:5: unknown key \"colour\" in tenant\n");
}

static void
duplicate_and_missing_keys(void **state)
{
	(void)state;
	assert_errors(YAML_HEAD "tenants:\n  - id: t\n    id: u\n",
	    "5:5: tenant has no \"name\"\n"
	    "6:5: duplicate key \"id\" in tenant\n");
}

static void
wrong_types(void **state)
{
	(void)state;
	assert_errors(YAML_HEAD "tenants:\n  - id: [t]\n    name: \"\"\n"
	    "    people: {a: 1}\n    groups:\n      - just-a-string\n",
	    "5:9: tenant id must be a string\n"
	    "6:11: tenant name must not be empty\n"
	    "7:13: people must be a list\n"
	    "9:9: group must be a mapping\n");
}

static void
top_level_is_checked(void **state)
{
	(void)state;
	assert_errors("version: 2\nsyndicate: {}\ntenants: []\n",
	    "1:1: the file has no \"directory\"\n"
	    "1:10: version must be 1\n"
	    "2:12: syndicate has no \"base_dn\"\n"
	    "2:12: syndicate has no \"id\"\n"
	    "2:12: syndicate has no \"mail_domain\"\n"
	    "2:12: syndicate has no \"name\"\n");
}

static void
ids_domains_and_uris_are_checked(void **state)
{
	(void)state;
	assert_errors("version: 1\n"
	    "syndicate: {id: SITIV, name: S, base_dn: \"sitiv\", mail_domain: x}\n"
	    "directory: {uri: \"http://h\", bind_dn: \"cn=a,dc=b\"}\n"
	    "tenants:\n"
	    "  - {id: \"Saint Fons\", name: S, mail_domain: \"a..b\"}\n"
	    "  - id: t\n    name: T\n    groups: [{id: g_1, name: G}]\n"
	    "    people: [{id: \"a b\", given_name: A, surname: B, kind: boss}]\n",
	    "2:17: syndicate id \"SITIV\" must be 1 to 63 lowercase letters, "
	    "digits or inner hyphens\n"
	    "2:42: base_dn \"sitiv\" is not a DN\n"
	    "2:64: mail_domain \"x\" is not a domain name\n"
	    "3:18: uri \"http://h\" is not an ldap://, ldaps:// or ldapi:// URI\n"
	    "5:10: tenant id \"Saint Fons\" must be 1 to 63 lowercase letters, "
	    "digits or inner hyphens\n"
	    "5:46: mail_domain \"a..b\" is not a domain name\n"
	    "8:19: group id \"g_1\" must be 1 to 63 lowercase letters, digits or "
	    "inner hyphens\n"
	    "9:19: person id \"a b\" must be 1 to 64 letters, digits, '.', '_' "
	    "or '-'\n"
	    "9:59: kind \"boss\" is neither \"agent\" nor \"elected\"\n");
}

static void
duplicates_and_references_across_tenants(void **state)
{
	(void)state;
	assert_errors(YAML_HEAD "tenants:\n"
	    "  - id: a\n    name: A\n    groups: [{id: g, name: G}, {id: g, name: H}]\n"
	    "    people:\n"
	    "      - {id: \"42\", given_name: X, surname: Y, kind: agent, groups: [g, g]}\n"
	    "  - id: a\n    name: B\n"
	    "    people:\n"
	    "      - {id: \"42\", given_name: Z, surname: W, kind: agent, groups: [g]}\n",
	    "7:37: duplicate group id \"g\" in tenant (first at line 7)\n"
	    "9:72: group \"g\" is listed twice\n"
	    "10:9: duplicate tenant id \"a\" (first at line 5)\n"
	    "13:14: duplicate person id \"42\" (first at line 9)\n"
	    "13:69: tenant \"a\" has no group \"g\"\n");
}

static void
every_error_is_reported_not_only_the_first(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m;
	char		 yaml[8192];
	size_t		 len, i;

	(void)state;
	len = (size_t)snprintf(yaml, sizeof(yaml), YAML_HEAD "tenants:\n"
	    "  - id: t\n    name: T\n    people:\n");
	for (i = 0; i < 50; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
		    "      - {id: \"%zu\", given_name: A, surname: B, kind: x}\n", i);
	m = load_text(yaml, &d);
	assert_int_equal(d.n, 50);
	assert_int_equal(d.v[49].pos.line, 8 + 49);
	model_free(m);
	diag_free(&d);
}

static void
one_document_only(void **state)
{
	(void)state;
	assert_errors(YAML_HEAD "tenants: []\n---\nversion: 1\n",
	    "6:1: the file must hold one YAML document, not 2\n");
	assert_errors("# nothing\n", "1:1: the file is empty\n");
}

static void
unreadable_file_is_an_error(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load("tests/data/no-such-file.yaml", &d);

	(void)state;
	assert_null(m);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].pos.file, "tests/data/no-such-file.yaml");
	assert_int_equal(d.v[0].pos.line, 0);
	assert_string_equal(d.v[0].msg, "cannot open: No such file or directory");
	diag_free(&d);
}

/*
 * tests/bad/: one file per kind of error, each ending with the errors it must
 * give as "# expect: [FILE:]LINE:COL: message" lines (FILE for errors in the
 * people files it names, relative to tests/bad/).
 */
#define BAD	"tests/bad/"

static char *
expected_errors(const char *text)
{
	char		*out = xstrdup(""), *tmp;
	const char	*p = text, *end;

	while ((p = strstr(p, "\n# expect: ")) != NULL) {
		p += strlen("\n# expect: ");
		end = strchr(p, '\n');
		tmp = xasprintf("%s%.*s\n", out, (int)(end ? end - p : (long)strlen(p)),
		    p);
		free(out);
		out = tmp;
	}
	return out;
}

/* The errors as validate reports them, with tests/bad/ taken off every name. */
static char *
actual_errors(const char *path)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load(path, &d);
	char		*out = xstrdup(""), *tmp, *msg, *at;
	size_t		 i;

	if (m != NULL && model_check(m, &d) == 0)
		model_identities(m, NULL, &d);
	diag_sort(&d);
	for (i = 0; i < d.n; i++) {
		const char	*file = d.v[i].pos.file;

		msg = xstrdup(d.v[i].msg);
		while ((at = strstr(msg, BAD)) != NULL)
			memmove(at, at + strlen(BAD), strlen(at + strlen(BAD)) + 1);
		if (file != NULL && strcmp(file, path) != 0)
			tmp = xasprintf("%s%s:%u:%u: %s\n", out, file + strlen(BAD),
			    d.v[i].pos.line, d.v[i].pos.col, msg);
		else
			tmp = xasprintf("%s%u:%u: %s\n", out, d.v[i].pos.line,
			    d.v[i].pos.col, msg);
		free(out);
		free(msg);
		out = tmp;
	}
	model_free(m);
	diag_free(&d);
	return out;
}

static void
every_bad_file_gives_its_errors(void **state)
{
	struct dirent	*de;
	DIR		*dir = opendir(BAD);
	size_t		 files = 0, failures = 0;
	char		*path, *text, *want, *got;

	(void)state;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t	len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		path = xasprintf(BAD "%s", de->d_name);
		text = slurp(path);
		want = expected_errors(text);
		got = actual_errors(path);
		if (want[0] == '\0' || strcmp(want, got) != 0) {
			print_error("%s:\n  want:\n%s  got:\n%s", path, want, got);
			failures++;
		}
		files++;
		free(path);
		free(text);
		free(want);
		free(got);
	}
	closedir(dir);
	print_message("%zu bad files checked\n", files);
	assert_int_equal(failures, 0);
	assert_true(files >= 40);
}

/* Sorted by place, then by text; a repeat is kept once. */
static void
errors_sort_by_place_then_text(void **state)
{
	struct diags	d = { 0 };
	struct pos	p = { "f.yaml", 0, 0 };
	size_t		i;
	char		want[32];

	(void)state;
	/* two runs, as the loader and then the checks find them */
	for (i = 0; i < 1000; i++) {
		p.line = (unsigned)(1000 - i);
		diag_add(&d, p, "load %u", p.line);
	}
	for (i = 0; i < 1000; i++) {
		p.line = (unsigned)(i + 1);
		diag_add(&d, p, "check %u", p.line);
	}
	diag_sort(&d);
	assert_int_equal(d.n, 2000);
	for (i = 0; i < 2000; i += 2) {
		assert_int_equal(d.v[i].pos.line, i / 2 + 1);
		snprintf(want, sizeof(want), "check %zu", i / 2 + 1);
		assert_string_equal(d.v[i].msg, want);
		snprintf(want, sizeof(want), "load %zu", i / 2 + 1);
		assert_string_equal(d.v[i + 1].msg, want);
	}
	diag_add(&d, d.v[0].pos, "check 1");
	diag_sort(&d);
	assert_int_equal(d.n, 2000);
	/* the list still takes more */
	diag_add(&d, p, "last");
	assert_int_equal(d.n, 2001);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_file_loads_into_the_model),
		cmocka_unit_test(example_file_is_valid),
		cmocka_unit_test(unknown_key_gets_a_hint),
		cmocka_unit_test(duplicate_and_missing_keys),
		cmocka_unit_test(wrong_types),
		cmocka_unit_test(top_level_is_checked),
		cmocka_unit_test(ids_domains_and_uris_are_checked),
		cmocka_unit_test(duplicates_and_references_across_tenants),
		cmocka_unit_test(every_error_is_reported_not_only_the_first),
		cmocka_unit_test(one_document_only),
		cmocka_unit_test(unreadable_file_is_an_error),
		cmocka_unit_test(every_bad_file_gives_its_errors),
		cmocka_unit_test(errors_sort_by_place_then_text),
	};

	return cmocka_run_group_tests_name("load", tests, NULL, NULL);
}
