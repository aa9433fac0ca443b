/* What the diff asks for, and in which order, against directories built by hand. */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define HELENE	"uid=helene.dupont-sebastien,ou=people," VEN
#define MARIE2	"uid=marie.martin2,ou=people," VEN
#define DSI	"cn=dsi,ou=groups," VEN
#define TENANTS	"ou=tenants,dc=sitiv,dc=fr"

/* As read does: classify the entry, index a marked person by its id. */
static void
index_entry(struct entries *es, struct entry *e)
{
	const struct attr	*id;

	entry_classify(es, e, "dc=sitiv,dc=fr", TENANTS);
	if (e->kind == ENTRY_PERSON && entry_managed(e) &&
	    (id = entry_attr(e, "employeeNumber")) != NULL)
		hmap_put(&es->by_id, id->vals[0], e);
}

/* Adds an entry to the directory picture, with "attr=value" pairs. */
static struct entry *
have(struct entries *es, const char *dn, ...)
{
	struct entry	*e = entries_add(es, dn, NULL, ENTRY_OTHER);
	const char	*av;
	va_list		 ap;

	assert_non_null(e);
	va_start(ap, dn);
	while ((av = va_arg(ap, const char *)) != NULL) {
		const char	*eq = strchr(av, '=');
		char		*name = xstrndup(av, (size_t)(eq - av));

		entry_add_value(es, e, name, eq + 1);
		free(name);
	}
	va_end(ap);
	index_entry(es, e);
	return e;
}

/*
 * The directory as mutualize would have left it: a copy of every desired entry
 * (but skip_entry), without skip_attr in skip_attr_of.
 */
static void
copy_desired_but(struct small *f, const char *skip_entry,
    const char *skip_attr_of, const char *skip_attr)
{
	size_t	i, a, v;

	for (i = 0; i < f->desired.v.n; i++) {
		const struct entry	*src = f->desired.v.v[i];
		struct entry		*e;

		if (skip_entry != NULL && strcmp(src->dn, skip_entry) == 0)
			continue;
		e = entries_add(&f->current, src->dn, NULL, ENTRY_OTHER);

		for (a = 0; a < src->nattrs; a++) {
			if (skip_attr_of != NULL && strcmp(src->dn, skip_attr_of) == 0 &&
			    strcmp(src->attrs[a].name, skip_attr) == 0)
				continue;
			for (v = 0; v < src->attrs[a].nvals; v++)
				entry_add_value(&f->current, e, src->attrs[a].name,
				    src->attrs[a].vals[v]);
		}
		index_entry(&f->current, e);
	}
}

static void
copy_desired(struct small *f, const char *skip_attr_of, const char *skip_attr)
{
	copy_desired_but(f, NULL, skip_attr_of, skip_attr);
}

static const struct change *
change_for(const struct plan *p, const char *dn)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].entry->dn, dn) == 0)
			return &p->v[i];
	return NULL;
}

static void
empty_directory_gets_adds_parents_and_people_first(void **state)
{
	struct small	*f = *state;
	size_t		 i, last_person = 0, first_group = SIZE_MAX;

	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 16);
	assert_int_equal(f->plan.nadd, 16);
	assert_string_equal(f->plan.v[0].entry->dn, "dc=sitiv,dc=fr");
	assert_string_equal(f->plan.v[1].entry->dn, TENANTS);
	for (i = 0; i < f->plan.n; i++) {
		const struct entry	*e = f->plan.v[i].entry;

		assert_int_equal(f->plan.v[i].op, CHANGE_ADD);
		if (e->kind == ENTRY_PERSON)
			last_person = i;
		if (e->kind == ENTRY_GROUP && first_group == SIZE_MAX)
			first_group = i;
		if (e->kind == ENTRY_PEOPLE || e->kind == ENTRY_GROUPS)
			assert_true(first_group == SIZE_MAX && last_person == 0);
	}
	assert_true(last_person < first_group);
}

