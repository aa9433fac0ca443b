/*
 * memberOf, which every service filters on, is written by the memberof
 * overlay, not by mutualize: an overlay missing or off for a while, or a
 * member value removed after its entry moved, leaves it wrong. It is checked
 * against the groups mutualize manages, and repaired through them: a member
 * value added and deleted in one modify takes a stale group out of memberOf,
 * deleted and added puts a missing one in.
 *
 * The repairs are one modify a group, after every other change to the groups
 * (step 6 at the top of diff.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

/* A group of the directory that names a person. */
struct membership {
	const struct entry	*person, *group;
};

/* Groups remembered by the address of their DN in memberOf values. */
#define DRIFT_SEEN	256

struct drift {
	struct membership *m;		/* who each group of the directory
					   names, sorted by person */
	size_t		 n, cap;
	/*
	 * memberOf values are the entry set's one copy of each group's DN
	 * (entry.c interns them): the group is found once for each copy,
	 * not for each of 100,000 people.
	 */
	struct {
		const char		*dn;
		const struct entry	*group;
	}		 seen[DRIFT_SEEN];
	struct hmap	 repairs;	/* group key -> struct ptrvec *: mods */
	struct ptrvec	 groups;	/* the groups repaired, in order */
};

/* Whether the server keeps memberOf: some entry read has one. */
static int
has_memberof(const struct entries *current)
{
	const struct attr	*a;
	size_t			 i;

	for (i = 0; i < current->v.n; i++)
		if ((a = entry_attr(current->v.v[i], "memberOf")) != NULL &&
		    a->nvals > 0)
			return 1;
	return 0;
}

static int
managed_group(const struct entry *e)
{
	return e != NULL && (e->kind == ENTRY_GROUP || e->kind == ENTRY_SERVICE) &&
	    entry_managed(e);
}

static int
cmp_membership(const void *a, const void *b)
{
	uintptr_t	pa = (uintptr_t)((const struct membership *)a)->person;
	uintptr_t	pb = (uintptr_t)((const struct membership *)b)->person;

	return pa < pb ? -1 : pa > pb;
}

/*
 * Who each group of the directory names: one pair a membership, sorted by
 * person, rather than a list per person (100,000 of them).
 */
static void
index_members(struct differ *d, struct drift *dr)
{
	const struct entry	*g, *e;
	const struct attr	*m;
	size_t			 i, j;

	for (i = 0; i < d->current->v.n; i++) {
		g = d->current->v.v[i];
		if (!managed_group(g) || (m = entry_attr(g, "member")) == NULL)
			continue;
		for (j = 0; j < m->nvals; j++) {
			if (m->vals[j][0] == '\0' ||
			    (e = entries_find(d->current, m->vals[j])) == NULL ||
			    !ENTRY_IS_USER(e->kind))
				continue;
			if (dr->n == dr->cap) {
				dr->cap = dr->cap ? dr->cap * 2 : 256;
				dr->m = xreallocarray(dr->m, dr->cap,
				    sizeof(*dr->m));
			}
			dr->m[dr->n].person = e;
			dr->m[dr->n++].group = g;
		}
	}
	if (dr->n > 1)
		qsort(dr->m, dr->n, sizeof(*dr->m), cmp_membership);
}

/* The groups of the directory that name a person: m[*first, return). */
static size_t
groups_naming(const struct drift *dr, const struct entry *person,
    size_t *first)
{
	size_t	lo = 0, hi = dr->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((uintptr_t)dr->m[mid].person < (uintptr_t)person)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (hi < dr->n && dr->m[hi].person == person)
		hi++;
	return hi;
}

static int
names(const struct entry *group, const char *dn)
{
	return entry_has(group, "member", dn);
}

static int
named_by(const struct drift *dr, size_t first, size_t end,
    const struct entry *group)
{
	for (; first < end; first++)
		if (dr->m[first].group == group)
			return 1;
	return 0;
}

/* The entry of a memberOf value, or NULL. */
static const struct entry *
group_of(const struct differ *d, struct drift *dr, const char *dn)
{
	size_t	slot = ((uintptr_t)dn / sizeof(void *)) % DRIFT_SEEN;

	if (dr->seen[slot].dn != dn) {
		dr->seen[slot].dn = dn;
		dr->seen[slot].group = entries_find(d->current, dn);
	}
	return dr->seen[slot].group;
}

