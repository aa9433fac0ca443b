/* From the model to the entries it wants: logins, DNs, attributes, groups. */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"

static struct model *
load_small(void)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load("tests/data/small.yaml", &d);

	assert_non_null(m);
	assert_int_equal(model_check(m, &d), 0);
	return m;
}

static const struct person *
person(const struct model *m, const char *id)
{
	size_t	i, j;

	for (i = 0; i < m->ntenants; i++)
		for (j = 0; j < m->tenants[i].npeople; j++)
			if (strcmp(m->tenants[i].people[j].id, id) == 0)
				return &m->tenants[i].people[j];
	fail_msg("no person %s", id);
	return NULL;
}

/* An entry as read from the directory. */
static void
current_person(struct entries *es, const char *dn, const char *uid, const char *id)
{
	struct entry	*e = entries_add(es, dn, NULL, ENTRY_OTHER);

	entry_add_value(es, e, "uid", uid);
	entry_add_value(es, e, "employeeNumber", id);
	entry_classify(es, e, "dc=sitiv,dc=fr", "ou=tenants,dc=sitiv,dc=fr");
	assert_int_equal(e->kind, ENTRY_PERSON);
	hmap_put(&es->by_id, entry_attr(e, "employeeNumber")->vals[0], e);
}

static void
homonyms_get_numbered_logins_in_order_of_id(void **state)
{
	struct model	*m = load_small();

	(void)state;
	assert_int_equal(identities(m, NULL), 0);
	/* F-0002 sorts before V-00043: it keeps the plain login */
	assert_string_equal(person(m, "F-0002")->login, "marie.martin");
	assert_string_equal(person(m, "V-00043")->login, "marie.martin2");
	assert_string_equal(person(m, "V-00042")->login, "helene.dupont-sebastien");
	assert_string_equal(person(m, "F-0001")->login, "laetitia.ndiaye");
	model_free(m);
}

static void
logins_do_not_depend_on_the_order_of_the_file(void **state)
{
	const char	*a = YAML_HEAD "tenants:\n  - id: t\n    name: T\n    people:\n"
	    "      - {id: \"B\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"A\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"C\", given_name: Jean, surname: Roux, kind: agent}\n";
	const char	*b = YAML_HEAD "tenants:\n  - id: t\n    name: T\n    people:\n"
	    "      - {id: \"C\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"A\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"B\", given_name: Jean, surname: Roux, kind: agent}\n";
	struct diags	 d = { 0 };
	struct model	*ma = load_text(a, &d), *mb = load_text(b, &d);

	(void)state;
	assert_int_equal(d.n, 0);
	assert_int_equal(identities(ma, NULL), 0);
	assert_int_equal(identities(mb, NULL), 0);
	assert_string_equal(person(ma, "A")->login, "jean.roux");
	assert_string_equal(person(ma, "B")->login, "jean.roux2");
	assert_string_equal(person(ma, "C")->login, "jean.roux3");
	assert_string_equal(person(mb, "A")->login, "jean.roux");
	assert_string_equal(person(mb, "B")->login, "jean.roux2");
	assert_string_equal(person(mb, "C")->login, "jean.roux3");
	model_free(ma);
	model_free(mb);
}

static void
the_directory_wins_over_the_derivation(void **state)
{
	struct model	*m = load_small();
	struct entries	 cur;

	(void)state;
	entries_init(&cur);
	/* V-00043 already exists under another login */
	current_person(&cur, "uid=mmartin,ou=people," VEN, "mmartin", "V-00043");
	/* someone who left still holds marie.martin */
	current_person(&cur, "uid=marie.martin,ou=people," VEN, "marie.martin",
	    "V-99999");
	assert_int_equal(identities(m, &cur), 0);
	assert_string_equal(person(m, "V-00043")->login, "mmartin");
	assert_string_equal(person(m, "F-0002")->login, "marie.martin2");
	entries_free(&cur);
	model_free(m);
}

