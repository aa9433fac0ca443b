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
cmp_diag(const struct diag *x, const struct diag *y)
{
	int	c;

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
	return 0;
}

/*
 * Merge sort, bottom up: stable, and in n log n steps, for a file of 100,000
 * people can have as many errors, found by the loader and by the checks in
 * two runs that interleave.
 */
void
diag_sort(struct diags *d)
{
	struct diag	*tmp, *swap;
	size_t		 width, i, mid, end, a, b, k;

	if (d->n < 2)
		return;
	tmp = xreallocarray(NULL, d->cap, sizeof(*tmp));	/* it may become d->v */
	for (width = 1; width < d->n; width *= 2) {
		for (i = 0; i < d->n; i += 2 * width) {
			mid = i + width < d->n ? i + width : d->n;
			end = mid + width < d->n ? mid + width : d->n;
			a = i, b = mid, k = i;
			while (a < mid && b < end)
				tmp[k++] = cmp_diag(&d->v[b], &d->v[a]) < 0 ?
				    d->v[b++] : d->v[a++];
			while (a < mid)
				tmp[k++] = d->v[a++];
			while (b < end)
				tmp[k++] = d->v[b++];
		}
		swap = d->v;
		d->v = tmp;
		tmp = swap;
	}
	free(tmp);
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
