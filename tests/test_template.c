/*
 * Service templates: reading them (errors in their own files, with places),
 * what they add to an entitled person, what the diff then manages, and the
 * configuration service-config writes from them.
 */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"
#define HELENE	"uid=helene.dupont-sebastien,ou=people," VEN

/* A templates directory of the test's own, removed by teardown. */
struct fixture {
	char		 dir[64];
	struct model	*m;
	struct diags	 d;
	struct entries	 es;
};

static void
put(struct fixture *f, const char *name, const char *text)
{
	free(write_file(f->dir, name, text, 0644));
}

#define MAIL_TEMPLATE \
	"description: Messagerie\n" \
	"classes: [inetLocalMailRecipient, mutualizeAccount]\n" \
	"attributes:\n" \
	"  mutualizeMailQuota: \"{quota}\"\n" \
	"  mailRoutingAddress: \"{login}@mail.{mail_domain}\"\n" \
	"filter: \"(&(objectClass=inetOrgPerson)(memberOf={group}))\"\n" \
	"configs: [dovecot, postfix]\n"

#define VISIO_TEMPLATE \
	"filter: \"(memberOf={group})\"\n" \
	"configs: [prosody]\n"

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	temp_dir(f->dir, "mutualize-templates");
	put(f, "mail.yaml", MAIL_TEMPLATE);
	put(f, "visio.yaml", VISIO_TEMPLATE);
	entries_init(&f->es);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	remove_tree(f->dir);
	entries_free(&f->es);
	model_free(f->m);
	diag_free(&f->d);
	free(f);
	return 0;
}

/* Loads a tenants file of YAML_HEAD + text with the fixture's templates. */
static size_t
load(struct fixture *f, const char *text)
{
	char	*yaml = xasprintf(YAML_HEAD "%s", text);

	f->m = load_text(yaml, &f->d);
	free(yaml);
	assert_non_null(f->m);
	assert_int_equal(f->d.n, 0);
	templates_load(f->m, f->dir, &f->d);
	diag_sort(&f->d);
	return f->d.n;
}

/*
 * The errors, each as "file:line:col: message\n", with the templates
 * directory written DIR and the tenants file (a temporary one) "tenants".
 */
static char *
errors(const struct fixture *f)
{
	char	*out = xstrdup(""), *tmp, *at;
	size_t	 i, dlen = strlen(f->dir);

	for (i = 0; i < f->d.n; i++) {
		const char	*file = f->d.v[i].pos.file;

		tmp = xasprintf("%s%s%s:%u:%u: %s\n", out, strncmp(file, f->dir,
		    dlen) == 0 ? "DIR" : "tenants", strncmp(file, f->dir, dlen) == 0 ?
		    file + dlen : "", f->d.v[i].pos.line, f->d.v[i].pos.col,
		    f->d.v[i].msg);
		free(out);
		out = tmp;
	}
	while ((at = strstr(out, f->dir)) != NULL) {
		memcpy(at, "DIR", 3);
		memmove(at + 3, at + dlen, strlen(at + dlen) + 1);
	}
	return out;
}

#define PEOPLE \
	"tenants:\n" \
	"  - id: venissieux\n" \
	"    name: V\n" \
	"    mail_domain: ville-venissieux.fr\n" \
	"    services: [mail, visio]\n" \
	"    people:\n" \
	"      - {id: V-1, given_name: Hélène, surname: Dupont-Sébastien, " \
	"kind: agent, services: {mail: {quota: 10GiB}, visio: {}}}\n" \
	"      - {id: V-2, given_name: Marie, surname: Martin, kind: agent}\n" \
	"      - {id: V-3, given_name: Noël, surname: Roux, kind: agent, " \
	"services: [visio]}\n" \
	"      - {id: V-4, given_name: Joël, surname: Roux, kind: agent, " \
	"state: suspended}\n"

