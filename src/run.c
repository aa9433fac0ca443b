/*
 * The pipeline of plan and apply, one stage after the other:
 *
 *   load the inputs     the file, its templates, the connectors' secrets, a
 *                       reviewed plan, the names of the files to write
 *   connect             the password and CA read, the servers tried in order
 *   read                the directory as it is, under the lock when writing
 *   build the plan      identities, the entries wanted, the changes
 *   present it          text, JSON or LDIF on standard output
 *   guard it            the guard rails, before anything is written
 *   save it             plan --out
 *   apply it            write.c: credentials, journal, writes, report, calls
 *
 * Everything local is read before the first packet to the server.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"
#include "run.h"

/* Generalized time (RFC 4517), t seconds from now. */
static void
gentime(char buf[16], time_t delta)
{
	time_t		t = time(NULL) + delta;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, 16, "%Y%m%d%H%M%SZ", &tm);
}

/* Stage 1: load the inputs. */

/*
 * Loads and checks the file and the templates of its services; prints every
 * error. Identities are assigned as if the directory were empty; a run
 * assigns them again once it has read the directory.
 */
struct model *
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

/* Whether the file declares a connector, a removal hook included. */
static int
has_connectors(const struct model *m)
{
	size_t	i;

	for (i = 0; i < m->nservices; i++)
		if (m->services[i].scim.url != NULL ||
		    (m->services[i].tmpl != NULL &&
		    m->services[i].tmpl->on_removal != NULL))
			return 1;
	return m->webhook.url != NULL || m->welcome.url != NULL;
}

/*
 * A run that writes opens the outbox, when it has connectors or the outbox
 * has calls from a time it had: locked, read, and the calls past
 * policy.connector_give_up_days given up, all before any packet. Returns 0,
 * or -1 after saying why.
 */
static int
open_outbox(struct run *r)
{
	size_t	n;

	r->cn.now = (long long)time(NULL);
	if (!r->write || (!has_connectors(r->m) &&
	    access(r->outbox_path, F_OK) == -1))
		return 0;
	if (outbox_open(&r->outbox, r->outbox_path) == -1)
		return -1;
	r->cn.outbox = &r->outbox;
	if ((n = outbox_give_up(&r->outbox, r->cn.now,
	    r->m->policy.connector_give_up_days)) > 0)
		msg_warn("%zu call%s to the services given up, moved to %s: "
		    "make %s by hand, then remove that file", n, n == 1 ? "" :
		    "s", r->outbox.dead_path, n == 1 ? "it" : "them");
	return 0;
}

/*
 * The file, its templates, the connectors' secrets and texts, the reviewed
 * plan of apply --plan, and the files the run will make: all before any
 * packet. Returns 0, or -1 after saying why.
 */
