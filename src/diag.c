/*
 * Error lists: each error keeps the file, line and column it is about; and
 * reading an input file, whose failures are such errors. Then text from
 * outside as a terminal shows it and as JSON holds it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unictype.h>
#include <unistr.h>

#include "mutualize.h"

/*
 * What a terminal would act on rather than show: an escape sequence can
 * rewrite the screen, a right-to-left override (U+202E) reorders what
 * follows, a zero-width character hides. A value from a file or a server
 * is shown escaped, so that what the reviewer reads is what is there. The
 * backslash is kept: DNs escape with it, and they must read as written.
 */
static int
hidden(ucs4_t uc)
{
	return uc_is_general_category(uc, UC_CATEGORY_Cc) ||
	    uc_is_general_category(uc, UC_CATEGORY_Cf) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zl) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zp);
}

void
fputs_escaped(const char *s, FILE *fp)
{
	const uint8_t	*p = (const uint8_t *)s, *end = p + strlen(s);
	ucs4_t		 uc;
	int		 n;

	while (p < end) {
		if (*p >= 0x20 && *p < 0x7F) {
			fputc(*p++, fp);
			continue;
		}
		if ((n = u8_mbtoucr(&uc, p, (size_t)(end - p))) < 0) {
			fprintf(fp, "\\x%02x", *p++);
			continue;
		}
		if (uc < 0x80)
			fprintf(fp, "\\x%02x", (unsigned)uc);
		else if (hidden(uc))
			fprintf(fp, uc > 0xFFFF ? "\\U%08x" : "\\u%04x",
			    (unsigned)uc);
		else
			fwrite(p, 1, (size_t)n, fp);
		p += n;
	}
}

char *
text_escape(const char *s)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&out, &len);

	if (fp == NULL) {
		fprintf(stderr, "mutualize: open_memstream: %s\n",
		    strerror(errno));
		abort();
	}
	fputs_escaped(s, fp);
	fclose(fp);
	return out;
}

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
	/* The error outlives the document it is about: it keeps the name. */
	d->v[d->n].pos = pos;
	d->v[d->n].pos.file = pos.file ? xstrdup(pos.file) : NULL;
	d->v[d->n].msg = msg;
	d->n++;
}

struct pos
diag_offset_pos(const char *file, const char *text, size_t len, size_t off)
{
	struct pos	p = { file, 1, 1 };
	size_t		i;

	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			p.col++;	/* a column a character */
	}
	return p;
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
	return strcmp(x->msg, y->msg);
}

static int
cmp_diag_qsort(const void *a, const void *b)
{
	return cmp_diag(a, b);
}

/*
 * Sorts by place, and drops repeats: a CSV column with an unknown name is one
 * error, not one a row.
 */
void
diag_sort(struct diags *d)
{
	size_t	i, n = 0;

	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_diag_qsort);
	for (i = 0; i < d->n; i++) {
		if (n > 0 && cmp_diag(&d->v[n - 1], &d->v[i]) == 0) {
			free((char *)d->v[i].pos.file);
			free(d->v[i].msg);
			continue;
		}
		d->v[n++] = d->v[i];
	}
	d->n = n;
}

/* FILE:LINE:COLUMN: message, as compilers do; editors jump to it. */
void
diag_print(const struct diags *d, FILE *fp)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		const struct diag	*e = &d->v[i];

		/* a message quotes the file: a value may hold anything */
		if (e->pos.file != NULL) {
			fputs_escaped(e->pos.file, fp);
			if (e->pos.line > 0)
				fprintf(fp, ":%u:%u", e->pos.line, e->pos.col);
		} else
			fputs("mutualize", fp);
		fputs(": ", fp);
		fputs_escaped(e->msg, fp);
		fputc('\n', fp);
	}
}

void
diag_free(struct diags *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		free((char *)d->v[i].pos.file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

/*
 * Returns the bytes of a regular file of at most max bytes, NUL-terminated
 * (the caller frees them), or NULL after adding an error about the file.
 */
char *
file_read(const char *file, size_t max, struct diags *d, size_t *lenp)
{
	struct pos	 pos = { file, 0, 0 };
	struct stat	 st;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 n;
	const char	*why;
	int		 fd;

	if ((fd = file_open_input(file, &why)) == -1) {
		diag_add(d, pos, "cannot open: %s", why);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		diag_add(d, pos, "cannot read: %s", strerror(errno));
		goto out;
	}
	if ((size_t)st.st_size > max) {
		diag_add(d, pos, "file of %lld bytes is larger than the limit of %zu",
		    (long long)st.st_size, max);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_add(d, pos, "cannot read: %s", n == 0 ?
			    "file shrank while read" : strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*lenp = got;
out:
	close(fd);
	return buf;
}

void
text_duration(char *buf, size_t len, long long s)
{
	if (s < 120)
		snprintf(buf, len, "%lld s", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, len, "%lld min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%lld h", s / 3600);
	else
		snprintf(buf, len, "%lld d", s / 86400);
}

/*
 * JSON strings: quotes, backslashes and control characters escaped; UTF-8
 * kept. NULL is null.
 */
void
json_string(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c < 0x20 || c == 0x7F)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}
