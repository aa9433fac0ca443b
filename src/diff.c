/*
 * The changes that make the directory (current) match the file (desired), in
 * the order they must be applied: adds parents first and people before the
 * groups that list them (so the memberof overlay sees every member), then
 * modifications, then deletes children first. Only attributes mutualize
 * manages are compared; objectClass values are only ever added.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

static int
cmp_value(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int
add_rank(enum entry_kind k)
{
	switch (k) {
	case ENTRY_BASE:
		return 0;
	case ENTRY_TENANTS:
		return 1;
	case ENTRY_TENANT:
		return 2;
	case ENTRY_PEOPLE:
	case ENTRY_GROUPS:
		return 3;
	case ENTRY_PERSON:
		return 4;
	default:
		return 5;
	}
}

static struct change *
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
	return c;
}

/*
 * Room for comparing two value lists, reused from one attribute to the next:
 * an unchanged directory of 100,000 entries costs no memory in the plan.
 */
struct scratch {
	const char	**want, **have, **plus, **minus;
	size_t		  cap;
};

static void
scratch_fit(struct scratch *sc, size_t n)
{
	if (n <= sc->cap)
		return;
	sc->cap = n;
	sc->want = xreallocarray(sc->want, n, sizeof(*sc->want));
	sc->have = xreallocarray(sc->have, n, sizeof(*sc->have));
	sc->plus = xreallocarray(sc->plus, n, sizeof(*sc->plus));
	sc->minus = xreallocarray(sc->minus, n, sizeof(*sc->minus));
}

static void
scratch_free(struct scratch *sc)
{
	free(sc->want);
	free(sc->have);
	free(sc->plus);
	free(sc->minus);
}