static void
directory_in_sync_gives_an_empty_plan(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
}

static void
changed_value_is_a_replace_that_shows_the_old_one(void **state)
{
	struct small		*f = *state;
	const struct change	*c;

	copy_desired(f, HELENE, "cn");
	entry_add_value(&f->current, entries_find(&f->current, HELENE), "cn",
	    "Hélène Dupont");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.nmodify, 1);
	c = change_for(&f->plan, HELENE);
	assert_non_null(c);
	assert_int_equal(c->op, CHANGE_MODIFY);
	assert_int_equal(c->nmods, 1);
	assert_int_equal(c->mods[0].op, MOD_REPLACE);
	assert_string_equal(c->mods[0].attr, "cn");
	assert_string_equal(c->mods[0].old[0], "Hélène Dupont");
	assert_string_equal(c->mods[0].vals[0], "Hélène Dupont-Sébastien");
}

static void
group_members_change_value_by_value(void **state)
{
	struct small		*f = *state;
	const struct change	*c;
	struct entry		*g;

	copy_desired(f, DSI, "member");
	g = entries_find(&f->current, DSI);
	entry_add_value(&f->current, g, "member", HELENE);
	entry_add_value(&f->current, g, "member", "uid=gone,ou=people," VEN);
	/* a member written in another case is the same member */
	((struct attr *)entry_attr(entries_find(&f->current, "cn=rh,ou=groups," VEN),
	    "member"))->vals[0] = "UID=Marie.Martin2,ou=people," VEN;
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	/* the member who goes first, the one who comes once that is answered */
	assert_int_equal(f->plan.n, 2);
	c = &f->plan.v[0];
	assert_string_equal(c->dn, DSI);
	assert_int_equal(c->nmods, 1);
	assert_int_equal(c->mods[0].op, MOD_DELETE);
	assert_int_equal(c->mods[0].nvals, 1);
	assert_string_equal(c->mods[0].vals[0], "uid=gone,ou=people," VEN);
	c = &f->plan.v[1];
	assert_string_equal(c->dn, DSI);
	assert_true(c->waits);
	assert_int_equal(c->nmods, 1);
	assert_int_equal(c->mods[0].op, MOD_ADD);
	assert_int_equal(c->mods[0].nvals, 1);
	assert_string_equal(c->mods[0].vals[0], MARIE2);
}

static void
unmanaged_attributes_are_left_alone(void **state)
{
	struct small	*f = *state;
	struct entry	*e;

	copy_desired(f, NULL, NULL);
	e = entries_find(&f->current, HELENE);
	entry_add_value(&f->current, e, "userPassword", "{SSHA}x");
	entry_add_value(&f->current, e, "roomNumber", "B 204");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
}

static void
object_classes_are_only_ever_added(void **state)
{
	struct small		*f = *state;
	const struct change	*c;
	struct entry		*e;

	copy_desired(f, HELENE, "objectClass");
	e = entries_find(&f->current, HELENE);
	entry_add_value(&f->current, e, "objectClass", "inetorgperson");
	entry_add_value(&f->current, e, "objectClass", "mutualizeManaged");
	entry_add_value(&f->current, e, "objectClass", "posixAccount");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = change_for(&f->plan, HELENE);
	assert_int_equal(c->nmods, 1);
	assert_int_equal(c->mods[0].op, MOD_ADD);
	assert_int_equal(c->mods[0].nvals, 2);
	assert_string_equal(c->mods[0].vals[0], "organizationalPerson");
	assert_string_equal(c->mods[0].vals[1], "person");
}

