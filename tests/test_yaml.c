/* The YAML layer: positions, limits against hostile input, the YAML test suite. */
#include <dirent.h>
#include <sys/stat.h>

#include "harness.h"

static struct ydoc *
parse(const char *text, struct diags *d)
{
	return ydoc_load_buffer("t.yaml", text, strlen(text), &ylimits_default, d);
}

/* Returns the first error of parsing text, which must fail; the caller frees it. */
static char *
parse_error(const char *text, size_t len)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc = ydoc_load_buffer("t.yaml", text, len, &ylimits_default,
	    &d);
	char		*msg;

	assert_null(doc);
	assert_true(d.n >= 1);
	msg = xasprintf("%u:%u: %s", d.v[0].pos.line, d.v[0].pos.col, d.v[0].msg);
	diag_free(&d);
	return msg;
}

static void
nodes_keep_their_line_and_column(void **state)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc = parse("a: 1\nbb:\n  - x\n  - {k: \"v\"}\n", &d);
	struct ynode	*root, *seq, *map;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(doc->nroots, 1);
	root = doc->roots[0];
	assert_int_equal(root->kind, YN_MAP);
	assert_int_equal(root->n, 4);
	assert_string_equal(root->items[2]->value, "bb");
	assert_int_equal(root->items[2]->pos.line, 2);
	assert_int_equal(root->items[2]->pos.col, 1);
	seq = root->items[3];
	assert_int_equal(seq->kind, YN_SEQ);
	map = seq->items[1];
	assert_int_equal(map->pos.line, 4);
	assert_int_equal(map->pos.col, 5);
	assert_string_equal(map->items[1]->value, "v");
	assert_int_equal(map->items[1]->pos.col, 9);
	assert_false(map->items[1]->plain);
	assert_true(map->items[0]->plain);
	ydoc_free(doc);
}

static void
syntax_errors_have_a_position(void **state)
{
	char	*msg = parse_error("a: [1, 2\nb: 3\n", 14);

	(void)state;
	assert_non_null(strstr(msg, "YAML syntax"));
	assert_int_equal(strncmp(msg, "2:", 2), 0);
	free(msg);
}

static void
tabs_in_indentation_are_refused(void **state)
{
	char	*msg = parse_error("a:\n\tb: 1\n", 9);

	(void)state;
	assert_int_equal(strncmp(msg, "2:1: YAML syntax", 16), 0);
	free(msg);
}

static void
invalid_utf8_is_refused_with_its_line(void **state)
{
	char	*msg = parse_error("a: ok\nb: caf\xe9\n", 14);

	(void)state;
	assert_int_equal(strncmp(msg, "2:", 2), 0);
	assert_non_null(strstr(msg, "not valid UTF-8"));
	free(msg);
}

static void
billion_laughs_is_refused(void **state)
{
	const char	*text =
	    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	char		*msg = parse_error(text, strlen(text));

	(void)state;
	assert_non_null(strstr(msg, "aliases expand to more than 100000 nodes"));
	free(msg);
}

static void
small_aliases_are_accepted(void **state)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc = parse("x: &x {a: 1}\ny: *x\n", &d);

	(void)state;
	assert_non_null(doc);
	assert_ptr_equal(doc->roots[0]->items[1], doc->roots[0]->items[3]);
	ydoc_free(doc);
}

static void
recursive_alias_is_refused(void **state)
{
	char	*msg = parse_error("&a [1, *a]\n", 11);

	(void)state;
	assert_string_equal(msg, "1:8: alias *a refers to a node that contains it");
	free(msg);
}

static void
unknown_alias_is_refused(void **state)
{
	char	*msg = parse_error("a: *nowhere\n", 12);

	(void)state;
	assert_string_equal(msg, "1:4: alias *nowhere names no anchor");
	free(msg);
}

static void
absurd_nesting_is_refused(void **state)
{
	char	 text[1001];
	char	*msg;

	(void)state;
	memset(text, '[', 1000);
	text[1000] = '\0';
	msg = parse_error(text, 1000);
	assert_string_equal(msg, "1:65: nesting deeper than 64 levels");
	free(msg);
}

static void
gigantic_scalar_is_refused(void **state)
{
	size_t	 len = 100000;
	char	*text = xmalloc(len + 4), *msg;

	(void)state;
	memcpy(text, "a: ", 3);
	memset(text + 3, 'x', len);
	text[len + 3] = '\0';
	msg = parse_error(text, len + 3);
	assert_string_equal(msg, "1:4: scalar of 100000 bytes is longer than the "
	    "limit of 65536");
	free(msg);
	free(text);
}