static void
an_entitled_person_gets_what_the_template_says(void **state)
{
	struct fixture		*f = *state;
	const struct entry	*e;

	assert_int_equal(load(f, "services: {mail: {quota: 5GiB}, visio: {}}\n"
	    PEOPLE), 0);
	assert_int_equal(identities(f->m, NULL), 0);
	render(f->m, &f->es);
	e = entries_find(&f->es, HELENE);
	assert_attr(e, "objectClass", "person|organizationalPerson|"
	    "inetOrgPerson|mutualizeManaged|inetLocalMailRecipient|"
	    "mutualizeAccount");
	/* her own quota wins over the service's */
	assert_attr(e, "mutualizeMailQuota", "10737418240");
	assert_attr(e, "mailRoutingAddress",
	    "helene.dupont-sebastien@mail.ville-venissieux.fr");
	e = entries_find(&f->es, "uid=marie.martin,ou=people," VEN);
	assert_attr(e, "mutualizeMailQuota", "5368709120");
	/* no mail: nothing of the mail template; suspended: nothing at all */
	e = entries_find(&f->es, "uid=noel.roux,ou=people," VEN);
	assert_attr(e, "objectClass", "person|organizationalPerson|"
	    "inetOrgPerson|mutualizeManaged");
	assert_null(entry_attr(e, "mutualizeMailQuota"));
	e = entries_find(&f->es, "uid=joel.roux,ou=people," VEN);
	assert_null(entry_attr(e, "mailRoutingAddress"));
	e = entries_find(&f->es, "cn=mail,ou=services,dc=sitiv,dc=fr");
	assert_attr(e, "description", "Messagerie");
	assert_attr(e, "member", HELENE "|uid=marie.martin,ou=people," VEN);
}

static void
a_value_without_its_placeholder_is_left_out(void **state)
{
	struct fixture		*f = *state;
	const struct entry	*e;

	/* no quota anywhere: no quota attribute, the rest is there */
	assert_int_equal(load(f, "services: {mail: {}, visio: {}}\n" PEOPLE), 0);
	assert_int_equal(identities(f->m, NULL), 0);
	render(f->m, &f->es);
	e = entries_find(&f->es, "uid=marie.martin,ou=people," VEN);
	assert_null(entry_attr(e, "mutualizeMailQuota"));
	assert_attr(e, "mailRoutingAddress",
	    "marie.martin@mail.ville-venissieux.fr");
}

static void
the_templates_attributes_are_managed_and_read(void **state)
{
	struct fixture		*f = *state;
	const char *const	*a;
	int			 quota = 0, uid = 0, routing = 0;

	assert_int_equal(load(f, "services: {mail: {}}\ntenants: []\n"), 0);
	for (a = render_managed_attrs(f->m, ENTRY_PERSON); *a != NULL; a++) {
		quota += strcmp(*a, "mutualizeMailQuota") == 0;
		uid += strcmp(*a, "uid") == 0;
		routing += strcmp(*a, "mailRoutingAddress") == 0;
	}
	assert_int_equal(quota + uid + routing, 3);
	for (a = render_read_attrs(f->m), quota = 0; *a != NULL; a++)
		quota += strcmp(*a, "mutualizeMailQuota") == 0;
	assert_int_equal(quota, 1);
	/* without templates, the fixed lists */
	for (a = render_managed_attrs(NULL, ENTRY_PERSON); *a != NULL; a++)
		assert_string_not_equal(*a, "mutualizeMailQuota");
}

