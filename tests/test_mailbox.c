/*
 * Functional mailboxes: what render makes of them and of their delegates,
 * and what diff does when their address, delegates or presence change.
 */
#include <nettle/base64.h>

#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define BOXES	"ou=mailboxes," VEN
#define MAIRIE	"uid=mairie@venissieux.fr," BOXES
#define HOTEL	"uid=hotel-de-ville@venissieux.fr," BOXES
#define HELENE	"uid=helene.dupont,ou=people," VEN
#define KARIM	"uid=karim.benaissa,ou=people," VEN
#define MAILGRP	"cn=mail,ou=services,dc=sitiv,dc=fr"

/* A town of two agents; MAILBOXES is put after its people. */
#define TOWN \
	YAML_HEAD \
	"services: {mail: {quota: 1GiB}, visio: {}}\n" \
	"tenants:\n" \
	"  - id: venissieux\n" \
	"    name: \"Ville de Vénissieux\"\n" \
	"    mail_domain: venissieux.fr\n" \
	"    services: [mail, visio]\n" \
	"    people:\n" \
	"      - {id: V-1, given_name: Hélène, surname: Dupont, kind: agent}\n" \
	"      - {id: V-2, given_name: Karim, surname: Benaïssa, kind: agent}\n"
#define MAIRIE_OF(addr, who) \
	"    mailboxes:\n" \
	"      - {id: mairie, address: " addr ", name: \"Mairie\", " \
	"delegates: [" who "]}\n"

struct pics {
	struct model	*m;
	struct entries	 desired, current;
	struct plan	 plan;
};

static struct model *
model_of(const char *yaml)
{
	struct diags	 d = { 0 };
	struct model	*m = load_text(yaml, &d);

	assert_non_null(m);
	assert_int_equal(templates_load(m, "templates", &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(identities(m, NULL), 0);
	diag_free(&d);
	return m;
}

/* The entries of the file rendered into es. */
static struct model *
rendered(const char *yaml, struct entries *es)
{
	struct model	*m = model_of(yaml);

	entries_init(es);
	render(m, es);
	return m;
}

/* The directory as an apply of the file left it, read back. */
static void
applied(const char *yaml, struct entries *current)
{
	struct entries	 es;
	struct model	*m = rendered(yaml, &es);
	size_t		 i, a, v;

	entries_init(current);
	for (i = 0; i < es.v.n; i++) {
		const struct entry	*src = es.v.v[i];
		struct entry		*e = entries_add(current, src->dn, NULL,
		    ENTRY_OTHER);
		const struct attr	*id;

		for (a = 0; a < src->nattrs; a++)
			for (v = 0; v < src->attrs[a].nvals; v++)
				entry_add_value(current, e, src->attrs[a].name,
				    src->attrs[a].vals[v]);
		entry_classify(current, e, "dc=sitiv,dc=fr",
		    "ou=tenants,dc=sitiv,dc=fr");
		assert_int_equal(e->kind, src->kind);
		if (ENTRY_IS_USER(e->kind) &&
		    (id = entry_attr(e, "employeeNumber")) != NULL)
			hmap_put(&current->by_id, id->vals[0], e);
	}
	entries_free(&es);
	model_free(m);
}

/* The plan from what before left to what after wants. */
static void
planned(struct pics *p, const char *before, const char *after,
    enum departure dep)
{
	struct diff_opts	o = diff_opts_default();

	memset(p, 0, sizeof(*p));
	applied(before, &p->current);
	p->m = rendered(after, &p->desired);
	o.model = p->m;
	o.on_departure = dep;
	diff(&p->desired, &p->current, &o, &p->plan);
}

static void
pics_free(struct pics *p)
{
	plan_free(&p->plan);
	entries_free(&p->desired);
	entries_free(&p->current);
	model_free(p->m);
}

static const struct change *
change_of(const struct plan *p, enum change_op op, const char *dn)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].op == op && strcasecmp(p->v[i].dn, dn) == 0)
			return &p->v[i];
	return NULL;
}

