/*
 * mutualize [-hVv] command [options] file
 *
 * Global options, then a command from the table. Everything local (the file,
 * the password) is read and checked before the first packet to the server.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mutualize.h"

/* The parsed command line: the only state shared by the whole run. */
struct options {
	int		 verbose;
	int		 dry_run;
	int		 exit_code;
	int		 prune;
	int		 allow_mass_removal;
	int		 allow_mass_change;
	const char	*uri;
	const char	*credentials;
	const char	*templates;		/* --templates */
	const char	*service;		/* service-config */
	const char	*file;
	const char	*remove_tenants[16];	/* NULL-terminated */
	size_t		 nremove_tenants;
	const char	*tenants[64];		/* --tenant, NULL-terminated */
	size_t		 ntenants;
	int		 json;			/* --format json */
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
static int	cmd_service_config(struct options *);

static const struct command commands[] = {
	{ "validate", cmd_validate, "validate [-h] [--templates dir] file",
	    "check the file and its templates; contact no server", 0, 0 },
	{ "plan", cmd_plan, "plan [-h] [--exit-code] [--format text | json] "
	    "[--tenant id] [--prune]\n\t[--allow-mass-removal] "
	    "[--allow-mass-change] [--remove-tenant id]\n"
	    "\t[--templates dir] [-H uri] file",
	    "show the changes apply would make (apply --dry-run)", 0, 0 },
	{ "apply", cmd_apply, "apply [-h] [-n | --dry-run] [--exit-code] "
	    "[--format text | json] [--tenant id]\n\t[--prune] "
	    "[--allow-mass-removal] [--allow-mass-change] [--remove-tenant id]\n"
	    "\t[--credentials file] [--templates dir] [-H uri] file",
	    "make the directory match the file", 1, 0 },
	{ "service-config", cmd_service_config, "service-config [-h] "
	    "[--templates dir] [-H uri] service file",
	    "print the LDAP part of a service's configuration", 0, 1 },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *fp)
{
	size_t	i;

	fputs("usage: mutualize [-hVv] command [options] file\n\ncommands:\n", fp);
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

static int
cmd_validate(struct options *o)
{
	struct model	*m = load_checked(o);
	size_t		 i, people = 0, groups = 0;

	if (m == NULL)
		return EXIT_ERROR;
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

static struct conn *
connect_directory(const struct model *m, const struct options *o)
{
	struct diags	 d = { 0 };
	struct conn_opts co;
	struct conn	*c;
	char		*pw;

	if ((pw = secret_bind_password(m, &d)) == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return NULL;
	}
	co.uri = o->uri ? o->uri : m->directory.uri;
	co.bind_dn = m->directory.bind_dn;
	co.password = pw;
	co.verbose = o->verbose;
	c = conn_open(&co);
	secret_free(pw);
	return c;
}

static void
report_partial(const struct plan *p, const struct apply_result *r,
    const char *file)
{
	fprintf(stderr, "mutualize: %zu of %zu changes were made before the "
	    "error; the directory is partly updated.\n"
	    "mutualize: run \"mutualize plan %s\" to see what remains.\n",
	    r->done, p->n, file);
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

/*
 * The guard rails: a plan that removes a tenant nobody confirmed, that disables
 * or deletes more people than max_removals, or that changes more than half of
 * what mutualize manages, is refused before anything is written. Each refusal
 * says how to override it. Returns 0, or -1 when refused.
 */
static int
guard(const struct plan *p, const struct entries *current, const struct model *m,
    const struct options *o)
{
	const struct policy	*pol = &m->policy;
	size_t			 i, people = 0, managed = 0, limit, changes;
	int			 ok = 1;

	for (i = 0; i < current->v.n; i++) {
		const struct entry	*e = current->v.v[i];

		if (!entry_managed(e))
			continue;
		managed++;
		people += e->kind == ENTRY_PERSON;
	}
	for (i = 0; i < p->tenants_gone.n; i++) {
		const struct entry	*t = p->tenants_gone.v[i];

		fprintf(stderr, "mutualize: tenant \"%s\" (%s) is in the directory "
		    "but not in %s; mutualize never removes a tenant by itself.\n"
		    "mutualize: to remove it with everything in it, run again with "
		    "--remove-tenant %s\n", t->tenant, t->dn, o->file, t->tenant);
		ok = 0;
	}
	if (pol->max_removals_set)
		limit = pol->max_removals_percent ?
		    (people * pol->max_removals + 99) / 100 : pol->max_removals;
	else {
		limit = (people * 5 + 99) / 100;
		limit = limit < 10 ? 10 : limit > 500 ? 500 : limit;
	}
	if (p->nremovals > limit && !o->allow_mass_removal) {
		fprintf(stderr, "mutualize: this plan disables or deletes %zu people, "
		    "more than max_removals allows (%zu of %zu).\nmutualize: if that "
		    "is meant, run again with --allow-mass-removal\n", p->nremovals,
		    limit, people);
		ok = 0;
	}
	changes = p->nmodify + p->nrename + p->ndisable + p->ndelete;
	if (managed >= 20 && changes * 2 > managed && !o->allow_mass_change) {
		fprintf(stderr, "mutualize: this plan changes %zu of the %zu entries "
		    "mutualize manages, more than half: the sign of a broken file "
		    "or template.\nmutualize: if that is meant, run again with "
		    "--allow-mass-change\n", changes, managed);
		ok = 0;
	}
	if (!ok)
		fprintf(stderr, "mutualize: the plan is refused; nothing was "
		    "written.\n");
	return ok ? 0 : -1;
}

static size_t
people_added(const struct plan *p)
{
	size_t	i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->v[i].op == CHANGE_ADD && p->v[i].entry->kind == ENTRY_PERSON;
	return n;
}

/* Opens the credentials file when the plan creates accounts. Returns 0 or -1. */
static int
open_credentials(const struct plan *p, const struct options *o, FILE **fp)
{
	size_t	n = people_added(p);

	*fp = NULL;
	if (n == 0)
		return 0;
	if (o->credentials == NULL) {
		fprintf(stderr, "mutualize: the plan creates %zu account%s: give "
		    "--credentials FILE for their initial passwords\nmutualize: "
		    "(a new file, mode 0600; passwords go nowhere else)\n", n,
		    n == 1 ? "" : "s");
		return -1;
	}
	return (*fp = secret_file_create(o->credentials)) == NULL ? -1 : 0;
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

/* plan, apply -n and apply: one path; only the last step differs. */
static int
run(struct options *o, int write)
{
	struct model		*m;
	struct conn		*c = NULL;
	struct entries		 desired, current;
	struct plan		 plan;
	struct print_opts	 po = { use_color() };
	struct apply_result	 res = { 0, 0, NULL };
	struct apply_opts	 ao;
	struct diff_opts	 dopts;
	struct connectors	 cn;
	struct diags		 d = { 0 };
	const char		*managed[3];
	char			 now[16], prune_before[16], *lockdn = NULL;
	FILE			*creds = NULL, *out;
	int			 ret = EXIT_ERROR;

	memset(&cn, 0, sizeof(cn));
	if ((m = load_checked(o)) == NULL)
		return EXIT_ERROR;
	/* The connectors' secrets and texts too, before any packet. */
	if (connectors_load(&cn, m, templates_dir(m, o->templates), &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: nothing was contacted.\n", o->file);
		diag_free(&d);
		connectors_free(&cn);
		model_free(m);
		return EXIT_ERROR;
	}
	entries_init(&desired);
	entries_init(&current);
	memset(&plan, 0, sizeof(plan));
	gentime(now, 0);
	gentime(prune_before, -(time_t)m->policy.retention_days * 86400);
	if ((c = connect_directory(m, o)) == NULL)
		goto out;
	if (write && lock_take(c, m->syndicate.base_dn, now, &lockdn) == -1)
		goto out;
	managed[0] = render_tenants_dn(&desired.arena, m);
	managed[1] = render_services_dn(&desired.arena, m);
	managed[2] = NULL;
	if (read_directory(c, m->syndicate.base_dn, managed[0], managed[1],
	    render_read_attrs(m), &current) == -1)
		goto out;
	if (model_identities(m, &current, &d) > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: the directory makes these logins or "
		    "addresses collide; nothing was written.\n", o->file);
		goto out;
	}
	render(m, &desired);
	memset(&dopts, 0, sizeof(dopts));
	dopts.model = m;
	dopts.managed = managed;
	dopts.remove_tenants = o->remove_tenants;
	dopts.on_departure = m->policy.on_departure;
	dopts.prune = o->prune;
	dopts.prune_before = prune_before;
	dopts.now = now;
	dopts.lock_accounts = current.ppolicy;
	diff(&desired, &current, &dopts, &plan);
	if (o->ntenants > 0)
		plan_restrict(&plan, o->tenants);
	if (o->json)
		plan_print_json(&plan, o->file, stdout);
	else {
		plan_print_text(&plan, m, stdout, &po);
		plan_print_summary(&plan, o->file, stdout, &po);
		connectors_plan(&cn, &plan, plan.n, &desired, &current, NULL);
		connectors_print(&cn, stdout);
	}
	fflush(stdout);
	if (guard(&plan, &current, m, o) == -1)
		goto out;
	if (!write || plan.n == 0) {
		ret = o->exit_code && plan.n > 0 ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}
	if (open_credentials(&plan, o, &creds) == -1)
		goto out;
	ao.credentials = creds;
	ao.scheme = m->policy.password_scheme;
	ao.keep_passwords = m->welcome.url != NULL &&
	    m->policy.welcome_password;
	ao.verbose = o->verbose;
	/* A JSON plan on standard output stays one document. */
	out = o->json ? stderr : stdout;
	if (apply_plan(c, &plan, &ao, &res) == -1) {
		report_partial(&plan, &res, o->file);
		call_services(&cn, &plan, &res, &desired, &current, o->verbose,
		    out);
		goto out;
	}
	fprintf(out, "Apply complete: %zu added, %zu changed, %zu renamed or "
	    "moved, %zu disabled, %zu deleted.\n", plan.nadd, plan.nmodify,
	    plan.nrename, plan.ndisable, plan.ndelete);
	if (creds != NULL)
		fprintf(out, "Initial passwords of the %zu new accounts: %s\n",
		    people_added(&plan), o->credentials);
	ret = call_services(&cn, &plan, &res, &desired, &current, o->verbose,
	    out) > 0 ? EXIT_CONNECTORS : EXIT_OK;
out:
	free_passwords(&res, plan.n);
	connectors_free(&cn);
	if (creds != NULL && fclose(creds) != 0) {
		fprintf(stderr, "mutualize: %s: cannot write\n", o->credentials);
		ret = EXIT_ERROR;
	}
	if (c != NULL)
		lock_release(c, lockdn);
	diag_free(&d);
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
	service_config(m, s, o->uri ? o->uri : m->directory.uri, stdout);
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

enum {
	OPT_EXIT_CODE = 256, OPT_PRUNE, OPT_MASS_REMOVAL, OPT_MASS_CHANGE,
	OPT_REMOVE_TENANT, OPT_CREDENTIALS, OPT_TENANT, OPT_FORMAT,
	OPT_TEMPLATES
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
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ NULL, 0, NULL, 0 },
	};
	int	ch, reads = c->run == cmd_plan || c->run == cmd_apply;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+hnH:", longopts, NULL)) != -1) {
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
			    strcmp(optarg, "text") != 0))
				goto bad;
			o->json = strcmp(optarg, "json") == 0;
			break;
		case OPT_CREDENTIALS:
			if (!c->write)
				goto bad;
			o->credentials = optarg;
			break;
		case OPT_TEMPLATES:
			o->templates = optarg;
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
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct options	o;
	size_t		i;
	int		ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "+hVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
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
