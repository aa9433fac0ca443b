/*
 * What every apply leaves behind: a journal, one JSON line a change (when, who,
 * where, what, and whether the server took it; attribute names, never values,
 * so no secret goes there), and an undo file, LDIF change records that bring
 * the directory back to where it was, newest first, for ldapmodify -f.
 *
 * Both are written ahead of the changes: a change's journal line ("sending")
 * and its undo record are on disk, synced, before the change is sent, and
 * its result follows it. A write that fails stops the apply before the next
 * batch is sent. The undo file is written whole again at each batch, under a
 * temporary name then renamed over the last one: ldapmodify needs the newest
 * change first, which no append gives, and so the file on disk is always one
 * that ldapmodify can read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"

int
journal_open(struct journal *j, const char *log, const char *undo)
{
	struct passwd	*pw = getpwuid(getuid());
	time_t		 t = time(NULL);
	struct tm	 tm;
	int		 fd;

	memset(j, 0, sizeof(*j));
	gmtime_r(&t, &tm);
	strftime(j->started, sizeof(j->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(j->user, sizeof(j->user), "%s", pw ? pw->pw_name : "?");
	if (gethostname(j->host, sizeof(j->host) - 1) == -1)
		strcpy(j->host, "?");
	j->log_path = log;
	j->undo_path = undo;
	if ((fd = file_append(log)) == -1 || (j->log = fdopen(fd, "a")) == NULL) {
		msg_warn("journal %s: cannot open: %s", log,
		    errno == EINVAL || errno == ELOOP ? "a symbolic link or not a "
		    "regular file" : strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* The undo file takes its name now: a name taken fails before any write. */
	j->unsaved = 1;
	if (path_check_new(undo, "undo file") == -1 || journal_sync(j) == -1) {
		fclose(j->log);
		j->log = NULL;
		return -1;
	}
	return 0;
}

static void
log_line(struct journal *j, const struct change *c, const char *result)
{
	size_t	i;

	fprintf(j->log, "{\"time\": \"%s\", \"user\": ", j->started);
	json_string(j->log, j->user);
	fputs(", \"host\": ", j->log);
	json_string(j->log, j->host);
	fprintf(j->log, ", \"op\": \"%s\", \"dn\": ", change_op_name(c->op));
	json_string(j->log, c->dn);
	if (c->op == CHANGE_MODRDN) {
		fputs(", \"newdn\": ", j->log);
		json_string(j->log, c->newdn);
	}
	fputs(", \"attributes\": [", j->log);
	if (c->op == CHANGE_ADD)
		for (i = 0; i < c->entry->nattrs; i++) {
			fputs(i ? ", " : "", j->log);
			json_string(j->log, c->entry->attrs[i].name);
		}
	else
		for (i = 0; i < c->nmods; i++) {
			fputs(i ? ", " : "", j->log);
			json_string(j->log, c->mods[i].attr);
		}
	fputs("], \"result\": ", j->log);
	json_string(j->log, result);
	fputs("}\n", j->log);
}

/* One call's line. */
static void
call_line(const struct journal *j, FILE *fp, const char *what, int failed)
{
	/* "outcome", not "result": a call is not one of the apply's changes */
	fprintf(fp, "{\"time\": \"%s\", \"user\": ", j->started);
	json_string(fp, j->user);
	fputs(", \"host\": ", fp);
	json_string(fp, j->host);
	fputs(", \"call\": ", fp);
	json_string(fp, what);
	fprintf(fp, ", \"outcome\": \"%s\"}\n", failed ? "failed" : "ok");
}

/*
 * The calls come after the changes' results, once the journal is closed:
 * their lines are appended to the file again, and synced once.
 */
void
journal_calls(struct journal *j, const char *const *what, const int *failed,
    size_t n)
{
	FILE	*fp;
	size_t	 i;
	int	 fd;

	if (n == 0 || j == NULL || j->log_path == NULL ||
	    (fd = file_append(j->log_path)) == -1)
		return;
	if ((fp = fdopen(fd, "a")) == NULL) {
		close(fd);
		return;
	}
	for (i = 0; i < n; i++)
		call_line(j, fp, what[i], failed[i]);
	if (fflush(fp) == EOF || fdatasync(fd) == -1)
		msg_warn("journal %s: cannot write: %s", j->log_path,
		    strerror(errno));
	fclose(fp);
}

