/*
 * mutualize adopt: the entries a file describes, found in a directory that
 * mutualize did not make, marked as managed and, with --move, moved into
 * mutualize's layout; then whatever else the plan wants, in the same apply.
 *
 * The run is plan and apply's (run.c): the lock, the plan shown first, the
 * guard rails, the journal and the undo file, apply_plan. Only two things
 * differ. The directory is read whole below the base, and the picture the
 * diff is given is the one after the adoption: each adopted entry where it
 * will be, marked, its id in employeeNumber, the members and memberOf that
 * named the entries moved naming their new DNs. And the changes that make
 * the directory so are put in the plan after the containers it adds and
 * before everything else: each move (a modrdn, which keeps the entry, its
 * entryUUID and its userPassword), then each mark (a modify).
 *
 * A person is found by the id attribute among the entries below the base;
 * a group by its cn, the group's id. Whatever would make the adoption
 * ambiguous or lose something is refused before anything is written.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"
#include "differ.h"
#include "run.h"

#define MARK	"mutualizeManaged"

/* An entry of the directory taken over: where it is, where it goes. */
struct adoption {
	const struct entry	*have;		/* as read */
	const char		*newdn;		/* its DN in the layout */
	const char		*tenant;
	const char		*id;		/* a person's, or NULL: a group */
};

struct adopt {
	struct run	*r;
	const char	*id_attr;
	struct entries	 all;		/* every entry below the base */
	struct ptrvec	 people, groups;	/* struct adoption * */
	struct hmap	 by_key;	/* key of an adopted entry -> adoption */
	struct hmap	 moved;		/* key of an entry moved -> new DN */
	struct hmap	 ids;		/* id -> struct ptrvec * of entries */
	struct hmap	 managed;	/* employeeNumber -> managed person in
					   the layout */
	struct hmap	 cns;		/* group cn -> struct ptrvec * */
	struct ptrvec	 lists;		/* those ptrvecs, to free */
	size_t		 refused;
	struct arena	 arena;
};

static void
refuse(struct adopt *a, const char *fmt, const char *x, const char *y,
    const char *z)
{
	fputs("mutualize: adopt: ", stderr);
	fprintf(stderr, fmt, x, y, z);
	fputc('\n', stderr);
	a->refused++;
}

static void
index_push(struct adopt *a, struct hmap *h, const char *k, struct entry *e)
{
	struct ptrvec	*v = hmap_get(h, k);

	if (v == NULL) {
		v = xcalloc(1, sizeof(*v));
		ptrvec_push(&a->lists, v);
		hmap_put(h, k, v);
	}
	ptrvec_push(v, e);
}

static int
in_subtree(const char *key, const char *top)
{
	size_t	k = strlen(key), t = strlen(top);

	return k > t + 1 && key[k - t - 1] == ',' && strcmp(key + k - t, top) == 0;
}

/*
 * People by the id attribute, groups by their cn (lowercase), and the
 * people managed in the layout already by employeeNumber.
 */
static void
index_all(struct adopt *a, const char *tkey)
{
	const struct attr	*at;
	size_t			 i, k;

	for (i = 0; i < a->all.v.n; i++) {
		struct entry	*e = a->all.v.v[i];

		if (entry_managed(e) && in_subtree(e->key, tkey) &&
		    (at = entry_attr(e, "employeeNumber")) != NULL)
			hmap_put(&a->managed, at->vals[0], e);
		if (entry_has(e, "objectClass", "person") ||
		    entry_has(e, "objectClass", "inetOrgPerson")) {
			at = entry_attr(e, a->id_attr);
			for (k = 0; at != NULL && k < at->nvals; k++)
				index_push(a, &a->ids, at->vals[k], e);
		} else if ((entry_has(e, "objectClass", "groupOfNames") ||
		    entry_has(e, "objectClass", "groupOfUniqueNames")) &&
		    (at = entry_attr(e, "cn")) != NULL) {
			for (k = 0; k < at->nvals; k++)
				index_push(a, &a->cns, dn_key(&a->arena,
				    at->vals[k]), e);
		}
	}
}

