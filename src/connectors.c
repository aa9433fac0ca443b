/*
 * The connectors: what the services cannot read from LDAP, told them once the
 * changes it depends on were made in the directory. One file a kind:
 *
 *   webhook.c   a JSON POST of each change made, signed with HMAC-SHA256
 *   scim.c      SCIM 2.0 users and groups of each service with an endpoint
 *   welcome.c   the welcome mail, over SMTP
 *   removal.c   a template's command for each person deleted
 *
 * and http.c makes their requests. Planning the calls reads only the plan and
 * the two pictures, so that a dry run lists exactly what apply will call. A
 * failure is reported and never undoes LDAP. Secrets are read from files
 * before any packet and wiped when done.
 *
 * Each call is written to the outbox (outbox.c) before it is sent, and kept
 * there until a service took it: a later run sends it again. A call may so
 * be sent twice (a run stopped after sending it, before marking it), which
 * each kind bears: SCIM finds its resources by externalId before writing,
 * the webhook's deliveries carry a stable id, and a welcome mail that may
 * have gone is given up rather than sent again.
 */
#include <stdlib.h>
#include <string.h>

#include "connectors.h"

static const struct connector {
	connector_plan_fn	*plan;
	connector_run_fn	*run;
	unsigned		 kinds;	/* the calls it makes, 1 << CALL_* */
} connectors[] = {
	{ webhook_plan, webhook_run, 1u << CALL_WEBHOOK },
	{ scim_plan, scim_run, 1u << CALL_SCIM_USER |
	    1u << CALL_SCIM_DEACTIVATE | 1u << CALL_SCIM_GROUP |
	    1u << CALL_SCIM_UNGROUP },
	{ welcome_plan, welcome_run, 1u << CALL_MAIL },
	{ removal_plan, removal_run, 1u << CALL_COMMAND },
};
#define NCONNECTORS	(sizeof(connectors) / sizeof(connectors[0]))

size_t
connectors_load(struct connectors *cn, const struct model *m, const char *dir,
    struct diags *d)
{
	size_t	before = d->n, i;

	memset(cn, 0, sizeof(*cn));
	cn->m = m;
	cn->scim_tokens = xcalloc(m->nservices ? m->nservices : 1,
	    sizeof(*cn->scim_tokens));
	if (m->webhook.url != NULL)
		cn->webhook_secret = secret_read_file(m, "secret_file",
		    m->webhook.secret_file, m->webhook.pos, d);
	for (i = 0; i < m->nservices; i++) {
		const struct scim	*sc = &m->services[i].scim;

		if (sc->url != NULL)
			cn->scim_tokens[i] = secret_read_file(m, "token_file",
			    sc->token_file, sc->pos, d);
	}
	if (m->welcome.url != NULL)
		welcome_load(cn, dir, d);
	return d->n - before;
}

void
connectors_free(struct connectors *cn)
{
	size_t	i;

	for (i = 0; i < cn->calls.n; i++)
		call_free(cn->calls.v[i]);
	ptrvec_free(&cn->calls);
	secret_free(cn->webhook_secret);
	for (i = 0; cn->scim_tokens != NULL && i < cn->m->nservices; i++)
		secret_free(cn->scim_tokens[i]);
	free(cn->scim_tokens);
	free(cn->welcome);
	arena_free(&cn->arena);
	memset(cn, 0, sizeof(*cn));
}

void
connectors_plan(struct connectors *cn, const struct plan *p, size_t done,
    const struct entries *desired, const struct entries *current,
    char *const *passwords)
{
	size_t	i;

	/* The calls of an earlier plan (the one printed) are replaced. */
	for (i = 0; i < cn->calls.n; i++)
		call_free(cn->calls.v[i]);
	cn->calls.n = 0;
	for (i = 0; i < NCONNECTORS; i++)
		connectors[i].plan(cn, p, done, desired, current, passwords);
}

void
connectors_print(const struct connectors *cn, FILE *fp)
{
	size_t	i;

	if (cn->calls.n == 0)
		return;
	fprintf(fp, "\nThen %zu call%s to the services, once the directory is "
	    "changed:\n", cn->calls.n, cn->calls.n == 1 ? "" : "s");
	for (i = 0; i < cn->calls.n; i++) {
		const struct call	*c = cn->calls.v[i];

		/* names from the file: shown as the plan shows them */
		fputs("  ", fp);
		fputs_escaped(c->what, fp);
		fputc('\n', fp);
	}
}

/* The call made: 0, -1, or CALL_UNKNOWN (a mail that may have gone). */
static int
run_call(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	size_t	i;

	for (i = 0; i < NCONNECTORS; i++)
		if (connectors[i].kinds & 1u << c->kind)
			return connectors[i].run(cn, c, err, errlen);
	snprintf(err, errlen, "no connector makes this call");
	return -1;
}

/*
 * A call made (err NULL) or failed: shown escaped as the plan shows it, for
 * err may quote what a server answered.
 */
