/*
 * What waits in the outbox, for plan (a count of the pending calls and a
 * line per call given up) and for status (the counts and the oldest's age).
 * Reads only: no lock, so that a plan or a status never waits for an apply.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "outbox.h"

static void
count(const struct outbox *ob, struct outbox_summary *s, int dead)
{
	size_t	i;

	for (i = 0; i < ob->n; i++) {
		const struct outbox_call	*c = ob->v[i];

		if (dead) {
			s->dead++;
			continue;
		}
		if (c->state != OUTBOX_PENDING)
			continue;
		s->pending++;
		if (s->oldest == 0 || c->queued < s->oldest)
			s->oldest = c->queued;
	}
}

int
outbox_summary_read(const char *path, struct outbox_summary *s)
{
	struct outbox	 ob;
	char		*dead = outbox_dead_path(path);
	int		 rc = 0;

	memset(s, 0, sizeof(*s));
	if (outbox_read(&ob, path) == 0) {
		count(&ob, s, 0);
		outbox_free(&ob);
	} else
		rc = -1;
	if (outbox_read(&ob, dead) == 0) {
		count(&ob, s, 1);
		outbox_free(&ob);
	} else
		rc = -1;
	free(dead);
	s->unread = rc == -1;
	return rc;
}

static void
print_dead(const struct outbox *ob, FILE *fp)
{
	size_t	i;

	fprintf(fp, "%zu call%s given up, in %s: make %s by hand, then remove "
	    "that file:\n", ob->n, ob->n == 1 ? "" : "s", ob->path,
	    ob->n == 1 ? "it" : "them");
	for (i = 0; i < ob->n; i++) {
		const struct outbox_call	*c = ob->v[i];

		/* from a file: shown escaped, as the plan shows names */
		fputs("  dead: ", fp);
		fputs_escaped(c->what != NULL ? c->what : c->kind, fp);
		fprintf(fp, " (%u attempt%s): ", c->attempts,
		    c->attempts == 1 ? "" : "s");
		fputs_escaped(c->error != NULL ? c->error : "no error kept", fp);
		fputc('\n', fp);
	}
}

void
outbox_print(const char *path, long long now, FILE *fp)
{
	struct outbox_summary	 s;
	struct outbox		 dead;
	char			*dpath = outbox_dead_path(path), when[32];

	if (outbox_summary_read(path, &s) == -1 ||
	    (s.pending == 0 && s.dead == 0)) {
		free(dpath);
		return;
	}
	fputc('\n', fp);
	if (s.pending > 0) {
		text_duration(when, sizeof(when), now - s.oldest);
		fprintf(fp, "%zu call%s to the services pending in %s (the "
		    "oldest queued %s ago), retried by the next apply.\n",
		    s.pending, s.pending == 1 ? "" : "s", path, when);
	}
	if (s.dead > 0 && outbox_read(&dead, dpath) == 0) {
		print_dead(&dead, fp);
		outbox_free(&dead);
	}
	free(dpath);
}
