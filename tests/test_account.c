/*
 * The accounts services bind with, without a server: rendered, recognised
 * when read back, diffed, shown in plans, named by service-config, and their
 * password files written and read.
 */
#include <crypt.h>

#include "harness.h"

#define BASE	"dc=sitiv,dc=fr"
#define SYSTEM	"ou=system," BASE
#define MAIL	"cn=mail," SYSTEM

/* mail gets an account; files one with its own file; visio the admin's DN. */
static const char syndicate[] = YAML_HEAD
    "services:\n"
    "  mail: {}\n"
    "  files: {bind_password_file: /etc/mutualize/files.pw}\n"
    "  visio: {bind_dn: \"cn=reader,dc=sitiv,dc=fr\"}\n"
    "tenants: []\n";

static const char *const managed[] = {
	"ou=tenants," BASE, "ou=services," BASE, SYSTEM, NULL
};

struct fixture {
	char		 dir[64];
	struct model	*m;
	struct entries	 desired, current;
	struct plan	 plan;
	struct diff_opts opts;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));
	struct diags	 d = { 0 };
	char		*path;

	temp_dir(f->dir, "mutualize-account");
	path = write_file(f->dir, "tenants.yaml", syndicate, 0644);
	f->m = model_load(path, &d);
	assert_non_null(f->m);
	assert_int_equal(model_check(f->m, &d), 0);
	assert_int_equal(templates_load(f->m, "templates", &d), 0);
	entries_init(&f->desired);
	entries_init(&f->current);
	render(f->m, &f->desired);
	f->opts.managed = managed;
	f->opts.now = "20261128120000Z";
	f->opts.prune_before = "20260830120000Z";
	diag_free(&d);
	free(path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	plan_free(&f->plan);
	entries_free(&f->desired);
	entries_free(&f->current);
	model_free(f->m);
	remove_tree(f->dir);
	free(f);
	return 0;
}

/* An entry as read: classified where it stands. */
static struct entry *
have(struct entries *es, const char *dn, const char *const *av)
{
	struct entry	*e = entries_add(es, dn, NULL, ENTRY_OTHER);

	for (; av != NULL && *av != NULL; av += 2)
		entry_add_value(es, e, av[0], av[1]);
	entry_classify(es, e, BASE, "ou=tenants," BASE);
	return e;
}

/* The directory as an apply left it, the accounts with their password. */
static void
copy_desired(struct fixture *f)
{
	size_t	i, a, v;

	for (i = 0; i < f->desired.v.n; i++) {
		const struct entry	*src = f->desired.v.v[i];
		struct entry		*e = have(&f->current, src->dn, NULL);

		for (a = 0; a < src->nattrs; a++)
			for (v = 0; v < src->attrs[a].nvals; v++)
				entry_add_value(&f->current, e, src->attrs[a].name,
				    src->attrs[a].vals[v]);
		if (e->kind == ENTRY_ACCOUNT)
			entry_add_value(&f->current, e, "userPassword",
			    "{CRYPT}$y$j9T$set$by-apply");
	}
}

static void
services_without_a_bind_dn_get_an_account(void **state)
{
	struct fixture		*f = *state;
	const struct entry	*e = entries_find(&f->desired, MAIL);

	assert_non_null(e);
	assert_int_equal(e->kind, ENTRY_ACCOUNT);
	assert_attr(e, "objectClass", "top|applicationProcess|"
	    "simpleSecurityObject|mutualizeManaged");
	assert_attr(e, "cn", "mail");
	assert_attr(e, "description", "The account the mail service binds to "
	    "the directory with");
	/* the password is the apply's, never part of what is compared */
	assert_null(entry_attr(e, "userPassword"));
	assert_non_null(entries_find(&f->desired, "cn=files," SYSTEM));
	assert_null(entries_find(&f->desired, "cn=visio," SYSTEM));
	assert_int_equal(entries_find(&f->desired, SYSTEM)->kind, ENTRY_SYSTEM);
}

static void
accounts_read_back_are_recognised(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(have(&f->current, SYSTEM, NULL)->kind, ENTRY_SYSTEM);
	assert_int_equal(have(&f->current, MAIL, NULL)->kind, ENTRY_ACCOUNT);
	assert_int_equal(have(&f->current, "cn=x," MAIL, NULL)->kind,
	    ENTRY_OTHER);
	assert_int_equal(have(&f->current, "uid=x," SYSTEM, NULL)->kind,
	    ENTRY_OTHER);
	assert_int_equal(have(&f->current, "cn=mail,ou=systems," BASE,
	    NULL)->kind, ENTRY_OTHER);
	assert_int_equal(have(&f->current, "cn=mail,ou=services," BASE,
	    NULL)->kind, ENTRY_SERVICE);
}

static void
an_account_in_place_is_left_as_it_is(void **state)
{
	struct fixture	*f = *state;

	copy_desired(f);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
}

