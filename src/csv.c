/*
 * A CSV file (RFC 4180: comma-separated, double quotes around fields that hold
 * commas, quotes or line breaks, "" for a quote) as the same tree the YAML layer
 * makes: a sequence of mappings, one per row, keyed by the header row. Every
 * cell keeps its line and column, so errors found later point into the CSV.
 * Empty cells are left out of their row, as a key absent from YAML would be.
 * Cells of the columns named in list_keys are split at ';' into sequences.
 *
 * libcsv was not used: it does not say where a field starts, and every error
 * here must.
 */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "mutualize.h"

struct cell {
	const char	*text;
	size_t		 len;
	struct pos	 pos;
};

struct reader {
	struct ydoc	*doc;
	const char	*buf;
	size_t		 len, off;
	unsigned	 line, col;
	struct diags	*diags;
	char		*tmp;		/* the field being read */
	size_t		 tmpcap;
};

static void
put(struct reader *r, size_t *n, char c)
{
	if (*n + 1 >= r->tmpcap) {
		r->tmpcap = r->tmpcap ? r->tmpcap * 2 : 256;
		r->tmp = xreallocarray(r->tmp, r->tmpcap, 1);
	}
	r->tmp[(*n)++] = c;
}

static struct pos
here(const struct reader *r)
{
	struct pos	p = { r->doc->file, r->line, r->col };

	return p;
}

/* Moves one character on, counting lines and (UTF-8) columns. */
static void
advance(struct reader *r)
{
	unsigned char	c = (unsigned char)r->buf[r->off++];

	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xC0) != 0x80)
		r->col++;
}

/* Reads one field into the arena. Returns 0, or -1 after an error. */
static int
read_field(struct reader *r, struct ptrvec *row, struct arena *scratch)
{
	struct cell	*cell = arena_alloc(scratch, sizeof(*cell));
	size_t		 n = 0;

	cell->pos = here(r);
	if (r->off < r->len && r->buf[r->off] == '"') {
		advance(r);
		for (;;) {
			if (r->off >= r->len) {
				diag_add(r->diags, cell->pos, "quoted field is not "
				    "closed");
				return -1;
			}
			if (r->buf[r->off] == '"') {
				advance(r);
				if (r->off < r->len && r->buf[r->off] == '"') {
					put(r, &n, '"');
					advance(r);
					continue;
				}
				break;
			}
			put(r, &n, r->buf[r->off]);
			advance(r);
		}
		if (r->off < r->len && r->buf[r->off] != ',' &&
		    r->buf[r->off] != '\n' && r->buf[r->off] != '\r') {
			diag_add(r->diags, here(r), "text after the closing quote "
			    "of a field");
			return -1;
		}
	} else {
		while (r->off < r->len && r->buf[r->off] != ',' &&
		    r->buf[r->off] != '\n' && r->buf[r->off] != '\r') {
			if (r->buf[r->off] == '"') {
				diag_add(r->diags, here(r), "quote inside a field "
				    "that does not start with one");
				return -1;
			}
			put(r, &n, r->buf[r->off]);
			advance(r);
		}
	}
	cell->text = arena_strndup(&r->doc->arena, n ? r->tmp : "", n);
	cell->len = n;
	ptrvec_push(row, cell);
	return 0;
}

/* Reads one record. Returns 1 for a row, 0 at the end, -1 after an error. */
static int
read_row(struct reader *r, struct ptrvec *row, struct arena *scratch)
{
	row->n = 0;
	if (r->off >= r->len)
		return 0;
	for (;;) {
		if (read_field(r, row, scratch) == -1)
			return -1;
		if (r->off >= r->len)
			return 1;
		if (r->buf[r->off] == ',') {
			advance(r);
			continue;
		}
		if (r->buf[r->off] == '\r') {
			r->off++;
			if (r->off >= r->len || r->buf[r->off] != '\n') {
				diag_add(r->diags, here(r), "carriage return "
				    "without a line feed");
				return -1;
			}
		}
		advance(r);	/* the line feed */
		return 1;
	}
}

static struct ynode *
scalar(struct reader *r, const char *text, size_t len, struct pos pos)
{
	struct ynode	*n = arena_alloc(&r->doc->nodes, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = YN_SCALAR;
	n->pos = pos;
	n->value = text;
	n->len = len;
	n->weight = 1;
	return n;
}

/* "a; b;c" as a sequence of scalars, each with its own column. */
static struct ynode *
split_list(struct reader *r, const struct cell *c)
{
	struct ynode	*seq = scalar(r, NULL, 0, c->pos);
	struct ptrvec	 items = { 0 };
	const char	*p = c->text, *end;
	struct pos	 pos;
	size_t		 i;

	seq->kind = YN_SEQ;
	while (*p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && *end != ';'; end++)
			;
		pos = c->pos;
		pos.col += (unsigned)u8_mbsnlen((const uint8_t *)c->text,
		    (size_t)(p - c->text));
		while (end > p && end[-1] == ' ')
			end--;
		ptrvec_push(&items, scalar(r, arena_strndup(&r->doc->arena, p,
		    (size_t)(end - p)), (size_t)(end - p), pos));
		p = end;
	}
	seq->n = items.n;
	seq->items = arena_alloc(&r->doc->nodes, (items.n ? items.n : 1) *
	    sizeof(*seq->items));
	for (i = 0; i < items.n; i++)
		seq->items[i] = items.v[i];
	seq->weight = 1 + items.n;
	ptrvec_free(&items);
	return seq;
}

