/*
 * One kept entry against the one the file wants: which of its managed
 * attributes are replaced whole and which are changed value by value, a
 * person's former addresses kept, a person disabled or enabled by their dates
 * or back in the file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

static int
cmp_value(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

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

void
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
 * Lists that others write value by value too: members, which the memberof
 * and refint overlays follow, and addresses. They are changed value by value;
 * every other attribute is replaced whole, so that a value another writer
 * put there since the directory was read never fails the change: mutualize's
 * value wins, and the plan shows what it replaces.
 */
static int
value_list(const char *attr)
{
	return case_blind(attr) || strcasecmp(attr, "mailLocalAddress") == 0 ||
	    strcasecmp(attr, "mutualizeFormerMail") == 0 ||
	    strcasecmp(attr, "mutualizeMailboxAccess") == 0;
}

/*
 * The directory keeps values in the order they were written, which is the
 * file's: an unchanged group of 5,000 members is one pass, not two sorts.
 */
int
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

/* The values of have that want lacks (*nminus) and the reverse (*nplus). */
void
value_diff(struct scratch *sc, const struct attr *want, const struct attr *have,
    size_t *nplus, size_t *nminus)
{
	const char	**w, **h;

	scratch_fit(sc, want->nvals > have->nvals ? want->nvals : have->nvals);
	w = sorted(sc->want, want);
	h = sorted(sc->have, have);
	*nplus = set_minus(w, want->nvals, h, have->nvals, sc->plus);
	*nminus = set_minus(h, have->nvals, w, want->nvals, sc->minus);
}

/* An attribute mutualize replaces whole (not a value_list). */
static void
diff_replaced(struct arena *ar, struct scratch *sc, const struct attr *want,
    const struct attr *have, struct ptrvec *mods)
{
	size_t	nplus = 0, nminus = 0;

	if (want != NULL && have != NULL) {
		if (want->nvals == 1 && have->nvals == 1) {
			if (strcmp(want->vals[0], have->vals[0]) == 0)
				return;
		} else if (same_in_order(want, have))
			return;
		else {
			value_diff(sc, want, have, &nplus, &nminus);
			if (nplus == 0 && nminus == 0)
				return;
		}
	}
	mod_push(ar, mods, MOD_REPLACE, want != NULL ? want->name : have->name,
	    want != NULL ? want->vals : NULL, want != NULL ? want->nvals : 0,
	    have != NULL ? have->vals : NULL, have != NULL ? have->nvals : 0);
}

/*
 * One managed attribute: nothing, a replace, or value-level adds and deletes
 * of a list. objectClass values are only ever added.
 */
static void
diff_attr(struct arena *ar, struct scratch *sc, const char *name,
    const struct attr *want, const struct attr *have, struct ptrvec *mods)
{
	int	 classes = strcasecmp(name, "objectClass") == 0;
	size_t	 nplus, nminus;

	if (want == NULL && have == NULL)
		return;
	if (!value_list(name)) {
		diff_replaced(ar, sc, want, have, mods);
		return;
	}
	if (want == NULL) {
		if (!classes)
			mod_push(ar, mods, MOD_DELETE, have->name, have->vals,
			    have->nvals, NULL, 0);
		return;
	}
	if (have == NULL) {
		mod_push(ar, mods, MOD_ADD, want->name, want->vals, want->nvals,
		    NULL, 0);
		return;
	}
	if (same_in_order(want, have))
		return;
	value_diff(sc, want, have, &nplus, &nminus);
	if (nminus > 0 && !classes)
		mod_push(ar, mods, MOD_DELETE, have->name, keep_values(ar, sc->minus,
		    nminus), nminus, NULL, 0);
	if (nplus > 0)
		mod_push(ar, mods, MOD_ADD, want->name, keep_values(ar, sc->plus, nplus),
		    nplus, NULL, 0);
}


static void
copy_attr(struct entries *es, struct entry *to, const struct attr *a)
{
	size_t	i;

	for (i = 0; a != NULL && i < a->nvals; i++)
		entry_add_value(es, to, a->name, a->vals[i]);
}

/*
 * A person or a functional mailbox as the file wants it, plus what the
 * directory remembers: every address they had before a change of name stays
 * an address of theirs (mutualizeFormerMail, and mailLocalAddress so that
 * mail still arrives).
 */
