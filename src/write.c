/*
 * The apply stage of a run: the credentials file, the journal and the undo
 * file made, the changes written, what became of them said, and the calls to
 * the services that the changes made call for.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "run.h"

size_t
people_added(const struct plan *p, const struct model *m)
{
	size_t	i, n = 0;

	if (m->policy.password_scheme == PW_NONE)
		return 0;
	for (i = 0; i < p->n; i++)
		n += change_wants_password(&p->v[i]);
	return n;
}

int
need_credentials(const struct plan *p, const struct model *m,
    const struct options *o)
{
	size_t	n = people_added(p, m);

	if (n == 0 || o->credentials != NULL)
		return 0;
	msg_warn("the plan creates %zu account%s: give --credentials FILE for "
	    "their initial passwords\n(a new file, mode 0600; passwords go "
	    "nowhere else)", n, n == 1 ? "" : "s");
	return -1;
}

static void
report_partial(const struct plan *p, const struct apply_result *r,
    const char *file)
{
	if (r->done == 0)
		msg_warn("none of the %zu changes was made; nothing was "
		    "written.", p->n);
	else
		msg_warn("%zu of %zu changes were made before the error; the "
		    "directory is partly updated.\nrun \"mutualize plan %s\" "
		    "to see what remains.", r->done, p->n, file);
}

/*
 * The calls to the services that the changes made call for, once they are
 * made. Returns how many failed; the directory keeps its changes.
 */
static size_t
call_services(struct connectors *cn, const struct plan *p,
    const struct apply_result *res, const struct entries *desired,
    const struct entries *current, int verbose, FILE *out)
{
	size_t	failed;

	connectors_plan(cn, p, res->done, desired, current, res->passwords);
	if (cn->calls.n == 0)
		return 0;
	failed = connectors_run(cn, verbose);
	fprintf(out, "Calls to the services: %zu made, %zu failed.\n",
	    cn->calls.n - failed, failed);
	if (failed > 0)
		msg_warn("the directory keeps its changes; make the failed "
		    "calls above by hand, or let the next change of these "
		    "people make them.");
	return failed;
}

static void
free_passwords(struct apply_result *res, size_t n)
{
	size_t	i;

	for (i = 0; res->passwords != NULL && i < n; i++)
		secret_free(res->passwords[i]);
	free(res->passwords);
	res->passwords = NULL;
}

/*
 * Where the passwords, the journal and the undo file are, after any apply:
 * as the report on fp, or as messages when the apply went wrong (fp stderr).
 */
static void
report_files(const struct run *r, size_t passwords, FILE *fp)
{
	if (fp == stderr) {
		if (passwords > 0)
			msg_warn("initial passwords of the new accounts: %s",
			    r->o->credentials);
		msg_warn("Journal: %s; to take this apply back: ldapmodify "
		    "-f %s", r->journal, r->undo);
		return;
	}
	if (passwords > 0)
		fprintf(fp, "Initial passwords of the %zu new accounts: %s\n",
		    passwords, r->o->credentials);
	fprintf(fp, "Journal: %s; to take this apply back: ldapmodify -f %s\n",
	    r->journal, r->undo);
}

