/* CSV people files: RFC 4180 quoting, places of cells, lists in cells. */
#include "harness.h"

static const char *const lists[] = { "groups", NULL };

/* Loads CSV text; returns the document (caller frees) or NULL, errors in d. */
static struct ydoc *
load_csv(const char *text, struct diags *d)
{
	char		*path = write_temp(text, strlen(text));
	struct ydoc	*doc = csv_load_file(path, &ylimits_default, d, lists);

	unlink(path);
	free(path);
	return doc;
}

static const struct ynode *
cell(const struct ynode *row, const char *key)
{
	size_t	i;

	for (i = 0; i < row->n; i += 2)
		if (strcmp(row->items[i]->value, key) == 0)
			return row->items[i + 1];
	return NULL;
}

static void
rows_become_mappings_with_places(void **state)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc = load_csv("id,surname,groups\r\n"
	    "F-1,\"Dupont, \"\"dit\"\" Paul\",dsi; rh\r\n"
	    "F-2,\"Le\nGall\",\r\n", &d);
	const struct ynode *rows, *g;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(d.n, 0);
	rows = doc->roots[0];
	assert_int_equal(rows->kind, YN_SEQ);
	assert_int_equal(rows->n, 2);
	assert_string_equal(cell(rows->items[0], "surname")->value,
	    "Dupont, \"dit\" Paul");
	assert_int_equal(cell(rows->items[0], "surname")->pos.line, 2);
	assert_int_equal(cell(rows->items[0], "surname")->pos.col, 5);
	g = cell(rows->items[0], "groups");
	assert_int_equal(g->kind, YN_SEQ);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->items[0]->value, "dsi");
	assert_string_equal(g->items[1]->value, "rh");
	assert_int_equal(g->items[1]->pos.col, 33);
	/* a quoted line break; the empty cell is left out */
	assert_string_equal(cell(rows->items[1], "surname")->value, "Le\nGall");
	assert_null(cell(rows->items[1], "groups"));
	assert_int_equal(rows->items[1]->pos.line, 3);
	ydoc_free(doc);
}

static void
byte_order_mark_and_blank_lines_are_ignored(void **state)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc = load_csv("\xEF\xBB\xBFid,surname\nF-1,Roux\n\nF-2,Vial\n",
	    &d);

	(void)state;
	assert_non_null(doc);
	assert_int_equal(doc->roots[0]->n, 2);
	assert_string_equal(doc->roots[0]->items[0]->items[0]->value, "id");
	assert_int_equal(doc->roots[0]->items[1]->pos.line, 4);
	ydoc_free(doc);
}

static void
malformed_files_are_refused_with_a_place(void **state)
{
	struct diags	 d = { 0 };
	struct ydoc	*doc;

	(void)state;
	doc = load_csv("id,surname\nF-1,Ro\"ux\n", &d);
	assert_null(doc);
	assert_string_equal(d.v[0].msg, "quote inside a field that does not start "
	    "with one");
	assert_int_equal(d.v[0].pos.line, 2);
	assert_int_equal(d.v[0].pos.col, 7);
	diag_free(&d);
	doc = load_csv("id,surname\nF-1,\"Roux\"x\n", &d);
	assert_null(doc);
	assert_string_equal(d.v[0].msg, "text after the closing quote of a field");
	diag_free(&d);
	doc = load_csv("", &d);
	assert_null(doc);
	assert_string_equal(d.v[0].msg, "no header row");
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_become_mappings_with_places),
		cmocka_unit_test(byte_order_mark_and_blank_lines_are_ignored),
		cmocka_unit_test(malformed_files_are_refused_with_a_place),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
