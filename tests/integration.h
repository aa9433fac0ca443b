/*
 * Helpers of the integration tests: the real program against the real slapd
 * servers that run-integration.sh started (SLAPD_URI, SLAPD_ROOTDN,
 * SLAPD_ROOTPW and the others it exports). Tests run from the top of the tree.
 */
#ifndef MUTUALIZE_TEST_INTEGRATION_H
#define MUTUALIZE_TEST_INTEGRATION_H

#include <sys/stat.h>
#include <sys/wait.h>

#include <ldap.h>

#include "harness.h"

#define BASE	"dc=sitiv,dc=fr"
#define TENANTS	"ou=tenants," BASE
#define VEN	"ou=venissieux," TENANTS
#define FEY	"ou=feyzin," TENANTS
#define HELENE	"uid=helene.dupont-sebastien,ou=people," VEN
#define SMALL	"tests/data/small.yaml"

UNUSED static const char *
env(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL)
		fail_msg("%s is not set: run this through tests/run-integration.sh",
		    name);
	return v;
}

UNUSED static LDAP *
bind_as(const char *dn, const char *pw)
{
	LDAP		*ld;
	struct berval	 cred = { strlen(pw), (char *)pw };
	int		 v3 = LDAP_VERSION3;

	assert_int_equal(ldap_initialize(&ld, env("SLAPD_URI")), LDAP_SUCCESS);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	assert_int_equal(ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL,
	    NULL, NULL), LDAP_SUCCESS);
	return ld;
}

/* Binds as dn with pw: LDAP_SUCCESS or the server's refusal. */
UNUSED static int
try_bind(const char *dn, const char *pw)
{
	LDAP		*ld;
	struct berval	 cred = { strlen(pw), (char *)pw };
	int		 v3 = LDAP_VERSION3, rc;

	assert_int_equal(ldap_initialize(&ld, env("SLAPD_URI")), LDAP_SUCCESS);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

UNUSED static LDAP *
root(void)
{
	return bind_as(env("SLAPD_ROOTDN"), env("SLAPD_ROOTPW"));
}

UNUSED static int
cmp_depth(const void *a, const void *b)
{
	return (int)dn_depth(*(char *const *)b) - (int)dn_depth(*(char *const *)a);
}

/* Deletes everything below and including the base, deepest first. */
UNUSED static int
wipe(void **state)
{
	LDAP		*ld = root();
	LDAPMessage	*res = NULL, *e;
	struct ptrvec	 dns = { 0 };
	char		*attrs[] = { "1.1", NULL };
	size_t		 i;
	int		 rc;

	(void)state;
	rc = ldap_search_ext_s(ld, BASE, LDAP_SCOPE_SUBTREE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res);
	assert_true(rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT);
	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
		ptrvec_push(&dns, ldap_get_dn(ld, e));
	ldap_msgfree(res);
	if (dns.n > 1)
		qsort(dns.v, dns.n, sizeof(*dns.v), cmp_depth);
	for (i = 0; i < dns.n; i++) {
		assert_int_equal(ldap_delete_ext_s(ld, dns.v[i], NULL, NULL),
		    LDAP_SUCCESS);
		ldap_memfree(dns.v[i]);
	}
	ptrvec_free(&dns);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return 0;
}

struct run {
	int	 status;
	char	*out, *err;
};

UNUSED static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/*
 * What the program printed goes to the run's log too, which the runner
 * searches for the passwords of the tests once they are over.
 */
UNUSED static void
log_run(const char *args, const struct run *r)
{
	const char	*path = getenv("MUTUALIZE_TEST_LOG");
	FILE		*fp;

	if (path == NULL || (fp = fopen(path, "a")) == NULL)
		fail_msg("MUTUALIZE_TEST_LOG is not a file to append to");
	fprintf(fp, "$ mutualize %s\n%s%s[exit status %d]\n", args, r->out,
	    r->err, r->status);
	fclose(fp);
}

/* A password for a test account; each holds the root one, which the runner looks for. */
UNUSED static char *
test_password(const char *who)
{
	return xasprintf("%s-%s", who, env("SLAPD_ROOTPW"));
}

/* The teardown of tests whose state is a temporary file's path. */
UNUSED static int
file_teardown(void **state)
{
	unlink(*state);
	free(*state);
	return 0;
}

/* Runs the program with these arguments, the password in its environment. */
UNUSED static struct run
run(const char *password, const char *args)
{
	char		 out[] = "/tmp/mutualize-out.XXXXXX";
	char		 err[] = "/tmp/mutualize-err.XXXXXX";
	struct run	 r;
	char		*cmd;
	int		 fo = mkstemp(out), fe = mkstemp(err), st;

	assert_true(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	if (password != NULL)
		setenv("MUTUALIZE_BIND_PASSWORD", password, 1);
	else
		unsetenv("MUTUALIZE_BIND_PASSWORD");
	cmd = xasprintf("%s %s >%s 2>%s </dev/null", env("MUTUALIZE_TEST_BIN"),
	    args, out, err);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	r.status = WEXITSTATUS(st);
	r.out = slurp(out);
	r.err = slurp(err);
	unlink(out);
	unlink(err);
	free(cmd);
	log_run(args, &r);
	return r;
}

/* A path for a credentials file that does not exist yet; caller frees. */
UNUSED UNUSED static char *
credentials_path(void)
{
	char	*path = write_temp("", 0);

	unlink(path);
	return path;
}


/* Removes a credentials file and the journal and undo files named after it. */
UNUSED static void
remove_run_files(const char *creds)
{
	char	*j = xasprintf("%s.journal", creds), *u = xasprintf("%s.undo", creds);

	unlink(creds);
	unlink(j);
	unlink(u);
	free(j);
	free(u);
}


/*
 * Runs a command with a password (or none), on uri when not NULL (else the
 * file's own). An apply that writes gets a credentials file, a journal and an
 * undo file, removed afterwards: tests that look into them use run() itself.
 */
UNUSED static struct run
run_as(const char *password, const char *cmd, const char *uri, const char *file)
{
	int		 writes = strncmp(cmd, "apply", 5) == 0 &&
	    strstr(cmd, " -n") == NULL && strstr(cmd, "--dry-run") == NULL;
	char		*creds = credentials_path(), *journal = credentials_path();
	char		*undo = credentials_path();
	char		*extra = xasprintf(" --credentials %s --journal %s --undo %s",
	    creds, journal, undo);
	char		*h = uri != NULL ? xasprintf(" -H %s", uri) : xstrdup("");
	char		*args = xasprintf("%s%s%s %s", cmd, writes ? extra : "", h,
	    file);
	struct run	 r = run(password, args);

	unlink(creds);
	unlink(journal);
	unlink(undo);
	free(creds);
	free(journal);
	free(undo);
	free(extra);
	free(h);
	free(args);
	return r;
}

/* Runs a command as the rootdn on the tests' server. */
UNUSED static struct run
run_root(const char *cmd, const char *file)
{
	return run_as(env("SLAPD_ROOTPW"), cmd, env("SLAPD_URI"), file);
}


/* The values of one attribute of one entry, joined with '|'; NULL if no entry. */
UNUSED static char *
values(const char *dn, const char *attr)
{
	LDAP		*ld = root();
	LDAPMessage	*res = NULL, *e;
	struct berval	**v;
	char		*attrs[] = { (char *)attr, NULL }, *out = NULL, *tmp;
	size_t		 i;
	int		 rc;

	rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(ld, res)) != NULL) {
		out = xstrdup("");
		v = ldap_get_values_len(ld, e, attr);
		for (i = 0; v != NULL && v[i] != NULL; i++) {
			tmp = xasprintf("%s%s%.*s", out, i ? "|" : "",
			    (int)v[i]->bv_len, v[i]->bv_val);
			free(out);
			out = tmp;
		}
		ldap_value_free_len(v);
	} else
		assert_int_equal(rc, LDAP_NO_SUCH_OBJECT);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return out;
}