static struct adoption *
adoption_new(struct adopt *a, const struct entry *have, const char *newdn,
    const char *tenant, const char *id)
{
	struct adoption	*ad = arena_alloc(&a->arena, sizeof(*ad));
	struct entry	*e = (struct entry *)(void *)have;	/* a->all's */

	/* the plan shows the entry with the tenant and kind it takes */
	e->tenant = tenant;
	e->kind = id != NULL ? ENTRY_PERSON : ENTRY_GROUP;
	ad->have = have;
	ad->newdn = newdn;
	ad->tenant = tenant;
	ad->id = id;
	hmap_put(&a->by_key, have->key, ad);
	if (strcasecmp(have->dn, newdn) != 0)
		hmap_put(&a->moved, have->key, (void *)newdn);
	return ad;
}

/*
 * Where the entry goes: refused when it is elsewhere without --move, or
 * when another entry holds the DN. Returns 0, or -1 after saying why.
 */
static int
placed(struct adopt *a, const struct entry *e, const char *what,
    const char *newdn)
{
	const struct entry	*at;

	if (strcmp(e->key, dn_key(&a->arena, newdn)) == 0)
		return 0;
	if (!a->r->o->move) {
		refuse(a, "%s: %s is outside the layout (it belongs at %s): "
		    "give --move", what, e->dn, newdn);
		return -1;
	}
	if ((at = entries_find(&a->all, newdn)) != NULL) {
		refuse(a, "%s: %s cannot move to %s: the DN is taken", what,
		    e->dn, newdn);
		return -1;
	}
	return 0;
}

/* The entry of the person's id, unmanaged: 0 with *out, 1 managed, -1 refused. */
static int
find_person(struct adopt *a, const struct person *p, const struct entry **out)
{
	const struct ptrvec	*v = hmap_get(&a->ids, p->id);
	const struct entry	*mine = hmap_get(&a->managed, p->id);
	const struct entry	*e, *found = NULL;
	size_t			 i;

	for (i = 0; v != NULL && i < v->n; i++) {
		e = v->v[i];
		if (e == mine)
			continue;
		if (entry_managed(e)) {
			refuse(a, "person %s: %s is managed by mutualize already, "
			    "outside this file's layout%s", p->id, e->dn, "");
			return -1;
		}
		if (mine != NULL || found != NULL) {
			refuse(a, "person %s: held by %s and by %s: adopt takes "
			    "one entry for each id", p->id, (mine != NULL ? mine :
			    found)->dn, e->dn);
			return -1;
		}
		found = e;
	}
	if (mine != NULL)
		return 1;	/* adopted before: the plan does the rest */
	if (found == NULL) {
		refuse(a, "person %s: no entry below the base has %s \"%s\"",
		    p->id, a->id_attr, p->id);
		return -1;
	}
	if (!entry_has(found, "objectClass", "inetOrgPerson")) {
		refuse(a, "person %s: %s is no inetOrgPerson%s", p->id,
		    found->dn, "");
		return -1;
	}
	*out = found;
	return 0;
}

static void
match_people(struct adopt *a, const struct tenant *t, const char *tenants_dn)
{
	const struct entry	*e;
	char			*rdn;
	const char		*newdn;
	size_t			 i;

	for (i = 0; i < t->npeople; i++) {
		const struct person	*p = &t->people[i];

		if (find_person(a, p, &e) != 0)
			continue;
		rdn = dn_escape_value(p->login);
		newdn = arena_printf(&a->arena, "uid=%s,ou=people,ou=%s,%s", rdn,
		    t->id, tenants_dn);
		free(rdn);
		if (placed(a, e, p->id, newdn) == 0)
			ptrvec_push(&a->people, adoption_new(a, e, newdn, t->id,
			    p->id));
	}
}

