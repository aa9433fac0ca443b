/*
 * report's three formats, one table of them: text, an aligned table for a
 * person; csv, RFC 4180, for a spreadsheet; json, one document for a
 * program. Every format has the same rows (the tenants by id, then the
 * total) and the same columns, which mutualize(1) lists. What comes from the
 * directory is hostile: escaped for the terminal in text, quoted in CSV and
 * JSON, never cut.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniwidth.h>

#include "mutualize.h"
#include "census.h"

enum { CENSUS_TEXT, CENSUS_CSV, CENSUS_JSON };

/* The counts every row has, before the services' columns. */
static const struct count {
	const char	*name;
	size_t		 off;
} counts[] = {
	{ "people", offsetof(struct census_row, people) },
	{ "agents", offsetof(struct census_row, agents) },
	{ "elected", offsetof(struct census_row, elected) },
	{ "active", offsetof(struct census_row, active) },
	{ "disabled", offsetof(struct census_row, disabled) },
	{ "mailboxes", offsetof(struct census_row, mailboxes) },
};
#define NCOUNTS	(sizeof(counts) / sizeof(counts[0]))

static unsigned long long
count_of(const struct census_row *r, size_t i)
{
	return *(const unsigned long long *)(const void *)((const char *)r +
	    counts[i].off);
}

/* The rows in order: the tenants, then the total. */
static const struct census_row *
row_at(const struct census *c, size_t i)
{
	return i < c->rows.n ? c->rows.v[i] : &c->total;
}

void
census_bytes(char *buf, size_t len, unsigned long long n)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	unsigned long long	unit = 1;
	size_t			u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && n / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	if (n % unit == 0)
		snprintf(buf, len, "%llu %s", n / unit, units[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)n / (double)unit,
		    units[u]);
}

/*
 * text: a table of cells, each column as wide as its widest cell (in
 * columns of the terminal, after escaping), names to the left and numbers to
 * the right.
 */
struct table {
	char	**cells;	/* nrows x ncols, each the caller's to free */
	size_t	  nrows, ncols;
};

static char **
cell(struct table *t, size_t row, size_t col)
{
	return &t->cells[row * t->ncols + col];
}

/* The header and one line a row: tenant, name, counts, services. */
static void
table_fill(struct table *t, const struct census *c)
{
	const struct census_row	*r;
	char			 buf[64];
	size_t			 i, k, col;

	t->cells[0] = xstrdup("tenant");
	t->cells[1] = xstrdup("name");
	for (i = 0, col = 2; i < NCOUNTS; i++)
		t->cells[col++] = xstrdup(counts[i].name);
	for (k = 0; k < c->nservices; k++) {
		t->cells[col] = text_escape(c->services[k].id);
		if (c->services[k].quota_attr != NULL) {
			t->cells[col + 1] = xasprintf("%s_quota", t->cells[col]);
			col++;
		}
		col++;
	}
	for (i = 1; i < t->nrows; i++) {
		r = row_at(c, i - 1);
		*cell(t, i, 0) = text_escape(r->id != NULL ? r->id : "");
		*cell(t, i, 1) = text_escape(r->id == NULL ? "total" :
		    r->name != NULL ? r->name : "");
		for (k = 0, col = 2; k < NCOUNTS; k++)
			*cell(t, i, col++) = xasprintf("%llu", count_of(r, k));
		for (k = 0; k < c->nservices; k++) {
			*cell(t, i, col++) = xasprintf("%llu", r->entitled[k]);
			if (c->services[k].quota_attr == NULL)
				continue;
			census_bytes(buf, sizeof(buf), r->quota[k]);
			*cell(t, i, col++) = xstrdup(buf);
		}
	}
}

static size_t
width(const char *s)
{
	int	w = u8_strwidth((const uint8_t *)s, "UTF-8");

	return w > 0 ? (size_t)w : 0;
}

static void
print_text(const struct census *c, FILE *fp)
{
	struct table	 t;
	size_t		*w, i, j, k, pad;

	t.ncols = 2 + NCOUNTS + c->nservices;
	for (k = 0; k < c->nservices; k++)
		t.ncols += c->services[k].quota_attr != NULL;
	t.nrows = c->rows.n + 2;
	t.cells = xcalloc(t.nrows * t.ncols, sizeof(*t.cells));
	w = xcalloc(t.ncols, sizeof(*w));
	table_fill(&t, c);
	for (i = 0; i < t.nrows; i++)
		for (j = 0; j < t.ncols; j++)
			if (width(*cell(&t, i, j)) > w[j])
				w[j] = width(*cell(&t, i, j));
	for (i = 0; i < t.nrows; i++) {
		for (j = 0; j < t.ncols; j++) {
			pad = w[j] - width(*cell(&t, i, j));
			if (j >= 2)	/* numbers, the last column among them */
				fprintf(fp, "  %*s%s", (int)pad, "",
				    *cell(&t, i, j));
			else
				fprintf(fp, "%s%s%*s", j ? "  " : "",
				    *cell(&t, i, j), (int)pad, "");
		}
		fputc('\n', fp);
	}
	for (i = 0; i < t.nrows * t.ncols; i++)
		free(t.cells[i]);
	free(t.cells);
	free(w);
}

