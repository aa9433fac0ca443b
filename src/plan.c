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
 * Values are printed as they are, control, escape and bidirectional
 * characters escaped (a reviewer must read what is there, not what a
 * terminal makes of it); empty values and values with spaces at either end
 * are quoted so that they can be seen.
 */
static void
print_value(FILE *fp, const char *v)
{
	size_t	len = strlen(v);
	int	quote = len == 0 || v[0] == ' ' || v[len - 1] == ' ';

	if (quote)
		fputc('"', fp);
	fputs_escaped(v, fp);
	if (quote)
		fputc('"', fp);
}

/* A line of the plan: its mark, a DN as print_value shows it, a colour. */
static void
print_dn(FILE *fp, const char *color, const char *mark, const char *dn,
    const struct print_opts *o)
{
	fprintf(fp, "%s%s ", col(o, color), mark);
	fputs_escaped(dn, fp);
	fputs(col(o, C_OFF), fp);
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

/*
 * A value replaced by another reads "old -> new"; an attribute that comes or
 * goes, or whose several values change, reads as the values it loses and
 * those it gets: whatever the directory holds then, the new values replace it.
 */
static void
print_replace(FILE *fp, const struct mod *m)
{
	if (m->nvals == 1 && m->nold == 1) {
		fprintf(fp, "    %s: ", m->attr);
		print_value(fp, m->old[0]);
		fputs(" -> ", fp);
		print_value(fp, m->vals[0]);
		fputc('\n', fp);
		return;
	}
	print_attr_values(fp, "- ", m->attr, m->old, m->nold);
	print_attr_values(fp, "+ ", m->attr, m->vals, m->nvals);
}

/* Why a change is made, shown after its DN. */
static const char *
why_text(enum change_why why)
{
	switch (why) {
	case WHY_DISABLE:
		return " (disable: no longer in the file)";
	case WHY_ENABLE:
		return " (enable: back in the file)";
	case WHY_PRUNE:
		return " (prune: disabled for longer than retention_days)";
	case WHY_DEPART:
		return " (no longer in the file; on_departure: delete)";
	case WHY_TENANT:
		return " (its tenant is removed)";
	case WHY_DRIFT:
		return " (memberOf drift: members written again, so that the "
		    "memberof overlay corrects their memberOf)";
	case WHY_NOT_STARTED:
		return " (not started: disabled";
	case WHY_ENDED:
		return " (ended: disabled";
	case WHY_STARTED:
		return " (started: enabled";
	case WHY_CONTINUED:
		return " (continued: more of its members)";
	default:
		return "";
	}
}

/* Where an account's password comes from; never the password nor its hash. */
static void
print_account_password(FILE *fp, const struct model *m, const struct entry *e)
{
	const struct service	*s = m != NULL ? account_service(m, e) : NULL;
	char			*path;

	if (s == NULL) {
		fputs("    userPassword: (hashed by apply from the service's "
		    "bind_password_file)\n", fp);
		return;
	}
	path = account_password_path(m, s);
	fputs("    userPassword: (hashed by apply from the first line of ", fp);
	fputs_escaped(path, fp);
	fputs(", which apply writes first if it is missing)\n", fp);
	free(path);
}

/*
 * Why, after a change's DN; a person out of their dates is told by the date
 * that keeps them out, found in the model by their id.
 */
static void
print_why(FILE *fp, const struct model *m, const struct change *c)
{
	const struct attr	*id = entry_attr(c->entry, "employeeNumber");
	const struct person	*p = NULL;
	char			 day[DATE_LEN + 1];
	long			 until;
	int			 mandate;

	fputs(why_text(c->why), fp);
	if (c->why != WHY_NOT_STARTED && c->why != WHY_ENDED &&
	    c->why != WHY_STARTED)
		return;
	if (m != NULL && id != NULL && id->nvals > 0)
		p = model_person(m, id->vals[0]);
	if (p != NULL && c->why != WHY_ENDED && p->valid_from != DATE_NONE) {
		date_format(p->valid_from, day);
		fprintf(fp, " %s valid_from %s", c->why == WHY_STARTED ? "from" :
		    "until", day);
	} else if (p != NULL && c->why == WHY_ENDED &&
	    (until = person_until(p, &mandate)) != DATE_NONE) {
		date_format(until, day);
		fprintf(fp, " after %s %s", mandate ? "mandate_end" :
		    "valid_until", day);
	}
	fputc(')', fp);
}

static void
print_change(FILE *fp, const struct model *model, const struct change *c,
    const struct print_opts *o)
{
	size_t	i;

	switch (c->op) {
	case CHANGE_ADD:
		print_dn(fp, C_ADD, "+", c->entry->dn, o);
		print_why(fp, model, c);
		fputc('\n', fp);
		for (i = 0; i < c->entry->nattrs; i++)
			print_attr_values(fp, "", c->entry->attrs[i].name,
			    c->entry->attrs[i].vals, c->entry->attrs[i].nvals);
		if (c->entry->kind == ENTRY_PERSON)
			fputs("    userPassword: (generated by apply, hashed; the "
			    "password goes to the credentials file only)\n", fp);
		else if (c->entry->kind == ENTRY_ACCOUNT)
			print_account_password(fp, model, c->entry);
		break;
	case CHANGE_MODRDN:
		print_dn(fp, C_MOD, ">", c->dn, o);
		fprintf(fp, "\n    %s ", c->newsuperior ? "moves to" :
		    "is renamed");
		fputs_escaped(c->newdn, fp);
		fputc('\n', fp);
		break;
	case CHANGE_MODIFY:
		print_dn(fp, C_MOD, "~", c->dn, o);
		print_why(fp, model, c);
		fputc('\n', fp);
		for (i = 0; i < c->nmods; i++) {
			const struct mod	*mod = &c->mods[i];

			if (mod->op == MOD_REPLACE)
				print_replace(fp, mod);
			else
				print_attr_values(fp, mod->op == MOD_ADD ?
				    "+ " : "- ", mod->attr, mod->vals,
				    mod->nvals);
		}
		break;
	case CHANGE_DELETE:
		print_dn(fp, C_DEL, "-", c->dn, o);
		fprintf(fp, "%s\n", why_text(c->why));
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
	else if ((t = find_tenant(m, tenant)) != NULL) {
		fprintf(fp, "%stenant %s (", col(o, C_HEAD), t->id);
		fputs_escaped(t->name, fp);
		fprintf(fp, ")%s\n", col(o, C_OFF));
	} else {
		fprintf(fp, "%stenant ", col(o, C_HEAD));
		fputs_escaped(tenant, fp);
		fprintf(fp, " (not in the file)%s\n", col(o, C_OFF));
	}
}

#define UNMANAGED_SHOWN	20

/* Entries in mutualize's subtrees without its mark: never touched, but told. */
static void
print_unmanaged(const struct plan *p, FILE *fp)
{
	size_t	i;

	if (p->unmanaged.n == 0)
		return;
	fprintf(fp, "Left alone: %zu entr%s without the mutualizeManaged mark\n",
	    p->unmanaged.n, p->unmanaged.n == 1 ? "y" : "ies");
	for (i = 0; i < p->unmanaged.n && i < UNMANAGED_SHOWN; i++) {
		fputs("  ", fp);
		fputs_escaped(((const struct entry *)p->unmanaged.v[i])->dn, fp);
		fputc('\n', fp);
	}
	if (p->unmanaged.n > UNMANAGED_SHOWN)
		fprintf(fp, "  and %zu more\n", p->unmanaged.n - UNMANAGED_SHOWN);
	fputc('\n', fp);
}

/* The columns of the table by tenant, in the summary's order. */
enum { COUNT_ADD, COUNT_CHANGE, COUNT_RENAME, COUNT_DISABLE, COUNT_DELETE,
	NCOUNTS };
static const char *const count_names[NCOUNTS] = {
	"add", "change", "rename", "disable", "delete"
};

/* The changes of one tenant (NULL: the syndicate's own entries). */
struct section {
	const char	*tenant;
	struct ptrvec	 changes;	/* struct change * */
	size_t		 count[NCOUNTS];
};

static int
count_of(const struct change *c)
{
	switch (c->op) {
	case CHANGE_ADD:
		return COUNT_ADD;
	case CHANGE_MODRDN:
		return COUNT_RENAME;
	case CHANGE_DELETE:
		return COUNT_DELETE;
	default:
		return change_disables(c) ? COUNT_DISABLE : COUNT_CHANGE;
	}
}

static struct section *
section_of(struct hmap *index, struct ptrvec *sections, const char *tenant)
{
	struct section	*s;

	if (tenant == NULL && sections->n > 0)
		return sections->v[0];
	if (tenant != NULL && (s = hmap_get(index, tenant)) != NULL)
		return s;
	s = xcalloc(1, sizeof(*s));
	s->tenant = tenant;
	if (tenant != NULL)
		hmap_put(index, tenant, s);
	ptrvec_push(sections, s);
	return s;
}

/*
 * Sections in the order their first change comes in the plan, the syndicate's
 * own entries first; a move counts in the tenant
 * it leaves and in the one it joins, as --tenant shows it in both.
 */
static void
sections_make(const struct plan *p, struct ptrvec *sections)
{
	struct hmap	 index = { 0 };
	struct section	*s;
	size_t		 i;

	section_of(&index, sections, NULL);
	for (i = 0; i < p->n; i++) {
		const struct change	*c = &p->v[i];

		s = section_of(&index, sections, c->entry->tenant);
		ptrvec_push(&s->changes, (void *)c);
		if (c->why != WHY_CONTINUED)	/* a part of the one before */
			s->count[count_of(c)]++;
		if (c->op == CHANGE_MODRDN && c->newtenant != NULL &&
		    (c->entry->tenant == NULL ||
		    strcmp(c->newtenant, c->entry->tenant) != 0))
			section_of(&index, sections,
			    c->newtenant)->count[COUNT_RENAME]++;
	}
	hmap_free(&index);
}

static void
sections_free(struct ptrvec *sections)
{
	size_t	i;

	for (i = 0; i < sections->n; i++) {
		struct section	*s = sections->v[i];

		ptrvec_free(&s->changes);
		free(s);
	}
	ptrvec_free(sections);
}

/*
 * The shape of the plan: one line per tenant with its counts, the name last
 * so that the numbers align whatever the names' lengths.
 */
static void
print_shape(FILE *fp, const struct model *m, const struct ptrvec *sections,
    const struct print_opts *o)
{
	int	width[NCOUNTS];
	size_t	i, k;

	for (k = 0; k < NCOUNTS; k++) {
		width[k] = (int)strlen(count_names[k]);
		for (i = 0; i < sections->n; i++) {
			const struct section	*s = sections->v[i];
			int	 w = snprintf(NULL, 0, "%zu", s->count[k]);

			if (w > width[k])
				width[k] = w;
		}
	}
	fputs("Changes by tenant:\n", fp);
	for (k = 0; k < NCOUNTS; k++)
		fprintf(fp, "  %*s", width[k], count_names[k]);
	fputc('\n', fp);
	for (i = 0; i < sections->n; i++) {
		const struct section	*s = sections->v[i];

		if (s->tenant == NULL && s->changes.n == 0)
			continue;
		for (k = 0; k < NCOUNTS; k++)
			fprintf(fp, "  %*zu", width[k], s->count[k]);
		fputs("  ", fp);
		print_heading(fp, m, s->tenant, o);
	}
	fputc('\n', fp);
}

/*
 * Each section's changes under its heading, in the order of the plan; when
 * o->cut, no more than o->detail_limit changes in all, then what was left
 * out and how to see it.
 */
static void
print_detail(FILE *fp, const struct model *m, const struct ptrvec *sections,
    size_t total, const struct print_opts *o)
{
	size_t	i, j, shown = 0;

	for (i = 0; i < sections->n; i++) {
		const struct section	*s = sections->v[i];

		if (s->changes.n == 0 || (o->cut && shown >= o->detail_limit))
			continue;
		print_heading(fp, m, s->tenant, o);
		for (j = 0; j < s->changes.n; j++) {
			if (o->cut && shown >= o->detail_limit)
				break;
			print_change(fp, m, s->changes.v[j], o);
			shown++;
		}
		fputc('\n', fp);
	}
	if (shown < total)
		fprintf(fp, "%zu more change%s not shown: --detail shows every "
		    "change, --tenant id a tenant's; --format ldif and json "
		    "always hold them all.\n\n", total - shown,
		    total - shown == 1 ? "" : "s");
}

void
plan_print_text(const struct plan *p, const struct model *m, FILE *fp,
    const struct print_opts *o)
{
	struct ptrvec	 sections = { 0 };

	if (p->n > 0) {
		sections_make(p, &sections);
		print_shape(fp, m, &sections, o);
		print_detail(fp, m, &sections, p->n, o);
		sections_free(&sections);
	}
	print_unmanaged(p, fp);
}

void
plan_print_summary(const struct plan *p, const char *file, FILE *fp,
    const struct print_opts *o)
{
	if (p->n == 0) {
		fprintf(fp, "No changes. The directory matches %s.\n", file);
		return;
	}
	fprintf(fp, "Plan: %s%zu to add%s, %s%zu to change%s, ", col(o, C_ADD),
	    p->nadd, col(o, C_OFF), col(o, C_MOD), p->nmodify, col(o, C_OFF));
	if (p->nrename > 0)
		fprintf(fp, "%s%zu to rename or move%s, ", col(o, C_MOD), p->nrename,
		    col(o, C_OFF));
	if (p->ndisable > 0)
		fprintf(fp, "%s%zu to disable%s, ", col(o, C_MOD), p->ndisable,
		    col(o, C_OFF));
	fprintf(fp, "%s%zu to delete%s.\n", col(o, C_DEL), p->ndelete,
	    col(o, C_OFF));
}