static void
say_call(const struct call *c, const char *err)
{
	char	*what = text_escape(c->what), *why;

	if (err == NULL)
		msg_warn("done: %s", what);
	else {
		why = text_escape(err);
		msg_warn("failed: %s: %s", what, why);
		free(why);
	}
	free(what);
}

/*
 * The plan's calls into the outbox, synced before the first is sent; a
 * pending call for the same SCIM resource is replaced, so that an older
 * state never follows a newer one. A welcome mail that holds a password is
 * never written to a file: it is sent once, or reported.
 */
static void
queue_calls(struct connectors *cn)
{
	struct outbox		*ob = cn->outbox;
	struct outbox_call	*r;
	size_t			 i, j, n = ob->n;

	for (i = 0; i < cn->calls.n; i++) {
		struct call	*c = cn->calls.v[i];

		if (c->unkept)
			continue;
		r = call_record(cn, c);
		for (j = 0; j < n; j++)
			if (ob->v[j]->state == OUTBOX_PENDING &&
			    call_same_target(ob->v[j], r))
				outbox_done(ob, ob->v[j], cn->now,
				    "replaced by a newer call");
		c->rec = outbox_queue(ob, r);
	}
	outbox_sync(ob);
}

/*
 * One call sent; its record marked. Returns 0 when the service took it, -1
 * when not (tried again later if it is kept), CALL_UNKNOWN when a mail may
 * have been sent (given up at once: never sent twice).
 */
static int
send_call(struct connectors *cn, struct call *c, char *err, size_t errlen)
{
	struct outbox	*ob = cn->outbox;
	int		 rc;

	err[0] = '\0';
	if (c->rec != NULL && c->kind == CALL_MAIL &&
	    outbox_sending(ob, c->rec, cn->now) == -1) {
		snprintf(err, errlen, "not sent: the outbox cannot be written");
		return -1;
	}
	rc = run_call(cn, c, err, errlen);
	if (c->rec == NULL)
		return rc;
	if (rc == 0)
		outbox_done(ob, c->rec, cn->now, NULL);
	else if (rc == CALL_UNKNOWN) {
		if (outbox_bury(ob, c->rec, cn->now, err) == 0)
			cn->buried++;
	} else
		outbox_failed(ob, c->rec, cn->now, err);
	return rc;
}

/* One call of the outbox sent again. Returns 0, or -1 when it failed. */
static int
retry_one(struct connectors *cn, struct outbox_call *r, int verbose)
{
	char		 err[512], *what;
	struct call	*c;
	int		 rc = -1;

	r->retried = 1;
	if ((c = call_of_record(cn, r, err, sizeof(err))) == NULL) {
		outbox_failed(cn->outbox, r, cn->now, err);
		what = text_escape(r->what != NULL ? r->what : r->kind);
		msg_warn("failed: %s: %s", what, err);
		free(what);
		return -1;
	}
	if ((rc = send_call(cn, c, err, sizeof(err))) == 0) {
		if (verbose)
			say_call(c, NULL);
	} else
		say_call(c, err);
	call_free(c);
	return rc == 0 ? 0 : -1;
}

/*
 * The outbox's due calls, of the first n (those read, not those this run
 * queued), sent before the plan's; once a run.
 */
static size_t
retry_due(struct connectors *cn, size_t n, int verbose)
{
	struct outbox	*ob = cn->outbox;
	size_t		 i, failed = 0;

	cn->retried = 1;
	for (i = 0; i < n; i++) {
		if (!outbox_due(ob->v[i], cn->now) || ob->v[i]->retried)
			continue;
		if (retry_one(cn, ob->v[i], verbose) == 0)
			cn->redelivered++;
		else {
			cn->refailed++;
			failed++;
		}
	}
	return failed;
}

/* Whether the outbox holds a call to send now. */
static int
any_due(const struct connectors *cn)
{
	size_t	i;

	for (i = 0; cn->outbox != NULL && !cn->retried && i < cn->outbox->n;
	    i++)
		if (outbox_due(cn->outbox->v[i], cn->now))
			return 1;
	return 0;
}

size_t
connectors_run(struct connectors *cn, int verbose)
{
	char	err[512];
	size_t	i, old, failed = 0;

	if (cn->calls.n == 0 && !any_due(cn))
		return 0;
	if (http_init() == -1) {
		msg_warn("cannot start libcurl");
		return cn->calls.n;
	}
	old = cn->outbox != NULL ? cn->outbox->n : 0;
	if (cn->outbox != NULL)
		queue_calls(cn);
	if (cn->outbox != NULL && !cn->retried)
		failed += retry_due(cn, old, verbose);
	for (i = 0; i < cn->calls.n; i++) {
		struct call	*c = cn->calls.v[i];

		if (send_call(cn, c, err, sizeof(err)) == 0) {
			if (verbose)
				say_call(c, NULL);
			continue;
		}
		c->failed = 1;
		failed++;
		cn->unkept += c->rec == NULL;
		cn->queued += c->rec != NULL && c->rec->state ==
		    OUTBOX_PENDING;
		say_call(c, err);
	}
	if (cn->outbox != NULL)
		outbox_sync(cn->outbox);
	http_cleanup();
	return failed;
}