/* A person who loses a service loses what its template gave them. */
static void
losing_a_service_removes_its_attributes(void **state)
{
	struct fixture		*f = *state;
	struct entries		 before;
	struct diff_opts	 o = diff_opts_default();
	struct plan		 p;
	const struct entry	*e;
	size_t			 i, j;
	int			 deleted = 0;

	assert_int_equal(load(f, "services: {mail: {quota: 5GiB}, visio: {}}\n"
	    PEOPLE), 0);
	assert_int_equal(identities(f->m, NULL), 0);
	entries_init(&before);
	render(f->m, &before);
	/* as read: people found by their id */
	for (i = 0; i < before.v.n; i++)
		if ((e = before.v.v[i])->kind == ENTRY_PERSON)
			hmap_put(&before.by_id, entry_attr(e, "employeeNumber")->vals[0],
			    (void *)e);
	/* now Marie has visio only */
	model_free(f->m);
	f->m = NULL;
	assert_int_equal(load(f, "services: {mail: {quota: 5GiB}, visio: {}}\n"
	    "tenants:\n  - id: venissieux\n    name: V\n"
	    "    mail_domain: ville-venissieux.fr\n    people:\n"
	    "      - {id: V-2, given_name: Marie, surname: Martin, kind: agent, "
	    "services: [visio]}\n"), 0);
	assert_int_equal(identities(f->m, &before), 0);
	render(f->m, &f->es);
	memset(&p, 0, sizeof(p));
	o.model = f->m;
	diff(&f->es, &before, &o, &p);
	for (i = 0; i < p.n; i++) {
		if (p.v[i].op != CHANGE_MODIFY ||
		    strcmp(p.v[i].dn, "uid=marie.martin,ou=people," VEN) != 0)
			continue;
		for (j = 0; j < p.v[i].nmods; j++) {
			/* removed whole: a replace with no value */
			if (p.v[i].mods[j].op == MOD_REPLACE &&
			    p.v[i].mods[j].nvals == 0 &&
			    (strcmp(p.v[i].mods[j].attr, "mutualizeMailQuota") == 0 ||
			    strcmp(p.v[i].mods[j].attr, "mailRoutingAddress") == 0))
				deleted++;
			/* object classes are only ever added */
			assert_string_not_equal(p.v[i].mods[j].attr, "objectClass");
		}
	}
	assert_int_equal(deleted, 2);
	e = entries_find(&f->es, "uid=marie.martin,ou=people," VEN);
	assert_null(entry_attr(e, "mutualizeMailQuota"));
	plan_free(&p);
	entries_free(&before);
}

static void
template_errors_name_the_template_file(void **state)
{
	struct fixture	*f = *state;
	char		*got;

	put(f, "bad.yaml",
	    "description: Bad\n"
	    "classes: [\"not a class\"]\n"
	    "attributes:\n"
	    "  uid: \"{login}\"\n"
	    "  mutualizeMailQuota: \"{quota}\"\n"
	    "  street: \"{town}\"\n"
	    "filter: \"(memberOf={group}\"\n"
	    "configs: [dovecot, exim]\n"
	    "colour: blue\n");
	assert_int_equal(load(f, "services:\n  mail: {}\n  other: {template: bad}\n"
	    "  gone: {template: nowhere}\n  sneaky: {template: ../mail}\n"
	    "tenants: []\n"), 9);
	got = errors(f);
	assert_string_equal(got,
	    "DIR/bad.yaml:2:11: class \"not a class\" is not an LDAP name (a "
	    "letter, then letters, digits or hyphens)\n"
	    "DIR/bad.yaml:4:3: attribute \"uid\" is mutualize's own; a template "
	    "cannot set it\n"
	    "DIR/bad.yaml:5:3: attribute \"mutualizeMailQuota\" is already set by "
	    "the template DIR/mail.yaml\n"
	    "DIR/bad.yaml:6:11: value: unknown placeholder in \"{town}\"; known: "
	    "{login}, {mail}, {given_name}, {surname}, {id}, {tenant}, "
	    "{mail_domain}, {quota}, {service}\n"
	    "DIR/bad.yaml:7:9: filter \"(memberOf={group}\" is not one LDAP filter "
	    "in parentheses\n"
	    "DIR/bad.yaml:8:20: config \"exim\" is not one of dovecot, postfix, "
	    "apache, nextcloud or prosody\n"
	    "DIR/bad.yaml:9:1: unknown key \"colour\" in a template\n"
	    "tenants:7:20: template \"nowhere\": DIR/nowhere.yaml: No such file "
	    "or directory\n"
	    "tenants:8:22: template \"../mail\" must name a file of the templates "
	    "directory\n");
	free(got);
}

static void
filters_escape_what_rfc_4515_says(void **state)
{
	char	*s;

	(void)state;
	s = filter_escape_value("a*b(c)d\\e%f$g");
	assert_string_equal(s, "a\\2Ab\\28c\\29d\\5Ce\\25f\\24g");
	free(s);
}

