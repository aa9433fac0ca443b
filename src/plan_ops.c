/*
 * The plan as a list of changes: how the files of diff push a change and its
 * modifications onto it, and how the plan is trimmed to some of its changes,
 * counted again and freed. The arrays of values a change holds live in the
 * plan's arena, so that one free ends them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

/*
 * The entry as read, for the assertion control of a saved plan. Not for a
 * group: slapd's memberof makes its own changes to the members under the
 * same control, which their entryCSN fails, so that a member value would be
 * written and memberOf not. A group's value-level changes fail by themselves
 * when someone else changed those values.
 */
static const char *
assertion(struct plan *p, const struct entry *e)
{
	const struct attr	*csn = entry_attr(e, "entryCSN");

	if (e->kind == ENTRY_GROUP || e->kind == ENTRY_SERVICE)
		return NULL;
	return csn != NULL && csn->nvals > 0 ?
	    arena_printf(&p->arena, "(entryCSN=%s)", csn->vals[0]) : NULL;
}

struct change *
plan_push(struct plan *p, enum change_op op, const struct entry *e)
{
	struct change	*c;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	c = &p->v[p->n++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->entry = e;
	c->dn = e->dn;
	c->assertion = assertion(p, e);
	return c;
}

/* Returns a copy of n values in the arena, where the plan keeps them. */
const char **
keep_values(struct arena *ar, const char **v, size_t n)
{
	const char	**copy = arena_alloc(ar, (n ? n : 1) * sizeof(*copy));

	memcpy(copy, v, n * sizeof(*copy));
	return copy;
}

void
mod_push(struct arena *ar, struct ptrvec *mods, enum mod_op op, const char *attr,
    const char **vals, size_t nvals, const char **old, size_t nold)
{
	struct mod	*m = arena_alloc(ar, sizeof(*m));

	m->op = op;
	m->attr = attr;
	m->vals = vals;
	m->nvals = nvals;
	m->old = old;
	m->nold = nold;
	ptrvec_push(mods, m);
}

const char **
one_value(struct arena *ar, const char *v)
{
	const char	**vals = arena_alloc(ar, sizeof(*vals));

	vals[0] = v;
	return vals;
}

/* Copies the mods gathered into a change, if there are any. */
struct change *
plan_push_modify(struct plan *p, const struct entry *have, const char *dn,
    struct ptrvec *mods, enum change_why why)
{
	struct change	*c = NULL;
	size_t		 i;

	if (mods->n > 0) {
		c = plan_push(p, CHANGE_MODIFY, have);
		c->dn = dn;
		c->why = why;
		c->nmods = mods->n;
		c->mods = arena_alloc(&p->arena, mods->n * sizeof(*c->mods));
		for (i = 0; i < mods->n; i++)
			c->mods[i] = *(struct mod *)mods->v[i];
		p->nmodify++;
	}
	ptrvec_free(mods);
	return c;
}

int
in_list(const char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

void
plan_free(struct plan *p)
{
	free(p->v);
	ptrvec_free(&p->unmanaged);
	ptrvec_free(&p->tenants_gone);
	entries_free(&p->scratch);
	arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}

static int
in_tenants(const char *tenant, const char *const *tenants)
{
	return tenant != NULL && in_list(tenants, tenant);
}

void
plan_keep(struct plan *p, const unsigned char *keep)
{
	size_t	i, n = 0;

	p->nadd = p->nmodify = p->nrename = p->ndisable = p->ndelete = 0;
	p->nremovals = 0;
	for (i = 0; i < p->n; i++) {
		struct change	*c = &p->v[i];

		if (!keep[i])
			continue;
		p->v[n++] = *c;
		switch (c->op) {
		case CHANGE_ADD:
			p->nadd++;
			break;
		case CHANGE_MODRDN:
			p->nrename++;
			break;
		case CHANGE_DELETE:
			p->ndelete++;
			p->nremovals += ENTRY_IS_USER(c->entry->kind);
			break;
		default:
			if (c->why == WHY_CONTINUED)
				break;
			if (change_disables(c)) {
				p->ndisable++;
				p->nremovals++;
			} else
				p->nmodify++;
		}
	}
	p->n = n;
}

/*
 * Keeps only the changes of the listed tenants: a move counts for both towns.
 * The syndicate's own entries (base, containers, service groups) wait for a
 * run over every tenant.
 */
void
plan_restrict(struct plan *p, const char *const *tenants)
{
	unsigned char	*keep = xcalloc(p->n ? p->n : 1, 1);
	size_t		 i;

	for (i = 0; i < p->n; i++)
		keep[i] = in_tenants(p->v[i].entry->tenant, tenants) ||
		    in_tenants(p->v[i].newtenant, tenants);
	plan_keep(p, keep);
	free(keep);
}

const char *
change_op_name(enum change_op op)
{
	static const char *const names[] = {
		[CHANGE_ADD] = "add", [CHANGE_MODIFY] = "modify",
		[CHANGE_MODRDN] = "modrdn", [CHANGE_DELETE] = "delete"
	};

	return names[op];
}

const char *
mod_op_name(enum mod_op op)
{
	static const char *const names[] = {
		[MOD_ADD] = "add", [MOD_DELETE] = "delete",
		[MOD_REPLACE] = "replace"
	};

	return names[op];
}

int
change_disables(const struct change *c)
{
	return c->op == CHANGE_MODIFY && (c->why == WHY_DISABLE ||
	    c->why == WHY_NOT_STARTED || c->why == WHY_ENDED);
}
