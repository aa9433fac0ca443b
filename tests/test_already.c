/*
 * Whether a change that failed finds its work done already, on entries made
 * by hand as lookup_now would read them: one test a rule of already.c, each
 * with the case that must not pass for done.
 */
#include "harness.h"

#define PERSON	"uid=ana,ou=people,ou=ven,ou=tenants,dc=sitiv,dc=fr"
#define MOVED	"uid=ana,ou=people,ou=fey,ou=tenants,dc=sitiv,dc=fr"
#define GROUP	"cn=dsi,ou=groups,ou=ven,ou=tenants,dc=sitiv,dc=fr"

/* The entries a change wants, and the directory as found. */
struct sets {
	struct entries	 want, now;
};

static int
setup(void **state)
{
	struct sets	*s = xcalloc(1, sizeof(*s));

	entries_init(&s->want);
	entries_init(&s->now);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct sets	*s = *state;

	entries_free(&s->want);
	entries_free(&s->now);
	free(s);
	return 0;
}

/* A person as mutualize wants her, or as the directory holds her. */
static struct entry *
person(struct entries *es, const char *dn, const char *mail)
{
	struct entry	*e = entries_add(es, dn, "ven", ENTRY_PERSON);

	entry_add_value(es, e, "objectClass", "inetOrgPerson");
	entry_add_value(es, e, "objectClass", "mutualizeManaged");
	entry_add_value(es, e, "uid", "ana");
	entry_add_value(es, e, "mail", mail);
	entry_add_value(es, e, "employeeNumber", "V-00001");
	return e;
}

static struct change
add_of(const struct entry *e)
{
	struct change	c;

	memset(&c, 0, sizeof(c));
	c.op = CHANGE_ADD;
	c.entry = e;
	c.dn = e->dn;
	return c;
}

static void
an_add_is_done_when_every_wanted_value_is_there(void **state)
{
	struct sets	*s = *state;
	struct change	 c;
	struct found	 f = { NULL, 0, NULL };

	c = add_of(person(&s->want, PERSON, "ana@ven.fr"));
	entry_add_value(&s->want, (struct entry *)c.entry, "employeeType", "agent");
	f.at = person(&s->now, PERSON, "ana@ven.fr");
	entry_add_value(&s->now, (struct entry *)f.at, "EMPLOYEETYPE", "Agent");
	/* the other writer's password and a value more: not compared */
	entry_add_value(&s->now, (struct entry *)f.at, "userPassword", "{CRYPT}x");
	entry_add_value(&s->now, (struct entry *)f.at, "mail", "a@ven.fr");
	/* names and values compared without regard to case */
	assert_true(already_done(&c, &f));
	f.at = NULL;
	f.at_absent = 1;
	assert_false(already_done(&c, &f));
}

static void
an_add_is_not_done_when_a_value_differs(void **state)
{
	struct sets	*s = *state;
	struct change	 c;
	struct found	 f = { NULL, 0, NULL };

	c = add_of(person(&s->want, PERSON, "ana@ven.fr"));
	f.at = person(&s->now, PERSON, "ana.other@ven.fr");
	assert_false(already_done(&c, &f));
}

static void
an_add_with_a_password_compares_everything_else(void **state)
{
	struct sets	*s = *state;
	struct change	 c;
	struct found	 f = { NULL, 0, NULL };

	c = add_of(person(&s->want, PERSON, "ana@ven.fr"));
	entry_add_value(&s->want, (struct entry *)c.entry, "userPassword", "{X}a");
	f.at = person(&s->now, PERSON, "ana@ven.fr");
	assert_true(already_done(&c, &f));
}

static void
a_modify_is_done_when_adds_are_there_and_deletes_are_not(void **state)
{
	const char	*added[] = { PERSON }, *deleted[] = { MOVED };
	const char	*title[] = { "DSI" }, *old[] = { "RH" };
	struct mod	 mods[3] = {
		{ MOD_ADD, "member", added, 1, NULL, 0 },
		{ MOD_DELETE, "member", deleted, 1, NULL, 0 },
		{ MOD_REPLACE, "description", title, 1, old, 1 },
	};
	struct sets	*s = *state;
	struct entry	*g;
	struct change	 c;
	struct found	 f = { NULL, 0, NULL };

	g = entries_add(&s->now, GROUP, "ven", ENTRY_GROUP);
	entry_add_value(&s->now, g, "member", PERSON);
	entry_add_value(&s->now, g, "description", "dsi");
	memset(&c, 0, sizeof(c));
	c.op = CHANGE_MODIFY;
	c.entry = g;
	c.dn = GROUP;
	c.mods = mods;
	c.nmods = 3;
	f.at = g;
	assert_true(already_done(&c, &f));
	/* the deleted value still there: not done */
	entry_add_value(&s->now, g, "member", MOVED);
	assert_false(already_done(&c, &f));
}