/* The record that takes a change back, as LDIF; the caller frees it. */
static char *
undo_text(const struct change *c, const struct entry *before)
{
	struct change	 u;
	struct mod	*mods = NULL;
	char		*buf = NULL, *rdn = NULL, *parent;
	size_t		 len = 0, i;
	FILE		*fp = open_memstream(&buf, &len);

	memset(&u, 0, sizeof(u));
	u.entry = c->entry;
	u.dn = c->dn;
	switch (c->op) {
	case CHANGE_ADD:
		u.op = CHANGE_DELETE;
		break;
	case CHANGE_DELETE:
		u.op = CHANGE_ADD;
		u.entry = before;
		break;
	case CHANGE_MODRDN:
		/* back to the old RDN, under the old parent */
		u.op = CHANGE_MODRDN;
		u.dn = c->newdn;
		rdn = xstrdup(c->dn);
		parent = rdn + strcspn(rdn, ",");
		*parent++ = '\0';
		u.newrdn = rdn;
		u.newsuperior = c->newsuperior ? parent : NULL;
		/* the value the way there kept, the way back keeps too */
		u.keep_old_rdn = c->keep_old_rdn;
		break;
	default:
		u.op = CHANGE_MODIFY;
		mods = xcalloc(c->nmods ? c->nmods : 1, sizeof(*mods));
		for (i = 0; i < c->nmods; i++) {
			const struct mod	*m = &c->mods[c->nmods - 1 - i];

			mods[i] = *m;
			if (m->op == MOD_ADD)
				mods[i].op = MOD_DELETE;
			else if (m->op == MOD_DELETE)
				mods[i].op = MOD_ADD;
			else {
				mods[i].vals = m->old;
				mods[i].nvals = m->nold;
			}
		}
		u.mods = mods;
		u.nmods = c->nmods;
		break;
	}
	/* a delete whose entry could not be read has nothing to add back */
	if (u.op != CHANGE_ADD || u.entry != NULL)
		ldif_write_change(fp, &u, NULL, NULL, 0);
	else
		fprintf(fp, "# %s was deleted; it could not be read before\n\n",
		    c->dn);
	fclose(fp);
	free(mods);
	free(rdn);
	return buf;
}

size_t
journal_intent(struct journal *j, const struct change *c,
    const struct entry *before)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 256;
		j->undos = xreallocarray(j->undos, j->cap, sizeof(*j->undos));
	}
	j->undos[j->n].ldif = undo_text(c, before);
	j->undos[j->n].state = UNDO_PENDING;
	j->unsaved = 1;
	log_line(j, c, "sending");
	return j->n++;
}

void
journal_result(struct journal *j, size_t rec, const struct change *c,
    const char *result, enum undo_state state)
{
	log_line(j, c, result);
	j->undos[rec].state = state;
	/*
	 * A change made needs no new version of the file: the record is there
	 * already, its comment only prudent. One that was not made does.
	 */
	if (state != UNDO_DONE)
		j->unsaved = 1;
}

/* The undo records so far, newest first, to fp. */
static void
undo_write(const struct journal *j, FILE *fp)
{
	size_t	i;

	fprintf(fp, "# Undoes the apply of %s by %s on %s: ldapmodify -f this "
	    "file\nversion: 1\n\n", j->started, j->user, j->host);
	for (i = j->n; i > 0; i--) {
		const struct undo	*u = &j->undos[i - 1];

		if (u->state == UNDO_DROPPED)
			continue;
		if (u->state == UNDO_PENDING)
			fputs("# The apply stopped before the server answered the "
			    "change this takes back:\n# it may not have been "
			    "made (ldapmodify -c goes past it).\n", fp);
		else if (u->state == UNDO_UNCERTAIN)
			fputs("# The connection went before the server said "
			    "whether the change this takes back\n# was made "
			    "(ldapmodify -c goes past it).\n", fp);
		fputs(u->ldif, fp);
	}
}

static void
undo_writer(FILE *fp, void *arg)
{
	undo_write(arg, fp);
}

/*
 * The undo file written whole under a temporary name, synced, and renamed
 * over its last version; the first version takes a name that must be free.
 */
static int
undo_save(struct journal *j)
{
	if (file_rewrite(j->undo_path, !j->undo_named, undo_writer, j) == -1) {
		msg_warn("undo file %s: cannot write: %s", j->undo_path,
		    strerror(errno));
		return -1;
	}
	j->undo_named = 1;
	return 0;
}

int
journal_sync(struct journal *j)
{
	if (j->failed)
		return -1;
	if (fflush(j->log) == EOF || ferror(j->log) ||
	    fdatasync(fileno(j->log)) == -1) {
		msg_warn("journal %s: cannot write: %s", j->log_path,
		    strerror(errno));
		j->failed = 1;
		return -1;
	}
	if (j->unsaved && undo_save(j) == -1) {
		j->failed = 1;
		return -1;
	}
	j->unsaved = 0;
	return 0;
}

int
journal_close(struct journal *j)
{
	size_t	i;
	int	ret = 0;

	if (j->log == NULL)
		return 0;
	j->failed = 0;		/* a last try: what can be kept is kept */
	j->unsaved = 1;		/* the last version, without the comments */
	if (journal_sync(j) == -1)
		ret = -1;
	for (i = 0; i < j->n; i++)
		free(j->undos[i].ldif);
	free(j->undos);
	j->undos = NULL;
	j->n = j->cap = 0;
	if (fclose(j->log) != 0)
		ret = -1;
	j->log = NULL;
	return ret;
}
