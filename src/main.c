/*
 * mutualize [-hqVv] command [options] file
 *
 * Global options, then a command from the table; each command declares the
 * options it takes, and the others are refused. The commands run in run.c
 * and export.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* One option of a command, and how it is kept in struct options. */
struct cmdopt {
	const char	*name;		/* long name; NULL: a letter alone */
	int		 id;		/* the letter, or a value above 255 */
	int		 has_arg;
	int		(*set)(struct options *, const struct cmdopt *,
			    const char *);
	size_t		 off;		/* of the field set */
};

struct command {
	const char		*name;
	int			(*run)(const struct options *);
	const char		*usage;
	const char		*summary;
	const struct cmdopt *const *opts;	/* those it takes, NULL-ended */
	int			 write;		/* may write to the directory */
	int			 service;	/* a service before the file */
};

/* Sets an int field to 1. */
static int
set_flag(struct options *o, const struct cmdopt *d, const char *arg)
{
	(void)arg;
	*(int *)(void *)((char *)o + d->off) = 1;
	return 0;
}

static int
set_string(struct options *o, const struct cmdopt *d, const char *arg)
{
	*(const char **)(void *)((char *)o + d->off) = arg;
	return 0;
}

/* A repeated option: each value added to the list. */
static int
set_list(struct options *o, const struct cmdopt *d, const char *arg)
{
	ptrvec_push((struct ptrvec *)(void *)((char *)o + d->off),
	    (void *)(uintptr_t)arg);
	return 0;
}

/* export -o: "-" is standard output. */
static int
set_output(struct options *o, const struct cmdopt *d, const char *arg)
{
	(void)d;
	o->output = strcmp(arg, "-") == 0 ? NULL : arg;
	return 0;
}

static int
set_format(struct options *o, const struct cmdopt *d, const char *arg)
{
	int	f = plan_format(arg);

	(void)d;
	if (f == -1)
		return -1;
	o->format = (enum plan_format)f;
	return 0;
}

static int
set_batch_size(struct options *o, const struct cmdopt *d, const char *arg)
{
	char		*end;
	unsigned long	 n;

	(void)d;
	errno = 0;
	n = strtoul(arg, &end, 10);
	if (*arg < '1' || *arg > '9' || *end != '\0' || errno != 0 ||
	    n > BATCH_MAX) {
		msg_warn("--batch-size takes a count from 1 to %d", BATCH_MAX);
		return -1;
	}
	o->batch_size = n;
	return 0;
}

/* --transactions: 1; --no-transactions, the default kept for scripts: -1. */
static int
set_transactions(struct options *o, const struct cmdopt *d, const char *arg)
{
	int	want = strcmp(d->name, "transactions") == 0 ? 1 : -1;

	(void)arg;
	if (o->transactions == -want) {
		msg_warn("--transactions and --no-transactions exclude each "
		    "other");
		return -1;
	}
	o->transactions = want;
	return 0;
}

/* status --max-lag: seconds, from none to a day. */
static int
set_max_lag(struct options *o, const struct cmdopt *d, const char *arg)
{
	(void)d;
	if (parse_uint(arg, 0, 86400, &o->max_lag) == -1) {
		msg_warn("--max-lag takes a number of seconds from 0 to 86400");
		return -1;
	}
	o->max_lag_set = 1;
	return 0;
}

/* import --tenant-level: the RDN that many levels below the base. */
static int
set_tenant_level(struct options *o, const struct cmdopt *d, const char *arg)
{
	unsigned long long	 n;

	(void)d;
	if (parse_uint(arg, 1, 64, &n) == -1) {
		msg_warn("--tenant-level takes a number of levels from 1 to 64");
		return -1;
	}
	o->tenant_level = (unsigned)n;
	return 0;
}

/* plan --horizon: days ahead for "Coming up", from today to ten years. */
static int
set_horizon(struct options *o, const struct cmdopt *d, const char *arg)
{
	unsigned long long	 n;

	(void)d;
	if (parse_uint(arg, 0, HORIZON_MAX, &n) == -1) {
		msg_warn("--horizon takes a number of days from 0 to %d",
		    HORIZON_MAX);
		return -1;
	}
	o->horizon = (unsigned)n;
	o->horizon_set = 1;
	return 0;
}