static int
is_list_key(const char *key, const char *const *list_keys)
{
	for (; list_keys != NULL && *list_keys != NULL; list_keys++)
		if (strcmp(key, *list_keys) == 0)
			return 1;
	return 0;
}

/* One row as a mapping from the header's names to its non-empty cells. */
static struct ynode *
row_mapping(struct reader *r, const struct ptrvec *header, const struct ptrvec *row,
    const char *const *list_keys)
{
	struct ynode	*map = scalar(r, NULL, 0, ((struct cell *)row->v[0])->pos);
	size_t		 i, n = 0;

	map->kind = YN_MAP;
	map->items = arena_alloc(&r->doc->nodes, 2 * row->n * sizeof(*map->items));
	for (i = 0; i < row->n; i++) {
		const struct cell	*h = header->v[i], *c = row->v[i];

		if (c->len == 0)
			continue;
		map->items[n++] = scalar(r, h->text, h->len, h->pos);
		map->items[n++] = is_list_key(h->text, list_keys) ?
		    split_list(r, c) : scalar(r, c->text, c->len, c->pos);
	}
	map->n = n;
	map->weight = 1 + n;
	map->pos.col = 1;
	return map;
}

static int
parse(struct reader *r, const char *const *list_keys)
{
	struct arena	 scratch = { 0 };
	struct ptrvec	 header = { 0 }, row = { 0 }, rows = { 0 };
	struct pos	 pos;
	size_t		 i;
	int		 rc, ret = -1;

	if (read_row(r, &header, &scratch) != 1) {
		diag_add(r->diags, here(r), "no header row");
		goto out;
	}
	while ((rc = read_row(r, &row, &scratch)) == 1) {
		pos = ((struct cell *)row.v[0])->pos;
		if (row.n == 1 && ((struct cell *)row.v[0])->len == 0)
			continue;	/* a blank line */
		if (row.n != header.n) {
			diag_add(r->diags, pos, "row has %zu fields, the header %zu",
			    row.n, header.n);
			continue;
		}
		ptrvec_push(&rows, row_mapping(r, &header, &row, list_keys));
	}
	if (rc == -1)
		goto out;
	r->doc->nroots = 1;
	r->doc->roots = arena_alloc(&r->doc->nodes, sizeof(*r->doc->roots));
	r->doc->roots[0] = scalar(r, NULL, 0, ((struct cell *)header.v[0])->pos);
	r->doc->roots[0]->kind = YN_SEQ;
	r->doc->roots[0]->n = rows.n;
	r->doc->roots[0]->items = arena_alloc(&r->doc->nodes,
	    (rows.n ? rows.n : 1) * sizeof(struct ynode *));
	for (i = 0; i < rows.n; i++)
		r->doc->roots[0]->items[i] = rows.v[i];
	ret = 0;
out:
	ptrvec_free(&header);
	ptrvec_free(&row);
	ptrvec_free(&rows);
	arena_free(&scratch);
	return ret;
}

struct ydoc *
csv_load_file(const char *file, const struct ylimits *lim, struct diags *d,
    const char *const *list_keys)
{
	struct reader	 r;
	struct ydoc	*doc;
	const uint8_t	*bad;
	char		*buf;
	size_t		 len = 0;

	if ((buf = file_read(file, lim->max_file, d, &len)) == NULL)
		return NULL;
	doc = xcalloc(1, sizeof(*doc));
	doc->file = arena_strdup(&doc->arena, file);
	memset(&r, 0, sizeof(r));
	r.doc = doc;
	r.buf = buf;
	r.len = len;
	r.line = r.col = 1;
	r.diags = d;
	if ((bad = u8_check((const uint8_t *)buf, len)) != NULL) {
		while (r.buf + r.off < (const char *)bad)
			advance(&r);
		diag_add(d, here(&r), "not valid UTF-8 text");
		goto fail;
	}
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r.off = 3;	/* the byte order mark spreadsheets write */
	if (parse(&r, list_keys) == -1 || r.doc->nroots == 0)
		goto fail;
	free(r.tmp);
	free(buf);
	return doc;
fail:
	free(r.tmp);
	free(buf);
	ydoc_free(doc);
	return NULL;
}
