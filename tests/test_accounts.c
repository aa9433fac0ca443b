/*
 * Integration: the accounts services bind with, against the real slapd that
 * run-integration.sh started. Each test has a tenants file of its own in a
 * temporary directory, where the password files (secret/<service>.pw) go.
 */
#include <sys/stat.h>

#include "integration.h"

#define SYSTEM	"ou=system," BASE
#define MAIL	"cn=mail," SYSTEM
#define FILES	"cn=files," SYSTEM

/* mail and files get accounts; visio binds as the admin's reader. */
static const char syndicate[] = YAML_HEAD
    "services:\n"
    "  mail: {quota: 1GiB}\n"
    "  files: {}\n"
    "  visio: {bind_dn: \"cn=reader,dc=sitiv,dc=fr\"}\n"
    "tenants:\n"
    "  - id: feyzin\n"
    "    name: \"Mairie de Feyzin\"\n"
    "    services: [mail, files, visio]\n"
    "    people:\n"
    "      - {id: \"F-1\", given_name: \"Marie\", surname: \"Martin\", "
    "kind: agent}\n";

struct fixture {
	char	 dir[64];
	char	*file;		/* the tenants file */
	char	*mail_pw;	/* dir/secret/mail.pw */
	char	*files_pw;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	wipe(state);
	temp_dir(f->dir, "mutualize-accounts");
	f->file = write_file(f->dir, "tenants.yaml", syndicate, 0644);
	f->mail_pw = xasprintf("%s/secret/mail.pw", f->dir);
	f->files_pw = xasprintf("%s/secret/files.pw", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	remove_tree(f->dir);
	free(f->file);
	free(f->mail_pw);
	free(f->files_pw);
	free(f);
	return 0;
}

static int
exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0;
}

static mode_t
mode_of(const char *path)
{
	struct stat	st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The first line of a password file. */
static char *
first_line(const char *path)
{
	char	*text = slurp(path);

	text[strcspn(text, "\n")] = '\0';
	return text;
}

static void
an_account_is_added_with_the_password_of_its_file(void **state)
{
	struct fixture	*f = *state;
	struct run	 r = run_root("apply", f->file);
	char		*pw, *hash, *dir = xasprintf("%s/secret", f->dir);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "+ " MAIL "\n"));
	assert_values(MAIL, "objectClass", "top|applicationProcess|"
	    "simpleSecurityObject|mutualizeManaged");
	assert_values(FILES, "cn", "files");
	/* visio binds as the admin's DN: no account of its own */
	assert_null(values("cn=visio," SYSTEM, "cn"));
	assert_int_equal(mode_of(f->mail_pw), 0600);
	assert_int_equal(mode_of(dir), 0700);
	pw = first_line(f->mail_pw);
	assert_int_equal(strlen(pw), SECRET_PASSWORD_LEN);
	assert_int_equal(try_bind(MAIL, pw), LDAP_SUCCESS);
	assert_int_equal(try_bind(FILES, pw), LDAP_INVALID_CREDENTIALS);
	hash = values(MAIL, "userPassword");
	assert_non_null(hash);
	assert_int_equal(strncmp(hash, "{CRYPT}$y$", 10), 0);
	/* what the apply printed holds neither */
	assert_null(strstr(r.out, pw));
	assert_null(strstr(r.err, pw));
	assert_null(strstr(r.out, hash + 7));
	assert_non_null(strstr(r.out, "userPassword: (hashed by apply from the "
	    "first line of "));
	run_free(&r);
	free(pw);
	free(hash);
	free(dir);
}

static void
a_second_apply_changes_nothing_and_keeps_the_file(void **state)
{
	struct fixture	*f = *state;
	struct run	 r = run_root("apply", f->file);
	char		*before, *after;
	struct stat	 st1, st2;

	assert_int_equal(r.status, 0);
	run_free(&r);
	before = slurp(f->mail_pw);
	assert_int_equal(stat(f->mail_pw, &st1), 0);
	r = run_root("apply", f->file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No changes."));
	assert_string_equal(r.err, "");
	after = slurp(f->mail_pw);
	assert_int_equal(stat(f->mail_pw, &st2), 0);
	assert_string_equal(before, after);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	run_free(&r);
	free(before);
	free(after);
}

/*
 * An apply that wrote the password files and stopped before the adds (here
 * its credentials file cannot be made): the next one adds the accounts with
 * the passwords the files hold.
 */
static void
an_apply_stopped_after_the_file_reuses_its_password(void **state)
{
	struct fixture	*f = *state;
	char		*args = xasprintf("apply --credentials %s/none/creds -H %s "
	    "%s", f->dir, env("SLAPD_URI"), f->file);
	struct run	 r = run(env("SLAPD_ROOTPW"), args);
	char		*pw, *again;

	assert_int_equal(r.status, 1);
	assert_int_equal(count_entries(BASE), 0);
	assert_true(exists(f->mail_pw));
	pw = first_line(f->mail_pw);
	run_free(&r);
	r = run_root("apply", f->file);
	assert_int_equal(r.status, 0);
	assert_int_equal(try_bind(MAIL, pw), LDAP_SUCCESS);
	again = first_line(f->mail_pw);
	assert_string_equal(pw, again);
	run_free(&r);
	free(pw);
	free(again);
	free(args);
}

/*
 * The admin writes mail's password file (mode given), then applies; *pw gets
 * the password, the file's path is returned. Both freed by the caller.
 */
static char *
apply_with_admin_file(struct fixture *f, mode_t mode, char **pw,
    struct run *r)
{
	char	*line, *secret = xasprintf("%s/secret", f->dir), *path;

	*pw = test_password("mail");
	line = xasprintf("%s\n", *pw);
	assert_int_equal(mkdir(secret, 0700), 0);
	path = write_file(secret, "mail.pw", line, mode);
	*r = run_root("apply", f->file);
	free(secret);
	free(line);
	return path;
}

/* A password the admin chose, in a file of its own, is the account's. */
static void
a_password_file_written_by_the_admin_is_used(void **state)
{
	struct fixture	*f = *state;
	struct run	 r;
	char		*pw, *path = apply_with_admin_file(f, 0600, &pw, &r);

	assert_int_equal(r.status, 0);
	assert_int_equal(try_bind(MAIL, pw), LDAP_SUCCESS);
	run_free(&r);
	free(path);
	free(pw);
}

static void
a_password_file_others_may_read_is_refused_before_any_write(void **state)
{
	struct fixture	*f = *state;
	struct run	 r;
	char		*pw, *path = apply_with_admin_file(f, 0640, &pw, &r);

	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "readable by group or others (mode 0640)"));
	assert_null(strstr(r.err, pw));
	/* nothing in the directory, no other password file */
	assert_int_equal(count_entries(BASE), 0);
	assert_false(exists(f->files_pw));
	assert_int_equal(mode_of(path), 0640);
	run_free(&r);
	free(path);
	free(pw);
}