static void
unmarked_entries_are_left_alone_and_reported(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	/* made by hand, without the mark: below ou=tenants, and at our own DN */
	have(&f->current, "cn=printer,ou=groups," VEN, "cn=printer", NULL);
	entry_add_value(&f->current, entries_find(&f->current,
	    "ou=people,ou=feyzin," TENANTS), "description", "by hand");
	((struct attr *)entry_attr(entries_find(&f->current,
	    "ou=people,ou=feyzin," TENANTS), "objectClass"))->nvals = 1;
	/* outside ou=tenants: not even reported */
	have(&f->current, "cn=reader,dc=sitiv,dc=fr", "cn=reader", NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.unmanaged.n, 2);
	assert_string_equal(((struct entry *)f->plan.unmanaged.v[0])->dn,
	    "ou=people,ou=feyzin," TENANTS);
	assert_string_equal(((struct entry *)f->plan.unmanaged.v[1])->dn,
	    "cn=printer,ou=groups," VEN);
}

static void
a_tenant_gone_from_the_file_is_removed_only_when_confirmed(void **state)
{
	struct small		*f = *state;
	const char *const	 confirm[] = { "oldtown", NULL };

	copy_desired(f, NULL, NULL);
	have(&f->current, "ou=oldtown," TENANTS, "objectClass=mutualizeManaged",
	    NULL);
	have(&f->current, "ou=people,ou=oldtown," TENANTS,
	    "objectClass=mutualizeManaged", NULL);
	have(&f->current, "uid=a.b,ou=people,ou=oldtown," TENANTS,
	    "objectClass=mutualizeManaged", "employeeNumber=O-1", NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.tenants_gone.n, 1);
	assert_string_equal(((struct entry *)f->plan.tenants_gone.v[0])->tenant,
	    "oldtown");
	assert_int_equal(f->plan.n, 0);
	plan_free(&f->plan);
	f->opts.remove_tenants = confirm;
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.tenants_gone.n, 0);
	assert_int_equal(f->plan.n, 3);
	assert_int_equal(f->plan.ndelete, 3);
	assert_int_equal(f->plan.nremovals, 1);
	assert_string_equal(f->plan.v[0].dn, "uid=a.b,ou=people,ou=oldtown," TENANTS);
	assert_int_equal(f->plan.v[0].why, WHY_TENANT);
	assert_string_equal(f->plan.v[1].dn, "ou=people,ou=oldtown," TENANTS);
	assert_string_equal(f->plan.v[2].dn, "ou=oldtown," TENANTS);
}

#define GONE	"uid=paul.roux,ou=people," VEN

static void
a_person_who_left_is_disabled_not_deleted(void **state)
{
	struct small		*f = *state;
	const struct change	*c;

	copy_desired(f, NULL, NULL);
	have(&f->current, GONE, "objectClass=inetOrgPerson",
	    "objectClass=mutualizeManaged", "uid=paul.roux", "employeeNumber=V-9",
	    NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.ndisable, 1);
	assert_int_equal(f->plan.nremovals, 1);
	c = &f->plan.v[0];
	assert_int_equal(c->op, CHANGE_MODIFY);
	assert_int_equal(c->why, WHY_DISABLE);
	assert_string_equal(c->dn, GONE);
	assert_int_equal(c->nmods, 2);
	assert_string_equal(c->mods[0].attr, "mutualizeDisabled");
	assert_string_equal(c->mods[0].vals[0], "20261128120000Z");
	assert_string_equal(c->mods[1].attr, "pwdAccountLockedTime");
	assert_string_equal(c->mods[1].vals[0], "000001010000Z");
}

static void
a_disabled_person_is_pruned_after_the_retention(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	have(&f->current, GONE, "objectClass=mutualizeManaged",
	    "employeeNumber=V-9", "mutualizeDisabled=20260901000000Z", NULL);
	have(&f->current, "uid=old.one,ou=people," VEN, "objectClass=mutualizeManaged",
	    "employeeNumber=V-8", "mutualizeDisabled=20250101000000Z", NULL);
	/* without --prune: both stay disabled, nothing to do */
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
	plan_free(&f->plan);
	/* with it: only the one disabled before the retention's start goes */
	f->opts.prune = 1;
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.v[0].op, CHANGE_DELETE);
	assert_int_equal(f->plan.v[0].why, WHY_PRUNE);
	assert_string_equal(f->plan.v[0].dn, "uid=old.one,ou=people," VEN);
}