/* csv: a field, after a comma unless first; quoted when it holds a comma, a quote, CR or LF. */
static void
csv_field(FILE *fp, const char *s, int *first)
{
	const char	*p;

	if (!*first)
		fputc(',', fp);
	*first = 0;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

static void
csv_number(FILE *fp, unsigned long long n, int *first)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%llu", n);
	csv_field(fp, buf, first);
}

static void
csv_header(const struct census *c, FILE *fp)
{
	char	*q;
	size_t	 i;
	int	 first = 1;

	csv_field(fp, "tenant", &first);
	csv_field(fp, "name", &first);
	for (i = 0; i < NCOUNTS; i++)
		csv_field(fp, counts[i].name, &first);
	for (i = 0; i < c->nservices; i++) {
		csv_field(fp, c->services[i].id, &first);
		if (c->services[i].quota_attr == NULL)
			continue;
		q = xasprintf("%s_quota_bytes", c->services[i].id);
		csv_field(fp, q, &first);
		free(q);
	}
	fputs("\r\n", fp);
}

static void
print_csv(const struct census *c, FILE *fp)
{
	const struct census_row	*r;
	size_t			 i, k;
	int			 first;

	csv_header(c, fp);
	for (i = 0; i <= c->rows.n; i++) {
		r = row_at(c, i);
		first = 1;
		csv_field(fp, r->id != NULL ? r->id : "", &first);
		csv_field(fp, r->id == NULL ? "total" : r->name != NULL ?
		    r->name : "", &first);
		for (k = 0; k < NCOUNTS; k++)
			csv_number(fp, count_of(r, k), &first);
		for (k = 0; k < c->nservices; k++) {
			csv_number(fp, r->entitled[k], &first);
			if (c->services[k].quota_attr != NULL)
				csv_number(fp, r->quota[k], &first);
		}
		fputs("\r\n", fp);
	}
}

/* json: one object a row; a service's quota where its template has one. */
static void
json_row(const struct census *c, const struct census_row *r, FILE *fp)
{
	size_t	k;

	fputc('{', fp);
	if (r->id != NULL) {
		fputs("\"tenant\": ", fp);
		json_string(fp, r->id);
		fputs(", \"name\": ", fp);
		json_string(fp, r->name);
		fputs(", ", fp);
	}
	for (k = 0; k < NCOUNTS; k++)
		fprintf(fp, "\"%s\": %llu, ", counts[k].name, count_of(r, k));
	fputs("\"services\": {", fp);
	for (k = 0; k < c->nservices; k++) {
		fputs(k > 0 ? ", " : "", fp);
		json_string(fp, c->services[k].id);
		fprintf(fp, ": {\"people\": %llu", r->entitled[k]);
		if (c->services[k].quota_attr != NULL)
			fprintf(fp, ", \"quota_bytes\": %llu", r->quota[k]);
		fputc('}', fp);
	}
	fputs("}}", fp);
}

static void
print_json(const struct census *c, FILE *fp)
{
	const struct census_service	*s;
	size_t				 i;

	fputs("{\n  \"file\": ", fp);
	json_string(fp, c->file);
	fputs(",\n  \"services\": [", fp);
	for (i = 0; i < c->nservices; i++) {
		s = &c->services[i];
		fputs(i > 0 ? ",\n    {\"id\": " : "\n    {\"id\": ", fp);
		json_string(fp, s->id);
		fputs(", \"group\": ", fp);
		json_string(fp, s->group_dn);
		fputs(", \"quota_attribute\": ", fp);
		json_string(fp, s->quota_attr);
		fputc('}', fp);
	}
	fputs(c->nservices > 0 ? "\n  ],\n  \"tenants\": [" :
	    "],\n  \"tenants\": [", fp);
	for (i = 0; i < c->rows.n; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", fp);
		json_row(c, c->rows.v[i], fp);
	}
	fputs(c->rows.n > 0 ? "\n  ],\n  \"total\": " : "],\n  \"total\": ",
	    fp);
	json_row(c, &c->total, fp);
	fputs("\n}\n", fp);
}

static const struct output {
	int		 format;
	const char	*name;
	void		(*fn)(const struct census *, FILE *);
} outputs[] = {
	{ CENSUS_TEXT, "text", print_text },
	{ CENSUS_CSV, "csv", print_csv },
	{ CENSUS_JSON, "json", print_json },
};
#define NOUTPUTS	(sizeof(outputs) / sizeof(outputs[0]))

int
census_format(const char *name)
{
	size_t	i;

	for (i = 0; i < NOUTPUTS; i++)
		if (strcmp(outputs[i].name, name) == 0)
			return outputs[i].format;
	return -1;
}

void
census_print(const struct census *c, int format, FILE *fp)
{
	size_t	i;

	for (i = 0; i < NOUTPUTS; i++)
		if (outputs[i].format == format)
			outputs[i].fn(c, fp);
}
