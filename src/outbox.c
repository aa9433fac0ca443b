/*
 * The outbox: every call to a service is on disk before it is sent, and
 * stays there until the service took it, so that a service down at the time
 * of an apply gets its calls from a later one.
 *
 * The file is appended to while a run sends (a "call" line for each call
 * queued, synced before the first is sent; a "done" or "failed" line after
 * each), and written whole again at the end of the run with only the calls
 * still pending: appending costs one write a call, where rewriting at each
 * would cost the whole file a call; and the end's rewrite (a temporary name,
 * synced, renamed over) keeps it from growing. A line cut short by a crash
 * is ignored with a warning: at worst a call is sent once more, which the
 * calls are made to bear (see connectors.c), or a result is lost and the
 * call tried again.
 *
 * Two runs never send at once: the file is locked (flock) from the open to
 * the close, and a lock taken on a file that the other run renamed over in
 * the meantime is taken again on the new one.
 *
 * Calls given up go to a second file, the dead-letter file (the outbox's
 * name and ".dead"), appended to and never rewritten: it is the admin's to
 * read and to remove once the calls are made by hand.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"
#include "outbox.h"

long long
outbox_backoff(unsigned attempts)
{
	static const long long	steps[] = { 60, 300, 1800, 7200, 21600 };
	size_t			n = sizeof(steps) / sizeof(steps[0]);

	if (attempts == 0)
		return 0;
	return steps[attempts - 1 < n ? attempts - 1 : n - 1];
}

int
outbox_due(const struct outbox_call *c, long long now)
{
	return c->state == OUTBOX_PENDING && c->sending == 0 && c->next <= now;
}

void
outbox_call_free(struct outbox_call *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->kind);
	free(c->service);
	free(c->method);
	free(c->url);
	free(c->to);
	free(c->key);
	free(c->name);
	free(c->what);
	free(c->body);
	free(c->error);
	for (i = 0; i < c->nmembers; i++)
		free(c->members[i]);
	free(c->members);
	free(c);
}

char *
outbox_dead_path(const char *path)
{
	return xasprintf("%s.dead", path);
}

static void
outbox_init(struct outbox *ob, const char *path)
{
	memset(ob, 0, sizeof(*ob));
	ob->path = xstrdup(path);
	ob->dead_path = outbox_dead_path(path);
}

static void
add_call(struct outbox *ob, struct outbox_call *c)
{
	struct outbox_call	*old;

	if ((old = hmap_get(&ob->by_id, c->id)) != NULL) {
		/* a call written again (never by us): the newest wins */
		hmap_put(&ob->by_id, c->id, c);
		old->state = OUTBOX_DONE;
	} else
		hmap_put(&ob->by_id, c->id, c);
	if (ob->n == ob->cap) {
		ob->cap = ob->cap ? ob->cap * 2 : 64;
		ob->v = xreallocarray(ob->v, ob->cap, sizeof(*ob->v));
	}
	ob->v[ob->n++] = c;
}

/* What a line about a call says of it. */
static int
take_event(struct outbox_call *c, const char *type, const struct outbox_call *l,
    long long time)
{
	if (strcmp(type, "done") == 0)
		c->state = OUTBOX_DONE;
	else if (strcmp(type, "dead") == 0)
		c->state = OUTBOX_DEAD;
	else if (strcmp(type, "sending") == 0)
		c->sending = time;
	else if (strcmp(type, "failed") == 0) {
		c->sending = 0;
		c->attempts = l->attempts;
		c->next = l->next;
		free(c->error);
		c->error = l->error != NULL ? xstrdup(l->error) : NULL;
	} else
		return -1;
	return 0;
}