static void
on_departure_delete_deletes(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	have(&f->current, GONE, "objectClass=mutualizeManaged",
	    "employeeNumber=V-9", NULL);
	f->opts.on_departure = DEPART_DELETE;
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(f->plan.v[0].op, CHANGE_DELETE);
	assert_int_equal(f->plan.v[0].why, WHY_DEPART);
	assert_int_equal(f->plan.nremovals, 1);
}

static void
a_person_who_returns_is_enabled_in_the_same_entry(void **state)
{
	struct small		*f = *state;
	const struct change	*c;
	struct entry		*e;

	copy_desired(f, NULL, NULL);
	e = entries_find(&f->current, HELENE);
	entry_add_value(&f->current, e, "mutualizeDisabled", "20261001000000Z");
	entry_add_value(&f->current, e, "pwdAccountLockedTime", "000001010000Z");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = &f->plan.v[0];
	assert_int_equal(c->why, WHY_ENABLE);
	assert_int_equal(c->nmods, 2);
	assert_int_equal(c->mods[0].op, MOD_DELETE);
	assert_string_equal(c->mods[0].attr, "mutualizeDisabled");
	assert_string_equal(c->mods[1].attr, "pwdAccountLockedTime");
}

/* Marie Martin (V-00043) moves from Feyzin's login space to a new DN. */
static void
a_person_found_elsewhere_is_moved_not_recreated(void **state)
{
	struct small		*f = *state;
	const struct change	*c;
	struct entry		*e;
	size_t			 i;

	/* the directory has her in Feyzin, under an older login */
	copy_desired_but(f, MARIE2, NULL, NULL);
	e = entries_add(&f->current, "uid=mmartin,ou=people,ou=feyzin," TENANTS,
	    NULL, ENTRY_OTHER);
	for (i = 0; i < entries_find(&f->desired, MARIE2)->nattrs; i++) {
		const struct attr *a = &entries_find(&f->desired, MARIE2)->attrs[i];
		size_t		   v;

		for (v = 0; v < a->nvals; v++)
			entry_add_value(&f->current, e, a->name,
			    strcmp(a->name, "uid") == 0 ? "mmartin" :
			    strcmp(a->name, "mail") == 0 ? "mmartin@feyzin.fr" :
			    a->vals[v]);
	}
	index_entry(&f->current, e);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	c = &f->plan.v[0];
	assert_int_equal(c->op, CHANGE_MODRDN);
	assert_string_equal(c->dn, "uid=mmartin,ou=people,ou=feyzin," TENANTS);
	assert_string_equal(c->newrdn, "uid=marie.martin2");
	assert_string_equal(c->newsuperior, "ou=people," VEN);
	assert_string_equal(c->newdn, MARIE2);
	assert_int_equal(f->plan.nrename, 1);
	assert_int_equal(f->plan.nadd, 0);
	assert_int_equal(f->plan.ndelete, 0);
	assert_int_equal(f->plan.ndisable, 0);
	/* then her attributes, at the new DN; the old address stays hers */
	c = &f->plan.v[1];
	assert_int_equal(c->op, CHANGE_MODIFY);
	assert_string_equal(c->dn, MARIE2);
	for (i = 0; i < c->nmods; i++)
		if (strcmp(c->mods[i].attr, "mutualizeFormerMail") == 0)
			break;
	assert_true(i < c->nmods);
	assert_string_equal(c->mods[i].vals[0], "mmartin@feyzin.fr");
}

static void
base_and_tenants_entries_are_never_changed(void **state)
{
	struct small	*f = *state;

	copy_desired(f, "dc=sitiv,dc=fr", "o");
	entry_add_value(&f->current, entries_find(&f->current, "dc=sitiv,dc=fr"),
	    "o", "Made by hand");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
}