/* What became of the apply, said; returns the exit status. */
static int
report_apply(struct run *r, struct apply_result *res, int rc,
    size_t passwords)
{
	const struct plan	*p = &r->plan;
	/* A JSON or LDIF plan on standard output stays one document. */
	FILE			*out = r->o->format == FORMAT_TEXT ? stdout : stderr;
	int			 ret = EXIT_ERROR;

	if (rc == 0) {
		fprintf(out, "Apply complete: %zu added, %zu changed, %zu renamed "
		    "or moved, %zu disabled, %zu deleted.\n", p->nadd,
		    p->nmodify, p->nrename, p->ndisable, p->ndelete);
		report_files(r, passwords, out);
		ret = r->left_out > 0 ? EXIT_ERROR : EXIT_OK;
	} else if (res->stopped) {
		/* between two batches: the one in flight, if any, was answered */
		msg_warn("stopped by %s between two batches: %zu of %zu "
		    "changes were made, the others were not sent.",
		    signal_name(res->stopped), res->done, p->n);
		report_files(r, passwords, stderr);
		ret = 128 + res->stopped;
	} else if (res->refused > 0 && !res->unwritten &&
	    res->done + res->refused == p->n) {
		msg_warn("%zu reviewed change%s refused; the others were made",
		    res->refused, res->refused == 1 ? " was" : "s were");
		report_files(r, passwords, stderr);
	} else {
		if (res->unwritten)
			msg_warn("the apply stopped: a file that must be "
			    "written before the changes it records could not "
			    "be.");
		report_partial(p, res, r->o->file);
		report_files(r, passwords, stderr);
		ret = res->unwritten ? EXIT_ERROR : conn_status(r->c);
	}
	if (call_services(&r->cn, p, res, &r->desired, &r->current,
	    r->o->verbose, out) > 0 && ret == EXIT_OK)
		ret = EXIT_CONNECTORS;
	return ret;
}

/*
 * Makes the credentials file when the plan creates accounts: before the first
 * add, for each password is written there before its account exists.
 * Returns 0 or -1; cr->path is NULL when no file is needed.
 */
static int
open_credentials(const struct plan *p, const struct model *m,
    const struct options *o, struct credentials *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->fd = -1;
	if (need_credentials(p, m, o) == -1)
		return -1;
	if (people_added(p, m) == 0)
		return 0;
	return credentials_create(cr, o->credentials);
}

/*
 * What is written before the first change: the accounts' password files
 * first, so that one refused stops everything; then the credentials file,
 * the journal and the undo file. Returns 0 or -1 after saying why.
 */
static int
open_files(struct run *r, char **hashes, struct credentials *creds,
    struct journal *journal)
{
	if (accounts_ready(&r->plan, r->m, hashes) == -1 ||
	    open_credentials(&r->plan, r->m, r->o, creds) == -1)
		return -1;
	if (journal_open(journal, r->journal, r->undo) == -1) {
		credentials_close(creds);
		return -1;
	}
	return 0;
}

int
write_directory(struct run *r)
{
	const struct options	*o = r->o;
	struct apply_opts	 ao;
	struct apply_result	 res;
	struct credentials	 creds;
	struct journal		 journal;
	char			**hashes;
	size_t			 passwords;
	int			 rc, ret;

	memset(&res, 0, sizeof(res));
	memset(&ao, 0, sizeof(ao));
	hashes = xcalloc(r->plan.n, sizeof(*hashes));
	if (open_files(r, hashes, &creds, &journal) == -1) {
		accounts_free_hashes(hashes, r->plan.n);
		return EXIT_ERROR;
	}
	ao.account_hashes = hashes;
	ao.credentials = creds.path != NULL ? &creds : NULL;
	ao.scheme = r->m->policy.password_scheme;
	ao.journal = &journal;
	ao.assert = o->saved != NULL;
	ao.keep_passwords = r->m->welcome.url != NULL &&
	    r->m->policy.welcome_password;
	ao.verbose = o->verbose;
	/* -v says each change on standard error: a progress line would mix in */
	ao.progress = !o->quiet && !o->verbose;
	ao.batch = o->batch_size > 0 ? o->batch_size : BATCH_DEFAULT;
	/* slapd 2.5 may damage its database when it rolls one back */
	ao.transactions = o->transactions == 1;
	ao.stop = stop_pending;
	/*
	 * What was freed since the file was read goes back to the system
	 * before the new passwords are hashed: 16 MB at a time with yescrypt.
	 */
	malloc_trim(0);
	rc = apply_plan(r->c, &r->plan, &ao, &res);
	if (journal_close(&journal) == -1)
		res.unwritten = 1;
	passwords = creds.lines;
	if (credentials_close(&creds) == -1)
		res.unwritten = 1;
	if (res.unwritten)
		rc = -1;
	ret = report_apply(r, &res, rc, passwords);
	free_passwords(&res, r->plan.n);
	accounts_free_hashes(hashes, r->plan.n);
	return ret;
}