/* As the service's group: deleted with the service, children first. */
static void
a_service_gone_loses_its_account_and_its_group(void **state)
{
	static const char *const account[] = { "objectClass",
	    "applicationProcess", "objectClass", "mutualizeManaged", "cn", "old",
	    NULL };
	static const char *const group[] = { "objectClass", "groupOfNames",
	    "objectClass", "mutualizeManaged", "cn", "old", "member", "", NULL };
	struct fixture	*f = *state;

	copy_desired(f);
	have(&f->current, "cn=old," SYSTEM, account);
	have(&f->current, "cn=old,ou=services," BASE, group);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 2);
	assert_int_equal(f->plan.ndelete, 2);
	assert_int_equal(f->plan.nremovals, 0);
	assert_int_equal(f->plan.v[0].op, CHANGE_DELETE);
	assert_int_equal(f->plan.v[1].op, CHANGE_DELETE);
}

static void
an_unmarked_entry_in_ou_system_is_left_alone(void **state)
{
	static const char *const admin[] = { "objectClass",
	    "simpleSecurityObject", "cn", "replicator", NULL };
	struct fixture	*f = *state;

	copy_desired(f);
	have(&f->current, "cn=replicator," SYSTEM, admin);
	diff(&f->desired, &f->current, &f->opts, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.unmanaged.n, 1);
}

static char *
plan_text(struct fixture *f, int json)
{
	struct print_opts	 po = { 0 };
	char			*out = NULL;
	size_t			 len = 0;
	FILE			*fp = open_memstream(&out, &len);

	diff(&f->desired, &f->current, &f->opts, &f->plan);
	if (json)
		plan_print_json(&f->plan, f->m, &po, "tenants.yaml", fp);
	else
		plan_print_text(&f->plan, f->m, fp, &po);
	fclose(fp);
	return out;
}

static void
the_plan_says_where_the_password_comes_from(void **state)
{
	struct fixture	*f = *state;
	char		*text = plan_text(f, 0), *want;

	want = xasprintf("+ " MAIL "\n    objectClass: top\n");
	assert_non_null(strstr(text, want));
	free(want);
	want = xasprintf("    userPassword: (hashed by apply from the first line "
	    "of %s/secret/mail.pw, which apply writes first if it is "
	    "missing)\n", f->dir);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "first line of /etc/mutualize/files.pw,"));
	free(want);
	free(text);
}

static void
the_json_plan_says_the_password_comes_from_a_file(void **state)
{
	struct fixture	*f = *state;
	char		*text = plan_text(f, 1);

	assert_non_null(strstr(text, "\"password\": \"bind_password_file\""));
	free(text);
}

static char *
config_of(struct fixture *f, const char *service)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&out, &len);

	service_config(f->m, model_service(f->m, service), "ldap://ldap.sitiv.fr",
	    fp);
	fclose(fp);
	assert_null(strstr(out, "anonymously"));
	return out;
}

static void
service_config_names_the_account_and_its_file(void **state)
{
	struct fixture	*f = *state;
	char		*mail = config_of(f, "mail"), *files = config_of(f, "files");
	char		*visio = config_of(f, "visio"), *want;

	assert_non_null(strstr(mail, "\ndn = " MAIL "\ndnpass = @BIND_PASSWORD@\n"));
	assert_non_null(strstr(mail, "\nbind = yes\nbind_dn = " MAIL "\n"));
	want = xasprintf("# The service binds as its account " MAIL ",\n# which "
	    "\"mutualize apply\" adds. Its password is the first line of\n# "
	    "%s/secret/mail.pw\n", f->dir);
	assert_non_null(strstr(mail, want));
	assert_non_null(strstr(files, "\nAuthLDAPBindDN \"cn=files," SYSTEM
	    "\"\nAuthLDAPBindPassword \"exec:/bin/cat /etc/mutualize/files.pw\"\n"));
	assert_non_null(strstr(files, "\nocc ldap:set-config s01 ldapAgentName "
	    "'cn=files," SYSTEM "'\n"));
	/* the admin's DN and no file named: the placeholder, as before */
	assert_non_null(strstr(visio, "\nldap_rootdn = \"cn=reader," BASE "\"\n"
	    "ldap_password = \"@BIND_PASSWORD@\"\n"));
	free(want);
	free(mail);
	free(files);
	free(visio);
}

static void
prosody_reads_the_password_file_itself(void **state)
{
	struct fixture	*f = *state;
	struct service	*s = (struct service *)model_service(f->m, "visio");
	char		*visio;

	s->bind_dn = NULL;
	visio = config_of(f, "visio");
	assert_non_null(strstr(visio, "\nldap_rootdn = \"cn=visio," SYSTEM "\"\n"
	    "ldap_password = assert(io.open(\""));
	assert_non_null(strstr(visio, "/secret/visio.pw\")):read(\"*l\")\n"));
	free(visio);
}

