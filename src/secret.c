/*
 * The bind password: from MUTUALIZE_BIND_PASSWORD, or from the file the YAML
 * names (relative to the YAML file), never from the command line or the YAML
 * itself. A file that group or others may read is refused, as ssh does.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"

#define SECRET_MAX	4096

static char *
read_password_file(const char *path, struct pos pos, struct diags *d)
{
	struct stat	 st;
	char		 buf[SECRET_MAX + 1], *pw = NULL;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		diag_add(d, pos, "bind_password_file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		diag_add(d, pos, "bind_password_file %s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		diag_add(d, pos, "bind_password_file %s: readable by group or others "
		    "(mode %04o); run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	do
		r = read(fd, buf, SECRET_MAX);
	while (r == -1 && errno == EINTR);
	if (r < 0) {
		diag_add(d, pos, "bind_password_file %s: %s", path, strerror(errno));
		goto out;
	}
	buf[r] = '\0';
	pw = xstrndup(buf, strcspn(buf, "\r\n"));	/* the first line */
	explicit_bzero(buf, sizeof(buf));
out:
	close(fd);
	return pw;
}

char *
secret_bind_password(const struct model *m, struct diags *d)
{
	const char	*env = getenv("MUTUALIZE_BIND_PASSWORD");
	char		*pw = NULL, *path;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (m->directory.bind_password_file == NULL) {
		diag_add(d, m->directory.pos, "no bind password: set "
		    "directory.bind_password_file or MUTUALIZE_BIND_PASSWORD");
		return NULL;
	}
	if (m->directory.bind_password_file[0] == '/')
		path = xstrdup(m->directory.bind_password_file);
	else
		path = xasprintf("%s/%s", m->dir, m->directory.bind_password_file);
	pw = read_password_file(path, m->directory.pos, d);
	if (pw != NULL && pw[0] == '\0') {
		diag_add(d, m->directory.pos, "bind_password_file %s is empty", path);
		secret_free(pw);
		pw = NULL;
	}
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
