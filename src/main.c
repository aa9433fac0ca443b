/*
 * mutualize [-hqVv] command [options] file
 *
 * Global options, then a command from the table. The commands run in run.c
 * and export.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

struct command {
	const char	*name;
	int		(*run)(const struct options *);
	const char	*usage;
	const char	*summary;
	int		 write;		/* may write to the directory */
	int		 service;	/* takes a service id before the file */
};

static int	cmd_plan(const struct options *);
static int	cmd_apply(const struct options *);

static const struct command commands[] = {
	{ "validate", run_validate, "validate [-h] [--templates dir] file",
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
	{ "export", run_export, "export [-h] [-o output] [--templates dir] file",
	    "write the directory the file describes as LDIF, for slapadd", 0, 0 },
	{ "service-config", run_service_config, "service-config [-h] "
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

static int
cmd_plan(const struct options *o)
{
	return run_plan(o, 0);
}

static int
cmd_apply(const struct options *o)
{
	return run_plan(o, !o->dry_run);
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
			if (!reads || plan_format(optarg) == -1)
				goto bad;
			o->format = (enum plan_format)plan_format(optarg);
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
	if (o->show_hashes && (o->format != FORMAT_LDIF || o->credentials == NULL ||
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