/* The unmanaged group of cn id to adopt, NULL if none; *bad when refused. */
static const struct entry *
find_group(struct adopt *a, const char *tid, const char *id, int *bad)
{
	const struct ptrvec	*v = hmap_get(&a->cns, dn_key(&a->arena, id));
	const struct entry	*e, *found = NULL;
	const char		*what = arena_printf(&a->arena, "group %s/%s",
	    tid, id);
	size_t			 i;

	*bad = 0;
	for (i = 0; v != NULL && i < v->n; i++) {
		if (entry_managed(e = v->v[i]))
			continue;
		if (found != NULL) {
			refuse(a, "%s: cn=%s names %s and %s: adopt takes one "
			    "entry for each group", what, found->dn, e->dn);
			*bad = 1;
			return NULL;
		}
		found = e;
	}
	if (found != NULL && hmap_get(&a->by_key, found->key) != NULL) {
		refuse(a, "%s: %s is claimed by another group of the file%s",
		    what, found->dn, "");
		*bad = 1;
		return NULL;
	}
	if (found != NULL && !entry_has(found, "objectClass", "groupOfNames")) {
		refuse(a, "%s: %s is no groupOfNames (mutualize's groups are; "
		    "%s)", what, found->dn, "make it one, or leave the group "
		    "out of the file");
		*bad = 1;
		return NULL;
	}
	return found;
}

static void
match_groups(struct adopt *a, const struct tenant *t, const char *tenants_dn)
{
	const struct entry	*e, *at;
	const char		*newdn;
	size_t			 i;
	int			 bad;

	for (i = 0; i < t->ngroups; i++) {
		const struct group	*g = &t->groups[i];

		newdn = arena_printf(&a->arena, "cn=%s,ou=groups,ou=%s,%s",
		    g->id, t->id, tenants_dn);
		if ((at = entries_find(&a->all, newdn)) != NULL &&
		    entry_managed(at))
			continue;
		if ((e = at) == NULL && (e = find_group(a, t->id, g->id,
		    &bad)) == NULL)
			continue;	/* none: the plan makes it */
		if (at != NULL && !entry_has(at, "objectClass", "groupOfNames")) {
			refuse(a, "group %s: %s is no groupOfNames%s", g->id,
			    at->dn, "");
			continue;
		}
		if (placed(a, e, g->id, newdn) == 0)
			ptrvec_push(&a->groups, adoption_new(a, e, newdn, t->id,
			    NULL));
	}
}

/* Whether two RDNs name their entries by the same attribute. */
static int
same_rdn_type(const char *a, const char *b)
{
	size_t	n = strcspn(a, "=");

	return n == strcspn(b, "=") && strncasecmp(a, b, n) == 0;
}

/*
 * Whether attr=value (the value escaped as in a DN) is the RDN of dn: the
 * value a modrdn with deleteoldrdn takes from the entry: one to the same
 * attribute (the old uid); to another (cn= to uid=), the value stays.
 */
static int
is_rdn_value(const char *dn, const char *attr, const char *value)
{
	char	*esc = dn_escape_value(value);
	size_t	 n = strlen(attr), m = strlen(esc);
	int	 yes;

	yes = strncasecmp(dn, attr, n) == 0 && dn[n] == '=' &&
	    strncasecmp(dn + n + 1, esc, m) == 0 &&
	    (dn[n + 1 + m] == ',' || dn[n + 1 + m] == '\0');
	free(esc);
	return yes;
}

/* The value as it will be: a DN of an entry moved names where it went. */
static const char *
after(struct adopt *a, const char *value)
{
	const char	*to = hmap_get(&a->moved, dn_key(&a->arena, value));

	return to != NULL ? to : value;
}

/*
 * The entry as the adoption leaves it, into the picture: at its new DN,
 * marked, its id in employeeNumber, without the old RDN's value, with the
 * new one, and its references to moved entries following them.
 */
