/*
 * The access rules and limits directory-config writes, as text: who each one
 * names, what no rule may grant, and the base DN written as slapd matches it.
 * tests/test_access.sh asserts what they do on a real slapd.
 */
#include "harness.h"

#define TENANTS \
	"services:\n" \
	"  mail: {template: mail}\n" \
	"  visio: {template: visio, bind_dn: \"cn=prosody,ou=apps,dc=sitiv,dc=fr\"}\n" \
	"tenants:\n" \
	"  - {id: feyzin, name: Feyzin}\n"

#define PERSON	"^uid=[^,]+,ou=people,ou=[^,]+,ou=tenants,dc=sitiv,dc=fr$"

struct fixture {
	char		 dir[64];
	struct model	*m;
	struct diags	 d;
	struct arena	 a;
	struct access	 ac;
};

static void
make(struct fixture *f, const char *head, const char *policy)
{
	char	*yaml = xasprintf("%s%s%s", head, policy, TENANTS);

	temp_dir(f->dir, "mutualize-rules");
	free(write_file(f->dir, "mail.yaml", "filter: \"(&(objectClass="
	    "inetOrgPerson)(memberOf={group})(!(mutualizeDisabled=*)))\"\n"
	    "attributes: {mutualizeMailQuota: \"{quota}\"}\n"
	    "configs: [dovecot, postfix]\n", 0644));
	free(write_file(f->dir, "visio.yaml", "filter: \"(memberOf={group})\"\n"
	    "login_attribute: mail\n", 0644));
	f->m = load_text(yaml, &f->d);
	free(yaml);
	assert_non_null(f->m);
	templates_load(f->m, f->dir, &f->d);
	assert_int_equal(f->d.n, 0);
	access_make(f->m, NULL, &f->a, &f->ac);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	remove_tree(f->dir);
	access_free(&f->ac);
	arena_free(&f->a);
	model_free(f->m);
	diag_free(&f->d);
	free(f);
	return 0;
}

static int
setup(void **state)
{
	*state = xcalloc(1, sizeof(struct fixture));
	return 0;
}

/* The index of the first rule holding all the strings, or -1. */
static int
find(const struct access *ac, const char *a, const char *b)
{
	size_t	i;

	for (i = 0; i < ac->rules.n; i++)
		if (strstr(ac->rules.v[i], a) != NULL &&
		    (b == NULL || strstr(ac->rules.v[i], b) != NULL))
			return (int)i;
	return -1;
}

static void
mutualize_manages_first(void **state)
{
	struct fixture	*f = *state;

	make(f, YAML_HEAD, "");
	assert_string_equal(f->ac.rules.v[0], "to * by dn.exact=\"gidNumber=0+"
	    "uidNumber=0,cn=peercred,cn=external,cn=auth\" manage by dn.exact="
	    "\"cn=admin,dc=sitiv,dc=fr\" manage by * break");
	assert_string_equal(f->ac.limits.v[1], "dn.exact=\"cn=admin,dc=sitiv,"
	    "dc=fr\" size=unlimited time=unlimited");
}

/* bind: external: root over ldapi:// alone manages; no DN of the file. */
static void
external_names_root_alone(void **state)
{
	struct fixture	*f = *state;

	make(f, "version: 1\nsyndicate: {id: sitiv, name: SITIV, base_dn: "
	    "\"dc=sitiv,dc=fr\", mail_domain: sitiv.fr}\ndirectory: {uri: "
	    "\"ldapi:///\", bind: external}\n", "");
	assert_string_equal(f->ac.rules.v[0], "to * by dn.exact=\"gidNumber=0+"
	    "uidNumber=0,cn=peercred,cn=external,cn=auth\" manage by * break");
	assert_int_equal(find(&f->ac, "dn.exact=\"cn=admin,", NULL), -1);
}

/* Nothing but the password rules speak of anonymous clients: to bind. */
static void
anonymous_may_only_bind(void **state)
{
	struct fixture	*f = *state;
	size_t		 i;

	make(f, YAML_HEAD, "policy: {address_book: true}\n");
	for (i = 0; i < f->ac.rules.n; i++) {
		const char	*r = f->ac.rules.v[i];

		assert_null(strstr(r, "by * read"));
		assert_null(strstr(r, "by * search"));
		assert_null(strstr(r, "by users read"));
		if (strstr(r, "anonymous") != NULL)
			assert_non_null(strstr(r, "by anonymous auth by * none"));
	}
}