/* Suffixes resume where the last homonym stopped, skipping what the directory holds. */
static void
homonyms_skip_logins_the_directory_holds(void **state)
{
	const char	*yaml = YAML_HEAD "tenants:\n  - id: t\n    name: T\n"
	    "    people:\n"
	    "      - {id: \"E\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"D\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"C\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"B\", given_name: Jean, surname: Roux, kind: agent}\n"
	    "      - {id: \"A\", given_name: Jean, surname: Roux, kind: agent}\n";
	struct diags	 d = { 0 };
	struct model	*m = load_text(yaml, &d);
	struct entries	 cur;

	(void)state;
	assert_int_equal(d.n, 0);
	entries_init(&cur);
	/* two who left still hold jean.roux2 and jean.roux4 */
	current_person(&cur, "uid=jean.roux2,ou=people,ou=t,ou=tenants,dc=sitiv,"
	    "dc=fr", "jean.roux2", "X1");
	current_person(&cur, "uid=jean.roux4,ou=people,ou=t,ou=tenants,dc=sitiv,"
	    "dc=fr", "jean.roux4", "X2");
	assert_int_equal(identities(m, &cur), 0);
	assert_string_equal(person(m, "A")->login, "jean.roux");
	assert_string_equal(person(m, "B")->login, "jean.roux3");
	assert_string_equal(person(m, "C")->login, "jean.roux5");
	assert_string_equal(person(m, "D")->login, "jean.roux6");
	assert_string_equal(person(m, "E")->login, "jean.roux7");
	entries_free(&cur);
	model_free(m);
}

/*
 * Entries wanted point to the directory's strings where they are equal: an
 * unchanged directory is not held twice. Different values are copies.
 */
static void
wanted_entries_share_the_directory_strings(void **state)
{
	struct model		*m = load_small();
	struct entries		 cur, des;
	const struct entry	*have, *want;
	const char		*dn = "uid=michele.picard,ou=people," VEN;

	(void)state;
	entries_init(&cur);
	entries_init(&des);
	current_person(&cur, dn, "michele.picard", "V-00007");
	have = entries_find(&cur, dn);
	entry_add_value(&cur, (struct entry *)have, "sn", "Picard");
	entry_add_value(&cur, (struct entry *)have, "givenName", "Michelle");
	assert_int_equal(identities(m, &cur), 0);
	des.share = &cur;
	render(m, &des);
	want = entries_find(&des, dn);
	assert_non_null(want);
	assert_ptr_equal(want->dn, have->dn);
	assert_ptr_equal(entry_attr(want, "sn")->vals[0],
	    entry_attr(have, "sn")->vals[0]);
	assert_ptr_not_equal(entry_attr(want, "givenName")->vals[0],
	    entry_attr(have, "givenName")->vals[0]);
	assert_attr(want, "givenName", "Michèle");
	entries_free(&des);
	entries_free(&cur);
	model_free(m);
}

static void
people_become_inetorgperson_entries(void **state)
{
	struct small		*f = *state;
	const struct entry	*e;

	e = entries_find(&f->desired, "uid=helene.dupont-sebastien,ou=people," VEN);
	assert_non_null(e);
	assert_int_equal(e->kind, ENTRY_PERSON);
	assert_string_equal(e->tenant, "venissieux");
	assert_attr(e, "objectClass", "person|organizationalPerson|inetOrgPerson|"
	    "mutualizeManaged");
	assert_attr(e, "uid", "helene.dupont-sebastien");
	assert_attr(e, "cn", "Hélène Dupont-Sébastien");
	assert_attr(e, "sn", "Dupont-Sébastien");
	assert_attr(e, "givenName", "Hélène");
	assert_attr(e, "displayName", "Hélène Dupont-Sébastien");
	assert_attr(e, "mail", "helene.dupont-sebastien@ville-venissieux.fr");
	assert_attr(e, "employeeNumber", "V-00042");
	assert_attr(e, "employeeType", "agent");
	e = entries_find(&f->desired, "uid=michele.picard,ou=people," VEN);
	assert_attr(e, "employeeType", "elected");
}

static void
tenants_and_groups_have_their_layout(void **state)
{
	struct small		*f = *state;
	struct entries		*es = &f->desired;
	const struct entry	*e;

	assert_string_equal(((struct entry *)es->v.v[0])->dn, "dc=sitiv,dc=fr");
	assert_attr(es->v.v[0], "objectClass", "dcObject|organization");
	assert_attr(es->v.v[0], "o", "SITIV");
	assert_string_equal(((struct entry *)es->v.v[1])->dn,
	    "ou=tenants,dc=sitiv,dc=fr");
	e = entries_find(es, VEN);
	assert_attr(e, "objectClass", "organizationalUnit|domainRelatedObject|"
	    "mutualizeManaged");
	assert_attr(e, "description", "Ville de Vénissieux");
	assert_attr(e, "associatedDomain", "ville-venissieux.fr");
	assert_non_null(entries_find(es, "ou=people," VEN));
	assert_non_null(entries_find(es, "OU=Groups," VEN));
	e = entries_find(es, "cn=dsi,ou=groups," VEN);
	assert_attr(e, "objectClass", "groupOfNames|mutualizeManaged");
	assert_attr(e, "description", "Direction des systèmes d'information");
	assert_attr(e, "member", "uid=helene.dupont-sebastien,ou=people," VEN
	    "|uid=marie.martin2,ou=people," VEN);
	/* 2 + 2 tenants x 3 + 5 people + 3 groups */
	assert_int_equal(es->v.n, 16);
}

