/*
 * "Coming up": the accounts whose dates start or end them within the
 * horizon. A plan shows what an apply changes today; this section shows what
 * the applies of the next days will change without anyone editing the file,
 * so that a contract's end or a mandate's is seen before it locks someone out.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* An account's change of state on a day: day is its first day in the new state. */
struct coming {
	long			 day;
	int			 start;		/* starts, else ends */
	int			 mandate;	/* ends with the tenant's mandate */
	const struct person	*p;
};

static int
cmp_coming(const void *a, const void *b)
{
	const struct coming	*ca = a, *cb = b;
	int			 c;

	if (ca->day != cb->day)
		return ca->day < cb->day ? -1 : 1;
	if (ca->start != cb->start)
		return ca->start ? 1 : -1;	/* ends first, as apply sees them */
	if ((c = strcmp(ca->p->tenant->id, cb->p->tenant->id)) != 0)
		return c;
	return strcmp(ca->p->id, cb->p->id);
}

/* The people whose start or end falls after today, up to today + horizon. */
static void
gather(const struct model *m, unsigned horizon, struct coming **v, size_t *n)
{
	size_t		 i, j, cap = 0;
	long		 until;
	int		 mandate;

	*v = NULL;
	*n = 0;
	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].npeople; j++) {
			const struct person	*p = &m->tenants[i].people[j];
			struct coming		 c[2];
			size_t			 k, nc = 0;

			if (p->id == NULL)
				continue;
			if (p->valid_from != DATE_NONE)
				c[nc++] = (struct coming){ p->valid_from, 1, 0, p };
			if ((until = person_until(p, &mandate)) != DATE_NONE)
				c[nc++] = (struct coming){ until + 1, 0, mandate,
				    p };
			for (k = 0; k < nc; k++) {
				if (c[k].day <= m->today ||
				    c[k].day > m->today + (long)horizon)
					continue;
				if (*n == cap) {
					cap = cap ? cap * 2 : 16;
					*v = xreallocarray(*v, cap, sizeof(**v));
				}
				(*v)[(*n)++] = c[k];
			}
		}
}

static void
print_one(FILE *fp, const struct coming *c)
{
	char	 day[DATE_LEN + 1], last[DATE_LEN + 1];

	date_format(c->day, day);
	fprintf(fp, "  %s  %s  ", day, c->start ? "starts" : "ends  ");
	fputs_escaped(c->p->tenant->id, fp);
	fputc('/', fp);
	fputs_escaped(c->p->id, fp);
	fputs("  ", fp);
	fputs_escaped(c->p->given_name ? c->p->given_name : "", fp);
	fputc(' ', fp);
	fputs_escaped(c->p->surname ? c->p->surname : "", fp);
	if (c->p->login != NULL) {
		fputs(" (", fp);
		fputs_escaped(c->p->login, fp);
		fputc(')', fp);
	}
	if (c->start)
		fputs(": valid_from\n", fp);
	else {
		date_format(c->day - 1, last);
		fprintf(fp, ": %s, last day %s\n", c->mandate ? "mandate_end" :
		    "valid_until", last);
	}
}

/* The list, in the order of the days; caller frees. */
static struct coming *
coming_list(const struct model *m, unsigned horizon, size_t *n)
{
	struct coming	*v;

	gather(m, horizon, &v, n);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_coming);
	return v;
}

void
plan_print_coming(const struct model *m, FILE *fp, const struct print_opts *o)
{
	struct coming	*v;
	size_t		 n, i;

	v = coming_list(m, o->horizon, &n);
	if (n == 0)
		return;
	fprintf(fp, "%sComing up within %u day%s%s\n", o->color ? "\033[1m" :
	    "", o->horizon, o->horizon == 1 ? "" : "s",
	    o->color ? "\033[0m" : "");
	for (i = 0; i < n; i++)
		print_one(fp, &v[i]);
	fputc('\n', fp);
	free(v);
}

static void
json_one(FILE *fp, const struct coming *c)
{
	char	 day[DATE_LEN + 1];

	date_format(c->day, day);
	fprintf(fp, "{\"day\": \"%s\", \"event\": \"%s\", \"tenant\": ", day,
	    c->start ? "start" : "end");
	json_string(fp, c->p->tenant->id);
	fputs(", \"id\": ", fp);
	json_string(fp, c->p->id);
	fputs(", \"login\": ", fp);
	json_string(fp, c->p->login);
	if (c->start)
		fputs(", \"key\": \"valid_from\"}", fp);
	else {
		date_format(c->day - 1, day);
		fprintf(fp, ", \"key\": \"%s\", \"last_day\": \"%s\"}",
		    c->mandate ? "mandate_end" : "valid_until", day);
	}
}

void
plan_print_coming_json(const struct model *m, unsigned horizon, FILE *fp)
{
	struct coming	*v;
	size_t		 n, i;

	v = coming_list(m, horizon, &n);
	fprintf(fp, "{\"horizon\": %u, \"accounts\": [", horizon);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", fp);
		json_one(fp, &v[i]);
	}
	fputs(n > 0 ? "\n  ]}" : "]}", fp);
	free(v);
}
