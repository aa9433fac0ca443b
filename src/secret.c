/*
 * Secrets: the bind password, from MUTUALIZE_BIND_PASSWORD or from the file the
 * YAML names (relative to the YAML file), never from the command line or the
 * YAML itself; a file that group or others may read is refused, as ssh does.
 * Files that hold secrets are written 0600 and appear complete or not at all.
 * A process holding a secret never dumps core.
 */
#include <sys/random.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"

#define SECRET_MAX	4096

static char *
read_secret(const char *what, const char *path, struct pos pos, struct diags *d)
{
	struct stat	 st;
	char		 buf[SECRET_MAX + 1], *pw = NULL;
	ssize_t		 r;
	int		 fd;

	/* O_NONBLOCK: a FIFO in place of the file is refused, not waited on */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) ==
	    -1) {
		diag_add(d, pos, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, 0) == -1) {
		diag_add(d, pos, "%s %s: not a regular file", what, path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		diag_add(d, pos, "%s %s: readable by group or others (mode "
		    "%04o); run: chmod 600 %s", what, path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	do
		r = read(fd, buf, SECRET_MAX);
	while (r == -1 && errno == EINTR);
	if (r < 0) {
		diag_add(d, pos, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	buf[r] = '\0';
	pw = xstrndup(buf, strcspn(buf, "\r\n"));	/* the first line */
	explicit_bzero(buf, sizeof(buf));
	if (pw[0] == '\0') {
		diag_add(d, pos, "%s %s is empty", what, path);
		secret_free(pw);
		pw = NULL;
	}
out:
	close(fd);
	return pw;
}

/*
 * No core file and no ptrace by others from here to the end of the run: libldap
 * copies the password into buffers it frees without wiping, so the secret may
 * stay in memory after secret_free.
 */
void
secret_protect(void)
{
	struct rlimit	none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) == -1)
		msg_warn("cannot disable core dumps: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		msg_warn("cannot make the process undumpable: %s",
		    strerror(errno));
}

/* A secret file named in the tenants file, relative to it unless absolute. */
char *
secret_read_file(const struct model *m, const char *what, const char *file,
    struct pos pos, struct diags *d)
{
	char	*path, *pw;

	if (file[0] == '/')
		path = xstrdup(file);
	else
		path = xasprintf("%s/%s", m->dir, file);
	pw = read_secret(what, path, pos, d);
	free(path);
	return pw;
}

/* The variable is wiped once copied: a child or a core never sees it. */
char *
secret_bind_password(const struct model *m, struct diags *d)
{
	char	*env = getenv("MUTUALIZE_BIND_PASSWORD");
	char	*pw = NULL, *path;

	secret_protect();
	if (env != NULL && *env != '\0') {
		pw = xstrdup(env);
		explicit_bzero(env, strlen(env));
		unsetenv("MUTUALIZE_BIND_PASSWORD");
		return pw;
	}
	if (m->directory.bind_password_file == NULL) {
		diag_add(d, m->directory.pos, "no bind password: set "
		    "directory.bind_password_file or MUTUALIZE_BIND_PASSWORD");
		return NULL;
	}
	path = directory_path(m, m->directory.bind_password_file);
	pw = read_secret("bind_password_file", path,
	    m->directory.bind_password_file_pos, d);
	free(path);
	return pw;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * Initial passwords: 28 characters from getrandom(2), in seven groups of four
 * separated by '-' so that they can be read out and typed. 32 symbols (no 0, o,
 * 1, l) give 5 bits each: 140 bits in all.
 */
static const char pw_alphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";

void
secret_password(char out[SECRET_PASSWORD_LEN + 1])
{
	unsigned char	 rnd[28];
	size_t		 i, o = 0, got = 0;
	ssize_t		 r;

	while (got < sizeof(rnd)) {
		r = getrandom(rnd + got, sizeof(rnd) - got, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			msg_fatal("getrandom: %s", strerror(errno));
		got += (size_t)r;
	}
	for (i = 0; i < sizeof(rnd); i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = pw_alphabet[rnd[i] & 31];
	}
	out[o] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
}

/*
 * The userPassword value for a password, in a scheme slapd verifies through
 * crypt(3) (libxcrypt): {CRYPT}$y$... (yescrypt) or {CRYPT}$6$... (SHA-512).
 * Returns a string the caller frees with secret_free.
 */
char *
secret_hash(const char *password, enum password_scheme scheme)
{
	const char	*prefix = scheme == PW_SHA512_CRYPT ? "$6$" : "$y$";
	char		*setting, *hash, *out;
	void		*data = NULL;
	int		 size = 0;

	setting = crypt_gensalt_ra(prefix, 0, NULL, 0);
	if (setting == NULL)
		msg_fatal("crypt_gensalt: %s", strerror(errno));
	hash = crypt_ra(password, setting, &data, &size);
	if (hash == NULL || hash[0] == '*')
		msg_fatal("crypt: cannot hash with %s", prefix);
	out = xasprintf("{CRYPT}%s", hash);
	explicit_bzero(data, (size_t)size);
	free(data);
	free(setting);
	return out;
}

/* One line a new account: login, mail, password, id. Returns 0 or -1. */
int
secret_credentials(FILE *fp, const struct entry *e, const char *password)
{
	const struct attr	*uid = entry_attr(e, "uid");
	const struct attr	*mail = entry_attr(e, "mail");
	const struct attr	*id = entry_attr(e, "employeeNumber");

	fprintf(fp, "%s\t%s\t%s\t%s\n", uid ? uid->vals[0] : "",
	    mail ? mail->vals[0] : "", password, id ? id->vals[0] : "");
	return fflush(fp) == 0 ? 0 : -1;
}

/*
 * A file for secrets is first a hidden file beside its final name, created
 * O_EXCL | O_NOFOLLOW with mode 0600 (no moment where another user may read
 * it, no link followed to elsewhere), and takes its name on commit by a rename
 * that never replaces an existing file: a crash leaves no truncated file
 * behind the expected name, and secrets already handed out are never lost.
 */
int
secret_file_create(struct secret_file *sf, const char *path)
{
	const char	*slash = strrchr(path, '/');
	const char	*base = slash != NULL ? slash + 1 : path;
	char		*dir;
	uint32_t	 rnd;
	int		 fd = -1, tries;

	memset(sf, 0, sizeof(*sf));
	if (path_check_new(path, "file") == -1)
		return -1;
	sf->path = xstrdup(path);
	dir = path_dir(path);
	for (tries = 0; tries < 100 && fd == -1; tries++) {
		free(sf->tmp);
		rnd = arc4random();
		sf->tmp = xasprintf("%s/.%s.%08x", dir, base, (unsigned)rnd);
		fd = file_create(sf->tmp);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	free(dir);
	if (fd == -1) {
		msg_warn("%s: cannot create: %s", path, strerror(errno));
		goto fail;
	}
	if ((sf->fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(sf->tmp);
		goto fail;
	}
	/* stdio's buffer is ours, to be wiped. */
	setvbuf(sf->fp, sf->buf, _IOFBF, sizeof(sf->buf));
	return 0;
fail:
	free(sf->tmp);
	free(sf->path);
	memset(sf, 0, sizeof(*sf));
	return -1;
}

int
secret_file_commit(struct secret_file *sf)
{
	int	 rc = -1;

	if (fflush(sf->fp) == EOF || fsync(fileno(sf->fp)) == -1) {
		msg_warn("%s: cannot write: %s", sf->path, strerror(errno));
		goto out;
	}
	if (renameat2(AT_FDCWD, sf->tmp, AT_FDCWD, sf->path,
	    RENAME_NOREPLACE) == -1) {
		msg_warn("%s: %s%s", sf->path, strerror(errno),
		    errno == EEXIST ? " (a file of secrets is never replaced)" : "");
		goto out;
	}
	free(sf->tmp);
	sf->tmp = NULL;		/* nothing left to remove */
	if (dir_sync(sf->path) == -1) {
		msg_warn("%s: cannot sync its directory: %s", sf->path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	secret_file_close(sf);
	return rc;
}

/* Closes the file; one never committed is removed. */
void
secret_file_close(struct secret_file *sf)
{
	if (sf->fp != NULL)
		fclose(sf->fp);
	explicit_bzero(sf->buf, sizeof(sf->buf));
	if (sf->tmp != NULL)
		unlink(sf->tmp);
	free(sf->tmp);
	free(sf->path);
	memset(sf, 0, sizeof(*sf));
}

/*
 * The credentials file of an apply is written ahead of the adds: it takes its
 * name before the first one, and each batch's passwords are written and
 * synced before its adds are sent, so that no account exists whose password
 * is nowhere. An add that is then refused or never sent gets a comment line
 * saying so; a file that never received a password is removed.
 */
int
credentials_create(struct credentials *cr, const char *path)
{
	memset(cr, 0, sizeof(*cr));
	if (path_check_new(path, "credentials file") == -1)
		return -1;
	if ((cr->fd = file_create(path)) == -1 || dir_sync(path) == -1) {
		msg_warn("credentials file %s: cannot create: %s", path,
		    strerror(errno));
		if (cr->fd != -1) {
			close(cr->fd);
			unlink(path);
		}
		cr->fd = -1;
		return -1;
	}
	cr->path = xstrdup(path);
	return 0;
}

static int
credentials_put(struct credentials *cr, char *line)
{
	int	rc = write_all(cr->fd, line, strlen(line));

	secret_free(line);
	if (rc == -1)
		msg_warn("credentials file %s: cannot write: %s", cr->path,
		    strerror(errno));
	return rc;
}

/* One line a new account: login, mail, password, id. Returns 0 or -1. */
int
credentials_add(struct credentials *cr, const struct entry *e,
    const char *password)
{
	const struct attr	*uid = entry_attr(e, "uid");
	const struct attr	*mail = entry_attr(e, "mail");
	const struct attr	*id = entry_attr(e, "employeeNumber");

	cr->lines++;
	return credentials_put(cr, xasprintf("%s\t%s\t%s\t%s\n",
	    uid ? uid->vals[0] : "", mail ? mail->vals[0] : "", password,
	    id ? id->vals[0] : ""));
}

int
credentials_unmade(struct credentials *cr, const struct entry *e,
    const char *why)
{
	const struct attr	*uid = entry_attr(e, "uid");

	return credentials_put(cr, xasprintf("# not created (%s): %s\n", why,
	    uid ? uid->vals[0] : e->dn));
}

int
credentials_unknown(struct credentials *cr, const struct entry *e)
{
	const struct attr	*uid = entry_attr(e, "uid");

	return credentials_put(cr, xasprintf("# created or not, unknown (the "
	    "server did not answer; it may still make it): %s; if it was, "
	    "the password above is its\n", uid ? uid->vals[0] : e->dn));
}

int
credentials_sync(struct credentials *cr)
{
	if (fsync(cr->fd) == -1) {
		msg_warn("credentials file %s: cannot write: %s", cr->path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
credentials_close(struct credentials *cr)
{
	int	rc = 0;

	if (cr->path == NULL)
		return 0;
	if (cr->lines == 0)
		unlink(cr->path);
	else
		rc = credentials_sync(cr);
	if (close(cr->fd) == -1)
		rc = -1;
	free(cr->path);
	memset(cr, 0, sizeof(*cr));
	cr->fd = -1;
	return rc;
}
