/*
 * mutualize status: one screen on the directory a tenants file names. Every
 * server of directory.uri is tried on its own, not only the first that
 * answers, with the TLS, the bind and the timeout an apply would use; from
 * each that answers, the contextCSN of the base entry. The apply lock is read
 * from the first that answers (the one an apply would take it on), and the
 * last apply from the journal, the calls waiting from the connectors'
 * outbox. Nothing is written, anywhere.
 *
 * contextCSN is kept by syncprov, on the suffix entry of a database that
 * replicates. A server without it is said to have "no contextCSN" and has no
 * lag: finding the newest entryCSN instead would mean reading the whole
 * subtree (slapd sorts nothing without sssvlv), every minute a monitoring
 * system asks, on the server it is watching.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mutualize.h"
#include "conn.h"
#include "run.h"
#include "status.h"

#define CSN_VALUES_MAX	64	/* serverIDs are 0 to 4095; a few in practice */

/* The contextCSN values of the base entry, into s; a note when none. */
static void
read_context_csn(struct conn *c, const char *base, struct server_status *s)
{
	char		*attrs[] = { "contextCSN", NULL }, *text;
	struct timeval	 tv = { (time_t)c->timeout, 0 };
	struct berval	**v = NULL;
	LDAPMessage	*res = NULL, *e;
	size_t		 i;
	int		 rc;

	rc = ldap_search_ext_s(c->ld, base, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &res);
	if (rc == LDAP_NO_SUCH_OBJECT)
		snprintf(s->note, sizeof(s->note), "no base entry %s", base);
	else if (rc != LDAP_SUCCESS)
		snprintf(s->note, sizeof(s->note), "cannot read the base entry: "
		    "%s (%d)", ldap_err2string(rc), rc);
	else if ((e = ldap_first_entry(c->ld, res)) == NULL ||
	    (v = ldap_get_values_len(c->ld, e, "contextCSN")) == NULL)
		snprintf(s->note, sizeof(s->note), "no contextCSN (no syncprov "
		    "on this database)");
	for (i = 0; v != NULL && v[i] != NULL && i < CSN_VALUES_MAX; i++) {
		text = xstrndup(v[i]->bv_val, v[i]->bv_len);
		s->csns = xreallocarray(s->csns, s->ncsns + 1, sizeof(*s->csns));
		if (csn_parse(text, &s->csns[s->ncsns]) == 0)
			s->ncsns++;
		free(text);
	}
	if (v != NULL && s->ncsns == 0)
		snprintf(s->note, sizeof(s->note), "no contextCSN it can read");
	ldap_value_free_len(v);
	ldap_msgfree(res);
}

static void
read_lock(struct conn *c, const char *base, struct lock_status *l)
{
	int	held = lock_peek(c, base, l->holder, sizeof(l->holder));

	l->read = held != -1;
	if (held != 1)
		return;
	l->held = 1;
	l->since = lock_since(l->holder);
	l->gone = lock_stale(l->holder);
	if (l->holder[0] == '\0')
		snprintf(l->holder, sizeof(l->holder), "(no description)");
}

/*
 * Server i of the inputs, on its own: reachable or why not, and what it
 * says; the lock too when lock is not NULL. Returns whether it answered.
 */
static int
probe(const struct conn_inputs *in, size_t i, const char *base,
    struct server_status *s, struct lock_status *lock)
{
	struct conn_opts	 co = in->co;
	struct conn		*c;
	int			 status;

	co.targets = &in->targets[i];
	co.ntargets = 1;
	co.why = s->why;
	co.whylen = sizeof(s->why);
	s->uri = in->targets[i].uri;
	if ((c = conn_open(&co, &status)) == NULL)
		return 0;
	s->reachable = 1;
	read_context_csn(c, base, s);
	if (lock != NULL)
		read_lock(c, base, lock);
	conn_close(c);
	return 1;
}

static void
report_free(struct status_report *r)
{
	size_t	i;

	for (i = 0; i < r->nservers; i++)
		free(r->servers[i].csns);
	free(r->servers);
}

/* Every local input first: the file, the journal, the password, the CA. */
static int
gather(struct status_report *r, const struct model *m,
    const struct options *o)
{
	struct conn_inputs	in;
	size_t			i;
	int			locked = 0;

	r->journal_unread = last_apply_read(r->journal, &r->last) == -1;
	if (conn_inputs_load(&in, m, o) == -1)
		return -1;
	r->nservers = in.co.ntargets;
	r->servers = xcalloc(r->nservers, sizeof(*r->servers));
	for (i = 0; i < r->nservers; i++)
		if (probe(&in, i, m->syndicate.base_dn, &r->servers[i],
		    locked ? NULL : &r->lock))
			locked = 1;
	conn_inputs_free(&in);
	csn_lags(r->servers, r->nservers);
	return 0;
}

int
run_status(const struct options *o)
{
	struct status_report	 r;
	struct model		*m;
	char			*journal, *outbox;
	int			 ret = EXIT_ERROR;

	if (o->format == FORMAT_LDIF) {
		msg_warn("status --format takes text or json: a status has no "
		    "LDIF");
		return EXIT_ERROR;
	}
	if ((m = load_checked(o)) == NULL)
		return EXIT_ERROR;
	journal = o->journal != NULL ? xstrdup(o->journal) :
	    xasprintf("%s/mutualize.journal", m->dir);
	outbox = o->outbox != NULL ? xstrdup(o->outbox) :
	    xasprintf("%s/mutualize.outbox", m->dir);
	memset(&r, 0, sizeof(r));
	r.file = o->file;
	r.journal = journal;
	r.outbox = outbox;
	outbox_summary_read(outbox, &r.calls);
	r.max_lag = o->max_lag_set ? o->max_lag : STATUS_MAX_LAG;
	r.now = time(NULL);
	r.lock.since = -1;
	if (gather(&r, m, o) == 0) {
		if (o->format == FORMAT_JSON)
			status_print_json(&r, stdout);
		else
			status_print_text(&r, stdout);
		ret = status_exit(status_health(&r));
	}
	report_free(&r);
	free(journal);
	free(outbox);
	model_free(m);
	return ret;
}
