/*
 * No write carries more than MEMBERS_PER_CHANGE member values. The memberof
 * overlay writes memberOf to every member a change adds or removes before it
 * answers: a group of 25,000 members added at once took slapd 2.5 12 s,
 * more than the time an operation is given (directory.timeout), and its
 * cost grows with the group. Cut into parts, each answered in about half a
 * second, a group of any size is written within the timeout; each part is
 * sent once the one before is answered, and says it continues it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

/* The parts after the first that n values of attr make: 0 when they fit one. */
static size_t
parts_after(const char *attr, size_t n)
{
	if (strcasecmp(attr, "member") != 0 || n <= MEMBERS_PER_CHANGE)
		return 0;
	return (n - 1) / MEMBERS_PER_CHANGE;
}

/* The parts after the first: one modify each, adding or deleting values. */
static void
push_parts(struct plan *p, const struct change *c, enum mod_op op,
    const char *attr, const char **vals, size_t n, struct change **out,
    size_t *nout)
{
	size_t	i;

	for (i = 0; i < n; i += MEMBERS_PER_CHANGE) {
		struct change	*part = &(*out)[(*nout)++];

		memset(part, 0, sizeof(*part));
		part->op = CHANGE_MODIFY;
		part->why = WHY_CONTINUED;
		part->entry = c->entry;
		part->dn = c->dn;
		part->waits = 1;
		part->nmods = 1;
		part->mods = arena_alloc(&p->arena, sizeof(*part->mods));
		memset(part->mods, 0, sizeof(*part->mods));
		part->mods->op = op == MOD_DELETE ? MOD_DELETE : MOD_ADD;
		part->mods->attr = attr;
		part->mods->vals = vals + i;
		part->mods->nvals = n - i < MEMBERS_PER_CHANGE ? n - i :
		    MEMBERS_PER_CHANGE;
	}
}

/* An add whose members are too many: the entry with the first of them. */
static const struct entry *
add_first_part(struct plan *p, const struct change *c, const struct attr **rest)
{
	const struct entry	*e = c->entry;
	struct entry		*first;
	size_t			 i;

	*rest = NULL;
	for (i = 0; i < e->nattrs; i++)
		if (parts_after(e->attrs[i].name, e->attrs[i].nvals) > 0)
			*rest = &e->attrs[i];
	if (*rest == NULL)
		return e;
	first = arena_alloc(&p->arena, sizeof(*first));
	*first = *e;
	first->attrs = arena_alloc(&p->arena, e->nattrs * sizeof(*first->attrs));
	memcpy(first->attrs, e->attrs, e->nattrs * sizeof(*first->attrs));
	for (i = 0; i < e->nattrs; i++)
		if (&e->attrs[i] == *rest)
			first->attrs[i].nvals = MEMBERS_PER_CHANGE;
	return first;
}

/* The change itself, its long member lists cut to their first part; then the parts. */
static void
cut_one(struct plan *p, const struct change *c, struct change **out,
    size_t *nout)
{
	struct change		*kept = &(*out)[(*nout)++];
	const struct attr	*rest;
	size_t			 i, nmods = c->nmods;

	*kept = *c;
	if (c->op == CHANGE_ADD) {
		kept->entry = add_first_part(p, c, &rest);
		if (rest != NULL)
			push_parts(p, c, MOD_ADD, rest->name, rest->vals +
			    MEMBERS_PER_CHANGE, rest->nvals - MEMBERS_PER_CHANGE,
			    out, nout);
		return;
	}
	if (c->op != CHANGE_MODIFY)
		return;
	kept->mods = arena_alloc(&p->arena, (nmods ? nmods : 1) *
	    sizeof(*kept->mods));
	memcpy(kept->mods, c->mods, nmods * sizeof(*kept->mods));
	for (i = 0; i < nmods; i++) {
		struct mod	*m = &kept->mods[i];

		if (parts_after(m->attr, m->nvals) == 0)
			continue;
		push_parts(p, c, m->op, m->attr, m->vals + MEMBERS_PER_CHANGE,
		    m->nvals - MEMBERS_PER_CHANGE, out, nout);
		m->nvals = MEMBERS_PER_CHANGE;
	}
}

/* How many changes the plan will hold once cut. */
static size_t
cut_count(const struct plan *p)
{
	size_t	i, k, n = p->n;

	for (i = 0; i < p->n; i++) {
		const struct change	*c = &p->v[i];

		for (k = 0; c->op == CHANGE_ADD && k < c->entry->nattrs; k++)
			n += parts_after(c->entry->attrs[k].name,
			    c->entry->attrs[k].nvals);
		for (k = 0; c->op == CHANGE_MODIFY && k < c->nmods; k++)
			n += parts_after(c->mods[k].attr, c->mods[k].nvals);
	}
	return n;
}

void
plan_cut_members(struct plan *p)
{
	struct change	*v;
	size_t		 i, n = 0, want = cut_count(p);

	if (want == p->n)
		return;
	v = xreallocarray(NULL, want, sizeof(*v));
	for (i = 0; i < p->n; i++)
		cut_one(p, &p->v[i], &v, &n);
	free(p->v);
	p->v = v;
	p->n = p->cap = n;
}
