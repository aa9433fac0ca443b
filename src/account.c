/*
 * The accounts services bind with. A service that names no bind_dn of its
 * own gets cn=<service>,ou=system,<base>, which mutualize adds with a
 * password and then leaves that password alone.
 *
 * The password lives in one place, the service's bind_password_file
 * (secret/<service>.pw beside the tenants file unless the file says), and
 * is written there before the add that gives its hash to the directory: an
 * apply that stops in between leaves the file, and the next one adds the
 * account with the password the file already holds. A file that exists is
 * never replaced, and is refused, as any secret file, when group or others
 * may read it. Nothing but apply writes it: plan, --dry-run and validate
 * only read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"

int
account_wanted(const struct service *s)
{
	return s->bind_dn == NULL;
}

const char *
account_dn(struct arena *a, const struct model *m, const struct service *s)
{
	if (!account_wanted(s))
		return s->bind_dn;
	/*
	 * ids are lowercase letters, digits and hyphens: no escaping needed.
	 * The container is render.c's ou=system, written here as render.c
	 * asks this file whether an account is wanted.
	 */
	return arena_printf(a, "cn=%s,ou=system,%s", s->id,
	    m->syndicate.base_dn);
}

const char *
account_password_file(struct arena *a, const struct service *s)
{
	if (s->bind_password_file != NULL)
		return s->bind_password_file;
	return arena_printf(a, "secret/%s.pw", s->id);
}

char *
account_password_path(const struct model *m, const struct service *s)
{
	struct arena	 a = { 0 };
	char		*path = directory_path(m, account_password_file(&a, s));

	arena_free(&a);
	return path;
}

const struct service *
account_service(const struct model *m, const struct entry *e)
{
	const struct attr	*cn = entry_attr(e, "cn");
	const struct service	*s;

	if (e->kind != ENTRY_ACCOUNT || cn == NULL || cn->nvals == 0)
		return NULL;
	s = model_service(m, cn->vals[0]);
	return s != NULL && account_wanted(s) ? s : NULL;
}

/* The service of an add of an account, or NULL for any other change. */
static const struct service *
added_account(const struct model *m, const struct change *c)
{
	return c->op == CHANGE_ADD ? account_service(m, c->entry) : NULL;
}

