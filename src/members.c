/*
 * The member values a group loses, removed before any rename so that the
 * memberof and refint overlays can follow (see the top of diff.c), and what
 * the group holds once they are gone, which compare.c and memberof.c read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

static int
cmp_key(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

/*
 * The members a group keeps of have once minus (sorted) is taken away, with
 * the empty DN when nothing is left, as an empty group holds.
 */
static struct attr *
members_after(struct arena *ar, const struct attr *have, const char **minus,
    size_t nminus)
{
	struct attr	*now = arena_alloc(ar, sizeof(*now));
	size_t		 i;

	now->name = have->name;
	now->vals = arena_alloc(ar, (have->nvals + 1) * sizeof(*now->vals));
	now->nvals = 0;
	for (i = 0; i < have->nvals; i++)
		if (bsearch(have->vals[i], minus, nminus, sizeof(*minus),
		    cmp_key) == NULL)
			now->vals[now->nvals++] = have->vals[i];
	if (now->nvals == 0)
		now->vals[now->nvals++] = "";
	return now;
}

/* Remembers which people leave which group, for the check of memberOf. */
static void
note_removed(struct differ *d, const struct entry *group, const char **minus,
    size_t nminus)
{
	const struct entry	*e;
	size_t			 i;

	for (i = 0; i < nminus; i++)
		if ((e = entries_find(d->current, minus[i])) != NULL)
			hmap_put(&d->removed, arena_printf(&d->tmp, "%s\t%s",
			    group->key, e->key), (void *)e);
}

/*
 * The member values a group loses go first, before any rename: while a
 * renamed person is still at her old DN, memberof takes the group out of
 * her memberOf, and refint finds nothing to rewrite when she moves. Her new
 * DN is added after the rename, with every other new member. A group left
 * with no member holds the empty DN meanwhile.
 */
void
remove_members(struct differ *d, const struct entry *want,
    const struct entry *have)
{
	const struct attr	*w = entry_attr(want, "member");
	const struct attr	*h = entry_attr(have, "member");
	struct arena		*ar = &d->p->arena;
	struct ptrvec		 mods = { 0 };
	const char		**minus;
	struct attr		*now;
	size_t			 nplus, nminus, skip = 0;

	if (w == NULL || h == NULL || same_in_order(w, h))
		return;
	value_diff(&d->sc, w, h, &nplus, &nminus);
	if (nminus == h->nvals && nminus > 0 && d->sc.minus[0][0] == '\0')
		skip = 1;	/* all go: the empty DN, sorted first, stays */
	if (nminus == skip)
		return;
	nminus -= skip;
	minus = keep_values(ar, d->sc.minus + skip, nminus);
	now = members_after(&d->tmp, h, minus, nminus);
	mod_push(ar, &mods, MOD_DELETE, h->name, minus, nminus, NULL, 0);
	if (now->nvals == 1 && now->vals[0][0] == '\0' &&
	    !entry_has(have, "member", ""))
		mod_push(ar, &mods, MOD_ADD, h->name, one_value(ar, ""), 1, NULL, 0);
	plan_push_modify(d->p, have, have->dn, &mods, WHY_NONE);
	hmap_put(&d->after, have->key, now);
	hmap_put(&d->touched, have->key, (void *)have);
	note_removed(d, have, minus, nminus);
}
