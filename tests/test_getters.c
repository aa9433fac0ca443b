/*
 * The loader's getters on their own: a node of a YAML document as what the
 * model wants, and every error at its file, line and column, with the nearest
 * known key for one that is not.
 */
#include "harness.h"
#include "loader.h"

/* A document parsed from text, and a loader to read it with. */
struct fixture {
	struct ydoc	*doc;
	struct model	 m;
	struct diags	 d;
	struct loader	 l;
};

static const struct ynode *
parse(struct fixture *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	f->doc = ydoc_load_buffer("t.yaml", text, strlen(text), &ylimits_default,
	    &f->d);
	assert_non_null(f->doc);
	assert_int_equal(f->doc->nroots, 1);
	f->l.m = &f->m;
	f->l.d = &f->d;
	return f->doc->roots[0];
}

/* The errors said so far, as diag_print writes them, are want. */
static void
assert_said(struct fixture *f, const char *want)
{
	struct memtext	 mt;
	char		*got;

	diag_print(&f->d, memtext_open(&mt));
	got = memtext_close(&mt);
	assert_string_equal(got, want);
	free(got);
}

static void
done(struct fixture *f)
{
	ydoc_free(f->doc);
	diag_free(&f->d);
}

static const struct keyspec keys[] = {
	{ "surname", 1 }, { "retention_days", 0 }, { "quota", 0 },
	{ "state", 0 },
};

static void
map_keys_finds_each_value_by_key(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "state: active\nsurname: Curie\n");
	const struct ynode	*v[NKEYS(keys)];

	assert_int_equal(map_keys(&f.l, root, "person", keys, NKEYS(keys), v), 0);
	assert_string_equal(v[0]->value, "Curie");
	assert_null(v[1]);
	assert_null(v[2]);
	assert_string_equal(v[3]->value, "active");
	assert_int_equal(f.d.n, 0);
	done(&f);
}

static void
an_unknown_key_near_a_known_one_gets_a_hint(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "surname: Curie\n"
	    "retension_days: 3\ncolour: red\n  \nstat: x\n");
	const struct ynode	*v[NKEYS(keys)];

	assert_int_equal(map_keys(&f.l, root, "policy", keys, NKEYS(keys), v), 0);
	assert_said(&f,
	    "t.yaml:2:1: unknown key \"retension_days\" in policy; did you mean "
	    "\"retention_days\"?\n"
	    "t.yaml:3:1: unknown key \"colour\" in policy\n"
	    "t.yaml:5:1: unknown key \"stat\" in policy; did you mean \"state\"?\n");
	done(&f);
}

static void
duplicate_missing_and_misshapen_keys_are_said(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "quota: 1\nquota: 2\n[a]: b\n");
	const struct ynode	*v[NKEYS(keys)];

	assert_int_equal(map_keys(&f.l, root, "service", keys, NKEYS(keys), v),
	    0);
	assert_string_equal(v[2]->value, "1");
	assert_said(&f,
	    "t.yaml:2:1: duplicate key \"quota\" in service\n"
	    "t.yaml:3:1: keys of service must be plain names\n"
	    "t.yaml:1:1: service has no \"surname\"\n");
	done(&f);
}

static void
not_a_mapping_is_refused(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "- a\n- b\n");
	const struct ynode	*v[NKEYS(keys)];

	assert_int_equal(map_keys(&f.l, root, "tenant", keys, NKEYS(keys), v),
	    -1);
	assert_said(&f, "t.yaml:1:1: tenant must be a mapping\n");
	done(&f);
}

static void
strings_and_lists_say_their_type(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "a: [x]\nb: \"\"\nc: ok\nd: 1\n");

	assert_null(get_string(&f.l, NULL, "absent"));
	assert_null(get_string(&f.l, root->items[1], "a"));
	assert_null(get_string(&f.l, root->items[3], "b"));
	assert_string_equal(get_string(&f.l, root->items[5], "c"), "ok");
	assert_int_equal(get_seq(&f.l, root->items[1], "a"), 1);
	assert_int_equal(get_seq(&f.l, root->items[5], "c"), 0);
	assert_int_equal(get_seq(&f.l, NULL, "absent"), 0);
	assert_said(&f,
	    "t.yaml:1:4: a must be a string\n"
	    "t.yaml:2:4: b must not be empty\n"
	    "t.yaml:3:4: c must be a list\n");
	done(&f);
}

static void
words_numbers_and_sizes_say_what_they_take(void **state UNUSED)
{
	static const char *const two[] = { "disable", "delete" };
	static const char *const three[] = { "yescrypt", "sha512-crypt", "none" };
	static const char *const words[] = { "simple", "external", NULL };
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "a: delete\nb: keep\nc: md5\n"
	    "d: 42\ne: -1\nf: 5GiB\ng: lots\nh: sasl\n");
	unsigned		 u = 0;
	unsigned long long	 size = 0;

	assert_int_equal(get_enum(&f.l, root->items[1], "a", two, 2), 1);
	assert_int_equal(get_enum(&f.l, root->items[3], "b", two, 2), -1);
	assert_int_equal(get_enum(&f.l, root->items[5], "c", three, 3), -1);
	assert_int_equal(get_uint(&f.l, root->items[7], "d", 100, &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(get_uint(&f.l, root->items[9], "e", 100, &u), -1);
	assert_int_equal(get_size(&f.l, root->items[11], "f", &size), 0);
	assert_true(size == 5ULL << 30);
	assert_int_equal(get_size(&f.l, root->items[13], "g", &size), -1);
	assert_int_equal(get_word(&f.l, root->items[15], "bind", words,
	    "simple or external"), -1);
	assert_said(&f,
	    "t.yaml:2:4: b \"keep\" is neither \"disable\" nor \"delete\"\n"
	    "t.yaml:3:4: c \"md5\" is not one of \"yescrypt\", \"sha512-crypt\" "
	    "or \"none\"\n"
	    "t.yaml:5:4: e must be a whole number from 0 to 100, not \"-1\"\n"
	    "t.yaml:7:4: g \"lots\" is not a size such as 500MB or 5GiB\n"
	    "t.yaml:8:4: bind \"sasl\" is not simple or external\n");
	done(&f);
}

static void
a_value_absent_takes_its_mapping_place(void **state UNUSED)
{
	struct fixture		 f;
	const struct ynode	*root = parse(&f, "\n  a: 1\n");
	struct pos		 p;

	p = vpos(NULL, root->pos);
	assert_int_equal(p.line, 2);
	assert_int_equal(p.col, 3);
	p = vpos(root->items[1], root->pos);
	assert_int_equal(p.line, 2);
	assert_int_equal(p.col, 6);
	done(&f);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(map_keys_finds_each_value_by_key),
		cmocka_unit_test(an_unknown_key_near_a_known_one_gets_a_hint),
		cmocka_unit_test(duplicate_missing_and_misshapen_keys_are_said),
		cmocka_unit_test(not_a_mapping_is_refused),
		cmocka_unit_test(strings_and_lists_say_their_type),
		cmocka_unit_test(words_numbers_and_sizes_say_what_they_take),
		cmocka_unit_test(a_value_absent_takes_its_mapping_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