static void
picture_adopted(struct adopt *a, struct entries *es, const struct adoption *ad)
{
	const struct entry	*e = ad->have;
	struct entry		*n = entries_add(es, ad->newdn, NULL, ENTRY_OTHER);
	size_t			 i, k;
	int			 moved = strcasecmp(e->dn, ad->newdn) != 0;

	for (i = 0; i < e->nattrs; i++) {
		const struct attr	*at = &e->attrs[i];
		int			 refs = strcasecmp(at->name, "member") == 0 ||
		    strcasecmp(at->name, "memberOf") == 0;

		if (ad->id != NULL && strcasecmp(at->name, "employeeNumber") == 0)
			continue;
		for (k = 0; k < at->nvals; k++) {
			if (moved && same_rdn_type(e->dn, ad->newdn) &&
			    is_rdn_value(e->dn, at->name, at->vals[k]))
				continue;
			entry_add_value(es, n, at->name, refs ?
			    after(a, at->vals[k]) : at->vals[k]);
		}
	}
	entry_add_value(es, n, "objectClass", MARK);
	if (ad->id != NULL)
		entry_add_value(es, n, "employeeNumber", ad->id);
	if (moved) {
		const char	*rdn = strchr(ad->newdn, '=');
		char		*attr = xstrndup(ad->newdn, (size_t)(rdn - ad->newdn));
		char		*val = xstrndup(rdn + 1, strcspn(rdn + 1, ","));

		if (!entry_has(n, attr, val))	/* logins and ids need no escape */
			entry_add_value(es, n, attr, val);
		free(attr);
		free(val);
	}
}

static void
copy_entry(struct entries *es, const struct entry *e)
{
	struct entry	*n = entries_add(es, e->dn, NULL, ENTRY_OTHER);
	size_t		 i, k;

	for (i = 0; n != NULL && i < e->nattrs; i++)
		for (k = 0; k < e->attrs[i].nvals; k++)
			entry_add_value(es, n, e->attrs[i].name,
			    e->attrs[i].vals[k]);
}


/*
 * The directory as the diff is to see it: the base and the subtrees
 * mutualize reads, as they are, and the adopted entries as they will be.
 */
static void
picture(struct adopt *a, struct entries *cur)
{
	struct run	*r = a->r;
	const char	*bkey = dn_key(&a->arena, r->m->syndicate.base_dn);
	const char	*tkey = dn_key(&a->arena, r->managed[0]);
	const char	*mkeys[3];
	size_t		 i, k;

	for (k = 0; k < 3; k++)
		mkeys[k] = dn_key(&a->arena, r->managed[k]);
	for (i = 0; i < a->all.v.n; i++) {
		const struct entry	*e = a->all.v.v[i];

		if (hmap_get(&a->by_key, e->key) != NULL)
			continue;
		for (k = 0; k < 3; k++)
			if (strcmp(e->key, mkeys[k]) == 0 ||
			    in_subtree(e->key, mkeys[k]))
				break;
		if (k < 3 || strcmp(e->key, bkey) == 0)
			copy_entry(cur, e);
	}
	for (i = 0; i < a->people.n; i++)
		picture_adopted(a, cur, a->people.v[i]);
	for (i = 0; i < a->groups.n; i++)
		picture_adopted(a, cur, a->groups.v[i]);
	for (i = 0; i < cur->v.n; i++) {
		struct entry		*e = cur->v.v[i];
		const struct attr	*id;

		entry_classify(cur, e, bkey, tkey);
		if (e->kind == ENTRY_PERSON && entry_managed(e) &&
		    (id = entry_attr(e, "employeeNumber")) != NULL)
			hmap_put(&cur->by_id, id->vals[0], e);
	}
	cur->ppolicy = a->all.ppolicy;
}

static void
push_moves(struct plan *p, const struct ptrvec *v)
{
	const char	*rdn, *parent, *oldrdn, *oldparent;
	size_t		 i;

	for (i = 0; i < v->n; i++) {
		const struct adoption	*ad = v->v[i];
		struct change		*c;

		if (strcasecmp(ad->have->dn, ad->newdn) == 0)
			continue;
		c = plan_push(p, CHANGE_MODRDN, ad->have);
		split_dn(&p->arena, ad->newdn, &rdn, &parent);
		split_dn(&p->arena, ad->have->dn, &oldrdn, &oldparent);
		c->newrdn = rdn;
		c->newdn = ad->newdn;
		c->newtenant = ad->tenant;
		c->keep_old_rdn = !same_rdn_type(oldrdn, rdn);
		if (strcasecmp(parent, oldparent) != 0)
			c->newsuperior = parent;
		p->nrename++;
	}
}