/* The values of a that are not in b (both sorted) into out; returns how many. */
static size_t
set_minus(const char **a, size_t na, const char **b, size_t nb, const char **out)
{
	size_t	i = 0, j = 0, n = 0;
	int	c;

	while (i < na) {
		c = j < nb ? strcasecmp(a[i], b[j]) : -1;
		if (c < 0)
			out[n++] = a[i++];
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	return n;
}

static const char **
sorted(const char **into, const struct attr *a)
{
	memcpy(into, a->vals, a->nvals * sizeof(*into));
	if (a->nvals > 1)
		qsort(into, a->nvals, sizeof(*into), cmp_value);
	return into;
}

/* Returns a copy of n values in the arena, where the plan keeps them. */
static const char **
keep(struct arena *ar, const char **v, size_t n)
{
	const char	**copy = arena_alloc(ar, n * sizeof(*copy));

	memcpy(copy, v, n * sizeof(*copy));
	return copy;
}

static void
push_mod(struct arena *ar, struct ptrvec *mods, enum mod_op op, const char *attr,
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

/*
 * objectClass names and DNs match without regard to case on the server; an
 * entry that spells them otherwise is not worth a change. Other values (names
 * people read) are kept exactly as the file says.
 */
static int
case_blind(const char *attr)
{
	return strcasecmp(attr, "objectClass") == 0 ||
	    strcasecmp(attr, "member") == 0;
}

/*
 * The directory keeps values in the order they were written, which is the
 * file's: an unchanged group of 5,000 members is one pass, not two sorts.
 */
static int
same_in_order(const struct attr *want, const struct attr *have)
{
	size_t	i;

	if (want->nvals != have->nvals)
		return 0;
	for (i = 0; i < want->nvals; i++)
		if (strcasecmp(want->vals[i], have->vals[i]) != 0)
			return 0;
	return 1;
}

/* One managed attribute: nothing, add, delete, replace or value-level changes. */
static void
diff_attr(struct arena *ar, struct scratch *sc, const char *name,
    const struct attr *want, const struct attr *have, struct ptrvec *mods)
{
	const char	**w, **h;
	size_t		  nplus, nminus;

	if (want == NULL && have == NULL)
		return;
	if (want == NULL) {
		if (strcasecmp(name, "objectClass") != 0)
			push_mod(ar, mods, MOD_DELETE, have->name, have->vals,
			    have->nvals, NULL, 0);
		return;
	}
	if (have == NULL) {
		push_mod(ar, mods, MOD_ADD, want->name, want->vals, want->nvals,
		    NULL, 0);
		return;
	}
	if (want->nvals == 1 && have->nvals == 1) {
		if (case_blind(name) ? strcasecmp(want->vals[0], have->vals[0]) != 0 :
		    strcmp(want->vals[0], have->vals[0]) != 0)
			push_mod(ar, mods, MOD_REPLACE, want->name, want->vals, 1,
			    have->vals, 1);
		return;
	}
	if (same_in_order(want, have))
		return;
	scratch_fit(sc, want->nvals > have->nvals ? want->nvals : have->nvals);
	w = sorted(sc->want, want);
	h = sorted(sc->have, have);
	nplus = set_minus(w, want->nvals, h, have->nvals, sc->plus);
	nminus = set_minus(h, have->nvals, w, want->nvals, sc->minus);
	if (nminus > 0 && strcasecmp(name, "objectClass") != 0)
		push_mod(ar, mods, MOD_DELETE, have->name, keep(ar, sc->minus,
		    nminus), nminus, NULL, 0);
	if (nplus > 0)
		push_mod(ar, mods, MOD_ADD, want->name, keep(ar, sc->plus, nplus),
		    nplus, NULL, 0);
}

static void
diff_entry(struct plan *p, struct scratch *sc, const struct entry *want,
    const struct entry *have)
{
	const char *const	*names = render_managed_attrs(want->kind);
	struct ptrvec		 mods = { 0 };
	struct change		*c;
	size_t			 i;

	for (; *names != NULL; names++)
		diff_attr(&p->arena, sc, *names, entry_attr(want, *names),
		    entry_attr(have, *names), &mods);
	if (mods.n > 0) {
		c = plan_push(p, CHANGE_MODIFY, have);
		c->nmods = mods.n;
		c->mods = arena_alloc(&p->arena, mods.n * sizeof(*c->mods));
		for (i = 0; i < mods.n; i++)
			c->mods[i] = *(struct mod *)mods.v[i];
		p->nmodify++;
	}
	ptrvec_free(&mods);
}

static int
cmp_delete(const void *a, const void *b)
{
	const struct entry	*ea = *(const struct entry *const *)a;
	const struct entry	*eb = *(const struct entry *const *)b;

	if (ea->depth != eb->depth)
		return ea->depth > eb->depth ? -1 : 1;
	return strcmp(ea->key, eb->key);
}

static int
below(const char *key, const char *mkey, size_t mlen)
{
	size_t	klen = strlen(key);

	return klen > mlen + 1 && key[klen - mlen - 1] == ',' &&
	    strcmp(key + klen - mlen, mkey) == 0;
}

#define NRANKS	6

/*
 * Entries strictly below managed_dn that the file does not declare are deleted;
 * the base entry and managed_dn itself are only ever added.
 */
void
diff(const struct entries *desired, const struct entries *current,
    const char *managed_dn, struct plan *p)
{
	struct ptrvec	 adds[NRANKS] = { 0 }, pairs = { 0 }, dels = { 0 };
	struct scratch	 sc = { 0 };
	const char	*mkey = dn_key(&p->arena, managed_dn);
	size_t		 mlen = strlen(mkey), i, r;

	for (i = 0; i < desired->v.n; i++) {
		const struct entry	*want = desired->v.v[i];
		const struct entry	*have = hmap_get(&current->by_key, want->key);

		if (have == NULL)
			ptrvec_push(&adds[add_rank(want->kind)], (void *)want);
		else if (want->kind != ENTRY_BASE && want->kind != ENTRY_TENANTS) {
			ptrvec_push(&pairs, (void *)want);
			ptrvec_push(&pairs, (void *)have);
		}
	}
	for (i = 0; i < current->v.n; i++) {
		const struct entry	*have = current->v.v[i];

		if (below(have->key, mkey, mlen) &&
		    hmap_get(&desired->by_key, have->key) == NULL)
			ptrvec_push(&dels, (void *)have);
	}
	for (r = 0; r < NRANKS; r++) {
		for (i = 0; i < adds[r].n; i++)
			plan_push(p, CHANGE_ADD, adds[r].v[i]);
		p->nadd += adds[r].n;
		ptrvec_free(&adds[r]);
	}
	for (i = 0; i < pairs.n; i += 2)
		diff_entry(p, &sc, pairs.v[i], pairs.v[i + 1]);
	scratch_free(&sc);
	if (dels.n > 1)
		qsort(dels.v, dels.n, sizeof(*dels.v), cmp_delete);
	for (i = 0; i < dels.n; i++)
		plan_push(p, CHANGE_DELETE, dels.v[i]);
	p->ndelete = dels.n;
	ptrvec_free(&pairs);
	ptrvec_free(&dels);
}

void
plan_free(struct plan *p)
{
	free(p->v);
	arena_free(&p->arena);
	memset(p, 0, sizeof(*p));
}