/* The modify of dn that has a mod of that op with this value. */
static const struct change *
modify_with(const struct plan *p, const char *dn, enum mod_op op,
    const char *attr, const char *value)
{
	size_t	i, j, k;

	for (i = 0; i < p->n; i++) {
		const struct change	*c = &p->v[i];

		if (c->op != CHANGE_MODIFY || strcasecmp(c->dn, dn) != 0)
			continue;
		for (j = 0; j < c->nmods; j++)
			for (k = 0; k < c->mods[j].nvals; k++)
				if (c->mods[j].op == op && strcasecmp(
				    c->mods[j].attr, attr) == 0 && strcasecmp(
				    c->mods[j].vals[k], value) == 0)
					return c;
	}
	return NULL;
}

/* The values a modify's mod of that op gives the attribute, joined by '|'. */
static void
assert_mod(const struct change *c, enum mod_op op, const char *attr,
    const char *want)
{
	char	got[1024] = "";
	size_t	i, j;

	assert_non_null(c);
	for (i = 0; i < c->nmods; i++)
		if (c->mods[i].op == op && strcasecmp(c->mods[i].attr, attr) == 0)
			for (j = 0; j < c->mods[i].nvals; j++)
				snprintf(got + strlen(got), sizeof(got) -
				    strlen(got), "%s%s", got[0] ? "|" : "",
				    c->mods[i].vals[j]);
	assert_string_equal(got, want);
}

static void
a_mailbox_is_an_account_below_ou_mailboxes_with_no_password(void **state)
{
	struct entries		 es;
	struct model		*m = rendered(TOWN MAIRIE_OF("mairie@venissieux.fr",
	    "V-1"), &es);
	const struct entry	*e = entries_find(&es, MAIRIE);

	(void)state;
	assert_non_null(entries_find(&es, BOXES));
	assert_int_equal(entries_find(&es, BOXES)->kind, ENTRY_MAILBOXES);
	assert_attr(entries_find(&es, BOXES), "objectClass",
	    "organizationalUnit|mutualizeManaged");
	assert_non_null(e);
	assert_int_equal(e->kind, ENTRY_MAILBOX);
	assert_attr(e, "objectClass", "person|organizationalPerson|"
	    "inetOrgPerson|mutualizeManaged|inetLocalMailRecipient|"
	    "mutualizeAccount");
	assert_attr(e, "uid", "mairie@venissieux.fr");
	assert_attr(e, "mail", "mairie@venissieux.fr");
	assert_attr(e, "cn", "Mairie");
	assert_attr(e, "sn", "Mairie");
	assert_attr(e, "displayName", "Mairie");
	assert_attr(e, "employeeNumber", "mailbox+venissieux+mairie");
	assert_attr(e, "mutualizeMailQuota", "1073741824");
	assert_null(entry_attr(e, "userPassword"));
	/* the mail service by default, not visio */
	assert_true(entry_has(entries_find(&es, MAILGRP), "member", MAIRIE));
	assert_false(entry_has(entries_find(&es,
	    "cn=visio,ou=services,dc=sitiv,dc=fr"), "member", MAIRIE));
	entries_free(&es);
	model_free(m);
}

/* What slapd writes in hex in a DN it gives back, the DN of a mailbox has so. */
static void
a_mailbox_dn_is_written_as_slapd_gives_it_back(void **state)
{
	struct arena	a = { 0 };

	(void)state;
	assert_string_equal(mailbox_dn(&a, "mairie+info=x@ville.fr", BOXES),
	    "uid=mairie\\2Binfo\\3Dx@ville.fr," BOXES);
	assert_string_equal(mailbox_dn(&a, "#a#@ville.fr", BOXES),
	    "uid=\\23a#@ville.fr," BOXES);
	assert_string_equal(mailbox_dn(&a, "a.b_c-d@ville.fr", BOXES),
	    "uid=a.b_c-d@ville.fr," BOXES);
	arena_free(&a);
}

static void
delegates_get_the_address_and_nobody_else_anything(void **state)
{
	struct entries	 es;
	struct model	*m = rendered(TOWN MAIRIE_OF("mairie@venissieux.fr",
	    "V-1"), &es);

	(void)state;
	assert_true(entry_has(entries_find(&es, HELENE), "objectClass",
	    "mutualizeDelegate"));
	assert_attr(entries_find(&es, HELENE), "mutualizeMailboxAccess",
	    "mairie@venissieux.fr");
	assert_false(entry_has(entries_find(&es, KARIM), "objectClass",
	    "mutualizeDelegate"));
	assert_null(entry_attr(entries_find(&es, KARIM),
	    "mutualizeMailboxAccess"));
	entries_free(&es);
	model_free(m);
}

