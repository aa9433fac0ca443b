/*
 * mutualize [-hVv] command [options] file
 *
 * Global options, then a command from the table. Everything local (the file,
 * the password) is read and checked before the first packet to the server.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"

/* The parsed command line: the only state shared by the whole run. */
struct options {
	int		 verbose;
	int		 dry_run;
	int		 exit_code;
	const char	*uri;
	const char	*file;
};

struct command {
	const char	*name;
	int		(*run)(struct options *);
	const char	*usage;
	const char	*summary;
	int		 write;		/* may write to the directory */
};

static int	cmd_validate(struct options *);
static int	cmd_plan(struct options *);
static int	cmd_apply(struct options *);

static const struct command commands[] = {
	{ "validate", cmd_validate, "validate [-h] file",
	    "check the file; contact no server", 0 },
	{ "plan", cmd_plan, "plan [-h] [--exit-code] [-H uri] file",
	    "show the changes apply would make (apply --dry-run)", 0 },
	{ "apply", cmd_apply,
	    "apply [-h] [-n | --dry-run] [--exit-code] [-H uri] file",
	    "make the directory match the file", 1 },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *fp)
{
	size_t	i;

	fputs("usage: mutualize [-hVv] command [options] file\n\ncommands:\n", fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-10s%s\n", commands[i].name, commands[i].summary);
	fputs("\n'mutualize command --help' for a command's options; "
	    "man mutualize for all.\n", fp);
}

static void
command_usage(const struct command *c, FILE *fp)
{
	fprintf(fp, "usage: mutualize %s\n", c->usage);
}

/* Loads and checks the file; prints every error. Returns NULL on any error. */
static struct model *
load_checked(const char *file)
{
	struct diags	 d = { 0 };
	struct model	*m = model_load(file, &d);

	if (m != NULL)
		model_check(m, &d);
	if (d.n > 0) {
		diag_sort(&d);
		diag_print(&d, stderr);
		fprintf(stderr, "%s: %zu error%s; nothing was contacted.\n", file,
		    d.n, d.n == 1 ? "" : "s");
		model_free(m);
		m = NULL;
	}
	diag_free(&d);
	return m;
}

static int
cmd_validate(struct options *o)
{
	struct model	*m = load_checked(o->file);
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
	fprintf(stderr, "mutualize: %zu of %zu changes were made before the "
	    "error; the directory is partly updated.\n"
	    "mutualize: run \"mutualize plan %s\" to see what remains.\n",
	    r->done, p->n, file);
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
	struct apply_result	 res;
	const char		*tenants_dn;
	int			 ret = EXIT_ERROR;

	if ((m = load_checked(o->file)) == NULL)
		return EXIT_ERROR;
	entries_init(&desired);
	entries_init(&current);
	memset(&plan, 0, sizeof(plan));
	if ((c = connect_directory(m, o, &ret)) == NULL)
		goto out;
	ret = EXIT_ERROR;
	tenants_dn = render_tenants_dn(&desired.arena, m);
	if (read_directory(c, m->syndicate.base_dn, tenants_dn, &current) == -1) {
		ret = conn_status(c);
		goto out;
	}
	render_logins(m, &current);
	render(m, &desired);
	diff(&desired, &current, tenants_dn, &plan);
	plan_print_text(&plan, m, stdout, &po);
	plan_print_summary(&plan, o->file, stdout, &po);
	if (!write || plan.n == 0) {
		ret = o->exit_code && plan.n > 0 ? EXIT_CHANGES : EXIT_OK;
		goto out;
	}
	fflush(stdout);
	if (apply_plan(c, &plan, &res, o->verbose) == -1) {
		report_partial(&plan, &res, o->file);
		ret = conn_status(c);
		goto out;
	}
	printf("Apply complete: %zu added, %zu changed, %zu deleted.\n",
	    plan.nadd, plan.nmodify, plan.ndelete);
	ret = EXIT_OK;
out:
	plan_free(&plan);
	conn_close(c);
	entries_free(&desired);
	entries_free(&current);
	model_free(m);
	return ret;
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

enum { OPT_EXIT_CODE = 256 };

/* Command options; those a command does not take are refused. */
static int
parse_command(const struct command *c, struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "exit-code", no_argument, NULL, OPT_EXIT_CODE },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

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
			if (strcmp(c->name, "validate") == 0)
				goto bad;
			o->uri = optarg;
			break;
		case OPT_EXIT_CODE:
			if (strcmp(c->name, "validate") == 0)
				goto bad;
			o->exit_code = 1;
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
	if (argc - optind != 1)
		goto bad;
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

	/* A server that goes away is an error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
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