/* What the memberof overlay writes: each member's memberOf, but skip's. */
static void
fill_memberof(struct small *f, const char *skip_group, const char *skip_member)
{
	const struct attr	*m;
	struct entry		*g, *e;
	size_t			 i, j, n = f->current.v.n;

	for (i = 0; i < n; i++) {
		g = f->current.v.v[i];
		if ((g->kind != ENTRY_GROUP && g->kind != ENTRY_SERVICE) ||
		    (m = entry_attr(g, "member")) == NULL)
			continue;
		for (j = 0; j < m->nvals; j++)
			if ((e = entries_find(&f->current, m->vals[j])) != NULL &&
			    !(skip_group != NULL && strcmp(g->dn, skip_group) == 0 &&
			    strcmp(m->vals[j], skip_member) == 0))
				entry_add_value(&f->current, e, "memberOf", g->dn);
	}
}

/* Marie Martin of Vénissieux, in the directory under another login. */
#define MARIE2_OLD	"uid=mmartin,ou=people," VEN

static void
copy_desired_renaming(struct small *f, const char *from, const char *to)
{
	size_t	i, a, v;

	for (i = 0; i < f->desired.v.n; i++) {
		const struct entry	*src = f->desired.v.v[i];
		struct entry		*e = entries_add(&f->current,
		    strcmp(src->dn, from) == 0 ? to : src->dn, NULL, ENTRY_OTHER);

		for (a = 0; a < src->nattrs; a++)
			for (v = 0; v < src->attrs[a].nvals; v++) {
				const char	*val = src->attrs[a].vals[v];

				if (strcmp(val, from) == 0)
					val = to;
				else if (strcmp(src->dn, from) == 0 &&
				    strcmp(src->attrs[a].name, "uid") == 0)
					val = "mmartin";
				entry_add_value(&f->current, e, src->attrs[a].name,
				    val);
			}
		index_entry(&f->current, e);
	}
}

/*
 * Her old DN leaves her groups before the modrdn, while memberof can still
 * find her and before refint would rewrite it; her new DN comes after.
 */
