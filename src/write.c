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

/* What became of the calls that connectors_run made since before. */
static void
report_calls(const struct run *r, const struct connectors *before,
    size_t made, size_t failed, FILE *out)
{
	const struct connectors	*cn = &r->cn;
	size_t			 n;

	if (made + failed > 0)
		fprintf(out, "Calls to the services: %zu made, %zu failed.\n",
		    made, failed);
	if (cn->redelivered + cn->refailed > before->redelivered +
	    before->refailed)
		fprintf(out, "Calls kept from earlier applies: %zu made, %zu "
		    "failed again.\n", cn->redelivered - before->redelivered,
		    cn->refailed - before->refailed);
	if ((n = cn->queued - before->queued + cn->refailed -
	    before->refailed) > 0)
		msg_warn("%zu failed call%s queued in the outbox %s, retried "
		    "by the next apply (or apply --retry-pending)", n,
		    n == 1 ? "" : "s", r->outbox.path);
	if ((n = cn->unkept - before->unkept) > 0)
		msg_warn("%zu failed call%s not queued: a welcome mail that "
		    "holds a password is never written to the outbox; the "
		    "credentials file has the password", n, n == 1 ? " was" :
		    "s were");
	if ((n = cn->buried - before->buried) > 0)
		msg_warn("%zu welcome mail%s may have been sent before the "
		    "error: not sent twice, moved to %s", n, n == 1 ? "" : "s",
		    r->outbox.dead_path);
}

/* The journal's lines of the calls (connectors_plan replaced the earlier). */
static void
journal_made_calls(struct journal *j, const struct connectors *cn)
{
	const char	**what;
	int		 *failed;
	size_t		  i;

	if (j == NULL || cn->calls.n == 0)
		return;
	what = xcalloc(cn->calls.n, sizeof(*what));
	failed = xcalloc(cn->calls.n, sizeof(*failed));
	for (i = 0; i < cn->calls.n; i++) {
		const struct call	*c = cn->calls.v[i];

		what[i] = c->what;
		failed[i] = c->failed;
	}
	journal_calls(j, what, failed, cn->calls.n);
	free(what);
	free(failed);
}

/*
 * The calls to the services that the changes made call for, once they are
 * made, after those of the outbox that are due. Returns how many failed;
 * the directory keeps its changes.
 */
static size_t
call_services(struct run *r, const struct apply_result *res, FILE *out,
    struct journal *j)
{
	struct connectors	*cn = &r->cn, before = *cn;
	size_t			 failed, fresh;

	connectors_plan(cn, &r->plan, res != NULL ? res->done : 0,
	    &r->desired, &r->current, res != NULL ? res->passwords : NULL);
	failed = connectors_run(cn, r->o->verbose);
	journal_made_calls(j, cn);
	fresh = failed - (cn->refailed - before.refailed);
	report_calls(r, &before, cn->calls.n - fresh, fresh, out);
	return failed;
}