/* plan --detail-limit: how many changes the text plan details. */
static int
set_detail_limit(struct options *o, const struct cmdopt *d, const char *arg)
{
	unsigned long long	 n;

	(void)d;
	if (parse_uint(arg, 0, SIZE_MAX, &n) == -1) {
		msg_warn("--detail-limit takes a number of changes");
		return -1;
	}
	o->detail_limit = (size_t)n;
	o->detail_limit_set = 1;
	return 0;
}

#define OFF(f)	offsetof(struct options, f)

static const struct cmdopt
    opt_dry_run = { "dry-run", 'n', no_argument, set_flag, OFF(dry_run) },
    opt_uri = { NULL, 'H', required_argument, set_string, OFF(uri) },
    opt_output = { NULL, 'o', required_argument, set_output, 0 },
    opt_exit_code = { "exit-code", 256, no_argument, set_flag, OFF(exit_code) },
    opt_prune = { "prune", 257, no_argument, set_flag, OFF(prune) },
    opt_mass_removal = { "allow-mass-removal", 258, no_argument, set_flag,
	OFF(allow_mass_removal) },
    opt_mass_change = { "allow-mass-change", 259, no_argument, set_flag,
	OFF(allow_mass_change) },
    opt_remove_tenant = { "remove-tenant", 260, required_argument, set_list,
	OFF(remove_tenants) },
    opt_credentials = { "credentials", 261, required_argument, set_string,
	OFF(credentials) },
    opt_tenant = { "tenant", 262, required_argument, set_list, OFF(tenants) },
    opt_format = { "format", 263, required_argument, set_format, 0 },
    opt_show_hashes = { "show-hashes", 264, no_argument, set_flag,
	OFF(show_hashes) },
    opt_journal = { "journal", 265, required_argument, set_string,
	OFF(journal) },
    opt_undo = { "undo", 266, required_argument, set_string, OFF(undo) },
    opt_out = { "out", 267, required_argument, set_string, OFF(out) },
    opt_plan = { "plan", 268, required_argument, set_string, OFF(saved) },
    opt_templates = { "templates", 269, required_argument, set_string,
	OFF(templates) },
    opt_batch_size = { "batch-size", 270, required_argument, set_batch_size,
	0 },
    opt_txn = { "transactions", 271, no_argument, set_transactions, 0 },
    opt_no_txn = { "no-transactions", 272, no_argument, set_transactions, 0 },
    /* directory-config's formats are not the plans': the same name, its own */
    opt_config_format = { "format", 263, required_argument, set_string,
	OFF(config_format) },
    opt_db_directory = { "db-directory", 273, required_argument, set_string,
	OFF(db_directory) },
    opt_stock = { "stock", 274, no_argument, set_flag, OFF(stock) },
    opt_replicas = { "replicas", 275, required_argument, set_string,
	OFF(replicas) },
    opt_server_id = { "server-id", 276, required_argument, set_string,
	OFF(server_id) },
    opt_consumer_of = { "consumer-of", 277, required_argument, set_string,
	OFF(consumer_of) },
    opt_max_lag = { "max-lag", 278, required_argument, set_max_lag, 0 },
    opt_outbox = { "outbox", 279, required_argument, set_string,
	OFF(outbox) },
    opt_retry = { "retry-pending", 280, no_argument, set_flag,
	OFF(retry_pending) },
    opt_horizon = { "horizon", 281, required_argument, set_horizon, 0 },
    opt_detail = { "detail", 282, no_argument, set_flag, OFF(detail) },
    opt_detail_limit = { "detail-limit", 283, required_argument,
	set_detail_limit, 0 },
    /* report's formats are its own too: text, csv, json */
    opt_report_format = { "format", 263, required_argument, set_string,
	OFF(report_format) },
    opt_ldif = { "ldif", 300, required_argument, set_string, OFF(ldif) },
    opt_base = { "base", 301, required_argument, set_string, OFF(base) },
    opt_id_attr = { "id-attr", 302, required_argument, set_string,
	OFF(id_attr) },
    opt_tenant_attr = { "tenant-attr", 303, required_argument, set_string,
	OFF(tenant_attr) },
    opt_tenant_level = { "tenant-level", 304, required_argument,
	set_tenant_level, 0 },
    opt_service_group = { "service-group", 305, required_argument, set_list,
	OFF(service_groups) },
    opt_report = { "report", 306, required_argument, set_string,
	OFF(report) },
    opt_move = { "move", 307, no_argument, set_flag, OFF(move) },
    opt_people_files = { "people-files", 308, required_argument, set_string,
	OFF(people_dir) };