int
load_inputs(struct run *r)
{
	const struct options	*o = r->o;
	struct diags		 d = { 0 };

	if ((r->m = load_checked(o)) == NULL)
		return -1;
	if (connectors_load(&r->cn, r->m, templates_dir(r->m, o->templates),
	    &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: nothing was contacted.\n", o->file);
		diag_free(&d);
		return -1;
	}
	if ((o->out != NULL || o->saved != NULL) &&
	    model_digest(r->m, r->digest) == -1)
		return -1;
	if (o->saved != NULL &&
	    saved_load(&r->saved, o->saved, r->digest) == -1)
		return -1;
	r->journal = o->journal ? xstrdup(o->journal) :
	    xasprintf("%s/mutualize.journal", r->m->dir);
	r->undo = o->undo ? xstrdup(o->undo) :
	    xasprintf("%s/mutualize-undo-%s-%ld.ldif", r->m->dir, r->now,
	    (long)getpid());
	r->outbox_path = o->outbox ? xstrdup(o->outbox) :
	    xasprintf("%s/mutualize.outbox", r->m->dir);
	if (check_outputs(o, r->write, r->journal, r->undo) == -1)
		return -1;
	return open_outbox(r);
}

/* Stage 2, connect: target.c. */

/* Stage 3: read the directory. */

/*
 * The directory as it is, under the lock when the run writes; the subtrees
 * read go to managed. Returns 0, or -1 after an error or a stop signal.
 */
static int
read_current(struct run *r)
{
	const struct model	*m = r->m;

	/* held from the first read to the end; taken once the base exists */
	if (r->write && r->lockdn == NULL && lock_take(r->c,
	    m->syndicate.base_dn, r->now, &r->lockdn) == -1)
		return -1;
	r->managed[0] = render_tenants_dn(&r->desired.arena, m);
	r->managed[1] = render_services_dn(&r->desired.arena, m);
	r->managed[2] = render_system_dn(&r->desired.arena, m);
	r->managed[3] = NULL;
	if (read_directory(r->c, m->syndicate.base_dn, r->managed[0],
	    r->managed + 1, render_read_attrs(m), &r->current) == -1)
		return -1;
	return stop_pending() != 0 ? -1 : 0;
}

/* Stage 4: build the plan. */

/*
 * The plan: identities against the directory read, the entries wanted, the
 * changes, those of --tenant kept, then those of a reviewed plan. Returns 0,
 * or -1 after saying why.
 */
int
build_plan(struct run *r)
{
	const struct options	*o = r->o;
	struct diff_opts	 dopts;
	struct diags		 d = { 0 };
	char			 prune_before[16];

	if (model_identities(r->m, &r->current, &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: the directory makes these logins or "
		    "addresses collide; nothing was written.\n", o->file);
		diag_free(&d);
		return -1;
	}
	gentime(prune_before, -(time_t)r->m->policy.retention_days * 86400);
	/* What the directory holds, the entries wanted share. */
	r->desired.share = &r->current;
	/* ppolicy's attributes are wanted where the server has ppolicy */
	r->desired.ppolicy = r->current.ppolicy;
	render(r->m, &r->desired);
	memset(&dopts, 0, sizeof(dopts));
	dopts.model = r->m;
	dopts.managed = r->managed;
	dopts.remove_tenants = (const char *const *)o->remove_tenants.v;
	dopts.on_departure = r->m->policy.on_departure;
	dopts.prune = o->prune;
	dopts.prune_before = prune_before;
	/* a reviewed plan stamps departures with the time of the review */
	dopts.now = o->saved != NULL && r->saved.now != NULL ? r->saved.now :
	    r->now;
	dopts.lock_accounts = r->current.ppolicy;
	diff(&r->desired, &r->current, &dopts, &r->plan);
	hmap_free(&r->current.by_id);	/* done with: megabytes at 100,000 */
	if (o->tenants.v[0] != NULL)
		plan_restrict(&r->plan, (const char *const *)o->tenants.v);
	if (o->saved != NULL &&
	    saved_match(&r->saved, &r->plan, o->saved, &r->left_out) == -1)
		return -1;
	return 0;
}

/* Stage 5: present the plan, in the format --format names. */

static int
use_color(void)
{
	const char	*nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/* The plan as a diff, its summary, and the calls to the services it makes. */
static int
show_text(struct run *r)
{
	struct print_opts	 po = { use_color(), r->o->horizon_set ?
	    r->o->horizon : HORIZON_DEFAULT, !r->o->detail &&
	    r->o->tenants.v[0] == NULL, r->o->detail_limit_set ?
	    r->o->detail_limit : DETAIL_LIMIT_DEFAULT };

	plan_print_text(&r->plan, r->m, stdout, &po);
	plan_print_coming(r->m, stdout, &po);
	plan_print_summary(&r->plan, r->o->file, stdout, &po);
	connectors_plan(&r->cn, &r->plan, r->plan.n, &r->desired, &r->current,
	    NULL);
	connectors_print(&r->cn, stdout);
	outbox_print(r->outbox_path, (long long)time(NULL), stdout);
	return 0;
}

static int
show_json(struct run *r)
{
	struct print_opts	 po = { 0, r->o->horizon_set ? r->o->horizon :
	    HORIZON_DEFAULT, 0, 0 };

	plan_print_json(&r->plan, r->m, &po, r->o->file, stdout);
	return 0;
}

/*
 * The plan as LDIF change records for ldapmodify. With --show-hashes, the
 * passwords of new people are made now: their hashes go in the LDIF, their
 * plaintext in the credentials file; a new service account's hash is that of
 * the password in its file, when the file exists. Returns 0 or -1.
 */
static int
show_ldif(struct run *r)
{
	const struct plan	*p = &r->plan;
	const struct model	*m = r->m;
	const struct options	*o = r->o;
	struct secret_file	 sf;
	struct initial		 in = { .wanted = 1 };
	char			*hash, *account = NULL;
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
		if (creds != NULL && change_wants_password(c)) {
			initial_make(&in, m->policy.password_scheme);
			hash = in.hash;
			ret = secret_credentials(creds, c->entry, in.password);
		}
		/* an account's, from its file: a plan writes none */
		if (o->show_hashes && c->entry->kind == ENTRY_ACCOUNT)
			hash = account = account_hash_existing(m, c);
		ldif_write_change(stdout, c, hash, NULL, 0);
		initial_wipe(&in, 1);
		secret_free(account);
		account = NULL;
	}
	if (creds != NULL && (ret == -1 ? (secret_file_close(&sf), -1) :
	    secret_file_commit(&sf)) == -1)
		ret = -1;
	if (ret == -1)
		msg_warn("%s: cannot write", o->credentials);
	return ret;
}

/* In the order of enum plan_format. */
static const struct format {
	const char	*name;
	int		(*show)(struct run *);
} formats[] = {
	{ "text", show_text },
	{ "json", show_json },
	{ "ldif", show_ldif },
};

int
plan_format(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(name, formats[i].name) == 0)
			return (int)i;
	return -1;
}