static void
plan_and_dry_run_write_no_password_file(void **state)
{
	struct fixture	*f = *state;
	struct run	 r1 = run_root("plan", f->file);
	struct run	 r2 = run_root("apply -n", f->file);
	struct run	 r3 = run_root("plan --format ldif", f->file);
	char		*dir = xasprintf("%s/secret", f->dir);

	assert_int_equal(r1.status, 0);
	assert_int_equal(r2.status, 0);
	assert_int_equal(r3.status, 0);
	assert_non_null(strstr(r1.out, "+ " MAIL "\n"));
	assert_non_null(strstr(r3.out, "# userPassword: apply hashes the "
	    "password of the service's bind_password_file"));
	assert_false(exists(dir));
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
	free(dir);
}

/* --show-hashes: the hash of the password a file holds, and no new file. */
static void
show_hashes_hashes_the_password_of_an_existing_file(void **state)
{
	struct fixture	*f = *state;
	char		*pw = test_password("mail"), *line = xasprintf("%s\n", pw);
	char		*secret = xasprintf("%s/secret", f->dir), *path, *args;
	char		*creds = xasprintf("%s/creds", f->dir);
	const char	*rec;
	struct run	 r;

	assert_int_equal(mkdir(secret, 0700), 0);
	path = write_file(secret, "mail.pw", line, 0600);
	args = xasprintf("plan --format ldif --show-hashes --credentials %s "
	    "-H %s %s", creds, env("SLAPD_URI"), f->file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	rec = strstr(r.out, "dn: " MAIL "\n");
	assert_non_null(rec);
	assert_non_null(strstr(rec, "userPassword: {CRYPT}$y$"));
	assert_null(strstr(r.out, pw));
	assert_false(exists(f->files_pw));
	run_free(&r);
	free(args);
	free(creds);
	free(path);
	free(secret);
	free(line);
	free(pw);
}

static void
plan_warns_once_when_an_account_lost_its_file(void **state)
{
	struct fixture	*f = *state;
	struct run	 r = run_root("apply", f->file);
	const char	*warn;

	run_free(&r);
	assert_int_equal(unlink(f->mail_pw), 0);
	r = run_root("plan", f->file);
	assert_int_equal(r.status, 0);
	warn = strstr(r.err, "the account " MAIL " of the mail service exists "
	    "but its bind_password_file");
	assert_non_null(warn);
	assert_null(strstr(warn + 1, "the account " MAIL));
	assert_null(strstr(r.err, "cn=files"));
	assert_false(exists(f->mail_pw));
	run_free(&r);
}

/* As its group under ou=services: gone with the service. */
static void
a_service_removed_from_the_file_loses_its_account(void **state)
{
	struct fixture	*f = *state;
	char		*text = slurp(f->file), *t1, *t2, *file;
	struct run	 r = run_root("apply", f->file);

	run_free(&r);
	t1 = without_line(text, "  files: {}");
	t2 = replace(t1, "services: [mail, files, visio]",
	    "services: [mail, visio]");
	file = write_file(f->dir, "less.yaml", t2, 0644);
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "- " FILES "\n"));
	assert_non_null(strstr(r.out, "- cn=files,ou=services," BASE "\n"));
	assert_null(values(FILES, "cn"));
	assert_values(MAIL, "cn", "mail");
	/* the password stays where it was: nothing else holds it */
	assert_true(exists(f->files_pw));
	run_free(&r);
	free(text);
	free(t1);
	free(t2);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(an_account_is_added_with_the_password_of_its_file),
		T(a_second_apply_changes_nothing_and_keeps_the_file),
		T(an_apply_stopped_after_the_file_reuses_its_password),
		T(a_password_file_written_by_the_admin_is_used),
		T(a_password_file_others_may_read_is_refused_before_any_write),
		T(plan_and_dry_run_write_no_password_file),
		T(show_hashes_hashes_the_password_of_an_existing_file),
		T(plan_warns_once_when_an_account_lost_its_file),
		T(a_service_removed_from_the_file_loses_its_account),
#undef T
	};

	return cmocka_run_group_tests_name("accounts", tests, NULL, NULL);
}
