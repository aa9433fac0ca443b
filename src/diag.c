/* Error lists: each error keeps the file, line and column it is about. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

void
diag_add(struct diags *d, struct pos pos, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = xmalloc(len < 0 ? 1 : (size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(msg, len < 0 ? 1 : (size_t)len + 1, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	d->v[d->n].pos = pos;
	d->v[d->n].msg = msg;
	d->n++;
}

static int
cmp_diag(const void *a, const void *b)
{
	const struct diag	*x = a, *y = b;
	int			 c;

	if (x->pos.file != y->pos.file) {
		if (x->pos.file == NULL || y->pos.file == NULL)
			return x->pos.file == NULL ? -1 : 1;
		if ((c = strcmp(x->pos.file, y->pos.file)) != 0)
			return c;
	}
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return x < y ? -1 : x > y;	/* insertion sort below keeps ties stable */
}

/* Insertion sort: lists are short and must stay stable. */
void
diag_sort(struct diags *d)
{
	struct diag	tmp;
	size_t		i, j;

	for (i = 1; i < d->n; i++) {
		tmp = d->v[i];
		for (j = i; j > 0 && cmp_diag(&d->v[j - 1], &tmp) > 0; j--)
			d->v[j] = d->v[j - 1];
		d->v[j] = tmp;
	}
}

/* FILE:LINE:COLUMN: message, as compilers do; editors jump to it. */
void
diag_print(const struct diags *d, FILE *fp)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		const struct diag	*e = &d->v[i];

		if (e->pos.file != NULL && e->pos.line > 0)
			fprintf(fp, "%s:%u:%u: %s\n", e->pos.file, e->pos.line,
			    e->pos.col, e->msg);
		else if (e->pos.file != NULL)
			fprintf(fp, "%s: %s\n", e->pos.file, e->msg);
		else
			fprintf(fp, "mutualize: %s\n", e->msg);
	}
}

void
diag_free(struct diags *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