int
outbox_line(struct outbox *ob, const char *line)
{
	struct outbox_call	*c = xcalloc(1, sizeof(*c)), *to;
	char			*type, *id;
	long long		 time;
	int			 rc = -1;

	if (outbox_parse(line, c, &type, &id, &time) == -1 ||
	    strlen(id) >= sizeof(c->id))
		goto out;
	snprintf(c->id, sizeof(c->id), "%s", id);
	if (strcmp(type, "call") == 0) {
		if (c->kind == NULL)
			goto out;
		add_call(ob, c);
		c = NULL;
		rc = 0;
	} else if ((to = hmap_get(&ob->by_id, id)) != NULL)
		rc = take_event(to, type, c, time);
	else
		rc = 0;		/* about a call compacted away: nothing to do */
out:
	outbox_call_free(c);
	free(type);
	free(id);
	return rc;
}

/* Every line of fp; the torn ones counted and said. */
static void
read_lines(struct outbox *ob, FILE *fp, const char *path)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	while ((len = getline(&line, &cap, fp)) != -1)
		if (line[len - 1] != '\n' || outbox_line(ob, line) == -1)
			ob->torn++;
	if (ob->torn > 0)
		msg_warn("warning: %s: %zu line%s that could not be read (a "
		    "write cut short?) ignored", path, ob->torn,
		    ob->torn == 1 ? "" : "s");
	free(line);
}

/* Reads path; a missing file reads as empty. 0, or -1 after saying why. */
static int
read_path(struct outbox *ob, const char *path)
{
	const char	*why;
	FILE		*fp;
	int		 fd;

	if ((fd = file_open_input(path, &why)) == -1) {
		if (errno == ENOENT && access(path, F_OK) == -1)
			return 0;
		msg_warn("outbox %s: %s", path, why);
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		msg_warn("outbox %s: %s", path, strerror(errno));
		return -1;
	}
	read_lines(ob, fp, path);
	fclose(fp);
	return 0;
}

int
outbox_read(struct outbox *ob, const char *path)
{
	outbox_init(ob, path);
	if (read_path(ob, path) == -1) {
		outbox_free(ob);
		return -1;
	}
	return 0;
}

/*
 * The file opened to append and locked: the lock taken on a file that is
 * still the one of that name (a run that compacted renamed a new one over).
 */