int
write_retry(struct run *r, int status)
{
	FILE	*out = r->o->format == FORMAT_TEXT ? stdout : stderr;
	size_t	 failed = call_services(r, NULL, out, NULL);

	return failed > 0 && status == EXIT_OK ? EXIT_CONNECTORS : status;
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
 * Keeps, of the round's plan, the changes this apply made: those the
 * services are told of and the report counts. A change found done already
 * was another's: no call, no count, and a new account's password unused.
 */
static void
keep_made(struct run *r, struct writing *w)
{
	struct plan	*p = &r->plan;
	char		**pw = w->res.passwords;
	unsigned char	*keep;
	size_t		 i, n = 0;

	if (w->res.already == 0)
		return;
	keep = xcalloc(p->n, 1);
	for (i = 0; i < p->n; i++) {
		keep[i] = w->fate[i] == APPLY_MADE;
		w->unused += w->fate[i] == APPLY_FOUND &&
		    change_wants_password(&p->v[i]) &&
		    r->m->policy.password_scheme != PW_NONE;
		if (pw != NULL && keep[i])
			pw[n++] = pw[i];
		else if (pw != NULL)
			secret_free(pw[i]);
	}
	for (i = n; pw != NULL && i < p->n; i++)
		pw[i] = NULL;
	plan_keep(p, keep);
	free(keep);
}

/* What a round that went to its end made, added to the apply's. */
static void
tally(struct run *r, struct writing *w)
{
	const struct plan	*p = &r->plan;

	keep_made(r, w);
	w->nadd += p->nadd;
	w->nmodify += p->nmodify;
	w->nrename += p->nrename;
	w->ndisable += p->ndisable;
	w->ndelete += p->ndelete;
	w->already += w->res.already;
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

/* Every round's changes, made or found done: the last line of an apply. */
static void
report_complete(const struct writing *w, FILE *out)
{
	fprintf(out, "Apply complete: %zu added, %zu changed, %zu renamed or "
	    "moved, %zu disabled, %zu deleted", w->nadd, w->nmodify,
	    w->nrename, w->ndisable, w->ndelete);
	if (w->already > 0)
		fprintf(out, "; %zu already done", w->already);
	fputs(".\n", out);
}

/*
 * Changes found done in the last round: nothing more is planned (a reviewed
 * plan is applied as reviewed; or the rounds are spent), so whatever else
 * the other writer made is the next plan's to show.
 */
static void
report_last_found(const struct run *r, const struct writing *w)
{
	if (w->res.already == 0)
		return;
	msg_warn("%zu change%s found done already in the last round; nothing "
	    "more is planned: run \"mutualize plan %s\" to see whether the "
	    "directory still differs from the file", w->res.already,
	    w->res.already == 1 ? " was" : "s were", r->o->file);
}

/* What became of the last round, said; returns the exit status. */
static int
report_apply(struct run *r, struct writing *w, int rc, size_t passwords)
{
	const struct plan	*p = &r->plan;
	struct apply_result	*res = &w->res;
	/* A JSON or LDIF plan on standard output stays one document. */
	FILE			*out = r->o->format == FORMAT_TEXT ? stdout : stderr;
	int			 ret = EXIT_ERROR;

	if (rc == 0) {
		tally(r, w);
		report_complete(w, out);
		report_last_found(r, w);
		report_files(r, passwords - w->unused, out);
		ret = r->left_out > 0 ? EXIT_ERROR : EXIT_OK;
	} else if (res->stopped) {
		/* between two batches: the one in flight, if any, was answered */
		msg_warn("stopped by %s between two batches: %zu of %zu "
		    "changes were made, the others were not sent.",
		    signal_name(res->stopped), res->done, p->n);
		report_files(r, passwords, stderr);
		ret = 128 + res->stopped;
	} else if (res->refused > 0 && !res->unwritten &&
	    res->done + res->refused + res->already == p->n) {
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
	if (rc != 0)
		keep_made(r, w);
	w->calls_failed += call_services(r, res, out, &w->journal);
	return w->calls_failed > 0 && ret == EXIT_OK ? EXIT_CONNECTORS : ret;
}

/*
 * The apply after rounds whose last one was carried: the plan made again was
 * empty (status 0), or could not be made (status, said already).
 */
static int
report_rounds(struct run *r, struct writing *w, int status, size_t passwords)
{
	FILE	*out = r->o->format == FORMAT_TEXT ? stdout : stderr;

	if (status == 0) {
		report_complete(w, out);
		report_files(r, passwords - w->unused, out);
		return w->calls_failed > 0 ? EXIT_CONNECTORS : EXIT_OK;
	}
	msg_warn("the directory could not be planned again: %zu changes were "
	    "made and %zu found done already before.\nrun \"mutualize plan "
	    "%s\" to see what remains.", w->nadd + w->nmodify + w->nrename +
	    w->ndisable + w->ndelete, w->already, r->o->file);
	report_files(r, passwords - w->unused, stderr);
	return status;
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
 * the journal and the undo file. A later round opens only what it lacks.
 * Returns 0 or -1 after saying why.
 */
static int
open_files(struct run *r, struct writing *w, char **hashes)
{
	if (accounts_ready(&r->plan, r->m, hashes) == -1 ||
	    (w->creds.path == NULL &&
	    open_credentials(&r->plan, r->m, r->o, &w->creds) == -1))
		return -1;
	if (w->opened)
		return 0;
	if (journal_open(&w->journal, r->journal, r->undo) == -1) {
		credentials_close(&w->creds);
		return -1;
	}
	w->opened = 1;
	return 0;
}

void
write_begin(struct writing *w)
{
	memset(w, 0, sizeof(*w));
	w->creds.fd = -1;
}

static void
apply_options(const struct run *r, struct writing *w, char **hashes,
    struct apply_opts *ao)
{
	const struct options	*o = r->o;

	memset(ao, 0, sizeof(*ao));
	ao->account_hashes = hashes;
	ao->credentials = w->creds.path != NULL ? &w->creds : NULL;
	ao->scheme = r->m->policy.password_scheme;
	ao->journal = &w->journal;
	ao->assert = o->saved != NULL;
	ao->keep_passwords = r->m->welcome.url != NULL &&
	    r->m->policy.welcome_password;
	ao->verbose = o->verbose;
	/* -v says each change on standard error: a progress line would mix in */
	ao->progress = !o->quiet && !o->verbose;
	ao->batch = o->batch_size > 0 ? o->batch_size : BATCH_DEFAULT;
	/* slapd 2.5 may damage its database when it rolls one back */
	ao->transactions = o->transactions == 1;
	ao->stop = stop_pending;
	ao->found_before = w->found.n > 0 ? &w->found : NULL;
	ao->fate = w->fate;
}

int
write_round(struct run *r, struct writing *w)
{
	struct apply_opts	 ao;
	char			**hashes;
	int			 rc = -1;

	memset(&w->res, 0, sizeof(w->res));
	free(w->fate);
	w->fate = xcalloc(r->plan.n ? r->plan.n : 1, 1);
	w->pending = 1;
	r->wrote = 1;
	hashes = xcalloc(r->plan.n, sizeof(*hashes));
	if (open_files(r, w, hashes) == -1) {
		/* a later round: the first one's files are open, and said */
		w->res.unwritten = w->opened;
		goto out;
	}
	apply_options(r, w, hashes, &ao);
	/*
	 * What was freed since the file was read goes back to the system
	 * before the new passwords are hashed: 16 MB at a time with yescrypt.
	 */
	malloc_trim(0);
	rc = apply_plan(r->c, &r->plan, &ao, &w->res);
out:
	accounts_free_hashes(hashes, r->plan.n);
	return w->rc = rc;
}

void
write_carry(struct run *r, struct writing *w)
{
	const char	*key;
	size_t		 i;

	hmap_free(&w->found);
	for (i = 0; i < r->plan.n; i++)
		if (w->fate[i] == APPLY_FOUND) {
			key = already_key(&w->keys, &r->plan.v[i]);
			hmap_put(&w->found, key, (void *)key);
		}
	tally(r, w);
	w->calls_failed += call_services(r, &w->res, stdout, &w->journal);
	free_passwords(&w->res, r->plan.n);
	w->pending = 0;
}

int
write_end(struct run *r, struct writing *w, int status)
{
	size_t	passwords;
	int	rc = w->rc, ret;

	if (!w->opened)
		ret = EXIT_ERROR;
	else {
		if (journal_close(&w->journal) == -1)
			w->res.unwritten = 1;
		passwords = w->creds.lines;
		if (credentials_close(&w->creds) == -1)
			w->res.unwritten = 1;
		if (w->res.unwritten)
			rc = -1;
		ret = w->pending ? report_apply(r, w, rc, passwords) :
		    report_rounds(r, w, status, passwords);
	}
	free_passwords(&w->res, r->plan.n);
	free(w->fate);
	hmap_free(&w->found);
	arena_free(&w->keys);
	return ret;
}
