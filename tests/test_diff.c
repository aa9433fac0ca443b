/* What the diff asks for, and in which order, against directories built by hand. */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define HELENE	"uid=helene.dupont-sebastien,ou=people," VEN
#define MARIE2	"uid=marie.martin2,ou=people," VEN
#define DSI	"cn=dsi,ou=groups," VEN
#define TENANTS	"ou=tenants,dc=sitiv,dc=fr"

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
	entry_classify(es, e, "dc=sitiv,dc=fr", TENANTS);
	return e;
}

/* The directory as mutualize would have left it: a copy of every desired entry. */
static void
copy_desired(struct small *f, const char *skip_attr_of, const char *skip_attr)
{
	size_t	i, a, v;

	for (i = 0; i < f->desired.v.n; i++) {
		const struct entry	*src = f->desired.v.v[i];
		struct entry		*e = entries_add(&f->current, src->dn, NULL,
		    ENTRY_OTHER);

		for (a = 0; a < src->nattrs; a++) {
			if (skip_attr_of != NULL && strcmp(src->dn, skip_attr_of) == 0 &&
			    strcmp(src->attrs[a].name, skip_attr) == 0)
				continue;
			for (v = 0; v < src->attrs[a].nvals; v++)
				entry_add_value(&f->current, e, src->attrs[a].name,
				    src->attrs[a].vals[v]);
		}
		entry_classify(&f->current, e, "dc=sitiv,dc=fr", TENANTS);
	}
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

	diff(&f->desired, &f->current, MANAGED, &f->plan);
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
	diff(&f->desired, &f->current, MANAGED, &f->plan);
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
	diff(&f->desired, &f->current, MANAGED, &f->plan);
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
	diff(&f->desired, &f->current, MANAGED, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = change_for(&f->plan, DSI);
	assert_int_equal(c->nmods, 2);
	assert_int_equal(c->mods[0].op, MOD_DELETE);
	assert_int_equal(c->mods[0].nvals, 1);
	assert_string_equal(c->mods[0].vals[0], "uid=gone,ou=people," VEN);
	assert_int_equal(c->mods[1].op, MOD_ADD);
	assert_int_equal(c->mods[1].nvals, 1);
	assert_string_equal(c->mods[1].vals[0], MARIE2);
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
	diff(&f->desired, &f->current, MANAGED, &f->plan);
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
	entry_add_value(&f->current, e, "objectClass", "posixAccount");
	diff(&f->desired, &f->current, MANAGED, &f->plan);
	assert_int_equal(f->plan.n, 1);
	c = change_for(&f->plan, HELENE);
	assert_int_equal(c->nmods, 1);
	assert_int_equal(c->mods[0].op, MOD_ADD);
	assert_int_equal(c->mods[0].nvals, 2);
	assert_string_equal(c->mods[0].vals[0], "organizationalPerson");
	assert_string_equal(c->mods[0].vals[1], "person");
}

static void
undeclared_entries_below_tenants_are_deleted_children_first(void **state)
{
	struct small	*f = *state;

	copy_desired(f, NULL, NULL);
	have(&f->current, "ou=oldtown," TENANTS, "ou=oldtown", NULL);
	have(&f->current, "uid=a.b,ou=people,ou=oldtown," TENANTS, "uid=a.b", NULL);
	have(&f->current, "ou=people,ou=oldtown," TENANTS, "ou=people", NULL);
	/* outside ou=tenants: never touched */
	have(&f->current, "cn=reader,dc=sitiv,dc=fr", "cn=reader", NULL);
	have(&f->current, "ou=other,dc=sitiv,dc=fr", "ou=other", NULL);
	diff(&f->desired, &f->current, MANAGED, &f->plan);
	assert_int_equal(f->plan.n, 3);
	assert_int_equal(f->plan.ndelete, 3);
	assert_string_equal(f->plan.v[0].entry->dn,
	    "uid=a.b,ou=people,ou=oldtown," TENANTS);
	assert_string_equal(f->plan.v[1].entry->dn, "ou=people,ou=oldtown," TENANTS);
	assert_string_equal(f->plan.v[2].entry->dn, "ou=oldtown," TENANTS);
	assert_string_equal(f->plan.v[2].entry->tenant, "oldtown");
}

static void
base_and_tenants_entries_are_never_changed(void **state)
{
	struct small	*f = *state;

	copy_desired(f, "dc=sitiv,dc=fr", "o");
	entry_add_value(&f->current, entries_find(&f->current, "dc=sitiv,dc=fr"),
	    "o", "Made by hand");
	diff(&f->desired, &f->current, MANAGED, &f->plan);
	assert_int_equal(f->plan.n, 0);
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
		T(undeclared_entries_below_tenants_are_deleted_children_first),
		T(base_and_tenants_entries_are_never_changed),
#undef T
	};

	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