static void
a_renamed_member_leaves_her_groups_before_the_modrdn(void **state)
{
	struct small	*f = *state;
	size_t		 i, j, rename = SIZE_MAX, dels = 0, adds = 0;

	copy_desired_renaming(f, MARIE2, MARIE2_OLD);
	fill_memberof(f, NULL, NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	for (i = 0; i < f->plan.n; i++) {
		const struct change	*c = &f->plan.v[i];

		if (c->op == CHANGE_MODRDN) {
			assert_string_equal(c->dn, MARIE2_OLD);
			rename = i;
		}
		if (c->op != CHANGE_MODIFY || c->entry->kind != ENTRY_GROUP)
			continue;
		assert_int_equal(c->why, WHY_NONE);
		for (j = 0; j < c->nmods; j++) {
			const struct mod	*m = &c->mods[j];

			if (m->op == MOD_DELETE && strcmp(m->vals[0],
			    MARIE2_OLD) == 0) {
				assert_true(rename == SIZE_MAX);
				dels++;
			} else if (m->op == MOD_ADD && strcmp(m->vals[0],
			    MARIE2) == 0) {
				assert_true(rename != SIZE_MAX && i > rename);
				/* the removal changed the group since the read */
				assert_null(c->assertion);
				adds++;
			}
		}
	}
	assert_true(rename != SIZE_MAX);
	assert_true(f->plan.v[rename].waits);
	assert_int_equal(dels, 2);
	assert_int_equal(adds, 2);
}

static void
a_stale_memberof_is_repaired_through_the_group(void **state)
{
	struct small		*f = *state;
	const struct change	*c;

	copy_desired(f, NULL, NULL);
	fill_memberof(f, NULL, NULL);
	/* she is no member of rh, yet memberof left it in her memberOf */
	entry_add_value(&f->current, entries_find(&f->current, HELENE),
	    "memberOf", "cn=rh,ou=groups," VEN);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = &f->plan.v[0];
	assert_string_equal(c->dn, "cn=rh,ou=groups," VEN);
	assert_int_equal(c->why, WHY_DRIFT);
	assert_true(c->waits);
	assert_int_equal(c->nmods, 2);
	assert_int_equal(c->mods[0].op, MOD_ADD);
	assert_string_equal(c->mods[0].vals[0], HELENE);
	assert_int_equal(c->mods[1].op, MOD_DELETE);
	assert_string_equal(c->mods[1].vals[0], HELENE);
}

static void
a_missing_memberof_is_repaired_through_the_group(void **state)
{
	struct small		*f = *state;
	const struct change	*c;

	copy_desired(f, NULL, NULL);
	fill_memberof(f, DSI, HELENE);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = &f->plan.v[0];
	assert_string_equal(c->dn, DSI);
	assert_int_equal(c->why, WHY_DRIFT);
	assert_int_equal(c->nmods, 2);
	assert_int_equal(c->mods[0].op, MOD_DELETE);
	assert_string_equal(c->mods[0].vals[0], HELENE);
	assert_int_equal(c->mods[1].op, MOD_ADD);
	assert_string_equal(c->mods[1].vals[0], HELENE);
}

/* Without memberOf anywhere, the server has no memberof: nothing to check. */
static void
no_memberof_anywhere_is_no_drift(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
}

/*
 * An attribute of one value is replaced whole, never deleted by value: a
 * value another writer put there since the read cannot fail the change.
 */
static void
single_values_are_replaced_whatever_the_directory_holds(void **state)
{
	struct small		*f = *state;
	const struct change	*c;

	copy_desired(f, HELENE, "displayName");
	entry_add_value(&f->current, entries_find(&f->current, HELENE), "title",
	    "Ingénieure");
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = change_for(&f->plan, HELENE);
	assert_int_equal(c->nmods, 2);
	assert_int_equal(c->mods[0].op, MOD_REPLACE);
	assert_string_equal(c->mods[0].attr, "displayName");
	assert_int_equal(c->mods[0].nvals, 1);
	assert_int_equal(c->mods[0].nold, 0);
	assert_int_equal(c->mods[1].op, MOD_REPLACE);
	assert_string_equal(c->mods[1].attr, "title");
	assert_int_equal(c->mods[1].nvals, 0);
	assert_int_equal(c->mods[1].nold, 1);
	assert_string_equal(c->mods[1].old[0], "Ingénieure");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, \
	    small_setup_rendered, small_teardown)
		T(empty_directory_gets_adds_parents_and_people_first),
		T(directory_in_sync_gives_an_empty_plan),
		T(changed_value_is_a_replace_that_shows_the_old_one),
		T(group_members_change_value_by_value),
		T(unmanaged_attributes_are_left_alone),
		T(object_classes_are_only_ever_added),
		T(unmarked_entries_are_left_alone_and_reported),
		T(a_tenant_gone_from_the_file_is_removed_only_when_confirmed),
		T(a_person_who_left_is_disabled_not_deleted),
		T(a_disabled_person_is_pruned_after_the_retention),
		T(on_departure_delete_deletes),
		T(a_person_who_returns_is_enabled_in_the_same_entry),
		T(a_person_found_elsewhere_is_moved_not_recreated),
		T(base_and_tenants_entries_are_never_changed),
		T(a_renamed_member_leaves_her_groups_before_the_modrdn),
		T(a_stale_memberof_is_repaired_through_the_group),
		T(a_missing_memberof_is_repaired_through_the_group),
		T(no_memberof_anywhere_is_no_drift),
		T(single_values_are_replaced_whatever_the_directory_holds),
#undef T
	};

	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
