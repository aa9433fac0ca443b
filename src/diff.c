/*
 * The changes that make the directory (current) match the file (desired).
 *
 * People are matched by their id (employeeNumber), never by DN or name: a
 * changed login or a move to another town is a modrdn of the same entry, so
 * the mailbox and the files that hang on it stay. Functional mailboxes are
 * matched the same way, by their key (mailbox_key), so that a new address is
 * a modrdn, and leave the file as people do: disabled, kept. Everything else is matched
 * by DN. Only entries that carry the mutualizeManaged mark are ever changed or
 * removed; others are reported and left alone.
 *
 * A person who leaves the file is disabled (stamped, locked, dropped from every
 * group by the groups' own changes), not deleted, unless the policy says so or
 * --prune finds them disabled for longer than the retention. A tenant that
 * leaves the file is removed only when the admin confirms it.
 *
 * The order is the order of application, chosen so that the overlays that
 * write on their own (memberof keeps memberOf, refint rewrites member values
 * after a modrdn) can follow, whichever of them the server runs:
 *
 *   1. containers added, parents first;
 *   2. member values that go away removed, from every group: a renamed or
 *      moved person's old DN too, while her entry is still there, so that
 *      memberof takes the group out of her memberOf and refint finds nothing
 *      to rewrite when she moves;
 *   3. renames and moves (their new parent exists);
 *   4. people added, then groups (every member exists: memberof sees them),
 *      then the accounts of the services;
 *   5. modifications: new member values (a moved person's new DN among
 *      them), sent once the removals are answered, and every other attribute;
 *   6. memberOf repaired where it is wrong: see check_memberof;
 *   7. departures (disabled), then deletes, children first.
 *
 * A plan made before a move and applied after it, or an apply stopped half
 * way, needs no care of its own: each run reads the directory again, and
 * the plan is what is left to do.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"

static int
add_rank(enum entry_kind k)
{
	switch (k) {
	case ENTRY_BASE:
		return RANK_BASE;
	case ENTRY_TENANTS:
	case ENTRY_SERVICES:
	case ENTRY_SYSTEM:
		return RANK_CONTAINER;
	case ENTRY_TENANT:
		return RANK_TENANT;
	case ENTRY_PEOPLE:
	case ENTRY_GROUPS:
	case ENTRY_MAILBOXES:
		return RANK_OU;
	case ENTRY_PERSON:
	case ENTRY_MAILBOX:
		return RANK_PERSON;
	default:
		return RANK_GROUP;
	}
}

void
split_dn(struct arena *ar, const char *dn, const char **rdn, const char **parent)
{
	const char	*p;

	for (p = dn; *p != '\0' && *p != ','; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	*rdn = arena_strndup(ar, dn, (size_t)(p - dn));
	*parent = *p == ',' ? p + 1 : p;
}

static void
push_rename(struct differ *d, const struct entry *want, const struct entry *have)
{
	struct plan	*p = d->p;
	struct change	*c = plan_push(p, CHANGE_MODRDN, have);
	const char	*newrdn, *newparent, *oldrdn, *oldparent;

	split_dn(&p->arena, want->dn, &newrdn, &newparent);
	split_dn(&p->arena, have->dn, &oldrdn, &oldparent);
	c->newrdn = newrdn;
	c->newdn = want->dn;
	c->newtenant = want->tenant;
	if (strcasecmp(newparent, oldparent) != 0)
		c->newsuperior = newparent;
	p->nrename++;
}

static int
managed_subtree(const struct differ *d, const char *key)
{
	const char *const	*m;
	size_t			 klen = strlen(key), mlen;

	for (m = d->mkeys; *m != NULL; m++) {
		mlen = strlen(*m);
		if (klen > mlen + 1 && key[klen - mlen - 1] == ',' &&
		    strcmp(key + klen - mlen, *m) == 0)
			return 1;
	}
	return 0;
}

/* Pairs every desired entry with the current one it becomes, or adds it. */
static void
match_desired(struct differ *d)
{
	size_t	i;

	for (i = 0; i < d->desired->v.n; i++) {
		const struct entry	*want = d->desired->v.v[i], *have = NULL;
		const struct attr	*id;

		if (ENTRY_IS_USER(want->kind) &&
		    (id = entry_attr(want, "employeeNumber")) != NULL)
			have = hmap_get(&d->current->by_id, id->vals[0]);
		if (have == NULL)
			have = entries_find(d->current, want->dn);
		if (want->kind == ENTRY_TENANT)
			hmap_put(&d->tenants, want->tenant, (void *)want);
		if (have == NULL) {
			ptrvec_push(&d->adds[add_rank(want->kind)], (void *)want);
			continue;
		}
		hmap_put(&d->claimed, have->key, (void *)want);
		if (want->kind == ENTRY_BASE || want->kind == ENTRY_TENANTS ||
		    want->kind == ENTRY_SERVICES || want->kind == ENTRY_SYSTEM)
			continue;	/* created when missing, never changed */
		if (!entry_managed(have)) {
			ptrvec_push(&d->p->unmanaged, (void *)have);
			continue;
		}
		if (strcasecmp(want->dn, have->dn) != 0) {
			ptrvec_push(&d->renames, (void *)want);
			ptrvec_push(&d->renames, (void *)have);
		}
		ptrvec_push(&d->pairs, (void *)want);
		ptrvec_push(&d->pairs, (void *)have);
	}
}

/*
 * What becomes of the current entries that nothing in the file claims. In a
 * tenant the file no longer has, nothing is planned but the refusal, unless
 * the admin confirmed its removal: then everything in it goes.
 */