/* Writes dn again in the group: added then deleted, or deleted then added. */
static void
repair(struct differ *d, struct drift *dr, const struct entry *group,
    const char *dn, int stale)
{
	struct ptrvec	*mods = hmap_get(&dr->repairs, group->key);
	struct arena	*ar = &d->p->arena;

	if (mods == NULL) {
		mods = xcalloc(1, sizeof(*mods));
		hmap_put(&dr->repairs, group->key, mods);
		ptrvec_push(&dr->groups, (void *)group);
	}
	mod_push(ar, mods, stale ? MOD_ADD : MOD_DELETE, "member", one_value(ar, dn), 1,
	    NULL, 0);
	mod_push(ar, mods, stale ? MOD_DELETE : MOD_ADD, "member", one_value(ar, dn), 1,
	    NULL, 0);
}

/*
 * One person of the directory, at newdn once the plan is made. A stale group
 * (in memberOf, not naming her) is repaired unless the plan adds her to it;
 * a missing one (naming her, not in memberOf) unless the plan takes her out
 * of it or moves her, which memberof follows.
 */
static void
check_person(struct differ *d, struct drift *dr, const struct entry *have,
    const char *newdn)
{
	const struct attr	*mo = entry_attr(have, "memberOf");
	const struct entry	*g, *want;
	char			*rk;
	size_t			 i, first, end = groups_naming(dr, have, &first);

	for (i = 0; mo != NULL && i < mo->nvals; i++) {
		g = group_of(d, dr, mo->vals[i]);
		if (!managed_group(g) || named_by(dr, first, end, g) ||
		    (want = hmap_get(&d->claimed, g->key)) == NULL)
			continue;
		if (!names(want, newdn))
			repair(d, dr, g, newdn, 1);
	}
	for (i = first; i < end; i++) {
		g = dr->m[i].group;
		if (entry_has(have, "memberOf", g->dn) ||
		    hmap_get(&d->claimed, g->key) == NULL ||
		    strcasecmp(newdn, have->dn) != 0)
			continue;
		rk = xasprintf("%s\t%s", g->key, have->key);
		if (hmap_get(&d->removed, rk) == NULL)
			repair(d, dr, g, have->dn, 0);
		free(rk);
	}
}

/* The repairs, one modify a group, after every other change to the groups. */
static void
emit_repairs(struct differ *d, struct drift *dr)
{
	const struct entry	*g;
	struct change		*c;
	size_t			 i;

	for (i = 0; i < dr->groups.n; i++) {
		g = dr->groups.v[i];
		c = plan_push_modify(d->p, g, g->dn, hmap_get(&dr->repairs, g->key),
		    WHY_DRIFT);
		if (hmap_get(&d->touched, g->key) != NULL) {
			c->assertion = NULL;
			c->waits = 1;
		}
		c->waits |= i == 0;
	}
}

/* Checks the memberOf of every person the plan keeps, if the server has it. */
void
check_memberof(struct differ *d)
{
	struct drift	 dr;
	size_t		 i;

	if (!has_memberof(d->current))
		return;
	memset(&dr, 0, sizeof(dr));
	index_members(d, &dr);
	for (i = 0; i < d->pairs.n; i += 2)
		if (ENTRY_IS_USER(((const struct entry *)d->pairs.v[i])->kind))
			check_person(d, &dr, d->pairs.v[i + 1],
			    ((const struct entry *)d->pairs.v[i])->dn);
	for (i = 0; i < d->leavers.n; i++)
		if (!leaver_deleted(d, d->leavers.v[i]))
			check_person(d, &dr, d->leavers.v[i],
			    ((const struct entry *)d->leavers.v[i])->dn);
	emit_repairs(d, &dr);
	for (i = 0; i < dr.groups.n; i++)
		free(hmap_get(&dr.repairs,
		    ((const struct entry *)dr.groups.v[i])->key));
	free(dr.m);
	ptrvec_free(&dr.groups);
	hmap_free(&dr.repairs);
}
