/*
 * mutualize [-hVv] command [options] file
 *
 * Global options, then a command from the table. Everything local (the file,
 * the password) is read and checked before the first packet to the server.
 */
#include <errno.h>
#include <getopt.h>
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
	const char	*output;	/* export: NULL for standard output */
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
static int	cmd_export(struct options *);

static const struct command commands[] = {
	{ "validate", cmd_validate, "validate [-h] file",
	    "check the file; contact no server", 0 },
	{ "plan", cmd_plan, "plan [-h] [--exit-code] [-H uri] file",
	    "show the changes apply would make (apply --dry-run)", 0 },
	{ "apply", cmd_apply,
	    "apply [-h] [-n | --dry-run] [--exit-code] [-H uri] file",
	    "make the directory match the file", 1 },
	{ "export", cmd_export, "export [-h] [-o output] file",
	    "write the directory the file describes as LDIF, for slapadd", 0 },
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
	if ((c = connect_directory(m, o)) == NULL)
		goto out;
	tenants_dn = render_tenants_dn(&desired.arena, m);
	if (read_directory(c, m->syndicate.base_dn, tenants_dn, &current) == -1)
		goto out;
	render_logins(m, &current);
	desired.share = &current;
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

/*
 * The whole directory the file describes, as LDIF content records in the order
 * apply would add them (parents first, people before their groups), for
 * slapadd into an empty database. Nothing is read from a server, so logins are
 * those an empty directory would get.
 */
static int
cmd_export(struct options *o)
{
	struct model	*m;
	struct entries	 desired, none;
	struct plan	 plan;
	FILE		*fp = stdout;
	const char	*out = o->output ? o->output : "standard output";
	size_t		 i;
	int		 ret = EXIT_ERROR;

	if ((m = load_checked(o->file)) == NULL)
		return EXIT_ERROR;
	entries_init(&desired);
	entries_init(&none);
	memset(&plan, 0, sizeof(plan));
	render_logins(m, NULL);
	render(m, &desired);
	diff(&desired, &none, render_tenants_dn(&desired.arena, m), &plan);
	if (o->output != NULL && (fp = fopen(o->output, "w")) == NULL) {
		fprintf(stderr, "mutualize: %s: %s\n", o->output, strerror(errno));
		goto out;
	}
	/* No "version: 1" line: slapadd 2.5 takes it for an attribute, as slapcat writes none. */
	for (i = 0; i < plan.n; i++)
		ldif_write_entry(fp, plan.v[i].entry);
	if (fflush(fp) == EOF || ferror(fp)) {
		fprintf(stderr, "mutualize: %s: %s\n", out, strerror(errno));
		if (o->output != NULL)
			unlink(o->output);
		goto out;
	}
	if (o->output != NULL)
		printf("%s: %zu entries.\n", o->output, plan.n);
	ret = EXIT_OK;
out:
	if (fp != stdout && fp != NULL && fclose(fp) == EOF && ret == EXIT_OK) {
		fprintf(stderr, "mutualize: %s: %s\n", out, strerror(errno));
		ret = EXIT_ERROR;
	}
	plan_free(&plan);
	entries_free(&desired);
	entries_free(&none);
	model_free(m);
	return ret;
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
			if (strcmp(c->name, "validate") == 0 ||
			    strcmp(c->name, "export") == 0)
				goto bad;
			o->uri = optarg;
			break;
		case 'o':
			if (strcmp(c->name, "export") != 0)
				goto bad;
			o->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_EXIT_CODE:
			if (strcmp(c->name, "validate") == 0 ||
			    strcmp(c->name, "export") == 0)
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