/* The mark, the id in employeeNumber, a group's members after the moves. */
static void
push_marks(struct adopt *a, struct plan *p, const struct ptrvec *v)
{
	const struct attr	*at;
	struct ptrvec		 mods;
	const char		**vals;
	size_t			 i, k, moved;

	for (i = 0; i < v->n; i++) {
		const struct adoption	*ad = v->v[i];

		memset(&mods, 0, sizeof(mods));
		mod_push(&p->arena, &mods, MOD_ADD, "objectClass",
		    one_value(&p->arena, MARK), 1, NULL, 0);
		at = entry_attr(ad->have, ad->id != NULL ? "employeeNumber" :
		    "member");
		if (ad->id != NULL && at == NULL)
			mod_push(&p->arena, &mods, MOD_ADD, "employeeNumber",
			    one_value(&p->arena, ad->id), 1, NULL, 0);
		else if (ad->id != NULL && (at->nvals != 1 ||
		    strcmp(at->vals[0], ad->id) != 0))
			mod_push(&p->arena, &mods, MOD_REPLACE, "employeeNumber",
			    one_value(&p->arena, ad->id), 1, at->vals, at->nvals);
		else if (ad->id == NULL && at != NULL) {
			vals = arena_alloc(&p->arena, at->nvals * sizeof(*vals));
			for (k = moved = 0; k < at->nvals; k++)
				moved += (vals[k] = after(a, at->vals[k])) !=
				    at->vals[k];
			if (moved > 0)
				mod_push(&p->arena, &mods, MOD_REPLACE, "member",
				    vals, at->nvals, at->vals, at->nvals);
		}
		plan_push_modify(p, ad->have, ad->newdn, &mods, WHY_NONE);
	}
}

static int
is_container_add(const struct change *c)
{
	switch (c->entry->kind) {
	case ENTRY_BASE: case ENTRY_TENANTS: case ENTRY_SERVICES:
	case ENTRY_SYSTEM: case ENTRY_TENANT: case ENTRY_PEOPLE:
	case ENTRY_GROUPS:
		return c->op == CHANGE_ADD;
	default:
		return 0;
	}
}

/*
 * The adoption's changes, after the containers the plan adds and before
 * the rest, which waits for them: people moved, then marked, then groups
 * (whose members are the people's new DNs) moved, then marked.
 */
static void
insert_changes(struct adopt *a, struct plan *p)
{
	size_t		 n0 = p->n, at, added;
	struct change	*tmp;

	push_moves(p, &a->people);
	push_marks(a, p, &a->people);
	push_moves(p, &a->groups);
	push_marks(a, p, &a->groups);
	if ((added = p->n - n0) == 0)
		return;
	for (at = 0; at < n0 && is_container_add(&p->v[at]); at++)
		;
	tmp = xreallocarray(NULL, added, sizeof(*tmp));
	memcpy(tmp, p->v + n0, added * sizeof(*tmp));
	memmove(p->v + at + added, p->v + at, (n0 - at) * sizeof(*tmp));
	memcpy(p->v + at, tmp, added * sizeof(*tmp));
	free(tmp);
	if (at + added < p->n)
		p->v[at + added].waits = 1;
}

/*
 * Everything below the base, under the lock when writing; each person and
 * group of the file matched. Returns 0, or -1 after saying why (each
 * refusal said, then the refusal of the whole).
 */