static void
a_tenant_without_mailboxes_gets_no_ou_mailboxes(void **state)
{
	struct entries	 es;
	struct model	*m = rendered(TOWN, &es);
	size_t		 i;

	(void)state;
	assert_null(entries_find(&es, BOXES));
	for (i = 0; i < es.v.n; i++) {
		const struct entry	*e = es.v.v[i];

		assert_false(entry_has(e, "objectClass", "mutualizeDelegate"));
		assert_null(entry_attr(e, "mutualizeMailboxAccess"));
	}
	entries_free(&es);
	model_free(m);
}

static void
a_mailbox_in_sync_gives_an_empty_plan(void **state)
{
	struct pics	p;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"),
	    TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"), DEPART_DISABLE);
	assert_int_equal(p.plan.n, 0);
	pics_free(&p);
}

static void
a_new_address_is_a_modrdn_and_a_new_mail(void **state)
{
	struct pics		 p;
	const struct change	*c;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"),
	    TOWN MAIRIE_OF("hotel-de-ville@venissieux.fr", "V-1"),
	    DEPART_DISABLE);
	assert_int_equal(p.plan.nadd, 0);
	assert_int_equal(p.plan.ndelete, 0);
	assert_int_equal(p.plan.nrename, 1);
	assert_non_null(c = change_of(&p.plan, CHANGE_MODRDN, MAIRIE));
	assert_string_equal(c->newdn, HOTEL);
	assert_null(c->newsuperior);
	c = change_of(&p.plan, CHANGE_MODIFY, HOTEL);
	assert_mod(c, MOD_REPLACE, "mail", "hotel-de-ville@venissieux.fr");
	assert_mod(c, MOD_ADD, "uid", "");	/* the modrdn did it */
	assert_mod(c, MOD_DELETE, "uid", "");
	/* the old address still an address of the mailbox, as a person's */
	assert_mod(c, MOD_ADD, "mutualizeFormerMail", "mairie@venissieux.fr");
	assert_mod(c, MOD_ADD, "mailLocalAddress", "mairie@venissieux.fr");
	/* the service group: the old DN out before the rename, the new after */
	assert_true(modify_with(&p.plan, MAILGRP, MOD_DELETE, "member", MAIRIE) <
	    change_of(&p.plan, CHANGE_MODRDN, MAIRIE));
	assert_true(modify_with(&p.plan, MAILGRP, MOD_ADD, "member", HOTEL) >
	    change_of(&p.plan, CHANGE_MODRDN, MAIRIE));
	c = change_of(&p.plan, CHANGE_MODIFY, HELENE);
	assert_mod(c, MOD_DELETE, "mutualizeMailboxAccess", "mairie@venissieux.fr");
	assert_mod(c, MOD_ADD, "mutualizeMailboxAccess",
	    "hotel-de-ville@venissieux.fr");
	pics_free(&p);
}

/* The errors model_identities finds in after, on the directory before left. */
static char *
identity_errors(const char *before, const char *after)
{
	struct entries	 current;
	struct diags	 d = { 0 };
	struct memtext	 mt;
	struct model	*m = load_text(after, &d);
	FILE		*fp = memtext_open(&mt);

	assert_non_null(m);
	assert_int_equal(templates_load(m, "templates", &d), 0);
	applied(before, &current);
	model_identities(m, &current, &d);
	diag_print(&d, fp);
	diag_free(&d);
	entries_free(&current);
	model_free(m);
	return memtext_close(&mt);
}

/*
 * An address a person or another mailbox holds in the directory, as its mail
 * or a former address, is no new mailbox's; a mailbox's own former address
 * is its own again.
 */
