/*
 * Printing a plan as a readable diff, grouped by tenant. Printing walks the
 * same list of changes that apply walks, so the preview cannot differ from
 * what is done.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

#define C_ADD	"\033[32m"
#define C_MOD	"\033[33m"
#define C_DEL	"\033[31m"
#define C_HEAD	"\033[1m"
#define C_OFF	"\033[0m"

static const char *
col(const struct print_opts *o, const char *c)
{
	return o->color ? c : "";
}

/*
 * Values are printed as they are, control characters escaped; empty values and
 * values with spaces at either end are quoted so that they can be seen.
 */
static void
print_value(FILE *fp, const char *v)
{
	size_t	len = strlen(v);
	int	quote = len == 0 || v[0] == ' ' || v[len - 1] == ' ';

	if (quote)
		fputc('"', fp);
	for (; *v != '\0'; v++) {
		unsigned char	c = (unsigned char)*v;

		if (c < 0x20 || c == 0x7F)
			fprintf(fp, "\\x%02X", c);
		else
			fputc(c, fp);
	}
	if (quote)
		fputc('"', fp);
}

static void
print_attr_values(FILE *fp, const char *prefix, const char *name,
    const char **vals, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		fprintf(fp, "    %s%s: ", prefix, name);
		print_value(fp, vals[i]);
		fputc('\n', fp);
	}
}

static void
print_change(FILE *fp, const struct change *c, const struct print_opts *o)
{
	size_t	i, j;

	switch (c->op) {
	case CHANGE_ADD:
		fprintf(fp, "%s+ %s%s\n", col(o, C_ADD), c->entry->dn, col(o, C_OFF));
		for (i = 0; i < c->entry->nattrs; i++)
			print_attr_values(fp, "", c->entry->attrs[i].name,
			    c->entry->attrs[i].vals, c->entry->attrs[i].nvals);
		break;
	case CHANGE_MODIFY:
		fprintf(fp, "%s~ %s%s\n", col(o, C_MOD), c->entry->dn, col(o, C_OFF));
		for (i = 0; i < c->nmods; i++) {
			const struct mod	*m = &c->mods[i];

			if (m->op == MOD_REPLACE) {
				for (j = 0; j < m->nvals; j++) {
					fprintf(fp, "    %s: ", m->attr);
					print_value(fp, j < m->nold ? m->old[j] : "");
					fputs(" -> ", fp);
					print_value(fp, m->vals[j]);
					fputc('\n', fp);
				}
			} else
				print_attr_values(fp, m->op == MOD_ADD ? "+ " : "- ",
				    m->attr, m->vals, m->nvals);
		}
		break;
	case CHANGE_DELETE:
		fprintf(fp, "%s- %s%s\n", col(o, C_DEL), c->entry->dn, col(o, C_OFF));
		break;
	}
}

static const struct tenant *
find_tenant(const struct model *m, const char *id)
{
	size_t	i;

	for (i = 0; i < m->ntenants; i++)
		if (m->tenants[i].id != NULL && strcmp(m->tenants[i].id, id) == 0)
			return &m->tenants[i];
	return NULL;
}

static void
print_heading(FILE *fp, const struct model *m, const char *tenant,
    const struct print_opts *o)
{
	const struct tenant	*t;

	if (tenant == NULL)
		fprintf(fp, "%ssyndicate %s%s\n", col(o, C_HEAD),
		    m->syndicate.id, col(o, C_OFF));
	else if ((t = find_tenant(m, tenant)) != NULL)
		fprintf(fp, "%stenant %s (%s)%s\n", col(o, C_HEAD), t->id, t->name,
		    col(o, C_OFF));
	else
		fprintf(fp, "%stenant %s (not in the file)%s\n", col(o, C_HEAD),
		    tenant, col(o, C_OFF));
}

/*
 * Sections in the order their first change comes in the plan, the syndicate's
 * own entries first; within a section, the order of the plan.
 */
void
plan_print_text(const struct plan *p, const struct model *m, FILE *fp,
    const struct print_opts *o)
{
	struct hmap	 index = { 0 };
	struct ptrvec	 sections = { 0 }, syndicate = { 0 }, *sec;
	size_t		 i, j;

	for (i = 0; i < p->n; i++) {
		const char	*t = p->v[i].entry->tenant;

		if (t == NULL)
			sec = &syndicate;
		else if ((sec = hmap_get(&index, t)) == NULL) {
			sec = xcalloc(1, sizeof(*sec));
			hmap_put(&index, t, sec);
			ptrvec_push(&sections, sec);
		}
		ptrvec_push(sec, &p->v[i]);
	}
	for (i = 0; i <= sections.n; i++) {
		sec = i == 0 ? &syndicate : sections.v[i - 1];
		if (sec->n == 0)
			continue;
		print_heading(fp, m, ((struct change *)sec->v[0])->entry->tenant, o);
		for (j = 0; j < sec->n; j++)
			print_change(fp, sec->v[j], o);
		fputc('\n', fp);
		ptrvec_free(sec);
		if (i > 0)
			free(sec);
	}
	ptrvec_free(&sections);
	hmap_free(&index);
}

void
plan_print_summary(const struct plan *p, const char *file, FILE *fp,
    const struct print_opts *o)
{
	if (p->n == 0) {
		fprintf(fp, "No changes. The directory matches %s.\n", file);
		return;
	}
	fprintf(fp, "Plan: %s%zu to add%s, %s%zu to change%s, %s%zu to delete%s.\n",
	    col(o, C_ADD), p->nadd, col(o, C_OFF), col(o, C_MOD), p->nmodify,
	    col(o, C_OFF), col(o, C_DEL), p->ndelete, col(o, C_OFF));
}
