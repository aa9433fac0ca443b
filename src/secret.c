/*
 * The bind password: from MUTUALIZE_BIND_PASSWORD, or from the file the YAML
 * names (relative to the YAML file), never from the command line or the YAML
 * itself; the connectors' tokens and keys likewise from files. A file that
 * group or others may read is refused, as ssh does.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
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

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		diag_add(d, pos, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
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

char *
secret_bind_password(const struct model *m, struct diags *d)
{
	const char	*env = getenv("MUTUALIZE_BIND_PASSWORD");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (m->directory.bind_password_file == NULL) {
		diag_add(d, m->directory.pos, "no bind password: set "
		    "directory.bind_password_file or MUTUALIZE_BIND_PASSWORD");
		return NULL;
	}
	return secret_read_file(m, "bind_password_file",
	    m->directory.bind_password_file, m->directory.pos, d);
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
		if (r <= 0) {
			fprintf(stderr, "mutualize: getrandom: %s\n", strerror(errno));
			abort();
		}
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
	if (setting == NULL) {
		fprintf(stderr, "mutualize: crypt_gensalt: %s\n", strerror(errno));
		abort();
	}
	hash = crypt_ra(password, setting, &data, &size);
	if (hash == NULL || hash[0] == '*') {
		fprintf(stderr, "mutualize: crypt: cannot hash with %s\n", prefix);
		abort();
	}
	out = xasprintf("{CRYPT}%s", hash);
	explicit_bzero(data, (size_t)size);
	free(data);
	free(setting);
	return out;
}

/*
 * Creates a file for secrets: mode 0600 from the start (no window where another
 * user could open it), never over an existing file or through a link.
 * Returns the stream, or NULL after printing why.
 */
FILE *
secret_file_create(const char *path)
{
	FILE	*fp;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		fprintf(stderr, "mutualize: %s: %s%s\n", path, strerror(errno),
		    errno == EEXIST ? " (a credentials file is never overwritten)" :
		    "");
		return NULL;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return NULL;
	}
	return fp;
}