static const struct entry *
with_history(struct plan *p, const struct entry *want, const struct entry *have)
{
	struct entries		*es = &p->scratch;
	const struct attr	*wmail = entry_attr(want, "mail");
	const struct attr	*hmail = entry_attr(have, "mail");
	const struct attr	*former = entry_attr(have, "mutualizeFormerMail");
	struct entry		*e;
	struct ptrvec		 old = { 0 };
	size_t			 i;

	if (hmail != NULL && hmail->nvals > 0 && wmail != NULL &&
	    strcasecmp(hmail->vals[0], wmail->vals[0]) != 0)
		ptrvec_push(&old, (void *)hmail->vals[0]);
	for (i = 0; former != NULL && i < former->nvals; i++)
		if (wmail == NULL || strcasecmp(former->vals[i], wmail->vals[0]) != 0)
			ptrvec_push(&old, (void *)former->vals[i]);
	if (old.n == 0)
		return want;
	e = entries_add(es, want->dn, want->tenant, want->kind);
	if (e == NULL)		/* the same person twice: cannot be */
		abort();
	for (i = 0; i < want->nattrs; i++)
		copy_attr(es, e, &want->attrs[i]);
	if (!entry_has(e, "objectClass", "inetLocalMailRecipient"))
		entry_add_value(es, e, "objectClass", "inetLocalMailRecipient");
	for (i = 0; i < old.n; i++) {
		entry_add_value(es, e, "mutualizeFormerMail", old.v[i]);
		if (!entry_has(e, "mailLocalAddress", old.v[i]))
			entry_add_value(es, e, "mailLocalAddress", old.v[i]);
	}
	ptrvec_free(&old);
	return e;
}

/*
 * Whether the managed attributes of want and have are the same because they
 * are the same arrays: entry_done gave want its twin's, and nothing that
 * follows want's attributes in have is managed. Most entries of a plan are
 * so, and are then compared without a look at each attribute.
 */
static int
same_arrays(const struct entry *want, const struct entry *have,
    const char *const *names)
{
	const char *const	*n;
	size_t			 i;

	if (want->attrs != have->attrs || want->nattrs > have->nattrs)
		return 0;
	for (i = want->nattrs; i < have->nattrs; i++)
		for (n = names; *n != NULL; n++)
			if (tolower((unsigned char)have->attrs[i].name[0]) ==
			    tolower((unsigned char)(*n)[0]) &&
			    strcasecmp(have->attrs[i].name, *n) == 0)
				return 0;
	return 1;
}

/* The attributes of a kept entry that differ from what the file wants. */
void
diff_entry(struct differ *d, const struct entry *want, const struct entry *have,
    const char *dn, int renamed)
{
	const char *const	*names = render_managed_attrs(d->o->model,
	    want->kind);
	struct ptrvec		 mods = { 0 };
	enum change_why		 why = WHY_NONE;
	struct arena		*ar = &d->p->arena;

	const struct attr	*now = hmap_get(&d->after, have->key), *h;
	struct change		*c;

	if (ENTRY_IS_USER(want->kind))
		want = with_history(d->p, want, have);
	if (now != NULL || !same_arrays(want, have, names))
		for (; *names != NULL; names++) {
			if (renamed && strcasecmp(*names, "uid") == 0)
				continue;	/* the modrdn set it */
			h = now != NULL && strcasecmp(*names, "member") == 0 ?
			    now : entry_attr(have, *names);
			diff_attr(ar, &d->sc, *names, entry_attr(want, *names),
			    h, &mods);
		}
	if (ENTRY_IS_USER(want->kind))
		why = dated_mods(d, want, have, &mods);
	c = plan_push_modify(d->p, have, dn, &mods, why);
	if (c != NULL && change_disables(c)) {
		d->p->nmodify--;
		d->p->ndisable++;
		d->p->nremovals++;
	}
	if (c != NULL && (renamed || now != NULL))
		c->assertion = NULL;	/* a change before made it another */
	if (c != NULL && now != NULL)
		c->waits = 1;	/* after its removals, whatever plan_keep keeps */
	if (c != NULL && !ENTRY_IS_USER(have->kind))
		hmap_put(&d->touched, have->key, (void *)have);
}