/* The password of a file checked against the hash made from it. */
static void
assert_hash_of(const char *hash, const char *path)
{
	char	*pw = slurp(path);

	assert_int_equal(strncmp(hash, "{CRYPT}$y$", 10), 0);
	assert_string_equal(crypt(pw, hash + 7), hash + 7);
	free(pw);
}

static char **
ready(struct fixture *f, int *rc)
{
	char	**hashes;

	diff(&f->desired, &f->current, &f->opts, &f->plan);
	hashes = xcalloc(f->plan.n, sizeof(*hashes));
	*rc = accounts_ready(&f->plan, f->m, hashes);
	return hashes;
}

static void
a_new_password_is_written_before_its_hash_is_made(void **state)
{
	struct fixture	*f = *state;
	char		*path = xasprintf("%s/secret/mail.pw", f->dir), *dir;
	char		**hashes;
	struct stat	 st;
	size_t		 i, n = 0;
	int		 rc;

	/* files' own file is elsewhere: a service of one's own, here */
	((struct service *)model_service(f->m, "files"))->bind_password_file =
	    "files.pw";
	hashes = ready(f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	dir = path_dir(path);
	assert_int_equal(lstat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	for (i = 0; i < f->plan.n; i++) {
		if (hashes[i] == NULL)
			continue;
		n++;
		if (strcmp(f->plan.v[i].dn, MAIL) == 0)
			assert_hash_of(hashes[i], path);
	}
	assert_int_equal(n, 2);
	accounts_free_hashes(hashes, f->plan.n);
	free(dir);
	free(path);
}

static void
an_existing_password_file_is_used_and_kept(void **state)
{
	struct fixture	*f = *state;
	char		*secret = xasprintf("%s/secret", f->dir), *path, *after;
	char		**hashes;
	size_t		 i;
	int		 rc;

	((struct service *)model_service(f->m, "files"))->bind_password_file =
	    "secret/files.pw";
	assert_int_equal(mkdir(secret, 0700), 0);
	path = write_file(secret, "mail.pw", "chosen-by-the-admin\nsecond", 0600);
	hashes = ready(f, &rc);
	assert_int_equal(rc, 0);
	for (i = 0; i < f->plan.n; i++)
		if (strcmp(f->plan.v[i].dn, MAIL) == 0)
			assert_string_equal(crypt("chosen-by-the-admin",
			    hashes[i] + 7), hashes[i] + 7);
	after = slurp(path);
	assert_string_equal(after, "chosen-by-the-admin\nsecond");
	accounts_free_hashes(hashes, f->plan.n);
	free(after);
	free(path);
	free(secret);
}

static void
a_password_file_others_may_read_stops_before_any_write(void **state)
{
	struct fixture	*f = *state;
	char		*secret = xasprintf("%s/secret", f->dir), *path, *other;
	char		**hashes;
	struct stat	 st;
	size_t		 i;
	int		 rc;

	((struct service *)model_service(f->m, "files"))->bind_password_file =
	    "secret/files.pw";
	/* files comes after mail: read first, it stops mail's file too */
	assert_int_equal(mkdir(secret, 0700), 0);
	path = write_file(secret, "files.pw", "chosen", 0604);
	other = xasprintf("%s/mail.pw", secret);
	hashes = ready(f, &rc);
	assert_int_equal(rc, -1);
	for (i = 0; i < f->plan.n; i++)
		assert_null(hashes[i]);
	assert_int_equal(lstat(other, &st), -1);
	accounts_free_hashes(hashes, f->plan.n);
	free(other);
	free(path);
	free(secret);
}

static void
a_link_in_place_of_the_file_is_refused(void **state)
{
	struct fixture	*f = *state;
	char		*secret = xasprintf("%s/secret", f->dir);
	char		*path = xasprintf("%s/mail.pw", secret);
	char		**hashes;
	int		 rc;

	assert_int_equal(mkdir(secret, 0700), 0);
	assert_int_equal(symlink("/nonexistent/elsewhere", path), 0);
	hashes = ready(f, &rc);
	assert_int_equal(rc, -1);
	accounts_free_hashes(hashes, f->plan.n);
	free(path);
	free(secret);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(services_without_a_bind_dn_get_an_account),
		T(accounts_read_back_are_recognised),
		T(an_account_in_place_is_left_as_it_is),
		T(a_service_gone_loses_its_account_and_its_group),
		T(an_unmarked_entry_in_ou_system_is_left_alone),
		T(the_plan_says_where_the_password_comes_from),
		T(the_json_plan_says_the_password_comes_from_a_file),
		T(service_config_names_the_account_and_its_file),
		T(prosody_reads_the_password_file_itself),
		T(a_new_password_is_written_before_its_hash_is_made),
		T(an_existing_password_file_is_used_and_kept),
		T(a_password_file_others_may_read_stops_before_any_write),
		T(a_link_in_place_of_the_file_is_refused),
#undef T
	};

	return cmocka_run_group_tests_name("account", tests, NULL, NULL);
}