/* Every option of any command, so that one a command lacks is its usage. */
static const struct cmdopt *const all_opts[] = {
	&opt_dry_run, &opt_uri, &opt_output, &opt_exit_code, &opt_prune,
	&opt_mass_removal, &opt_mass_change, &opt_remove_tenant,
	&opt_credentials, &opt_tenant, &opt_format, &opt_show_hashes,
	&opt_journal, &opt_undo, &opt_out, &opt_plan, &opt_templates,
	&opt_batch_size, &opt_txn, &opt_no_txn, &opt_db_directory, &opt_stock,
	&opt_replicas, &opt_server_id, &opt_consumer_of, &opt_max_lag,
	&opt_outbox, &opt_retry, &opt_horizon, &opt_detail, &opt_detail_limit,
	&opt_ldif, &opt_base, &opt_id_attr, &opt_tenant_attr, &opt_tenant_level,
	&opt_service_group, &opt_report, &opt_move, &opt_people_files, NULL
};
#define NOPTS	(sizeof(all_opts) / sizeof(all_opts[0]) - 1)

static const struct cmdopt *const validate_opts[] = {
	&opt_templates, NULL
};
static const struct cmdopt *const plan_opts[] = {
	&opt_exit_code, &opt_format, &opt_show_hashes, &opt_tenant, &opt_prune,
	&opt_mass_removal, &opt_mass_change, &opt_remove_tenant,
	&opt_credentials, &opt_out, &opt_outbox, &opt_templates, &opt_uri,
	&opt_horizon, &opt_detail, &opt_detail_limit, NULL
};
static const struct cmdopt *const apply_opts[] = {
	&opt_dry_run, &opt_exit_code, &opt_format, &opt_show_hashes,
	&opt_tenant, &opt_prune, &opt_mass_removal, &opt_mass_change,
	&opt_remove_tenant, &opt_credentials, &opt_journal, &opt_undo,
	&opt_out, &opt_plan, &opt_batch_size, &opt_txn, &opt_no_txn,
	&opt_outbox, &opt_retry, &opt_templates, &opt_uri, &opt_horizon,
	&opt_detail, &opt_detail_limit, NULL
};
static const struct cmdopt *const export_opts[] = {
	&opt_output, &opt_templates, NULL
};
static const struct cmdopt *const directory_config_opts[] = {
	&opt_config_format, &opt_db_directory, &opt_stock, &opt_replicas,
	&opt_server_id, &opt_consumer_of, &opt_output, &opt_templates, &opt_uri,
	NULL
};
static const struct cmdopt *const service_config_opts[] = {
	&opt_templates, &opt_uri, NULL
};
static const struct cmdopt *const report_opts[] = {
	&opt_report_format, &opt_output, &opt_templates, &opt_uri, NULL
};
static const struct cmdopt *const status_opts[] = {
	&opt_format, &opt_max_lag, &opt_journal, &opt_outbox, &opt_templates,
	&opt_uri, NULL
};

static const struct cmdopt *const import_opts[] = {
	&opt_ldif, &opt_base, &opt_id_attr, &opt_tenant_attr,
	&opt_tenant_level, &opt_service_group, &opt_report, &opt_output,
	&opt_people_files, &opt_templates, &opt_uri, NULL
};
static const struct cmdopt *const adopt_opts[] = {
	&opt_dry_run, &opt_move, &opt_id_attr, &opt_mass_change,
	&opt_journal, &opt_undo, &opt_batch_size, &opt_outbox, &opt_templates,
	&opt_uri, NULL
};

static int
cmd_plan(const struct options *o)
{
	return run_plan(o, 0);
}

static int
cmd_apply(const struct options *o)
{
	return o->retry_pending ? run_retry(o) : run_plan(o, !o->dry_run);
}