/* A base DN with parentheses: escaped in every filter, encoded in the URL. */
static void
service_config_escapes_the_data_in_its_filters(void **state)
{
	struct fixture	*f = *state;
	char		*out = NULL, *yaml;
	size_t		 len = 0;
	FILE		*fp;

	put(f, "files.yaml", "classes: [mutualizeAccount]\n"
	    "attributes: {mutualizeFilesQuota: \"{quota}\"}\n"
	    "filter: \"(&(objectClass=inetOrgPerson)(memberOf={group}))\"\n"
	    "configs: [dovecot, apache, nextcloud, prosody]\n");
	yaml = "version: 1\n"
	    "syndicate: {id: est, name: Est, base_dn: \"o=Est (69)\", "
	    "mail_domain: est.fr}\n"
	    "directory: {uri: \"ldap://127.0.0.1:3890/\", bind_dn: \"cn=admin\"}\n"
	    "services: {files: {bind_dn: \"cn=reader,o=Est (69)\"}}\n"
	    "tenants: []\n";
	f->m = load_text(yaml, &f->d);
	assert_int_equal(f->d.n, 0);
	assert_int_equal(templates_load(f->m, f->dir, &f->d), 0);
	fp = open_memstream(&out, &len);
	service_config(f->m, model_service(f->m, "files"),
	    f->m->directory.uris[0].uri, fp);
	fclose(fp);
	assert_non_null(strstr(out, "\npass_filter = (&(&(objectClass=inetOrgPerson)"
	    "(memberOf=cn=files,ou=services,o=Est \\2869\\29))(uid=%u))\n"));
	/* the home, Nextcloud's user and its UUIDs: from what never changes */
	assert_non_null(strstr(out, "\nuser_attrs = uid=user, =home=/var/vmail/"
	    "%{ldap:employeeNumber}, =quota_rule=*:bytes="
	    "%{ldap:mutualizeFilesQuota:0}\n"));
	assert_non_null(strstr(out, "\nocc ldap:set-config s01 "
	    "ldapExpertUsernameAttr 'employeeNumber'\n"));
	assert_non_null(strstr(out, "\nocc ldap:set-config s01 "
	    "ldapExpertUUIDUserAttr 'entryUUID'\n"));
	assert_non_null(strstr(out, "\nocc ldap:set-config s01 "
	    "ldapExpertUUIDGroupAttr 'entryUUID'\n"));
	assert_non_null(strstr(out, "\nAuthLDAPURL \"ldap://127.0.0.1:3890/"
	    "ou=tenants,o=Est%20(69)?uid?sub?(&(objectClass=inetOrgPerson)"
	    "(memberOf=cn=files,ou=services,o=Est%20%5C2869%5C29))\" NONE\n"));
	assert_non_null(strstr(out, "\nRequire ldap-group cn=files,ou=services,"
	    "o=Est (69)\n"));
	assert_non_null(strstr(out, "\nldap_filter = \"(&(&(objectClass="
	    "inetOrgPerson)(memberOf=cn=files,ou=services,o=Est \\\\2869\\\\29))"
	    "(uid=$user))\"\n"));
	assert_non_null(strstr(out, "\nocc ldap:set-config s01 ldapQuotaAttribute "
	    "'mutualizeFilesQuota'\n"));
	/* the reader's password is never printed */
	assert_non_null(strstr(out, "\ndnpass = @BIND_PASSWORD@\n"));
	assert_non_null(strstr(out, "\nAuthLDAPBindPassword \"@BIND_PASSWORD@\"\n"));
	free(out);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest	tests[] = {
		T(an_entitled_person_gets_what_the_template_says),
		T(a_value_without_its_placeholder_is_left_out),
		T(the_templates_attributes_are_managed_and_read),
		T(losing_a_service_removes_its_attributes),
		T(template_errors_name_the_template_file),
		T(filters_escape_what_rfc_4515_says),
		T(service_config_escapes_the_data_in_its_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