static void
an_address_the_directory_holds_is_no_mailboxs(void **state)
{
	char	*got;

	(void)state;
	got = identity_errors(TOWN, TOWN MAIRIE_OF("helene.dupont@venissieux.fr",
	    "V-2"));
	/* the file's check finds it first; this one sees the directory */
	assert_non_null(strstr(got, "address \"helene.dupont@venissieux.fr\" "
	    "of mailbox \"mairie\" is an address of " HELENE " in the "
	    "directory: mail to it goes there"));
	free(got);
	got = identity_errors(TOWN MAIRIE_OF("hotel-de-ville@venissieux.fr",
	    "V-1"), TOWN MAIRIE_OF("hotel-de-ville@venissieux.fr", "V-1"));
	assert_string_equal(got, "");
	free(got);
	got = identity_errors(TOWN MAIRIE_OF("hotel-de-ville@venissieux.fr",
	    "V-1"), TOWN "    mailboxes:\n      - {id: accueil, address: "
	    "hotel-de-ville@venissieux.fr}\n");
	assert_non_null(strstr(got, "is an address of " HOTEL " in the "
	    "directory"));
	free(got);
}

static void
new_delegates_take_the_place_of_the_old(void **state)
{
	struct pics		 p;
	const struct change	*c;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"),
	    TOWN MAIRIE_OF("mairie@venissieux.fr", "V-2"), DEPART_DISABLE);
	assert_mod(change_of(&p.plan, CHANGE_MODIFY, HELENE), MOD_DELETE,
	    "mutualizeMailboxAccess", "mairie@venissieux.fr");
	c = change_of(&p.plan, CHANGE_MODIFY, KARIM);
	assert_mod(c, MOD_ADD, "objectClass", "mutualizeDelegate");
	assert_mod(c, MOD_ADD, "mutualizeMailboxAccess", "mairie@venissieux.fr");
	assert_null(change_of(&p.plan, CHANGE_MODIFY, MAIRIE));
	pics_free(&p);
}

static void
a_mailbox_gone_from_the_file_is_disabled_and_kept(void **state)
{
	struct pics		 p;
	const struct change	*c;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"), TOWN,
	    DEPART_DISABLE);
	assert_int_equal(p.plan.ndelete, 0);
	assert_int_equal(p.plan.ndisable, 1);
	c = change_of(&p.plan, CHANGE_MODIFY, MAIRIE);
	assert_non_null(c);
	assert_int_equal(c->why, WHY_DISABLE);
	assert_mod(c, MOD_ADD, "mutualizeDisabled", "20261128120000Z");
	/* out of the mail group; the delegate loses the address */
	assert_mod(change_of(&p.plan, CHANGE_MODIFY, MAILGRP), MOD_DELETE,
	    "member", MAIRIE);
	assert_mod(change_of(&p.plan, CHANGE_MODIFY, HELENE), MOD_DELETE,
	    "mutualizeMailboxAccess", "mairie@venissieux.fr");
	/* ou=mailboxes stays with what it holds */
	assert_null(change_of(&p.plan, CHANGE_DELETE, BOXES));
	pics_free(&p);
}

static void
a_mailbox_gone_is_deleted_only_as_a_person_would_be(void **state)
{
	struct pics	p;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"), TOWN,
	    DEPART_DELETE);
	assert_non_null(change_of(&p.plan, CHANGE_DELETE, MAIRIE));
	assert_int_equal(change_of(&p.plan, CHANGE_DELETE, MAIRIE)->why,
	    WHY_DEPART);
	/* ou=mailboxes, empty then, after it */
	assert_true(change_of(&p.plan, CHANGE_DELETE, BOXES) >
	    change_of(&p.plan, CHANGE_DELETE, MAIRIE));
	pics_free(&p);
}

static void
a_mailbox_back_in_the_file_is_enabled_in_the_same_entry(void **state)
{
	struct pics		 p;
	const struct change	*c;
	struct entry		*e;

	(void)state;
	planned(&p, TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"),
	    TOWN MAIRIE_OF("mairie@venissieux.fr", "V-1"), DEPART_DISABLE);
	plan_free(&p.plan);
	memset(&p.plan, 0, sizeof(p.plan));
	/* as a departure left it: stamped */
	e = entries_find(&p.current, MAIRIE);
	entry_add_value(&p.current, e, "mutualizeDisabled", "20260101000000Z");
	{
		struct diff_opts	o = diff_opts_default();

		o.model = p.m;
		diff(&p.desired, &p.current, &o, &p.plan);
	}
	assert_int_equal(p.plan.nadd, 0);
	c = change_of(&p.plan, CHANGE_MODIFY, MAIRIE);
	assert_non_null(c);
	assert_int_equal(c->why, WHY_ENABLE);
	assert_mod(c, MOD_DELETE, "mutualizeDisabled", "20260101000000Z");
	pics_free(&p);
}

