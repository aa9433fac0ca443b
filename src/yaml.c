/*
 * A YAML stream as a tree of nodes, each with its file, line and column.
 *
 * Built from libyaml's events rather than its document API so that hostile input
 * is refused while it is read: nesting depth, scalar size and alias expansion are
 * bounded, and an alias to a node still open (a recursive structure) is an error.
 * An alias is a second pointer to the anchored node, never a copy; the weight
 * of each node (what a reader walking the tree would visit) is bounded instead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mutualize.h"

const struct ylimits ylimits_default = {
	.max_file = 256u * 1024 * 1024,
	.max_depth = 64,
	.max_scalar = 65536,
	.max_weight = 100000,
};

struct frame {
	struct ynode	*node;
	struct ptrvec	 items;
};

struct builder {
	struct ydoc		*doc;
	const struct ylimits	*lim;
	struct diags		*diags;
	struct frame		*stack;
	size_t			 depth;
	struct hmap		 anchors;	/* per document */
	struct hmap		 scalars;	/* short ones, kept once */
	struct ptrvec		 roots;
	size_t			 expanded;	/* nodes added by aliases */
};

static struct pos
mark_pos(const struct ydoc *doc, yaml_mark_t m)
{
	struct pos	p = { doc->file, (unsigned)m.line + 1, (unsigned)m.column + 1 };

	return p;
}

