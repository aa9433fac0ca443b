/* Secrets: files of secrets are private from their first instant; no core dumps. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <crypt.h>
#include <dirent.h>
#include <errno.h>

#include "harness.h"

struct scratch {
	char	 dir[64];
	char	*path;		/* dir/creds.txt, not created */
};

static int
scratch_setup(void **state)
{
	struct scratch	*s = xcalloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "%s/mutualize-secret.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(s->dir));
	s->path = xasprintf("%s/creds.txt", s->dir);
	*state = s;
	return 0;
}

static int
scratch_teardown(void **state)
{
	struct scratch	*s = *state;
	struct dirent	*de;
	DIR		*d = opendir(s->dir);
	char		*p;

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", s->dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(s->dir);
	free(s->path);
	free(s);
	return 0;
}

/* The names in the directory, sorted, joined with spaces. */
static char *
listing(const char *dir)
{
	struct dirent	**names;
	char		 *out = xstrdup(""), *tmp;
	int		  n, i;

	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			tmp = xasprintf("%s%s%s", out, *out ? " " : "",
			    names[i]->d_name[0] == '.' ? ".hidden" :
			    names[i]->d_name);
			free(out);
			out = tmp;
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static void
assert_listing(const char *dir, const char *want)
{
	char	*got = listing(dir);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_file_holds(const char *path, const char *want)
{
	char	*text = slurp(path);

	assert_string_equal(text, want);
	free(text);
}

static void
secret_file_is_private_from_its_creation(void **state)
{
	struct scratch		*s = *state;
	struct secret_file	 sf;
	struct stat		 st;
	mode_t			 old = umask(0);

	assert_int_equal(secret_file_create(&sf, s->path), 0);
	umask(old);
	assert_int_equal(fstat(fileno(sf.fp), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* written under a hidden name: nothing at the final name yet */
	assert_listing(s->dir, ".hidden");
	fputs("V-00042 s3cret\n", sf.fp);
	assert_int_equal(secret_file_commit(&sf), 0);
	assert_listing(s->dir, "creds.txt");
	assert_int_equal(stat(s->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_file_holds(s->path, "V-00042 s3cret\n");
}

static void
secret_file_never_replaces_a_file(void **state)
{
	struct scratch		*s = *state;
	struct secret_file	 sf;
	FILE			*fp = fopen(s->path, "w");

	fputs("handed out yesterday\n", fp);
	fclose(fp);
	/* refused at once, before anything is written */
	assert_int_equal(secret_file_create(&sf, s->path), -1);
	assert_listing(s->dir, "creds.txt");
	/* and a file that takes the name meanwhile is not replaced either */
	unlink(s->path);
	assert_int_equal(secret_file_create(&sf, s->path), 0);
	fp = fopen(s->path, "w");
	fputs("handed out yesterday\n", fp);
	fclose(fp);
	fputs("new\n", sf.fp);
	assert_int_equal(secret_file_commit(&sf), -1);
	assert_listing(s->dir, "creds.txt");
	assert_file_holds(s->path, "handed out yesterday\n");
}

static void
secret_file_follows_no_link(void **state)
{
	struct scratch		*s = *state;
	struct secret_file	 sf;
	char			*target = xasprintf("%s/elsewhere", s->dir);
	struct stat		 st;

	/* a link that points nowhere is refused when the file is made */
	assert_int_equal(symlink(target, s->path), 0);
	assert_int_equal(secret_file_create(&sf, s->path), -1);
	assert_null(sf.fp);
	assert_listing(s->dir, "creds.txt");
	/* the link is still a link, and nothing was written where it points */
	assert_int_equal(lstat(s->path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	free(target);
}

static void
uncommitted_secret_file_leaves_nothing(void **state)
{
	struct scratch		*s = *state;
	struct secret_file	 sf;

	assert_int_equal(secret_file_create(&sf, s->path), 0);
	fputs("half written\n", sf.fp);
	secret_file_close(&sf);
	assert_listing(s->dir, "");
}

static void
secret_file_in_a_missing_directory_is_refused(void **state)
{
	struct scratch		*s = *state;
	struct secret_file	 sf;
	char			*path = xasprintf("%s/no/such/dir/creds.txt", s->dir);

	assert_int_equal(secret_file_create(&sf, path), -1);
	assert_null(sf.fp);
	free(path);
}

static void
assert_child_succeeds(pid_t pid)
{
	int	st;

	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A new file is 0600 whatever the umask, and never made through a link. */
static void
created_files_are_0600_and_follow_no_link(void **state)
{
	struct scratch	*s = *state;
	char		*link = xasprintf("%s/link", s->dir);
	struct stat	 st;
	mode_t		 old = umask(0);
	int		 fd;

	fd = file_create(s->path);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(fd);
	/* a second time: the name is taken */
	assert_int_equal(file_create(s->path), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(symlink("nowhere", link), 0);
	assert_int_equal(file_create(link), -1);
	assert_int_equal(path_check_new(link, "file"), -1);
	assert_int_equal(path_check_regular(link, "file"), -1);
	assert_int_equal(path_check_regular(s->path, "file"), 0);
	free(link);
}

/* The journal: appended, created 0600 under umask 000, never through a link. */
static void
appended_file_is_regular_0600_and_no_link(void **state)
{
	struct scratch	*s = *state;
	char		*link = xasprintf("%s/link", s->dir);
	char		*fifo = xasprintf("%s/fifo", s->dir);
	struct stat	 st;
	mode_t		 old = umask(0);
	int		 fd;

	fd = file_append(s->path);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\n", 2), 2);
	close(fd);
	assert_int_equal(stat(s->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	fd = file_append(s->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "b\n", 2), 2);
	close(fd);
	assert_file_holds(s->path, "a\nb\n");
	assert_int_equal(symlink(s->path, link), 0);
	assert_int_equal(file_append(link), -1);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(file_append(fifo), -1);
	assert_file_holds(s->path, "a\nb\n");
	free(link);
	free(fifo);
}

/* A FIFO given as an input is refused at once, not waited on. */
static void
input_that_is_a_fifo_is_refused_without_blocking(void **state)
{
	struct scratch	*s = *state;
	struct diags	 d = { 0 };
	const char	*why;
	size_t		 len;

	assert_int_equal(mkfifo(s->path, 0600), 0);
	assert_int_equal(file_open_input(s->path, &why), -1);
	assert_string_equal(why, "a FIFO, not a regular file");
	assert_null(file_read(s->path, 1024, &d, &len));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "cannot open: a FIFO, not a regular file");
	diag_free(&d);
	assert_int_equal(file_open_input("/dev/null", &why), -1);
	assert_string_equal(why, "a device, not a regular file");
}

/*
 * The credentials file of an apply: made at once, each line written before
 * its account exists; one that never got a password goes.
 */
static void
credentials_file_is_written_ahead(void **state)
{
	struct scratch		*s = *state;
	struct credentials	 cr;
	struct entries		 es;
	struct entry		*e;
	struct stat		 st;

	entries_init(&es);
	e = entries_add(&es, "uid=a,ou=people,dc=x", NULL, ENTRY_PERSON);
	entry_add_value(&es, e, "uid", "a");
	entry_add_value(&es, e, "mail", "a@x.fr");
	entry_add_value(&es, e, "employeeNumber", "V-1");
	assert_int_equal(credentials_create(&cr, s->path), 0);
	assert_int_equal(stat(s->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(credentials_add(&cr, e, "pw-1"), 0);
	assert_int_equal(credentials_sync(&cr), 0);
	assert_file_holds(s->path, "a\ta@x.fr\tpw-1\tV-1\n");
	assert_int_equal(credentials_unmade(&cr, e, "not sent"), 0);
	assert_int_equal(credentials_close(&cr), 0);
	assert_file_holds(s->path, "a\ta@x.fr\tpw-1\tV-1\n"
	    "# not created (not sent): a\n");
	/* a file of that name is never replaced; one left empty goes */
	assert_int_equal(credentials_create(&cr, s->path), -1);
	unlink(s->path);
	assert_int_equal(credentials_create(&cr, s->path), 0);
	assert_int_equal(credentials_close(&cr), 0);
	assert_listing(s->dir, "");
	entries_free(&es);
}

/*
 * The pool makes the passwords wanted, and those only, each hashed so that
 * crypt(3) verifies it; several starts in a row reuse the same threads.
 */
static void
hashpool_makes_every_wanted_password(void **state)
{
	struct hashpool	*hp = hashpool_new(PW_SHA512_CRYPT);
	struct initial	 v[2][9];
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	size_t		 i, k;
	char		*got;

	(void)state;
	assert_null(hashpool_new(PW_NONE));
	assert_non_null(hp);
	assert_true(hashpool_threads(hp) >= 1);
	memset(v, 0, sizeof(v));
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 9; i++)
			v[k][i].wanted = i % 3 != 0;
		hashpool_start(hp, v[k], 9);
	}
	hashpool_wait(hp);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 9; i++) {
			if (!v[k][i].wanted) {
				assert_null(v[k][i].hash);
				continue;
			}
			assert_int_equal(strlen(v[k][i].password),
			    SECRET_PASSWORD_LEN);
			assert_int_equal(strncmp(v[k][i].hash, "{CRYPT}$6$", 10), 0);
			got = crypt_r(v[k][i].password, v[k][i].hash + 7, cd);
			assert_string_equal(got, v[k][i].hash + 7);
			if (i > 1)
				assert_string_not_equal(v[k][i].password,
				    v[k][i - 1].password);
		}
	hashpool_free(hp);
	initial_wipe(v[0], 9);
	initial_wipe(v[1], 9);
	for (i = 0; i < 9; i++) {
		assert_null(v[0][i].hash);
		assert_int_equal(v[0][i].password[0], '\0');
	}
	free(cd);
}

/* A cancelled start makes no more passwords than the threads had taken. */
static void
hashpool_cancel_stops_at_once(void **state)
{
	struct hashpool	*hp = hashpool_new(PW_YESCRYPT);
	struct initial	*v = xcalloc(64, sizeof(*v));
	size_t		 i, made = 0;

	(void)state;
	for (i = 0; i < 64; i++)
		v[i].wanted = 1;
	hashpool_start(hp, v, 64);
	hashpool_cancel(hp);
	hashpool_wait(hp);
	for (i = 0; i < 64; i++)
		made += v[i].hash != NULL;
	/* 64 yescrypt hashes take a second; the cancel comes long before */
	assert_true(made < 64);
	hashpool_free(hp);
	initial_wipe(v, 64);
	free(v);
}

/* In a child: protection lasts to the end of the process. */
static void
protected_process_dumps_no_core(void **state)
{
	pid_t	pid;

	(void)state;
	if ((pid = fork()) == 0) {
		struct rlimit	rl;

		secret_protect();
		if (getrlimit(RLIMIT_CORE, &rl) == -1 || rl.rlim_cur != 0 ||
		    rl.rlim_max != 0)
			_exit(1);
		_exit(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : 2);
	}
	assert_child_succeeds(pid);
}

/* In a child too: the environment variable is wiped once read. */
static void
password_from_the_environment_is_wiped_there(void **state)
{
	pid_t	pid;

	(void)state;
	if ((pid = fork()) == 0) {
		struct model	 m;
		struct diags	 d = { 0 };
		char		*env, *pw;

		memset(&m, 0, sizeof(m));
		setenv("MUTUALIZE_BIND_PASSWORD", "pw-in-env", 1);
		env = getenv("MUTUALIZE_BIND_PASSWORD");
		pw = secret_bind_password(&m, &d);
		if (pw == NULL || strcmp(pw, "pw-in-env") != 0)
			_exit(1);
		if (getenv("MUTUALIZE_BIND_PASSWORD") != NULL)
			_exit(2);
		if (strstr(env, "pw-in-env") != NULL)	/* setenv's copy */
			_exit(3);
		secret_free(pw);
		_exit(0);
	}
	assert_child_succeeds(pid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, scratch_setup, \
	    scratch_teardown)
		T(secret_file_is_private_from_its_creation),
		T(secret_file_never_replaces_a_file),
		T(secret_file_follows_no_link),
		T(uncommitted_secret_file_leaves_nothing),
		T(secret_file_in_a_missing_directory_is_refused),
		T(created_files_are_0600_and_follow_no_link),
		T(appended_file_is_regular_0600_and_no_link),
		T(input_that_is_a_fifo_is_refused_without_blocking),
		T(credentials_file_is_written_ahead),
#undef T
		cmocka_unit_test(hashpool_makes_every_wanted_password),
		cmocka_unit_test(hashpool_cancel_stops_at_once),
		cmocka_unit_test(protected_process_dumps_no_core),
		cmocka_unit_test(password_from_the_environment_is_wiped_there),
	};

	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
