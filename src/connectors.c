/*
 * The connectors: what the services cannot read from LDAP, told them once the
 * changes it depends on were made in the directory. One file a kind:
 *
 *   webhook.c   a JSON POST of each change made, signed with HMAC-SHA256
 *   scim.c      SCIM 2.0 users and groups of each service with an endpoint
 *   welcome.c   the welcome mail, over SMTP
 *
 * and http.c makes their requests. Planning the calls reads only the plan and
 * the two pictures, so that a dry run lists exactly what apply will call. A
 * failure is reported and never undoes LDAP. Secrets are read from files
 * before any packet and wiped when done.
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

size_t
connectors_run(struct connectors *cn, int verbose)
{
	char	err[512];
	size_t	i, failed = 0;

	if (cn->calls.n == 0)
		return 0;
	if (http_init() == -1) {
		msg_warn("cannot start libcurl");
		return cn->calls.n;
	}
	for (i = 0; i < cn->calls.n; i++) {
		struct call	*c = cn->calls.v[i];

		err[0] = '\0';
		if (run_call(cn, c, err, sizeof(err)) == 0) {
			if (verbose)
				say_call(c, NULL);
			continue;
		}
		c->failed = 1;
		failed++;
		say_call(c, err);
	}
	http_cleanup();
	return failed;
}