/* Any form of the name, a dangling link included, counts as there. */
static int
path_exists(const char *path)
{
	struct stat	st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* The first line of the file, or NULL with a message. */
static char *
read_password(const struct model *m, const struct service *s)
{
	struct diags	 d = { 0 };
	struct arena	 a = { 0 };
	char		*pw;

	pw = secret_read_file(m, "bind_password_file",
	    account_password_file(&a, s), s->bind_password_file_pos, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	arena_free(&a);
	return pw;
}

/* The directory of a new password file, made 0700 when missing. */
static int
make_parent(const char *path)
{
	char	*dir = path_dir(path);
	int	 rc = 0;

	if (mkdir(dir, 0700) == 0 ? dir_sync(dir) == -1 : errno != EEXIST) {
		msg_warn("%s: cannot create the directory: %s", dir,
		    strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

/*
 * A new password in a new file (O_EXCL | O_NOFOLLOW, 0600), on disk with
 * its name before the add is sent. No newline follows it: the OpenLDAP
 * tools' -y takes the whole file as the password. Returns 0, or -1 after
 * saying why, with no file left behind.
 */
static int
write_password(const char *path, const char *pw)
{
	char	*line = xstrdup(pw);
	int	 fd, rc = -1;

	if (make_parent(path) == -1)
		goto out;
	if ((fd = file_create(path)) == -1) {
		msg_warn("bind_password_file %s: cannot create: %s", path,
		    strerror(errno));
		goto out;
	}
	if (write_all(fd, line, strlen(line)) == -1 || fsync(fd) == -1 ||
	    close(fd) == -1 || dir_sync(path) == -1) {
		msg_warn("bind_password_file %s: cannot write: %s", path,
		    strerror(errno));
		unlink(path);
		goto out;
	}
	rc = 0;
out:
	secret_free(line);
	return rc;
}

/*
 * The scheme of the policy; none (people's passwords set elsewhere) still
 * gives an account the password it binds with, in yescrypt.
 */
static enum password_scheme
account_scheme(const struct model *m)
{
	return m->policy.password_scheme == PW_NONE ? PW_YESCRYPT :
	    m->policy.password_scheme;
}

/* The passwords of the files that exist, read first. Returns 0 or -1. */
static int
read_existing(const struct plan *p, const struct model *m, char **pws)
{
	const struct service	*s;
	char			*path;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < p->n; i++) {
		if ((s = added_account(m, &p->v[i])) == NULL)
			continue;
		path = account_password_path(m, s);
		if (path_exists(path) && (pws[i] = read_password(m, s)) == NULL)
			rc = -1;
		free(path);
	}
	return rc;
}

/* New passwords for the accounts whose file is missing. Returns 0 or -1. */
static int
write_missing(const struct plan *p, const struct model *m, char **pws)
{
	const struct service	*s;
	char			 pw[SECRET_PASSWORD_LEN + 1], *path;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < p->n && rc == 0; i++) {
		if ((s = added_account(m, &p->v[i])) == NULL || pws[i] != NULL)
			continue;
		path = account_password_path(m, s);
		secret_password(pw);
		if ((rc = write_password(path, pw)) == 0)
			pws[i] = xstrdup(pw);
		explicit_bzero(pw, sizeof(pw));
		free(path);
	}
	return rc;
}

int
accounts_ready(const struct plan *p, const struct model *m, char **hashes)
{
	char	**pws = xcalloc(p->n ? p->n : 1, sizeof(*pws));
	size_t	  i;
	int	  rc;

	if ((rc = read_existing(p, m, pws)) == -1)
		msg_warn("no account was added and no password file written");
	else if ((rc = write_missing(p, m, pws)) == -1)
		msg_warn("no account was added");
	for (i = 0; i < p->n; i++) {
		if (rc == 0 && pws[i] != NULL)
			hashes[i] = secret_hash(pws[i], account_scheme(m));
		secret_free(pws[i]);
	}
	free(pws);
	return rc;
}

char *
account_hash_existing(const struct model *m, const struct change *c)
{
	const struct service	*s = added_account(m, c);
	char			*path, *pw, *hash = NULL;

	if (s == NULL)
		return NULL;
	path = account_password_path(m, s);
	if (path_exists(path) && (pw = read_password(m, s)) != NULL) {
		hash = secret_hash(pw, account_scheme(m));
		secret_free(pw);
	}
	free(path);
	return hash;
}

void
accounts_warn_missing(const struct model *m, const struct entries *current)
{
	const struct service	*s;
	const struct entry	*e;
	char			*path;
	size_t			 i;

	for (i = 0; i < current->v.n; i++) {
		e = current->v.v[i];
		if (!entry_managed(e) || (s = account_service(m, e)) == NULL)
			continue;
		path = account_password_path(m, s);
		if (!path_exists(path))
			msg_warn("warning: the account %s of the %s service exists "
			    "but its bind_password_file %s does not: the "
			    "password it was given is nowhere else; set a new "
			    "one on the account and write it there", e->dn,
			    s->id, path);
		free(path);
	}
}

void
accounts_free_hashes(char **hashes, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		secret_free(hashes[i]);
	free(hashes);
}

/*
 * The password of a file directory-config keeps (the replication account's):
 * the file's when it exists, else a new one written there first. NULL after
 * saying why; the caller frees it with secret_free.
 */
char *
password_file_take(const struct model *m, const char *file, struct pos pos)
{
	struct diags	 d = { 0 };
	char		 pw[SECRET_PASSWORD_LEN + 1], *path, *out = NULL;

	path = directory_path(m, file);
	if (path_exists(path)) {
		out = secret_read_file(m, "password file", file, pos, &d);
		diag_print(&d, stderr);
		diag_free(&d);
	} else {
		secret_password(pw);
		if (write_password(path, pw) == 0)
			out = xstrdup(pw);
		explicit_bzero(pw, sizeof(pw));
	}
	free(path);
	return out;
}