/* The plan on standard output. Returns 0, or -1 when it cannot be. */
int
present_plan(struct run *r)
{
	if (formats[r->o->format].show(r) == -1)
		return -1;
	fflush(stdout);
	return 0;
}

/* Stage 6: guard it. */

/* 0, or -1 when a guard rail refuses the plan, said with its override. */
int
run_guard(const struct run *r)
{
	struct guard_opts	go = { r->o->file, r->o->allow_mass_removal,
	    r->o->allow_mass_change };

	return guard_plan(&r->plan, &r->current, &r->m->policy, &go,
	    stderr) != 0 ? -1 : 0;
}

/* Stage 7: save it. */

/* plan --out: the plan for review, then for apply --plan. Returns 0 or -1. */
static int
save_plan(const struct run *r)
{
	const struct options	*o = r->o;
	struct secret_file	sf;

	if (secret_file_create(&sf, o->out) == -1)
		return -1;
	if (plan_save(r->c, &r->plan, sf.fp, o->file, r->digest,
	    r->now) == -1) {
		msg_warn("%s: cannot write", o->out);
		secret_file_close(&sf);
		return -1;
	}
	if (secret_file_commit(&sf) == -1)
		return -1;
	fprintf(stderr, "Plan saved to %s; apply it with: mutualize apply --plan "
	    "%s%s%s %s\n", o->out, o->out, o->allow_mass_removal ?
	    " --allow-mass-removal" : "", o->allow_mass_change ?
	    " --allow-mass-change" : "", o->file);
	return 0;
}

/* Stage 8: apply it; a plan alone, or one with nothing to do, ends here. */

/*
 * The first plan, and at most two more: a directory still changing under the
 * apply after that is another writer at work, not replication catching up.
 */
#define ROUNDS_MAX	3

/*
 * The directory read again under the lock held, and planned again: what the
 * changes found done left to do, or what the writer that made them made
 * otherwise. The guard rails hold for this plan too. Returns 0, or the exit
 * status after saying why.
 */
static int
plan_again(struct run *r)
{
	plan_free(&r->plan);
	entries_free(&r->desired);
	entries_free(&r->current);
	entries_init(&r->desired);
	entries_init(&r->current);
	if (read_current(r) == -1)
		return stop_pending() != 0 ? EXIT_ERROR : conn_status(r->c);
	if (build_plan(r) == -1)
		return EXIT_ERROR;
	/* one JSON or LDIF document on standard output: the first plan's */
	if (r->o->format == FORMAT_TEXT && r->plan.n > 0 && show_text(r) == -1)
		return EXIT_ERROR;
	fflush(stdout);
	if (run_guard(r) == -1 || need_credentials(&r->plan, r->m, r->o) == -1)
		return EXIT_ERROR;
	return 0;
}

/*
 * Changes that failed and were found done already (a failed provider's
 * changes reaching this one by replication) make the apply plan again, in
 * rounds; a reviewed plan is applied as reviewed, and never planned again.
 */
int
run_apply(struct run *r)
{
	const struct options	*o = r->o;
	struct writing		 w;
	int			 round, status = 0;

	if (!r->write)
		return r->left_out > 0 ? EXIT_ERROR : o->exit_code &&
		    r->plan.n > 0 ? EXIT_CHANGES : EXIT_OK;
	if (r->plan.n == 0)
		return write_retry(r, r->left_out > 0 ? EXIT_ERROR : EXIT_OK);
	if (need_credentials(&r->plan, r->m, o) == -1 || stop_pending() != 0)
		return EXIT_ERROR;
	write_begin(&w);
	for (round = 1; r->plan.n > 0; round++) {
		if (write_round(r, &w) == -1 || w.res.already == 0 ||
		    o->saved != NULL || round == ROUNDS_MAX || stop_pending())
			break;
		write_carry(r, &w);
		msg_warn("the directory changed under the apply (%zu change%s "
		    "found already made): planning again", w.res.already,
		    w.res.already == 1 ? "" : "s");
		if ((status = plan_again(r)) != 0)
			break;
	}
	return write_end(r, &w, status);
}

