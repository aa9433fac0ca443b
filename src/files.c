/*
 * The files mutualize creates and reads, in one place so that every one gets
 * the same care. A file it creates is new: O_CREAT | O_EXCL | O_NOFOLLOW,
 * mode 0600 whatever the umask, and a path that exists in any form, a
 * symbolic link that points nowhere included, is refused before anything is
 * done; otherwise a link planted in /tmp would take the file elsewhere, or
 * make its final rename fail once the directory was already written. A file
 * it reads is opened without blocking, so that a FIFO or a device named in
 * place of a file is refused at once instead of hanging the run.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"

int
path_check_new(const char *path, const char *what)
{
	struct stat	st;

	if (lstat(path, &st) == 0) {
		msg_warn("%s %s exists%s: it is never replaced nor followed; "
		    "name a new file", what, path,
		    S_ISLNK(st.st_mode) ? " as a symbolic link" : "");
		return -1;
	}
	if (errno != ENOENT) {
		msg_warn("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

int
path_check_regular(const char *path, const char *what)
{
	struct stat	st;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		msg_warn("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		msg_warn("%s %s is a symbolic link: it is never followed; "
		    "name a file", what, path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		msg_warn("%s %s is not a regular file", what, path);
		return -1;
	}
	return 0;
}

/* The directory a path is in, for fsync and for temporary names; caller frees. */
char *
path_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

int
dir_sync(const char *path)
{
	char	*dir = path_dir(path);
	int	 fd, rc = -1;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

int
file_create(const char *path)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	/* the umask could only have narrowed 0600; fchmod says it exactly */
	if (fchmod(fd, 0600) == -1) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

int
file_append(const char *path)
{
	struct stat	st;
	int		fd, created = 1;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST) {
		created = 0;
		fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	}
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) == -1 ||
	    (created && (fchmod(fd, 0600) == -1 || dir_sync(path) == -1)))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int
file_open_input(const char *path, const char **why)
{
	struct stat	st;
	int		fd;

	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file" :
		    S_ISSOCK(st.st_mode) ? "a socket, not a regular file" :
		    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ?
		    "a device, not a regular file" : "not a regular file";
		close(fd);
		return -1;
	}
	/* a regular file never blocks, but reads must not see EAGAIN either */
	if (fcntl(fd, F_SETFL, 0) == -1) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new temporary file beside path, its name in *tmp. Returns its fd, or -1. */
static int
temp_beside(const char *path, char **tmp)
{
	char		*dir = path_dir(path);
	const char	*slash = strrchr(path, '/');
	int		 fd = -1, tries;

	*tmp = NULL;
	for (tries = 0; tries < 100 && fd == -1; tries++) {
		free(*tmp);
		*tmp = xasprintf("%s/.%s.%08x", dir, slash ? slash + 1 : path,
		    (unsigned)arc4random());
		if ((fd = file_create(*tmp)) == -1 && errno != EEXIST)
			break;
	}
	free(dir);
	return fd;
}

int
file_rewrite(const char *path, int noreplace,
    void (*write_fn)(FILE *, void *), void *arg)
{
	char	*tmp;
	FILE	*fp = NULL;
	int	 fd = temp_beside(path, &tmp), rc = -1, saved;

	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL)
		goto out;
	write_fn(fp, arg);
	if (fflush(fp) == EOF || ferror(fp) || fsync(fd) == -1)
		goto out;
	if ((noreplace ? renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
	    RENAME_NOREPLACE) : rename(tmp, path)) == -1)
		goto out;
	free(tmp);
	tmp = NULL;		/* nothing left to remove */
	rc = dir_sync(path);
out:
	saved = errno;
	if (fp != NULL)
		fclose(fp);
	else if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}
