/* Error lists: each error keeps the file, line and column it is about. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