static const struct command commands[] = {
	{ "validate", run_validate, "validate [-h] [--templates dir] file",
	    "check the file and its templates; contact no server",
	    validate_opts, 0, 0 },
	{ "plan", cmd_plan, "plan [-h] [--exit-code] [--format text | json | ldif] "
	    "[--show-hashes]\n\t[--tenant id] [--prune] [--allow-mass-removal] "
	    "[--allow-mass-change]\n\t[--remove-tenant id] [--credentials file] "
	    "[--out file] [--outbox file]\n\t[--templates dir] [-H uri] "
	    "[--horizon days] [--detail | --detail-limit n] file",
	    "show the changes apply would make (apply --dry-run)", plan_opts,
	    0, 0 },
	{ "apply", cmd_apply, "apply [-h] [-n | --dry-run] [--exit-code] "
	    "[--format text | json | ldif] [--tenant id]\n\t[--prune] "
	    "[--allow-mass-removal] [--allow-mass-change] [--remove-tenant id]\n"
	    "\t[--credentials file] [--journal file] [--undo file] [--plan file]\n"
	    "\t[--batch-size n] [--transactions] [--outbox file] "
	    "[--retry-pending]\n\t[--templates dir] [-H uri] [--horizon days]\n"
	    "\t[--detail | --detail-limit n] file",
	    "make the directory match the file", apply_opts, 1, 0 },
	{ "export", run_export, "export [-h] [-o output] [--templates dir] file",
	    "write the directory the file describes as LDIF, for slapadd",
	    export_opts, 0, 0 },
	{ "directory-config", run_directory_config, "directory-config [-h] "
	    "[--format ldif | slapd.conf | entries] [--stock]\n\t"
	    "[--replicas uri,uri[,uri...] --server-id n | --consumer-of uri]\n\t"
	    "[--db-directory dir] [-o output] [--templates dir] [-H ldapi-uri] "
	    "file",
	    "print the slapd configuration that makes the syndicate's "
	    "directory", directory_config_opts, 0, 0 },
	{ "service-config", run_service_config, "service-config [-h] "
	    "[--templates dir] [-H uri] service file",
	    "print the LDAP part of a service's configuration",
	    service_config_opts, 0, 1 },
	{ "status", run_status, "status [-h] [--format text | json] "
	    "[--max-lag seconds] [--journal file]\n\t[--outbox file] "
	    "[--templates dir] [-H uri] file",
	    "say which servers answer and agree, who holds the lock, how the "
	    "last apply ended", status_opts, 0, 0 },
	{ "report", run_report, "report [-h] [--format text | csv | json] "
	    "[--templates dir] [-H uri]\n\t[-o output] file",
	    "count each tenant's people, services and quotas, for cost "
	    "sharing", report_opts, 0, 0 },
	{ "import", run_import, "import [-h] [--ldif file | -H uri] [--base dn] "
	    "[--id-attr attr]\n\t[--tenant-attr attr | --tenant-level n] "
	    "[--service-group service=dn]\n\t[--report file] [-o output "
	    "[--people-files dir]] [--templates dir] template",
	    "write a tenants file of the people and groups of a directory",
	    import_opts, 0, 0 },
	{ "adopt", run_adopt, "adopt [-h] [-n | --dry-run] [--move] "
	    "[--id-attr attr] [--allow-mass-change]\n\t[--journal file] "
	    "[--undo file] [--batch-size n] [--outbox file]\n\t"
	    "[--templates dir] [-H uri] file",
	    "mark the entries the file describes as managed, moved into place",
	    adopt_opts, 1, 0 },
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

/* The command's option of getopt's value id, or NULL if it takes none. */
static const struct cmdopt *
command_opt(const struct command *c, int id)
{
	size_t	i;

	for (i = 0; c->opts[i] != NULL; i++)
		if (c->opts[i]->id == id)
			return c->opts[i];
	return NULL;
}

/*
 * What getopt_long is given: every option of every command, so that one a
 * command does not take is told apart from a misspelling by the command, as
 * its usage alone.
 */
static void
getopt_tables(struct option longopts[NOPTS + 2], char shortopts[16])
{
	size_t	i, n = 0, s = 0;

	shortopts[s++] = '+';
	shortopts[s++] = 'h';
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	for (i = 0; i < NOPTS; i++) {
		if (all_opts[i]->name != NULL)
			longopts[n++] = (struct option){ all_opts[i]->name,
			    all_opts[i]->has_arg, NULL, all_opts[i]->id };
		if (all_opts[i]->id < 256) {
			shortopts[s++] = (char)all_opts[i]->id;
			if (all_opts[i]->has_arg == required_argument)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[s] = '\0';
}

/* Options that go together only in some ways. 0, or -1 after saying why. */
static int
check_combination(const struct command *c, const struct options *o)
{
	const char	*why = NULL;

	if (o->exit_code && c->write && !o->dry_run)
		why = "--exit-code goes with plan or apply --dry-run";
	else if (o->show_hashes && (o->format != FORMAT_LDIF ||
	    o->credentials == NULL || (c->write && !o->dry_run)))
		why = "--show-hashes goes with --format ldif and --credentials, "
		    "and writes nothing to the directory";
	else if ((o->out != NULL && c->write && !o->dry_run) ||
	    (o->saved != NULL && (o->dry_run || o->out != NULL)))
		why = "--out goes with plan (or apply -n), --plan with apply";
	else if (o->retry_pending && (o->dry_run || o->saved != NULL ||
	    o->out != NULL || o->exit_code || o->show_hashes))
		why = "--retry-pending sends the outbox's calls alone: it goes "
		    "without -n, --plan, --out, --exit-code and --show-hashes";
	else if (o->tenant_attr != NULL && o->tenant_level > 0)
		why = "--tenant-attr and --tenant-level exclude each other";
	else if (o->ldif != NULL && o->uri != NULL)
		why = "--ldif and -H exclude each other";
	else if (o->credentials != NULL && !c->write && !o->show_hashes)
		why = "--credentials goes with apply, or with --show-hashes";
	if (why == NULL)
		return 0;
	msg_warn("%s", why);
	return -1;
}

/*
 * The command's options and operands; those it does not take are refused
 * with its usage. Repeated lists end with NULL once parsed.
 */
static int
parse_command(const struct command *c, struct options *o, int argc,
    char **argv)
{
	struct option		 longopts[NOPTS + 2];
	char			 shortopts[16];
	const struct cmdopt	*d;
	int			 ch;

	getopt_tables(longopts, shortopts);
	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if (ch == 'h') {
			command_usage(c, stdout);
			exit(EXIT_OK);
		}
		if ((d = command_opt(c, ch)) == NULL ||
		    d->set(o, d, optarg) == -1)
			goto bad;
	}
	ptrvec_push(&o->tenants, NULL);
	ptrvec_push(&o->remove_tenants, NULL);
	if (check_combination(c, o) == -1 || argc - optind != 1 + c->service)
		goto bad;
	if (c->service)
		o->service = argv[optind++];
	o->file = argv[optind];
	return 0;
bad:
	command_usage(c, stderr);
	return -1;
}

/* The global options; returns the index of the command's name, or -1. */
static int
parse_global(struct options *o, int argc, char **argv, int *status)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	*status = EXIT_ERROR;
	while ((ch = getopt_long(argc, argv, "+hqVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			*status = EXIT_OK;
			return -1;
		case 'q':
			o->quiet = 1;
			break;
		case 'V':
			puts("mutualize " MUTUALIZE_VERSION);
			*status = EXIT_OK;
			return -1;
		case 'v':
			o->verbose++;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return -1;
	}
	return optind;
}

int
main(int argc, char **argv)
{
	struct options	o;
	size_t		i;
	int		first, ret;

	/* A server that goes away is an error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	if ((first = parse_global(&o, argc, argv, &ret)) == -1)
		return ret;
	argc -= first;
	argv += first;
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == NCOMMANDS) {
		msg_warn("unknown command \"%s\"", argv[0]);
		usage(stderr);
		return EXIT_ERROR;
	}
	ret = parse_command(&commands[i], &o, argc, argv) == -1 ?
	    EXIT_ERROR : commands[i].run(&o);
	ptrvec_free(&o.tenants);
	ptrvec_free(&o.remove_tenants);
	ptrvec_free(&o.service_groups);
	return ret;
}