static int
read_and_match(struct adopt *a)
{
	struct run		*r = a->r;
	const struct model	*m = r->m;
	const char *const	*ra = render_read_attrs(m);
	const char		**attrs, *none[] = { NULL };
	size_t			 n, i;
	int			 rc;

	if (r->write && lock_take(r->c, m->syndicate.base_dn, r->now,
	    &r->lockdn) == -1)
		return -1;
	for (n = 0; ra[n] != NULL; n++)
		;
	attrs = xcalloc(n + 2, sizeof(*attrs));
	memcpy(attrs, ra, n * sizeof(*attrs));
	attrs[n] = a->id_attr;
	rc = read_directory(r->c, m->syndicate.base_dn, m->syndicate.base_dn,
	    none, attrs, &a->all);
	free(attrs);
	if (rc == -1)
		return -1;
	r->managed[0] = render_tenants_dn(&r->desired.arena, m);
	r->managed[1] = render_services_dn(&r->desired.arena, m);
	r->managed[2] = render_system_dn(&r->desired.arena, m);
	r->managed[3] = NULL;
	index_all(a, dn_key(&a->arena, r->managed[0]));
	for (i = 0; i < m->ntenants; i++)
		match_people(a, &m->tenants[i], r->managed[0]);
	for (i = 0; i < m->ntenants; i++)
		match_groups(a, &m->tenants[i], r->managed[0]);
	if (a->refused == 0)
		return 0;
	msg_warn("adopt: %zu refusal%s; nothing was written.", a->refused,
	    a->refused == 1 ? "" : "s");
	return -1;
}

static void
adopt_free(struct adopt *a)
{
	size_t	i;

	for (i = 0; i < a->lists.n; i++) {
		ptrvec_free(a->lists.v[i]);
		free(a->lists.v[i]);
	}
	ptrvec_free(&a->lists);
	ptrvec_free(&a->people);
	ptrvec_free(&a->groups);
	hmap_free(&a->by_key);
	hmap_free(&a->moved);
	hmap_free(&a->ids);
	hmap_free(&a->managed);
	hmap_free(&a->cns);
	entries_free(&a->all);
	arena_free(&a->arena);
}

/* What the adoption takes over, before the plan that does it. */
static void
say_adoption(const struct adopt *a)
{
	size_t	i, moves = 0;

	for (i = 0; i < a->people.n; i++)
		moves += hmap_get(&a->moved, ((struct adoption *)
		    a->people.v[i])->have->key) != NULL;
	for (i = 0; i < a->groups.n; i++)
		moves += hmap_get(&a->moved, ((struct adoption *)
		    a->groups.v[i])->have->key) != NULL;
	printf("Adopting %zu people and %zu groups of %s (%zu moved into the "
	    "layout); the plan:\n\n", a->people.n, a->groups.n,
	    a->r->o->file, moves);
}

/* The steps of run_plan, with the adoption between the read and the plan. */
static int
adopt_steps(struct adopt *a)
{
	struct run	*r = a->r;

	if (read_and_match(a) == -1)
		return r->c != NULL && a->refused == 0 ? conn_status(r->c) :
		    EXIT_ERROR;
	picture(a, &r->current);
	if (build_plan(r) == -1)
		return EXIT_ERROR;
	insert_changes(a, &r->plan);
	plan_cut_members(&r->plan);
	say_adoption(a);
	if (present_plan(r) == -1 || run_guard(r) == -1)
		return EXIT_ERROR;
	return run_apply(r);
}

int
run_adopt(const struct options *o)
{
	struct run	 r;
	struct adopt	 a;
	sigset_t	 stops, mask;
	int		 ret = EXIT_ERROR, blocked = 0;

	run_init(&r, o, !o->dry_run);
	memset(&a, 0, sizeof(a));
	a.r = &r;
	a.id_attr = o->id_attr != NULL ? o->id_attr : "employeeNumber";
	entries_init(&a.all);
	if (load_inputs(&r) == -1 ||
	    (r.c = connect_directory(r.m, o, &ret)) == NULL)
		goto out;
	stop_signals(&stops);
	blocked = sigprocmask(SIG_BLOCK, &stops, &mask) == 0;
	ret = adopt_steps(&a);
out:
	ret = run_end(&r, ret, blocked ? &mask : NULL);
	adopt_free(&a);
	return ret;
}