/*
 * Every input of the YAML test suite goes through the loader. Those it rejects
 * must be rejected with a position inside the input; its verdicts must match
 * the suite's but for libyaml's known disagreements, listed in a file.
 */
#define SUITE_DEFAULT	"tests/data/yaml-test-suite"

struct suite {
	const char	*dir;
	char		*known;		/* the list of known disagreements */
	size_t		 inputs, errors, disagreements;
	char		 report[8192];
};

static int
known_disagreement(const struct suite *s, const char *id, const char *how)
{
	char	line[256];

	snprintf(line, sizeof(line), "\n%s %s\n", id, how);
	return strstr(s->known, line) != NULL;
}

static void
suite_input(struct suite *s, const char *id)
{
	char		*path = xasprintf("%s/%s/in.yaml", s->dir, id);
	char		*err = xasprintf("%s/%s/error", s->dir, id);
	int		 want_error = access(err, F_OK) == 0, got_error;
	struct diags	 d = { 0 };
	struct ydoc	*doc = ydoc_load_file(path, &ylimits_default, &d);
	const char	*how;

	got_error = doc == NULL;
	s->inputs++;
	s->errors += want_error;
	if (got_error) {
		assert_true(d.n >= 1);
		assert_true(d.v[0].pos.line >= 1);
	}
	if (got_error != want_error) {
		how = got_error ? "rejects" : "accepts";
		s->disagreements++;
		if (!known_disagreement(s, id, how))
			snprintf(s->report + strlen(s->report), sizeof(s->report) -
			    strlen(s->report), "new: %s %s\n", id, how);
	} else if (known_disagreement(s, id, got_error ? "accepts" : "rejects"))
		snprintf(s->report + strlen(s->report), sizeof(s->report) -
		    strlen(s->report), "now agrees: %s\n", id);
	ydoc_free(doc);
	diag_free(&d);
	free(path);
	free(err);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls suite_input for every directory holding an in.yaml, one level deep or two. */
static void
suite_walk(struct suite *s, const char *rel)
{
	char		*dirpath = xasprintf("%s/%s", s->dir, rel), *sub, *in;
	struct ptrvec	 names = { 0 };
	struct dirent	*de;
	DIR		*dir = opendir(dirpath);
	size_t		 i;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.' && strcmp(de->d_name, "===") != 0)
			ptrvec_push(&names, xstrdup(de->d_name));
	closedir(dir);
	qsort(names.v, names.n, sizeof(*names.v), cmp_name);
	for (i = 0; i < names.n; i++) {
		struct stat	st;
		char		*path;

		sub = *rel ? xasprintf("%s/%s", rel, (char *)names.v[i]) :
		    xstrdup(names.v[i]);
		path = xasprintf("%s/%s", s->dir, sub);
		in = xasprintf("%s/in.yaml", path);
		if (access(in, F_OK) == 0)
			suite_input(s, sub);
		else if (*rel == '\0' && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			suite_walk(s, sub);
		free(path);
		free(in);
		free(sub);
		free(names.v[i]);
	}
	ptrvec_free(&names);
	free(dirpath);
}

static void
yaml_test_suite_verdicts(void **state)
{
	struct suite	 s;
	char		*list;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.dir = getenv("YAML_TEST_SUITE") ? getenv("YAML_TEST_SUITE") :
	    SUITE_DEFAULT;
	if (access(s.dir, F_OK) != 0)
		fail_msg("the YAML test suite is not at %s", s.dir);
	list = slurp("tests/yaml-suite-libyaml.txt");
	s.known = xasprintf("\n%s", list);
	free(list);
	suite_walk(&s, "");
	print_message("YAML test suite: %zu inputs (%zu errors), %zu known "
	    "libyaml disagreements\n", s.inputs, s.errors, s.disagreements);
	if (s.report[0] != '\0')
		fail_msg("verdicts differ from tests/yaml-suite-libyaml.txt:\n%s",
		    s.report);
	assert_int_equal(s.inputs, 402);
	free(s.known);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_keep_their_line_and_column),
		cmocka_unit_test(syntax_errors_have_a_position),
		cmocka_unit_test(tabs_in_indentation_are_refused),
		cmocka_unit_test(invalid_utf8_is_refused_with_its_line),
		cmocka_unit_test(billion_laughs_is_refused),
		cmocka_unit_test(small_aliases_are_accepted),
		cmocka_unit_test(recursive_alias_is_refused),
		cmocka_unit_test(unknown_alias_is_refused),
		cmocka_unit_test(absurd_nesting_is_refused),
		cmocka_unit_test(gigantic_scalar_is_refused),
		cmocka_unit_test(yaml_test_suite_verdicts),
	};

	return cmocka_run_group_tests_name("yaml", tests, NULL, NULL);
}