/* A value of an LDIF line: as it is, or base64 after "::". */
static char *
ldif_value(const char *after)
{
	struct base64_decode_ctx ctx;
	size_t			 len = strlen(after + 2) + 1;
	char			*out;

	if (after[1] != ':')
		return xstrdup(after + (after[1] == ' ' ? 2 : 1));
	out = xmalloc(len);
	base64_decode_init(&ctx);
	assert_true(base64_decode_update(&ctx, &len, (uint8_t *)out,
	    strlen(after + 3), after + 3));
	assert_true(base64_decode_final(&ctx));
	out[len] = '\0';
	return out;
}

/* An LDIF of content records (unfolded here) read into es, as read does. */
static void
read_ldif(const char *path, struct entries *es)
{
	char		*text = slurp(path), *line, *save, *colon, *name, *v;
	char		*p, *q;
	struct entry	*e = NULL;
	const struct attr *id;

	for (p = q = text; *p != '\0'; p++)	/* unfold */
		if (p[0] == '\n' && p[1] == ' ')
			p++;
		else
			*q++ = *p;
	*q = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		colon = strchr(line, ':');
		name = xstrndup(line, (size_t)(colon - line));
		v = ldif_value(colon);
		if (strcmp(name, "dn") == 0) {
			e = entries_add(es, v, NULL, ENTRY_OTHER);
			entry_classify(es, e, "dc=sitiv,dc=fr",
			    "ou=tenants,dc=sitiv,dc=fr");
		} else
			entry_add_value(es, e, name, v);
		free(name);
		free(v);
	}
	for (size_t i = 0; i < es->v.n; i++) {
		e = es->v.v[i];
		if (ENTRY_IS_USER(e->kind) &&
		    (id = entry_attr(e, "employeeNumber")) != NULL)
			hmap_put(&es->by_id, id->vals[0], e);
	}
	free(text);
}

/*
 * A directory that an apply made before mailboxes existed (the export of
 * tests/data/small.yaml kept in tests/golden) needs no change from this
 * version: no ou=mailboxes, no class or attribute of delegation.
 */
static void
a_directory_made_before_mailboxes_gets_an_empty_plan(void **state)
{
	struct diags		 d = { 0 };
	struct model		*m = model_load("tests/data/small.yaml", &d);
	struct entries		 desired, current;
	struct plan		 plan;
	struct diff_opts	 o = diff_opts_default();

	(void)state;
	assert_non_null(m);
	assert_int_equal(model_check(m, &d), 0);
	assert_int_equal(identities(m, NULL), 0);
	entries_init(&desired);
	entries_init(&current);
	memset(&plan, 0, sizeof(plan));
	read_ldif("tests/golden/small.ldif", &current);
	assert_true(current.v.n > 10);
	render(m, &desired);
	o.model = m;
	diff(&desired, &current, &o, &plan);
	assert_int_equal(plan.n, 0);
	plan_free(&plan);
	entries_free(&desired);
	entries_free(&current);
	model_free(m);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_mailbox_is_an_account_below_ou_mailboxes_with_no_password),
		cmocka_unit_test(a_mailbox_dn_is_written_as_slapd_gives_it_back),
		cmocka_unit_test(delegates_get_the_address_and_nobody_else_anything),
		cmocka_unit_test(a_tenant_without_mailboxes_gets_no_ou_mailboxes),
		cmocka_unit_test(a_directory_made_before_mailboxes_gets_an_empty_plan),
		cmocka_unit_test(a_mailbox_in_sync_gives_an_empty_plan),
		cmocka_unit_test(a_new_address_is_a_modrdn_and_a_new_mail),
		cmocka_unit_test(new_delegates_take_the_place_of_the_old),
		cmocka_unit_test(an_address_the_directory_holds_is_no_mailboxs),
		cmocka_unit_test(a_mailbox_gone_from_the_file_is_disabled_and_kept),
		cmocka_unit_test(a_mailbox_gone_is_deleted_only_as_a_person_would_be),
		cmocka_unit_test(a_mailbox_back_in_the_file_is_enabled_in_the_same_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