static int
lock_file(const char *path)
{
	struct stat	a, b;
	int		fd, tries;

	for (tries = 0; tries < 100; tries++) {
		if ((fd = file_append(path)) == -1)
			return -1;
		if (flock(fd, LOCK_EX) == -1 || fstat(fd, &a) == -1) {
			close(fd);
			return -1;
		}
		if (lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

int
outbox_open(struct outbox *ob, const char *path)
{
	int	fd;

	outbox_init(ob, path);
	if (path_check_regular(path, "outbox") == -1)
		goto fail;
	if ((fd = lock_file(path)) == -1 || (ob->fp = fdopen(fd, "a")) == NULL) {
		msg_warn("outbox %s: cannot open: %s", path, errno == EINVAL ||
		    errno == ELOOP ? "a symbolic link or not a regular file" :
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto fail;
	}
	if (read_path(ob, path) == -1)
		goto fail;
	return 0;
fail:
	outbox_free(ob);
	return -1;
}

static int
write_failed(struct outbox *ob, const char *path)
{
	if (!ob->failed)
		msg_warn("outbox %s: cannot write: %s", path, strerror(errno));
	ob->failed = 1;
	return -1;
}

int
outbox_sync(struct outbox *ob)
{
	if (ob->fp == NULL)
		return 0;
	if (fflush(ob->fp) == EOF || ferror(ob->fp) ||
	    fdatasync(fileno(ob->fp)) == -1)
		return write_failed(ob, ob->path);
	return 0;
}

struct outbox_call *
outbox_queue(struct outbox *ob, struct outbox_call *c)
{
	uint32_t	r[4];
	size_t		i;

	for (i = 0; i < 4; i++)
		r[i] = arc4random();
	snprintf(c->id, sizeof(c->id), "%08x%08x%08x%08x", r[0], r[1], r[2],
	    r[3]);
	c->state = OUTBOX_PENDING;
	add_call(ob, c);
	if (ob->fp != NULL)
		outbox_write_call(ob->fp, c);
	return c;
}

/* A line about a call: its type, id, time, and what follows (or ""). */
static void
put_event(struct outbox *ob, const char *type, const struct outbox_call *c,
    long long now, const char *note)
{
	if (ob->fp == NULL)
		return;
	fprintf(ob->fp, "{\"type\": \"%s\", \"id\": \"%s\", \"time\": %lld",
	    type, c->id, now);
	if (strcmp(type, "failed") == 0)
		fprintf(ob->fp, ", \"attempts\": %u, \"next\": %lld",
		    c->attempts, c->next);
	if (note != NULL) {
		fputs(", \"error\": ", ob->fp);
		json_string(ob->fp, note);
	}
	fputs("}\n", ob->fp);
}

int
outbox_sending(struct outbox *ob, struct outbox_call *c, long long now)
{
	c->sending = now;
	put_event(ob, "sending", c, now, NULL);
	return outbox_sync(ob);
}

void
outbox_done(struct outbox *ob, struct outbox_call *c, long long now,
    const char *note)
{
	c->state = OUTBOX_DONE;
	c->sending = 0;
	put_event(ob, "done", c, now, note);
}

void
outbox_failed(struct outbox *ob, struct outbox_call *c, long long now,
    const char *error)
{
	c->sending = 0;
	c->attempts++;
	c->next = now + outbox_backoff(c->attempts);
	free(c->error);
	c->error = xstrdup(error);
	put_event(ob, "failed", c, now, error);
}

int
outbox_bury(struct outbox *ob, struct outbox_call *c, long long now,
    const char *why)
{
	FILE	*fp;
	int	 fd, rc = 0;

	free(c->error);
	c->error = xstrdup(why);
	if ((fd = file_append(ob->dead_path)) == -1 ||
	    (fp = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		return write_failed(ob, ob->dead_path);
	}
	outbox_write_call(fp, c);
	if (fflush(fp) == EOF || ferror(fp) || fdatasync(fd) == -1)
		rc = write_failed(ob, ob->dead_path);
	fclose(fp);
	if (rc == 0) {
		c->state = OUTBOX_DEAD;
		put_event(ob, "dead", c, now, why);
	}
	return rc;
}

size_t
outbox_give_up(struct outbox *ob, long long now, unsigned days)
{
	size_t	i, n = 0;

	for (i = 0; i < ob->n; i++) {
		struct outbox_call	*c = ob->v[i];
		const char		*why;

		if (c->state != OUTBOX_PENDING)
			continue;
		if (c->sending != 0)
			why = "the run stopped while sending it: it may have "
			    "been sent, and is not sent twice";
		else if (now - c->queued >= (long long)days * 86400)
			why = "given up: still failing after "
			    "policy.connector_give_up_days";
		else
			continue;
		n += outbox_bury(ob, c, now, why) == 0;
	}
	if (n > 0)
		outbox_sync(ob);
	return n;
}

static void
write_pending(FILE *fp, void *arg)
{
	struct outbox	*ob = arg;
	size_t		 i;

	for (i = 0; i < ob->n; i++)
		if (ob->v[i]->state == OUTBOX_PENDING)
			outbox_write_call(fp, ob->v[i]);
}

/* The pending calls, written whole to a new file renamed over the outbox. */
static int
compact(struct outbox *ob)
{
	if (file_rewrite(ob->path, 0, write_pending, ob) == 0)
		return 0;
	write_failed(ob, ob->path);
	return -1;
}

int
outbox_close(struct outbox *ob)
{
	int	rc = 0;

	if (ob->fp != NULL) {
		/* a write that failed leaves the file as it is: appended to */
		if (outbox_sync(ob) == -1 || compact(ob) == -1)
			rc = -1;
		fclose(ob->fp);	/* the lock goes with it */
		ob->fp = NULL;
	}
	outbox_free(ob);
	return rc;
}

void
outbox_free(struct outbox *ob)
{
	size_t	i;

	if (ob->fp != NULL)
		fclose(ob->fp);
	for (i = 0; i < ob->n; i++)
		outbox_call_free(ob->v[i]);
	free(ob->v);
	hmap_free(&ob->by_id);
	free(ob->path);
	free(ob->dead_path);
	memset(ob, 0, sizeof(*ob));
}