void
run_init(struct run *r, const struct options *o, int write)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->write = write;
	entries_init(&r->desired);
	entries_init(&r->current);
	gentime(r->now, 0);
}

static void
run_free(struct run *r)
{
	if (r->outbox.path != NULL)	/* connectors_free forgot it */
		outbox_close(&r->outbox);
	free(r->outbox_path);
	free(r->journal);
	free(r->undo);
	saved_free(&r->saved);
	plan_free(&r->plan);
	conn_close(r->c);
	entries_free(&r->desired);
	entries_free(&r->current);
	model_free(r->m);
}

int
run_end(struct run *r, int ret, const sigset_t *mask)
{
	connectors_free(&r->cn);
	if (r->c != NULL)
		lock_release(r->c, r->lockdn);
	if (mask != NULL)
		ret = stop_end(mask, ret, r->wrote);
	run_free(r);
	return ret;
}

/* plan, apply -n and apply: one path; only the last stage differs. */
int
run_plan(const struct options *o, int write)
{
	struct run	r;
	sigset_t	stops, mask;
	int		ret = EXIT_ERROR, blocked = 0;

	run_init(&r, o, write);
	if (load_inputs(&r) == -1 ||
	    (r.c = connect_directory(r.m, o, &ret)) == NULL)
		goto out;
	ret = EXIT_ERROR;
	stop_signals(&stops);
	blocked = sigprocmask(SIG_BLOCK, &stops, &mask) == 0;
	if (read_current(&r) == -1) {
		ret = conn_status(r.c);
		goto out;
	}
	if (build_plan(&r) == -1)
		goto out;
	accounts_warn_missing(r.m, &r.current);
	if (present_plan(&r) == -1 || run_guard(&r) == -1)
		goto out;
	if (o->out != NULL && save_plan(&r) == -1)
		goto out;
	ret = run_apply(&r);
out:
	return run_end(&r, ret, blocked ? &mask : NULL);
}

/*
 * apply --retry-pending: the file and the connectors' secrets read, the
 * outbox's due calls sent; the directory is neither read nor written, and
 * the calls are sent with the file's URLs and secrets of today.
 */
int
run_retry(const struct options *o)
{
	struct run	r;
	int		ret = EXIT_ERROR;

	run_init(&r, o, 1);
	if (load_inputs(&r) == 0)
		ret = r.cn.outbox != NULL ? write_retry(&r, EXIT_OK) : EXIT_OK;
	return run_end(&r, ret, NULL);
}

/* The commands that only load: validate and service-config. */

int
run_validate(const struct options *o)
{
	struct model	*m = load_checked(o);
	size_t		 i, people = 0, groups = 0, mailboxes = 0;

	if (m == NULL)
		return EXIT_ERROR;
	warn_cleartext(m, NULL);
	for (i = 0; i < m->ntenants; i++) {
		people += m->tenants[i].npeople;
		groups += m->tenants[i].ngroups;
		mailboxes += m->tenants[i].nmailboxes;
	}
	printf("%s: valid: %zu tenants, %zu people, %zu groups", o->file,
	    m->ntenants, people, groups);
	if (mailboxes > 0)
		printf(", %zu mailbox%s", mailboxes, mailboxes == 1 ? "" : "es");
	printf(".\n");
	model_free(m);
	return EXIT_OK;
}

/* Touches no server: the configuration follows from the file and template. */
int
run_service_config(const struct options *o)
{
	struct model		*m = load_checked(o);
	const struct service	*s;

	if (m == NULL)
		return EXIT_ERROR;
	if ((s = model_service(m, o->service)) == NULL) {
		msg_warn("%s declares no service \"%s\"", o->file, o->service);
		model_free(m);
		return EXIT_ERROR;
	}
	/* the first URI of the file: the one services try first too */
	service_config(m, s, o->uri ? o->uri : m->directory.nuris > 0 ?
	    m->directory.uris[0].uri : "ldap://localhost/", stdout);
	model_free(m);
	return EXIT_OK;
}