/* values(), kept in a buffer that the next call reuses: for assertions. */
UNUSED static const char *
values_or(const char *dn, const char *attr)
{
	static char	 buf[4096];
	char		*v = values(dn, attr);

	snprintf(buf, sizeof(buf), "%s", v ? v : "(no entry)");
	free(v);
	return buf;
}

UNUSED static void
assert_values(const char *dn, const char *attr, const char *want)
{
	char	*got = values(dn, attr);

	if (got == NULL)
		fail_msg("no entry %s", dn);
	assert_string_equal(got, want);
	free(got);
}

UNUSED static size_t
count_entries(const char *base)
{
	LDAP		*ld = root();
	LDAPMessage	*res = NULL;
	char		*attrs[] = { "1.1", NULL };
	size_t		 n = 0;
	int		 rc;

	rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res);
	if (rc == LDAP_SUCCESS)
		n = (size_t)ldap_count_entries(ld, res);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return n;
}

/* Adds an entry by hand from "type", "value" pairs; a type may repeat. */
UNUSED static void
add_by_hand(const char *dn, const char *const *av)
{
	LDAP		*ld = root();
	LDAPMod		 mods[16], *pm[17];
	char		*vals[16][8];
	size_t		 n = 0, i, k, nv[16] = { 0 };

	for (i = 0; av[i] != NULL; i += 2) {
		for (k = 0; k < n; k++)
			if (strcmp(mods[k].mod_type, av[i]) == 0)
				break;
		if (k == n) {
			mods[n].mod_op = LDAP_MOD_ADD;
			mods[n].mod_type = (char *)av[i];
			mods[n].mod_values = vals[n];
			pm[n] = &mods[n];
			n++;
		}
		vals[k][nv[k]++] = (char *)av[i + 1];
		vals[k][nv[k]] = NULL;
	}
	pm[n] = NULL;
	assert_int_equal(ldap_add_ext_s(ld, dn, pm, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* Returns text with its first "from" replaced by "to"; the caller frees it. */
UNUSED static char *
replace(const char *text, const char *from, const char *to)
{
	const char	*p = strstr(text, from);

	if (p == NULL)
		fail_msg("no \"%s\" in the file", from);
	return xasprintf("%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
}

/* Returns text without the line that holds "what"; the caller frees it. */
UNUSED static char *
without_line(const char *text, const char *what)
{
	const char	*p = strstr(text, what), *start, *end;

	if (p == NULL)
		fail_msg("no \"%s\" in the file", what);
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	return xasprintf("%.*s%s", (int)(start - text), text, end ? end + 1 : "");
}

/* Writes the small file with one substitution; returns its path, caller frees. */
UNUSED static char *
edited_small(const char *from, const char *to)
{
	char	*text = slurp(SMALL), *out = replace(text, from, to);
	char	*path = write_temp(out, strlen(out));

	free(out);
	free(text);
	return path;
}

#endif
