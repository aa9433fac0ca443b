/*
 * mutualize [-hqVv] command [options] file
 *
 * Global options, then a command from the table. Everything local (the file,
 * the password) is read and checked before the first packet to the server.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"

/* The parsed command line: the only state shared by the whole run. */
struct options {
	int		 verbose;
	int		 quiet;		/* -q: no progress line */
	int		 dry_run;
	int		 exit_code;
	int		 prune;
	int		 allow_mass_removal;
	int		 allow_mass_change;
	const char	*uri;
	const char	*credentials;
	const char	*output;	/* export: NULL for standard output */
	const char	*templates;		/* --templates */
	const char	*service;		/* service-config */
	const char	*file;
	const char	*remove_tenants[16];	/* NULL-terminated */
	size_t		 nremove_tenants;
	const char	*tenants[64];		/* --tenant, NULL-terminated */
	size_t		 ntenants;
	const char	*journal;		/* --journal */
	const char	*out;			/* plan --out */
	const char	*saved;			/* apply --plan */
	const char	*undo;			/* --undo */
	int		 json;			/* --format json */
	int		 ldif;			/* --format ldif */
	int		 show_hashes;
	size_t		 batch_size;		/* --batch-size */
	int		 transactions;		/* --transactions: 1, --no-: -1 */
};

struct command {
	const char	*name;
	int		(*run)(struct options *);
	const char	*usage;
	const char	*summary;
	int		 write;		/* may write to the directory */
	int		 service;	/* takes a service id before the file */
};

static int	cmd_validate(struct options *);
static int	cmd_plan(struct options *);
static int	cmd_apply(struct options *);
static int	cmd_export(struct options *);
static int	cmd_service_config(struct options *);

static const struct command commands[] = {
	{ "validate", cmd_validate, "validate [-h] [--templates dir] file",
	    "check the file and its templates; contact no server", 0, 0 },
	{ "plan", cmd_plan, "plan [-h] [--exit-code] [--format text | json | ldif] "
	    "[--show-hashes]\n\t[--tenant id] [--prune] [--allow-mass-removal] "
	    "[--allow-mass-change]\n\t[--remove-tenant id] [--credentials file] "
	    "[--out file] [--templates dir] [-H uri] file",
	    "show the changes apply would make (apply --dry-run)", 0, 0 },
	{ "apply", cmd_apply, "apply [-h] [-n | --dry-run] [--exit-code] "
	    "[--format text | json | ldif] [--tenant id]\n\t[--prune] "
	    "[--allow-mass-removal] [--allow-mass-change] [--remove-tenant id]\n"
	    "\t[--credentials file] [--journal file] [--undo file] [--plan file]\n"
	    "\t[--batch-size n] [--transactions] [--templates dir] [-H uri] "
	    "file",
	    "make the directory match the file", 1, 0 },
	{ "export", cmd_export, "export [-h] [-o output] [--templates dir] file",
	    "write the directory the file describes as LDIF, for slapadd", 0, 0 },
	{ "service-config", cmd_service_config, "service-config [-h] "
	    "[--templates dir] [-H uri] service file",
	    "print the LDAP part of a service's configuration", 0, 1 },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *fp)
{
	size_t	i;

	fputs("usage: mutualize [-hqVv] command [options] file\n\n"
	    "commands:\n", fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-16s%s\n", commands[i].name,
		    commands[i].summary);
	fputs("\n'mutualize command --help' for a command's options; "
	    "man mutualize for all.\n", fp);
}

static void
command_usage(const struct command *c, FILE *fp)
{
	fprintf(fp, "usage: mutualize %s\n", c->usage);
}

/*
 * Loads and checks the file and the templates of its services; prints every
 * error. Returns NULL on any error. Identities are assigned as if the
 * directory were empty; run assigns them again once it has read the directory.
 */
static struct model *
load_checked(const struct options *o)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load(o->file, &d);

	if (m != NULL && model_check(m, &d) == 0 &&
	    templates_load(m, templates_dir(m, o->templates), &d) == 0)
		model_identities(m, NULL, &d);
	if (d.n > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: %zu error%s; nothing was contacted.\n",
		    o->file, d.n, d.n == 1 ? "" : "s");
		model_free(m);
		m = NULL;
	}
	diag_free(&d);
	return m;
}

/*
 * tls: none is allowed, for a server behind a tunnel of its own; but a
 * password in clear text on a network is said every time, so that it is a
 * choice and never an accident.
 */