static struct ynode *
node_new(struct builder *b, enum ynode_kind kind, yaml_mark_t mark)
{
	struct ynode	*n = arena_alloc(&b->doc->nodes, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->pos = mark_pos(b->doc, mark);
	return n;
}

static size_t
add_weight(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Attaches a finished node to the open collection, or makes it a root. */
static void
attach(struct builder *b, struct ynode *n)
{
	if (b->depth == 0)
		ptrvec_push(&b->roots, n);
	else
		ptrvec_push(&b->stack[b->depth - 1].items, n);
}

static int
set_anchor(struct builder *b, const yaml_char_t *anchor, struct ynode *n)
{
	if (anchor != NULL)
		hmap_put(&b->anchors, arena_strdup(&b->doc->arena,
		    (const char *)anchor), n);
	return 0;
}

/*
 * Keys and most values repeat line after line (a given name, a group, the
 * key "surname"): a short scalar is kept once per document. Nothing writes
 * to a scalar once read, so its copies can be one.
 */
#define SHORT_SCALAR	32

static const char *
scalar_copy(struct builder *b, const char *s, size_t len)
{
	return len > SHORT_SCALAR ? arena_strndup(&b->doc->arena, s, len) :
	    arena_intern(&b->doc->arena, &b->scalars, s, len);
}

static int
on_scalar(struct builder *b, yaml_event_t *ev)
{
	struct ynode	*n = node_new(b, YN_SCALAR, ev->start_mark);

	if (ev->data.scalar.length > b->lim->max_scalar) {
		diag_add(b->diags, n->pos, "scalar of %zu bytes is longer than the "
		    "limit of %zu", ev->data.scalar.length, b->lim->max_scalar);
		return -1;
	}
	n->value = scalar_copy(b, (const char *)ev->data.scalar.value,
	    ev->data.scalar.length);
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.plain_implicit;
	n->weight = 1;
	set_anchor(b, ev->data.scalar.anchor, n);
	attach(b, n);
	return 0;
}

static int
on_alias(struct builder *b, yaml_event_t *ev)
{
	struct ynode	*target;
	struct pos	 pos = mark_pos(b->doc, ev->start_mark);

	target = hmap_get(&b->anchors, (const char *)ev->data.alias.anchor);
	if (target == NULL) {
		diag_add(b->diags, pos, "alias *%s names no anchor",
		    (const char *)ev->data.alias.anchor);
		return -1;
	}
	if (target->weight == 0) {
		diag_add(b->diags, pos, "alias *%s refers to a node that contains it",
		    (const char *)ev->data.alias.anchor);
		return -1;
	}
	b->expanded = add_weight(b->expanded, target->weight);
	if (b->expanded > b->lim->max_weight) {
		diag_add(b->diags, pos, "aliases expand to more than %zu nodes",
		    b->lim->max_weight);
		return -1;
	}
	attach(b, target);
	return 0;
}

static int
on_start(struct builder *b, yaml_event_t *ev, enum ynode_kind kind)
{
	struct ynode		*n = node_new(b, kind, ev->start_mark);
	const yaml_char_t	*anchor;

	if (b->depth >= b->lim->max_depth) {
		diag_add(b->diags, n->pos, "nesting deeper than %zu levels",
		    b->lim->max_depth);
		return -1;
	}
	anchor = kind == YN_SEQ ? ev->data.sequence_start.anchor :
	    ev->data.mapping_start.anchor;
	set_anchor(b, anchor, n);	/* weight 0 marks it open */
	b->stack[b->depth].node = n;
	memset(&b->stack[b->depth].items, 0, sizeof(b->stack[b->depth].items));
	b->depth++;
	return 0;
}

static void
on_end(struct builder *b)
{
	struct frame	*f = &b->stack[--b->depth];
	struct ynode	*n = f->node;
	size_t		 i, w = 1;

	n->n = f->items.n;
	n->items = arena_alloc(&b->doc->nodes, (n->n ? n->n : 1) * sizeof(*n->items));
	for (i = 0; i < n->n; i++) {
		n->items[i] = f->items.v[i];
		w = add_weight(w, n->items[i]->weight);
	}
	n->weight = w;
	ptrvec_free(&f->items);
	attach(b, n);
}

static void
parse_error(struct builder *b, yaml_parser_t *p, const char *buf, size_t len)
{
	struct pos	pos;

	if (p->error == YAML_READER_ERROR) {
		/* Reader errors (bad UTF-8, NUL) come as a byte offset. */
		pos = diag_offset_pos(b->doc->file, buf, len,
		    p->problem_offset);
		diag_add(b->diags, pos, "not valid UTF-8 text: %s", p->problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		pos = diag_offset_pos(b->doc->file, buf, len, 0);
		diag_add(b->diags, pos, "out of memory while reading YAML");
		return;
	}
	pos = mark_pos(b->doc, p->problem_mark);
	if (p->problem_mark.index < len && buf[p->problem_mark.index] == '\t')
		diag_add(b->diags, pos, "YAML syntax: a tab where YAML wants "
		    "spaces (indent with spaces)");
	else if (p->context != NULL)
		diag_add(b->diags, pos, "YAML syntax: %s %s", p->problem, p->context);
	else
		diag_add(b->diags, pos, "YAML syntax: %s",
		    p->problem ? p->problem : "error");
}

static int
build(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t	 parser;
	yaml_event_t	 ev;
	int		 done = 0, rc = 0;

	if (!yaml_parser_initialize(&parser)) {
		fputs("mutualize: cannot initialise the YAML parser\n", stderr);
		abort();
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parse_error(b, &parser, buf, len);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			rc = on_scalar(b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(b, &ev, YN_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(b, &ev, YN_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(b);
			break;
		case YAML_DOCUMENT_END_EVENT:
			hmap_free(&b->anchors);	/* anchors do not cross documents */
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (b->depth > 0)
		ptrvec_free(&b->stack[--b->depth].items);
	yaml_parser_delete(&parser);
	return rc;
}

struct ydoc *
ydoc_load_buffer(const char *file, const char *buf, size_t len,
    const struct ylimits *lim, struct diags *diags)
{
	struct builder	 b;
	struct ydoc	*doc = xcalloc(1, sizeof(*doc));
	size_t		 i;
	int		 rc;

	doc->file = arena_strdup(&doc->arena, file);
	memset(&b, 0, sizeof(b));
	b.doc = doc;
	b.lim = lim;
	b.diags = diags;
	b.stack = xcalloc(lim->max_depth + 1, sizeof(*b.stack));
	rc = build(&b, buf, len);
	free(b.stack);
	hmap_free(&b.anchors);
	hmap_free(&b.scalars);
	if (rc != 0) {
		ptrvec_free(&b.roots);
		ydoc_free(doc);
		return NULL;
	}
	doc->nroots = b.roots.n;
	doc->roots = arena_alloc(&doc->nodes, (b.roots.n ? b.roots.n : 1) *
	    sizeof(*doc->roots));
	for (i = 0; i < b.roots.n; i++)
		doc->roots[i] = b.roots.v[i];
	ptrvec_free(&b.roots);
	return doc;
}

struct ydoc *
ydoc_load_file(const char *file, const struct ylimits *lim, struct diags *diags)
{
	struct ydoc	*doc;
	size_t		 len = 0;
	char		*buf = file_read(file, lim->max_file, diags, &len);

	if (buf == NULL)
		return NULL;
	doc = ydoc_load_buffer(file, buf, len, lim, diags);
	free(buf);
	return doc;
}

void
ydoc_free(struct ydoc *doc)
{
	if (doc == NULL)
		return;
	arena_free(&doc->nodes);
	arena_free(&doc->arena);
	free(doc);
}

void
ydoc_drop_nodes(struct ydoc *doc)
{
	arena_free(&doc->nodes);
	doc->roots = NULL;
	doc->nroots = 0;
}

int
ynode_is_null(const struct ynode *n)
{
	if (n == NULL)
		return 1;
	if (n->kind != YN_SCALAR || !n->plain)
		return 0;
	return n->len == 0 || strcmp(n->value, "~") == 0 ||
	    strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
	    strcmp(n->value, "NULL") == 0;
}