/* Each service reads its own people, its own memberOf value, its group. */
static void
services_read_their_own(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	make(f, YAML_HEAD, "");
	i = find(&f->ac, "filter=\"(memberOf=cn=mail,ou=services,dc=sitiv,"
	    "dc=fr)\"", "by dn.exact=\"cn=mail,ou=system,dc=sitiv,dc=fr\" read");
	assert_true(i > 0);
	assert_non_null(strstr(f->ac.rules.v[i], "mutualizeMailQuota"));
	assert_non_null(strstr(f->ac.rules.v[i], "mutualizeDisabled"));
	/* Dovecot's master passdb: the mailboxes a delegate reads */
	assert_non_null(strstr(f->ac.rules.v[i], "mutualizeMailboxAccess"));
	/* its people and functional mailboxes */
	assert_non_null(strstr(f->ac.rules.v[i], "to dn.regex=\"^uid=[^,]+,"
	    "ou=(people|mailboxes),ou=[^,]+,ou=tenants,dc=sitiv,dc=fr$\""));
	assert_null(strstr(f->ac.rules.v[i], "userPassword"));
	assert_null(strstr(f->ac.rules.v[i], "memberOf,"));
	assert_true(find(&f->ac, "attrs=memberOf val=\"cn=mail,ou=services,"
	    "dc=sitiv,dc=fr\" by dn.exact=\"cn=mail,ou=system,", NULL) > 0);
	/* an explicit bind_dn is the account's DN */
	i = find(&f->ac, "(memberOf=cn=visio,ou=services,",
	    "by dn.exact=\"cn=prosody,ou=apps,dc=sitiv,dc=fr\" read");
	assert_true(i > 0);
	/* a service that writes no Dovecot configuration: no delegation */
	assert_null(strstr(f->ac.rules.v[i], "mutualizeMailboxAccess"));
	assert_true(find(&f->ac, "dn.base=\"cn=visio,ou=services,dc=sitiv,dc=fr\"",
	    "cn=prosody,ou=apps") > 0);
}

/* Replicated, memberOf comes from dynlist: the group's members, by a set. */
static void
replicated_services_read_their_group_s_members(void **state)
{
	struct fixture	*f = *state;

	make(f, YAML_HEAD, "");
	access_free(&f->ac);
	access_make(f->m, "cn=replicator,dc=sitiv,dc=fr", &f->a, &f->ac);
	assert_true(find(&f->ac, "by dn.exact=\"cn=mail,ou=system,dc=sitiv,"
	    "dc=fr\" set=\"[cn=mail,ou=services,dc=sitiv,dc=fr]/member & "
	    "this\" read", NULL) > 0);
	assert_int_equal(find(&f->ac, "filter=\"(memberOf=", NULL), -1);
	assert_true(find(&f->ac, "to dn.base=\"dc=sitiv,dc=fr\" attrs=entry "
	    "by users search", NULL) > 0);
	assert_true(find(&f->ac, "by dn.exact=\"cn=replicator,dc=sitiv,dc=fr\" "
	    "read by * break", NULL) == 0);
}

/* Admins: their town, found from the entry's own DN. */
static void
admins_of_the_entry_s_town(void **state)
{
	struct fixture	*f = *state;

	make(f, YAML_HEAD, "");
	assert_true(find(&f->ac, "to dn.regex=\"^(.+,)?ou=([^,]+),ou=tenants,"
	    "dc=sitiv,dc=fr$\" by group.expand=\"cn=admins,ou=groups,ou=$2,"
	    "ou=tenants,dc=sitiv,dc=fr\" read by * break", NULL) > 0);
	assert_true(find(&f->ac, "attrs=userPassword by self =xw by "
	    "group.expand=\"cn=admins,ou=groups,ou=$1,", NULL) > 0);
	assert_true(find(&f->ac, "attrs=pwdReset by group.expand=", NULL) > 0);
}

static void
address_book_when_asked(void **state)
{
	struct fixture	*f = *state;

	make(f, YAML_HEAD, "");
	assert_int_equal(find(&f->ac, "(!(mutualizeDisabled=*))", NULL), -1);
	access_free(&f->ac);
	model_free(f->m);
	remove_tree(f->dir);
	make(f, YAML_HEAD, "policy: {address_book: true}\n");
	assert_true(find(&f->ac, "to dn.regex=\"" PERSON "\" filter=\"(!("
	    "mutualizeDisabled=*))\" attrs=entry,objectClass,cn,sn,givenName,"
	    "displayName,mail,telephoneNumber,title,ou by dn.regex=\"" PERSON
	    "\" read", NULL) > 0);
}

/* slapd matches the normalised DN: lowercase, no spaces, dots literal. */
static void
base_as_slapd_matches_it(void **state)
{
	struct fixture	*f = *state;

	make(f, "version: 1\nsyndicate: {id: sitiv, name: SITIV, base_dn: "
	    "\"o=Ville.Fr,C=FR\", mail_domain: sitiv.fr}\ndirectory: {uri: "
	    "\"ldapi:///\", bind: external}\n", "");
	assert_true(find(&f->ac, ",ou=tenants,o=ville[.]fr,c=fr$\"", NULL) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(mutualize_manages_first),
		T(external_names_root_alone),
		T(anonymous_may_only_bind),
		T(services_read_their_own),
		T(replicated_services_read_their_group_s_members),
		T(admins_of_the_entry_s_town),
		T(address_book_when_asked),
		T(base_as_slapd_matches_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