static void
warn_cleartext(const struct model *m, const char *uri)
{
	size_t		 i, n = uri != NULL ? 1 : m->directory.nuris;
	const char	*u;

	for (i = 0; i < n; i++) {
		u = uri != NULL ? uri : m->directory.uris[i].uri;
		if (!directory_uri_cleartext(u, m->directory.tls, m->directory.bind))
			continue;
		fprintf(stderr, "mutualize: warning: %s: the bind password would "
		    "go in clear text to a host that is not this machine "
		    "(tls: none);\nmutualize: warning: use StartTLS or "
		    "ldaps://, or ldapi:// on the server itself\n", u);
	}
}

static int
cmd_validate(struct options *o)
{
	struct model	*m = load_checked(o);
	size_t		 i, people = 0, groups = 0;

	if (m == NULL)
		return EXIT_ERROR;
	warn_cleartext(m, NULL);
	for (i = 0; i < m->ntenants; i++) {
		people += m->tenants[i].npeople;
		groups += m->tenants[i].ngroups;
	}
	printf("%s: valid: %zu tenants, %zu people, %zu groups.\n", o->file,
	    m->ntenants, people, groups);
	model_free(m);
	return EXIT_OK;
}

static int
use_color(void)
{
	const char	*nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/*
 * The servers to try: the file's URIs, or the one of -H, each with the TLS it
 * gets. Returns the number of them (the caller frees *targets), or 0 after
 * printing why -H cannot serve.
 */
static size_t
targets_of(const struct model *m, const char *uri,
    struct conn_target **targets)
{
	const char	*why;
	size_t		 i, n = uri != NULL ? 1 : m->directory.nuris;

	*targets = xcalloc(n, sizeof(**targets));
	for (i = 0; i < n; i++) {
		(*targets)[i].uri = uri != NULL ? uri : m->directory.uris[i].uri;
		if (directory_uri_tls((*targets)[i].uri, m->directory.tls,
		    m->directory.bind, &(*targets)[i].tls, &why) == -1) {
			/* the file's URIs were checked with it: this is -H */
			fprintf(stderr, "mutualize: -H %s: the URI %s\n", uri, why);
			return 0;
		}
	}
	return n;
}

/*
 * Every local input is read before the first packet: the password (unless
 * SASL EXTERNAL), the CA file; then the servers are tried in order.
 */
static struct conn *
connect_directory(const struct model *m, const struct options *o, int *status)
{
	struct diags		 d = { 0 };
	struct conn_opts	 co;
	struct conn_target	*targets = NULL;
	struct conn		*c = NULL;
	char			*pw = NULL, *ca = NULL;

	*status = EXIT_ERROR;
	memset(&co, 0, sizeof(co));
	if ((co.ntargets = targets_of(m, o->uri, &targets)) == 0)
		goto out;
	warn_cleartext(m, o->uri);
	if (m->directory.bind == BIND_SIMPLE &&
	    (pw = secret_bind_password(m, &d)) == NULL)
		goto out;
	if (directory_ca_check(m, &d) == -1)
		goto out;
	if (m->directory.ca_file != NULL)
		ca = directory_path(m, m->directory.ca_file);
	co.targets = targets;
	co.bind = m->directory.bind;
	co.bind_dn = m->directory.bind_dn;
	co.password = pw;
	co.ca_file = ca;
	co.timeout = m->directory.timeout;
	co.verbose = o->verbose;
	c = conn_open(&co, status);
out:
	diag_print(&d, stderr);
	diag_free(&d);
	secret_free(pw);
	free(ca);
	free(targets);
	return c;
}

static void
report_partial(const struct plan *p, const struct apply_result *r,
    const char *file)
{
	if (r->done == 0)
		fprintf(stderr, "mutualize: none of the %zu changes was made; "
		    "nothing was written.\n", p->n);
	else
		fprintf(stderr, "mutualize: %zu of %zu changes were made before "
		    "the error; the directory is partly updated.\n"
		    "mutualize: run \"mutualize plan %s\" to see what remains.\n",
		    r->done, p->n, file);
}

/*
 * SIGINT, SIGTERM and SIGHUP are blocked from the moment a run is connected,
 * and looked for at safe points: between two batches of an apply, once the
 * directory was read. Blocked rather than caught, they need no handler and no
 * global flag, they never interrupt libldap in the middle of an answer, and a
 * second Ctrl-C cannot kill the run half-way through writing its files. The
 * threads that hash passwords are made while they are blocked, so that none
 * of them takes the signal either.
 */
static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/* The stop signal waiting to be taken, or 0. */
static int
stop_pending(void)
{
	sigset_t	pending;

	if (sigpending(&pending) == -1)
		return 0;
	return sigismember(&pending, SIGINT) ? SIGINT :
	    sigismember(&pending, SIGTERM) ? SIGTERM :
	    sigismember(&pending, SIGHUP) ? SIGHUP : 0;
}

/* Takes the pending stop signals, so that unblocking them does not kill. */
static int
stop_take(void)
{
	struct timespec	 zero = { 0, 0 };
	sigset_t	 set;
	int		 sig, first = 0;

	stop_signals(&set);
	while ((sig = sigtimedwait(&set, NULL, &zero)) > 0)
		if (first == 0)
			first = sig;
	return first;
}

static const char *
signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/*
 * The end of a run that blocked the stop signals: one that came too late to
 * stop anything is said, and makes the status; then the mask is restored.
 */
static int
stop_end(const sigset_t *mask, int ret, int wrote)
{
	int	sig;

	if ((sig = stop_take()) != 0 && ret < 128) {
		fprintf(stderr, "mutualize: %s received; %s\n", signal_name(sig),
		    wrote && ret != EXIT_ERROR ? "it came after the last change" :
		    "nothing was written");
		ret = 128 + sig;
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	return ret;
}

/* Generalized time (RFC 4517), t seconds from now. */
static void
gentime(char buf[16], time_t delta)
{
	time_t		t = time(NULL) + delta;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, 16, "%Y%m%d%H%M%SZ", &tm);
}

/* New accounts that get a generated password. */
static size_t
people_added(const struct plan *p, const struct model *m)
{
	size_t	i, n = 0;

	if (m->policy.password_scheme == PW_NONE)
		return 0;
	for (i = 0; i < p->n; i++)
		n += p->v[i].op == CHANGE_ADD && p->v[i].entry->kind == ENTRY_PERSON;
	return n;
}

/* Whether the plan's new accounts have a credentials file. 0 or -1, said. */
static int
need_credentials(const struct plan *p, const struct model *m,
    const struct options *o)
{
	size_t	n = people_added(p, m);

	if (n == 0 || o->credentials != NULL)
		return 0;
	fprintf(stderr, "mutualize: the plan creates %zu account%s: give "
	    "--credentials FILE for their initial passwords\nmutualize: "
	    "(a new file, mode 0600; passwords go nowhere else)\n", n,
	    n == 1 ? "" : "s");
	return -1;
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
 * Every file a run will create is checked before the first packet: a
 * symbolic link in its place, dangling or not, or something that is not a
 * regular file, would otherwise fail the run only once the directory was
 * written. A regular file of that name is refused when the file is made
 * (the journal excepted, which is appended to): a run that has nothing to
 * write there does not need the name.
 */
static int
check_outputs(const struct options *o, int write, const char *journal,
    const char *undo)
{
	int	bad = 0;

	if (o->credentials != NULL && (write || o->show_hashes))
		bad |= path_check_regular(o->credentials, "credentials file");
	if (o->out != NULL)
		bad |= path_check_regular(o->out, "plan file");
	if (write) {
		bad |= path_check_regular(journal, "journal");
		bad |= path_check_regular(undo, "undo file");
	}
	return bad ? -1 : 0;
}

/*
 * The plan as LDIF change records for ldapmodify. With --show-hashes, the
 * passwords of new people are made now: their hashes go in the LDIF, their
 * plaintext in the credentials file. Returns 0 or -1.
 */
static int
print_ldif(const struct plan *p, const struct model *m, const struct options *o)
{
	struct secret_file	 sf;
	struct initial		 in = { .wanted = 1 };
	char			*hash;
	FILE			*creds = NULL;
	size_t			 i;
	int			 ret = 0;

	memset(&sf, 0, sizeof(sf));
	if (o->show_hashes && people_added(p, m) > 0) {
		if (need_credentials(p, m, o) == -1 ||
		    secret_file_create(&sf, o->credentials) == -1)
			return -1;
		creds = sf.fp;
	}
	puts("version: 1\n");
	for (i = 0; i < p->n && ret == 0; i++) {
		const struct change	*c = &p->v[i];

		hash = NULL;
		if (creds != NULL && c->op == CHANGE_ADD &&
		    c->entry->kind == ENTRY_PERSON) {
			initial_make(&in, m->policy.password_scheme);
			hash = in.hash;
			ret = secret_credentials(creds, c->entry, in.password);
		}
		ldif_write_change(stdout, c, hash, NULL, 0);
		initial_wipe(&in, 1);
	}
	if (creds != NULL && (ret == -1 ? (secret_file_close(&sf), -1) :
	    secret_file_commit(&sf)) == -1)
		ret = -1;
	if (ret == -1)
		fprintf(stderr, "mutualize: %s: cannot write\n", o->credentials);
	return ret;
}

/* plan --out: the plan for review, then for apply --plan. Returns 0 or -1. */
static int
save_plan(struct conn *c, const struct plan *p, const struct options *o,
    const char *digest, const char *now)
{
	struct secret_file	sf;

	if (secret_file_create(&sf, o->out) == -1)
		return -1;
	if (plan_save(c, p, sf.fp, o->file, digest, now) == -1) {
		fprintf(stderr, "mutualize: %s: cannot write\n", o->out);
		secret_file_close(&sf);
		return -1;
	}
	if (secret_file_commit(&sf) == -1)
		return -1;
	fprintf(stderr, "Plan saved to %s; apply it with: mutualize apply --plan "
	    "%s %s\n", o->out, o->out, o->file);
	return 0;
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
		fprintf(stderr, "mutualize: the directory keeps its changes; "
		    "make the failed calls above by hand, or let the next "
		    "change of these people make them.\n");
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

/* What an apply needs from the run that planned it. */
struct apply_run {
	struct conn		*c;
	const struct plan	*plan;
	const struct model	*m;
	const struct options	*o;
	struct connectors	*cn;
	const struct entries	*desired, *current;
	const char		*journal, *undo;
	size_t			 left_out;
};

/* Where the passwords, the journal and the undo file are, after any apply. */
static void
report_files(const struct apply_run *r, size_t passwords, FILE *fp)
{
	if (passwords > 0 && fp != stderr)
		fprintf(fp, "Initial passwords of the %zu new accounts: %s\n",
		    passwords, r->o->credentials);
	else if (passwords > 0)
		fprintf(fp, "mutualize: initial passwords of the new accounts: "
		    "%s\n", r->o->credentials);
	fprintf(fp, "%sJournal: %s; to take this apply back: ldapmodify -f %s\n",
	    fp == stderr ? "mutualize: " : "", r->journal, r->undo);
}

/* What became of the apply, said; returns the exit status. */
static int
report_apply(const struct apply_run *r, struct apply_result *res, int rc,
    size_t passwords)
{
	const struct plan	*p = r->plan;
	/* A JSON or LDIF plan on standard output stays one document. */
	FILE			*out = r->o->json || r->o->ldif ? stderr : stdout;
	int			 ret = EXIT_ERROR;

	if (rc == 0) {
		fprintf(out, "Apply complete: %zu added, %zu changed, %zu renamed "
		    "or moved, %zu disabled, %zu deleted.\n", p->nadd,
		    p->nmodify, p->nrename, p->ndisable, p->ndelete);
		report_files(r, passwords, out);
		ret = r->left_out > 0 ? EXIT_ERROR : EXIT_OK;
	} else if (res->stopped) {
		/* between two batches: the one in flight, if any, was answered */
		fprintf(stderr, "mutualize: stopped by %s between two batches: %zu "
		    "of %zu changes were made, the others were not sent.\n",
		    signal_name(res->stopped), res->done, p->n);
		report_files(r, passwords, stderr);
		ret = 128 + res->stopped;
	} else if (res->refused > 0 && !res->unwritten &&
	    res->done + res->refused == p->n) {
		fprintf(stderr, "mutualize: %zu reviewed change%s refused; the "
		    "others were made\n", res->refused, res->refused == 1 ?
		    " was" : "s were");
		report_files(r, passwords, stderr);
	} else {
		if (res->unwritten)
			fprintf(stderr, "mutualize: the apply stopped: a file "
			    "that must be written before the changes it records "
			    "could not be.\n");
		report_partial(p, res, r->o->file);
		report_files(r, passwords, stderr);
		ret = res->unwritten ? EXIT_ERROR : conn_status(r->c);
	}
	if (call_services(r->cn, p, res, r->desired, r->current,
	    r->o->verbose, out) > 0 && ret == EXIT_OK)
		ret = EXIT_CONNECTORS;
	return ret;
}

/*
 * Makes the plan's changes, with the credentials file, the journal and the
 * undo file written ahead of them. Returns the exit status.
 */
static int
write_directory(const struct apply_run *r)
{
	const struct options	*o = r->o;
	struct apply_opts	 ao;
	struct apply_result	 res;
	struct credentials	 creds;
	struct journal		 journal;
	size_t			 passwords;
	int			 rc, ret;

	memset(&res, 0, sizeof(res));
	memset(&ao, 0, sizeof(ao));
	if (open_credentials(r->plan, r->m, o, &creds) == -1)
		return EXIT_ERROR;
	if (journal_open(&journal, r->journal, r->undo) == -1) {
		credentials_close(&creds);
		return EXIT_ERROR;
	}
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
	rc = apply_plan(r->c, r->plan, &ao, &res);
	if (journal_close(&journal) == -1)
		res.unwritten = 1;
	passwords = creds.lines;
	if (credentials_close(&creds) == -1)
		res.unwritten = 1;
	if (res.unwritten)
		rc = -1;
	ret = report_apply(r, &res, rc, passwords);
	free_passwords(&res, r->plan->n);
	return ret;
}

/* The file, its templates, and the connectors' secrets and texts. */
static struct model *
load_inputs(const struct options *o, struct connectors *cn)
{
	struct diags	 d = { 0 };
	struct model	*m;

	memset(cn, 0, sizeof(*cn));
	if ((m = load_checked(o)) == NULL)
		return NULL;
	/* The connectors' secrets and texts too, before any packet. */
	if (connectors_load(cn, m, templates_dir(m, o->templates), &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: nothing was contacted.\n", o->file);
		diag_free(&d);
		connectors_free(cn);
		model_free(m);
		return NULL;
	}
	return m;
}

/*
 * The plan: identities against the directory read, the entries wanted, the
 * changes; now stamps departures. Returns 0, or -1 after saying why.
 */
static int
make_plan(struct model *m, const struct options *o, struct entries *desired,
    struct entries *current, const char *const *managed, const char *now,
    struct plan *plan)
{
	struct diff_opts	 dopts;
	struct diags		 d = { 0 };
	char			 prune_before[16];

	if (model_identities(m, current, &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: the directory makes these logins or "
		    "addresses collide; nothing was written.\n", o->file);
		diag_free(&d);
		return -1;
	}
	gentime(prune_before, -(time_t)m->policy.retention_days * 86400);
	/* What the directory holds, the entries wanted share. */
	desired->share = current;
	render(m, desired);
	memset(&dopts, 0, sizeof(dopts));
	dopts.model = m;
	dopts.managed = managed;
	dopts.remove_tenants = o->remove_tenants;
	dopts.on_departure = m->policy.on_departure;
	dopts.prune = o->prune;
	dopts.prune_before = prune_before;
	dopts.now = now;
	dopts.lock_accounts = current->ppolicy;
	diff(desired, current, &dopts, plan);
	hmap_free(&current->by_id);	/* done with: megabytes at 100,000 */
	if (o->ntenants > 0)
		plan_restrict(plan, o->tenants);
	return 0;
}

/*
 * The plan as --format asks, on standard output, then the guard rails.
 * Returns 0, or -1 when it cannot be printed or is refused.
 */
static int
show_plan(const struct plan *plan, const struct model *m,
    const struct options *o, struct connectors *cn,
    const struct entries *desired, const struct entries *current)
{
	struct print_opts	 po = { use_color() };

	if (o->json)
		plan_print_json(plan, o->file, stdout);
	else if (o->ldif) {
		if (print_ldif(plan, m, o) == -1)
			return -1;
	} else {
		plan_print_text(plan, m, stdout, &po);
		plan_print_summary(plan, o->file, stdout, &po);
		connectors_plan(cn, plan, plan->n, desired, current, NULL);
		connectors_print(cn, stdout);
	}
	fflush(stdout);
	return guard_plan(plan, current, &m->policy, &(struct guard_opts){
	    o->file, o->allow_mass_removal, o->allow_mass_change }, stderr) != 0 ?
	    -1 : 0;
}

/*
 * The directory as it is, under the lock when the run writes; the subtrees
 * read go to managed. Returns 0, or -1 after an error or a stop signal.
 */
static int
read_current(struct conn *c, const struct model *m, int write,
    const char *now, char **lockdn, struct entries *desired,
    struct entries *current, const char **managed)
{
	if (write && lock_take(c, m->syndicate.base_dn, now, lockdn) == -1)
		return -1;
	managed[0] = render_tenants_dn(&desired->arena, m);
	managed[1] = render_services_dn(&desired->arena, m);
	managed[2] = NULL;
	if (read_directory(c, m->syndicate.base_dn, managed[0], managed[1],
	    render_read_attrs(m), current) == -1)
		return -1;
	return stop_pending() != 0 ? -1 : 0;
}

/* plan, apply -n and apply: one path; only the last step differs. */
static int
run(struct options *o, int write)
{
	struct model		*m;
	struct conn		*c = NULL;
	struct entries		 desired, current;
	struct plan		 plan = { 0 };
	struct apply_run	 ar;
	struct connectors	 cn;
	const char		*managed[3];
	char			 now[16], *lockdn = NULL;
	struct saved		 saved = { 0 };
	char			*journal_path = NULL, *undo_path = NULL, digest[65];
	sigset_t		 stops, mask;
	size_t			 left_out = 0;
	int			 ret = EXIT_ERROR, blocked = 0;

	if ((m = load_inputs(o, &cn)) == NULL)
		return EXIT_ERROR;
	entries_init(&desired);
	entries_init(&current);
	gentime(now, 0);
	if ((o->out != NULL || o->saved != NULL) && model_digest(m, digest) == -1)
		goto out;
	if (o->saved != NULL && saved_load(&saved, o->saved, digest) == -1)
		goto out;
	journal_path = o->journal ? xstrdup(o->journal) :
	    xasprintf("%s/mutualize.journal", m->dir);
	undo_path = o->undo ? xstrdup(o->undo) :
	    xasprintf("%s/mutualize-undo-%s-%ld.ldif", m->dir, now, (long)getpid());
	if (check_outputs(o, write, journal_path, undo_path) == -1)
		goto out;
	if ((c = connect_directory(m, o, &ret)) == NULL)
		goto out;
	ret = EXIT_ERROR;
	stop_signals(&stops);
	blocked = sigprocmask(SIG_BLOCK, &stops, &mask) == 0;
	if (read_current(c, m, write, now, &lockdn, &desired, &current,
	    managed) == -1) {
		ret = conn_status(c);
		goto out;
	}
	/* a reviewed plan stamps departures with the time of the review */
	if (make_plan(m, o, &desired, &current, managed, o->saved != NULL &&
	    saved.now != NULL ? saved.now : now, &plan) == -1)
		goto out;
	if (o->saved != NULL &&
	    saved_match(&saved, &plan, o->saved, &left_out) == -1)
		goto out;
	if (show_plan(&plan, m, o, &cn, &desired, &current) == -1)
		goto out;
	if (o->out != NULL && save_plan(c, &plan, o, digest, now) == -1)
		goto out;
	if (!write || plan.n == 0) {
		ret = left_out > 0 ? EXIT_ERROR : o->exit_code && plan.n > 0 ?
		    EXIT_CHANGES : EXIT_OK;
		goto out;
	}
	if (need_credentials(&plan, m, o) == -1 || stop_pending() != 0)
		goto out;
	ar = (struct apply_run){ c, &plan, m, o, &cn, &desired, &current,
	    journal_path, undo_path, left_out };
	ret = write_directory(&ar);
out:
	connectors_free(&cn);
	if (c != NULL)
		lock_release(c, lockdn);
	if (blocked)
		ret = stop_end(&mask, ret, write && plan.n > 0);
	free(journal_path);
	free(undo_path);
	saved_free(&saved);
	plan_free(&plan);
	conn_close(c);
	entries_free(&desired);
	entries_free(&current);
	model_free(m);
	return ret;
}

/* Touches no server: the configuration follows from the file and template. */
static int
cmd_service_config(struct options *o)
{
	struct model		*m = load_checked(o);
	const struct service	*s;

	if (m == NULL)
		return EXIT_ERROR;
	if ((s = model_service(m, o->service)) == NULL) {
		fprintf(stderr, "mutualize: %s declares no service \"%s\"\n",
		    o->file, o->service);
		model_free(m);
		return EXIT_ERROR;
	}
	/* the first URI of the file: the one services try first too */
	service_config(m, s, o->uri ? o->uri : m->directory.nuris > 0 ?
	    m->directory.uris[0].uri : "ldap://localhost/", stdout);
	model_free(m);
	return EXIT_OK;
}

static int
cmd_plan(struct options *o)
{
	return run(o, 0);
}

static int
cmd_apply(struct options *o)
{
	return run(o, !o->dry_run);
}

/*
 * The whole directory the file describes, as LDIF content records in the order
 * apply would add them (parents first, people before their groups), for
 * slapadd into an empty database. Nothing is read from a server, so logins are
 * those an empty directory would get.
 */
static int
cmd_export(struct options *o)
{
	struct model		*m;
	struct entries		 desired, none;
	struct plan		 plan;
	struct diff_opts	 opts;
	struct secret_file	 sf;
	const char		*managed[3] = { NULL, NULL, NULL };
	FILE			*fp = stdout;
	sigset_t		 stops, mask;
	size_t			 i;
	int			 ret = EXIT_ERROR, sig;

	memset(&sf, 0, sizeof(sf));
	if ((m = load_checked(o)) == NULL)
		return EXIT_ERROR;
	entries_init(&desired);
	entries_init(&none);
	memset(&plan, 0, sizeof(plan));
	render(m, &desired);
	opts = (struct diff_opts){ .managed = managed, .now = "" };
	managed[0] = render_tenants_dn(&desired.arena, m);
	managed[1] = render_services_dn(&desired.arena, m);
	diff(&desired, &none, &opts, &plan);
	/* a new file, complete or absent: a stop waits until it is one */
	stop_signals(&stops);
	sigprocmask(SIG_BLOCK, &stops, &mask);
	if (o->output != NULL) {
		if (secret_file_create(&sf, o->output) == -1)
			goto out;
		fp = sf.fp;
	}
	/* No "version: 1" line: slapadd 2.5 takes it for an attribute, as slapcat writes none. */
	for (i = 0; i < plan.n; i++)
		ldif_write_entry(fp, plan.v[i].entry);
	if (o->output == NULL && (fflush(fp) == EOF || ferror(fp))) {
		fprintf(stderr, "mutualize: standard output: %s\n", strerror(errno));
		goto out;
	}
	if (o->output != NULL && secret_file_commit(&sf) == -1)
		goto out;
	if (o->output != NULL)
		printf("%s: %zu entries.\n", o->output, plan.n);
	ret = EXIT_OK;
out:
	if (sf.fp != NULL)
		secret_file_close(&sf);
	if ((sig = stop_take()) != 0) {
		fprintf(stderr, "mutualize: %s received; %s\n", signal_name(sig),
		    ret == EXIT_OK ? "it came after the export was written" :
		    "nothing was written");
		ret = 128 + sig;
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	plan_free(&plan);
	entries_free(&desired);
	entries_free(&none);
	model_free(m);
	return ret;
}

enum {
	OPT_EXIT_CODE = 256, OPT_PRUNE, OPT_MASS_REMOVAL, OPT_MASS_CHANGE,
	OPT_REMOVE_TENANT, OPT_CREDENTIALS, OPT_TENANT, OPT_FORMAT, OPT_SHOW_HASHES,
	OPT_JOURNAL, OPT_UNDO, OPT_OUT, OPT_PLAN, OPT_TEMPLATES, OPT_BATCH_SIZE,
	OPT_TXN, OPT_NO_TXN
};

/* Command options; those a command does not take are refused. */
static int
parse_command(const struct command *c, struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "exit-code", no_argument, NULL, OPT_EXIT_CODE },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "allow-mass-removal", no_argument, NULL, OPT_MASS_REMOVAL },
		{ "allow-mass-change", no_argument, NULL, OPT_MASS_CHANGE },
		{ "remove-tenant", required_argument, NULL, OPT_REMOVE_TENANT },
		{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
		{ "tenant", required_argument, NULL, OPT_TENANT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "show-hashes", no_argument, NULL, OPT_SHOW_HASHES },
		{ "journal", required_argument, NULL, OPT_JOURNAL },
		{ "undo", required_argument, NULL, OPT_UNDO },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "plan", required_argument, NULL, OPT_PLAN },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "batch-size", required_argument, NULL, OPT_BATCH_SIZE },
		{ "transactions", no_argument, NULL, OPT_TXN },
		{ "no-transactions", no_argument, NULL, OPT_NO_TXN },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	unsigned long n;
	int	ch, reads = c->run == cmd_plan || c->run == cmd_apply;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+hnH:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			command_usage(c, stdout);
			exit(EXIT_OK);
		case 'n':
			if (strcmp(c->name, "apply") != 0)
				goto bad;
			o->dry_run = 1;
			break;
		case 'H':
			if (!reads && !c->service)
				goto bad;
			o->uri = optarg;
			break;
		case 'o':
			if (strcmp(c->name, "export") != 0)
				goto bad;
			o->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_EXIT_CODE:
			if (!reads)
				goto bad;
			o->exit_code = 1;
			break;
		case OPT_PRUNE:
			if (!reads)
				goto bad;
			o->prune = 1;
			break;
		case OPT_MASS_REMOVAL:
			if (!reads)
				goto bad;
			o->allow_mass_removal = 1;
			break;
		case OPT_MASS_CHANGE:
			if (!reads)
				goto bad;
			o->allow_mass_change = 1;
			break;
		case OPT_REMOVE_TENANT:
			if (!reads || o->nremove_tenants + 1 >=
			    sizeof(o->remove_tenants) / sizeof(o->remove_tenants[0]))
				goto bad;
			o->remove_tenants[o->nremove_tenants++] = optarg;
			break;
		case OPT_TENANT:
			if (!reads || o->ntenants + 1 >=
			    sizeof(o->tenants) / sizeof(o->tenants[0]))
				goto bad;
			o->tenants[o->ntenants++] = optarg;
			break;
		case OPT_FORMAT:
			if (!reads || (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0 && strcmp(optarg, "ldif") != 0))
				goto bad;
			o->json = strcmp(optarg, "json") == 0;
			o->ldif = strcmp(optarg, "ldif") == 0;
			break;
		case OPT_JOURNAL:
		case OPT_UNDO:
			if (!c->write)
				goto bad;
			*(ch == OPT_JOURNAL ? &o->journal : &o->undo) = optarg;
			break;
		case OPT_OUT:
			if (!reads)
				goto bad;
			o->out = optarg;
			break;
		case OPT_PLAN:
			if (!c->write)
				goto bad;
			o->saved = optarg;
			break;
		case OPT_SHOW_HASHES:
			if (!reads)
				goto bad;
			o->show_hashes = 1;
			break;
		case OPT_CREDENTIALS:
			if (!reads)
				goto bad;
			o->credentials = optarg;
			break;
		case OPT_TEMPLATES:
			o->templates = optarg;
			break;
		case OPT_BATCH_SIZE:
			if (!c->write)
				goto bad;
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (*optarg < '1' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || n > BATCH_MAX) {
				fprintf(stderr, "mutualize: --batch-size takes a "
				    "count from 1 to %d\n", BATCH_MAX);
				goto bad;
			}
			o->batch_size = n;
			break;
		case OPT_TXN:
		case OPT_NO_TXN:
			if (!c->write)
				goto bad;
			/* --no-transactions: the default, kept for scripts */
			if (o->transactions == (ch == OPT_TXN ? -1 : 1)) {
				fprintf(stderr, "mutualize: --transactions and "
				    "--no-transactions exclude each other\n");
				goto bad;
			}
			o->transactions = ch == OPT_TXN ? 1 : -1;
			break;
		default:
			goto bad;
		}
	}
	if (o->exit_code && c->write && !o->dry_run) {
		fprintf(stderr, "mutualize: --exit-code goes with plan or "
		    "apply --dry-run\n");
		goto bad;
	}
	if (o->show_hashes && (!o->ldif || o->credentials == NULL ||
	    (c->write && !o->dry_run))) {
		fprintf(stderr, "mutualize: --show-hashes goes with --format ldif "
		    "and --credentials, and writes nothing to the directory\n");
		goto bad;
	}
	if ((o->out != NULL && c->write && !o->dry_run) ||
	    (o->saved != NULL && (o->dry_run || o->out != NULL))) {
		fprintf(stderr, "mutualize: --out goes with plan (or apply -n), "
		    "--plan with apply\n");
		goto bad;
	}
	if (o->credentials != NULL && !c->write && !o->show_hashes) {
		fprintf(stderr, "mutualize: --credentials goes with apply, or with "
		    "--show-hashes\n");
		goto bad;
	}
	if (argc - optind != 1 + c->service)
		goto bad;
	if (c->service)
		o->service = argv[optind++];
	o->file = argv[optind];
	return 0;
bad:
	command_usage(c, stderr);
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct options	o;
	size_t		i;
	int		ch;

	/* A server that goes away is an error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "+hqVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'q':
			o.quiet = 1;
			break;
		case 'V':
			puts("mutualize " MUTUALIZE_VERSION);
			return EXIT_OK;
		case 'v':
			o.verbose++;
			break;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_ERROR;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == NCOMMANDS) {
		fprintf(stderr, "mutualize: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return EXIT_ERROR;
	}
	if (parse_command(&commands[i], &o, argc, argv) == -1)
		return EXIT_ERROR;
	return commands[i].run(&o);
}