static void
match_current(struct differ *d)
{
	size_t	i;

	for (i = 0; i < d->current->v.n; i++) {
		const struct entry	*have = d->current->v.v[i];
		int			 gone, confirmed;

		if (hmap_get(&d->claimed, have->key) != NULL ||
		    !managed_subtree(d, have->key))
			continue;
		if (!entry_managed(have)) {
			ptrvec_push(&d->p->unmanaged, (void *)have);
			continue;
		}
		gone = have->tenant != NULL &&
		    hmap_get(&d->tenants, have->tenant) == NULL;
		confirmed = gone && in_list(d->o->remove_tenants, have->tenant);
		if (gone && !confirmed) {
			if (have->kind == ENTRY_TENANT)
				ptrvec_push(&d->p->tenants_gone, (void *)have);
		} else if (ENTRY_IS_USER(have->kind) && !confirmed)
			ptrvec_push(&d->leavers, (void *)have);
		else
			ptrvec_push(&d->dels, (void *)have);
	}
}

/*
 * An ou=mailboxes the file no longer wants stays while it holds a mailbox
 * that is kept, disabled: it goes with the last of them.
 */
static void
keep_mailboxes_ou(struct differ *d)
{
	struct hmap	 held = { 0 };	/* tenant id -> a mailbox kept */
	size_t		 i, n = 0;

	for (i = 0; i < d->leavers.n; i++) {
		const struct entry	*e = d->leavers.v[i];

		if (e->kind == ENTRY_MAILBOX && !leaver_deleted(d, e))
			hmap_put(&held, e->tenant, (void *)e);
	}
	for (i = 0; i < d->dels.n; i++) {
		const struct entry	*e = d->dels.v[i];

		if (e->kind != ENTRY_MAILBOXES ||
		    hmap_get(&held, e->tenant) == NULL)
			d->dels.v[n++] = d->dels.v[i];
	}
	d->dels.n = n;
	hmap_free(&held);
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

static void
emit_adds(struct differ *d, size_t rank)
{
	size_t	i;

	for (i = 0; i < d->adds[rank].n; i++)
		plan_push(d->p, CHANGE_ADD, d->adds[rank].v[i])->why =
		    rank == RANK_PERSON ? dated_why(d, d->adds[rank].v[i]) :
		    WHY_NONE;
	d->p->nadd += d->adds[rank].n;
}

static int
is_group(const struct entry *e)
{
	return e->kind == ENTRY_GROUP || e->kind == ENTRY_SERVICE;
}

static void
emit_deletes(struct differ *d)
{
	size_t	i;

	if (d->dels.n > 1)
		qsort(d->dels.v, d->dels.n, sizeof(*d->dels.v), cmp_delete);
	for (i = 0; i < d->dels.n; i++) {
		const struct entry	*e = d->dels.v[i];
		struct change		*c = plan_push(d->p, CHANGE_DELETE, e);

		if (e->tenant != NULL && in_list(d->o->remove_tenants, e->tenant))
			c->why = WHY_TENANT;
		if (ENTRY_IS_USER(e->kind))
			d->p->nremovals++;
	}
	d->p->ndelete += d->dels.n;
}

/* The changes in the order of application: see the top of this file. */
static void
emit(struct differ *d)
{
	struct plan	*p = d->p;
	size_t		 i, r, removals, post;

	for (r = 0; r < RANK_PERSON; r++)
		emit_adds(d, r);
	removals = p->n;
	for (i = 0; i < d->pairs.n; i += 2)
		if (is_group(d->pairs.v[i]))
			remove_members(d, d->pairs.v[i], d->pairs.v[i + 1]);
	post = p->n;
	for (i = 0; i < d->renames.n; i += 2)
		push_rename(d, d->renames.v[i], d->renames.v[i + 1]);
	for (r = RANK_PERSON; r < NRANKS; r++)
		emit_adds(d, r);
	for (i = 0; i < d->pairs.n; i += 2) {
		const struct entry	*want = d->pairs.v[i], *have = d->pairs.v[i + 1];
		int			 renamed = strcasecmp(want->dn, have->dn) != 0;

		diff_entry(d, want, have, renamed ? want->dn : have->dn, renamed);
	}
	/* the removals are answered before a group is changed again */
	if (post > removals && post < p->n)
		p->v[post].waits = 1;
	check_memberof(d);
	for (i = 0; i < d->leavers.n; i++)
		depart(d, d->leavers.v[i]);
	emit_deletes(d);
}

void
diff(const struct entries *desired, const struct entries *current,
    const struct diff_opts *o, struct plan *p)
{
	struct differ	 d;
	size_t		 n, i;

	memset(&d, 0, sizeof(d));
	d.desired = desired;
	d.current = current;
	d.o = o;
	d.p = p;
	for (n = 0; o->managed[n] != NULL; n++)
		;
	d.mkeys = arena_alloc(&p->arena, (n + 1) * sizeof(*d.mkeys));
	for (i = 0; i < n; i++)
		d.mkeys[i] = dn_key(&p->arena, o->managed[i]);
	d.mkeys[n] = NULL;
	match_desired(&d);
	match_current(&d);
	keep_mailboxes_ou(&d);
	emit(&d);
	plan_cut_members(p);
	for (i = 0; i < NRANKS; i++)
		ptrvec_free(&d.adds[i]);
	ptrvec_free(&d.renames);
	ptrvec_free(&d.pairs);
	ptrvec_free(&d.leavers);
	ptrvec_free(&d.dels);
	hmap_free(&d.claimed);
	hmap_free(&d.tenants);
	hmap_free(&d.after);
	hmap_free(&d.removed);
	hmap_free(&d.touched);
	arena_free(&d.tmp);
	scratch_free(&d.sc);
}
