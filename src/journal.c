/*
 * What every apply leaves behind: a journal, one JSON line a change (when, who,
 * where, what, and whether the server took it; attribute names, never values,
 * so no secret goes there), and an undo file, LDIF change records that bring
 * the directory back to where it was, newest first, for ldapmodify -f.
 */
#include <pwd.h>
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

	memset(j, 0, sizeof(*j));
	gmtime_r(&t, &tm);
	strftime(j->started, sizeof(j->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(j->user, sizeof(j->user), "%s", pw ? pw->pw_name : "?");
	if (gethostname(j->host, sizeof(j->host) - 1) == -1)
		strcpy(j->host, "?");
	if ((j->log = fopen(log, "a")) == NULL) {
		fprintf(stderr, "mutualize: journal %s: cannot open\n", log);
		return -1;
	}
	/* The undo file may hold what a deleted entry had: a password hash. */
	if (access(undo, F_OK) == 0 || secret_file_create(&j->undo, undo) == -1) {
		if (access(undo, F_OK) == 0)
			fprintf(stderr, "mutualize: %s exists\n", undo);
		fclose(j->log);
		j->log = NULL;
		return -1;
	}
	j->undo_path = undo;
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
	fflush(j->log);
}

/* The record that takes a change back, kept until close writes them reversed. */
static void
undo_record(struct journal *j, const struct change *c, const struct entry *before)
{
	struct change	 u;
	struct mod	*mods = NULL;
	char		*buf = NULL, *rdn, *parent;
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
		ldif_write_change(fp, &u, NULL, NULL, 0);
		free(rdn);
		goto out;
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
	ldif_write_change(fp, &u, NULL, NULL, 0);
out:
	fclose(fp);
	free(mods);
	ptrvec_push(&j->undos, buf);
}

void
journal_change(struct journal *j, const struct change *c, const char *result,
    const struct entry *before)
{
	if (j == NULL || j->log == NULL)
		return;
	log_line(j, c, result);
	if (strcmp(result, "ok") == 0)
		undo_record(j, c, before);
}

/* Writes the undo records, newest first. Returns 0, or -1 if a write failed. */
int
journal_close(struct journal *j)
{
	size_t	i;
	int	ret = 0;

	if (j->undo.fp != NULL) {
		fprintf(j->undo.fp, "# Undoes the apply of %s by %s on %s: "
		    "ldapmodify -f this file\nversion: 1\n\n", j->started, j->user,
		    j->host);
		for (i = j->undos.n; i > 0; i--)
			fputs(j->undos.v[i - 1], j->undo.fp);
		if (secret_file_commit(&j->undo) == -1)
			ret = -1;
	}
	for (i = 0; i < j->undos.n; i++)
		free(j->undos.v[i]);
	ptrvec_free(&j->undos);
	if (j->log != NULL && fclose(j->log) != 0)
		ret = -1;
	j->log = NULL;
	return ret;
}