static void
an_empty_group_holds_the_empty_dn(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(YAML_HEAD "tenants:\n  - id: t\n    name: T\n"
	    "    groups: [{id: nobody, name: Nobody}]\n", &d);
	struct entries	 es;

	(void)state;
	assert_int_equal(d.n, 0);
	entries_init(&es);
	assert_int_equal(identities(m, NULL), 0);
	render(m, &es);
	assert_attr(entries_find(&es,
	    "cn=nobody,ou=groups,ou=t,ou=tenants,dc=sitiv,dc=fr"), "member", "");
	entries_free(&es);
	model_free(m);
}

static void
dn_values_are_escaped(void **state)
{
	char	*s;

	(void)state;
	s = dn_escape_value("a,b+c\"d\\e<f>g;h");
	assert_string_equal(s, "a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h");
	free(s);
	s = dn_escape_value(" #x ");
	assert_string_equal(s, "\\ #x\\ ");
	free(s);
	s = dn_escape_value("#x");
	assert_string_equal(s, "\\#x");
	free(s);
	s = dn_escape_value("a\nb");
	assert_string_equal(s, "a\\0Ab");
	free(s);
}

static void
login_and_mail_formats_follow_the_policy(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(YAML_HEAD
	    "policy: {login: \"{given_initial}{surname}\", "
	    "mail: \"{given_name}.{surname}@{tenant}.{mail_domain}\"}\n"
	    "tenants:\n  - id: t\n    name: T\n    people:\n"
	    "      - {id: \"1\", given_name: \"Élodie\", surname: \"Le Gall\", "
	    "kind: agent}\n"
	    "      - {id: \"2\", given_name: \"Éric\", surname: \"Le Gall\", "
	    "kind: agent, mail: \"eric@t.fr\"}\n", &d);

	(void)state;
	assert_int_equal(d.n, 0);
	assert_int_equal(identities(m, NULL), 0);
	assert_string_equal(person(m, "1")->login, "elegall");
	assert_string_equal(person(m, "2")->login, "elegall2");
	assert_string_equal(person(m, "1")->mail, "elodie.legall@t.sitiv.fr");
	assert_string_equal(person(m, "2")->mail, "eric@t.fr");
	model_free(m);
}

static void
the_file_login_wins_and_must_be_free(void **state)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(YAML_HEAD "tenants:\n  - id: t\n    name: T\n"
	    "    people:\n"
	    "      - {id: \"1\", given_name: A, surname: B, kind: agent, "
	    "login: ab}\n"
	    "      - {id: \"2\", given_name: C, surname: D, kind: agent, "
	    "login: taken}\n", &d);
	struct entries	 cur;

	(void)state;
	assert_int_equal(d.n, 0);
	entries_init(&cur);
	/* 1 had another uid: the file's login wins (a rename of the entry) */
	current_person(&cur, "uid=a.b,ou=people,ou=t,ou=tenants,dc=sitiv,dc=fr",
	    "a.b", "1");
	/* someone else holds "taken" */
	current_person(&cur, "uid=taken,ou=people,ou=t,ou=tenants,dc=sitiv,dc=fr",
	    "taken", "99");
	assert_int_equal(model_identities(m, &cur, &d), 1);
	assert_string_equal(person(m, "1")->login, "ab");
	assert_string_equal(d.v[0].msg, "login \"taken\" of person \"2\" is held "
	    "in the directory by employeeNumber \"99\"");
	assert_int_equal(d.v[0].pos.line, 9);
	diag_free(&d);
	entries_free(&cur);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(homonyms_get_numbered_logins_in_order_of_id),
		cmocka_unit_test(homonyms_skip_logins_the_directory_holds),
		cmocka_unit_test(wanted_entries_share_the_directory_strings),
		cmocka_unit_test(logins_do_not_depend_on_the_order_of_the_file),
		cmocka_unit_test(the_directory_wins_over_the_derivation),
		cmocka_unit_test_setup_teardown(people_become_inetorgperson_entries,
		    small_setup_rendered, small_teardown),
		cmocka_unit_test_setup_teardown(tenants_and_groups_have_their_layout,
		    small_setup_rendered, small_teardown),
		cmocka_unit_test(an_empty_group_holds_the_empty_dn),
		cmocka_unit_test(dn_values_are_escaped),
		cmocka_unit_test(login_and_mail_formats_follow_the_policy),
		cmocka_unit_test(the_file_login_wins_and_must_be_free),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