static void
a_replace_is_done_only_with_exactly_its_values(void **state)
{
	const char	*title[] = { "DSI" }, *old[] = { "RH" };
	struct mod	 mod = { MOD_REPLACE, "title", title, 1, old, 1 };
	struct sets	*s = *state;
	struct entry	*e;
	struct change	 c;
	struct found	 f = { NULL, 0, NULL };

	e = person(&s->now, PERSON, "ana@ven.fr");
	entry_add_value(&s->now, e, "title", "DSI");
	entry_add_value(&s->now, e, "title", "RH");
	memset(&c, 0, sizeof(c));
	c.op = CHANGE_MODIFY;
	c.entry = e;
	c.dn = PERSON;
	c.mods = &mod;
	c.nmods = 1;
	f.at = e;
	assert_false(already_done(&c, &f));
}

static void
a_delete_is_done_when_the_server_says_no_such_entry(void **state)
{
	struct sets	*s = *state;
	struct change	 c;
	struct found	 f = { NULL, 1, NULL };

	memset(&c, 0, sizeof(c));
	c.op = CHANGE_DELETE;
	c.entry = person(&s->now, PERSON, "ana@ven.fr");
	c.dn = PERSON;
	assert_true(already_done(&c, &f));
	/* unreadable is not absent */
	f.at_absent = 0;
	assert_false(already_done(&c, &f));
}

static void
a_modrdn_is_done_when_the_same_person_stands_at_the_new_dn(void **state)
{
	struct sets	*s = *state;
	struct change	 c;
	struct entry	*other;
	struct found	 f = { NULL, 1, NULL };

	memset(&c, 0, sizeof(c));
	c.op = CHANGE_MODRDN;
	c.entry = person(&s->now, PERSON, "ana@ven.fr");
	c.dn = PERSON;
	c.newdn = MOVED;
	f.at_new = person(&s->now, MOVED, "ana@fey.fr");
	assert_true(already_done(&c, &f));
	/* the old DN still there */
	f.at_absent = 0;
	f.at = c.entry;
	assert_false(already_done(&c, &f));
	/* someone else at the new DN */
	entries_free(&s->now);
	entries_init(&s->now);
	c.entry = person(&s->now, PERSON, "ana@ven.fr");
	other = entries_add(&s->now, MOVED, "fey", ENTRY_PERSON);
	entry_add_value(&s->now, other, "employeeNumber", "V-00002");
	f.at = NULL;
	f.at_absent = 1;
	f.at_new = other;
	assert_false(already_done(&c, &f));
}

static void
the_key_of_a_change_is_its_operation_and_dn(void **state)
{
	struct arena	 a = { NULL };
	struct change	 c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.op = CHANGE_ADD;
	c.dn = "UID=Ana,ou=people";
	assert_string_equal(already_key(&a, &c), "add uid=ana,ou=people");
	c.op = CHANGE_DELETE;
	assert_string_equal(already_key(&a, &c), "delete uid=ana,ou=people");
	arena_free(&a);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(an_add_is_done_when_every_wanted_value_is_there),
		T(an_add_is_not_done_when_a_value_differs),
		T(an_add_with_a_password_compares_everything_else),
		T(a_modify_is_done_when_adds_are_there_and_deletes_are_not),
		T(a_replace_is_done_only_with_exactly_its_values),
		T(a_delete_is_done_when_the_server_says_no_such_entry),
		T(a_modrdn_is_done_when_the_same_person_stands_at_the_new_dn),
		T(the_key_of_a_change_is_its_operation_and_dn),
	};
#undef T

	return cmocka_run_group_tests_name("already", tests, NULL, NULL);
}
