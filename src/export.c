/*
 * export: the directory the file describes as LDIF content records, for
 * slapadd into an empty database; no server is contacted.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "mutualize.h"
#include "run.h"

/*
 * The accounts of the services are left to apply, which writes each one's
 * password to its file before the add: an account here would have no
 * password, which simpleSecurityObject requires.
 */
static void
export_entry(FILE *fp, const struct entry *e, size_t *accounts)
{
	if (e->kind != ENTRY_ACCOUNT) {
		ldif_write_entry(fp, e);
		return;
	}
	fputs("# ", fp);
	fputs(e->dn, fp);
	fputs(": the account of a service; apply adds it, with its password\n"
	    "# written first to its bind_password_file\n\n", fp);
	(*accounts)++;
}

/*
 * The whole directory the file describes, as LDIF content records in the order
 * apply would add them (parents first, people before their groups), for
 * slapadd into an empty database. Nothing is read from a server, so logins are
 * those an empty directory would get.
 */
int
run_export(const struct options *o)
{
	struct model		*m;
	struct entries		 desired, none;
	struct plan		 plan;
	struct diff_opts	 opts;
	struct secret_file	 sf;
	const char		*managed[4] = { NULL, NULL, NULL, NULL };
	FILE			*fp = stdout;
	sigset_t		 stops, mask;
	const struct entry	*e;
	size_t			 i, n = 0, accounts = 0;
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
	managed[2] = render_system_dn(&desired.arena, m);
	diff(&desired, &none, &opts, &plan);
	/* a new file, complete or absent: a stop waits until it is one */
	stop_signals(&stops);
	sigprocmask(SIG_BLOCK, &stops, &mask);
	if (o->output != NULL) {
		if (secret_file_create(&sf, o->output) == -1)
			goto out;
		fp = sf.fp;
	}
	/*
	 * No "version: 1" line: slapadd 2.5 takes it for an attribute, as
	 * slapcat writes none. The plan's adds give the order; each entry is
	 * written whole, a long group too, which the plan cuts into an add and
	 * the modifies that continue it.
	 */
	for (i = 0; i < plan.n; i++)
		if (plan.v[i].op == CHANGE_ADD) {
			e = entries_find(&desired, plan.v[i].dn);
			export_entry(fp, e != NULL ? e : plan.v[i].entry,
			    &accounts);
			n++;
		}
	if (o->output == NULL && (fflush(fp) == EOF || ferror(fp))) {
		msg_warn("standard output: %s", strerror(errno));
		goto out;
	}
	if (o->output != NULL && secret_file_commit(&sf) == -1)
		goto out;
	if (o->output != NULL)
		printf("%s: %zu entries.\n", o->output, n - accounts);
	ret = EXIT_OK;
out:
	if (sf.fp != NULL)
		secret_file_close(&sf);
	if ((sig = stop_take()) != 0) {
		msg_warn("%s received; %s", signal_name(sig),
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
