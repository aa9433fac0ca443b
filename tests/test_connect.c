/*
 * The connectors without a network: what they read before any packet, and the
 * calls a plan calls for, as a dry run lists them.
 */
#include "harness.h"

#define VEN	"ou=venissieux,ou=tenants,dc=sitiv,dc=fr"

struct fixture {
	char			 dir[64];
	char			*token, *key;	/* secret files, mode 0600 */
	struct model		*m;
	struct diags		 d;
	struct connectors	 cn;
	struct entries		 desired, current;
	struct plan		 plan;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	temp_dir(f->dir, "mutualize-connect");
	f->token = write_file(f->dir, "scim.token", "s3cr3t-token\n", 0600);
	f->key = write_file(f->dir, "webhook.key", "s3cr3t-key\n", 0600);
	free(write_file(f->dir, "welcome.txt", "Subject: Bienvenue à {tenant}\n\n"
	    "Bonjour {given_name},\nIdentifiant : {login}\n", 0644));
	free(write_file(f->dir, "with-password.txt", "Subject: Bienvenue\n\n"
	    "Identifiant : {login}\nMot de passe : {password}\n", 0644));
	entries_init(&f->desired);
	entries_init(&f->current);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	remove_tree(f->dir);
	connectors_free(&f->cn);
	plan_free(&f->plan);
	entries_free(&f->desired);
	entries_free(&f->current);
	model_free(f->m);
	diag_free(&f->d);
	free(f->token);
	free(f->key);
	free(f);
	return 0;
}

/* Loads the syndicate with its connectors; returns the errors of the load. */
static size_t
load(struct fixture *f, const char *policy, const char *welcome)
{
	char	*yaml = xasprintf(YAML_HEAD "%s"
	    "services:\n  files:\n    scim: {url: \"http://127.0.0.1:9/scim/v2/\", "
	    "token_file: \"%s\"}\n  mail: {}\n"
	    "webhook: {url: \"http://127.0.0.1:9/hook\", secret_file: \"%s\"}\n"
	    "welcome: {url: \"smtp://127.0.0.1:9\", from: \"dsi@sitiv.fr\", "
	    "template: %s}\n"
	    "tenants:\n  - id: venissieux\n    name: Ville de Vénissieux\n"
	    "    mail_domain: ville-venissieux.fr\n    services: [mail, files]\n"
	    "    groups: [{id: dsi, name: DSI}]\n    people:\n"
	    "      - {id: V-1, given_name: Hélène, surname: Roux, kind: agent, "
	    "groups: [dsi]}\n"
	    "      - {id: V-2, given_name: Karim, surname: Roux, kind: agent, "
	    "services: [mail], groups: [dsi]}\n", policy, f->token, f->key,
	    welcome);

	f->m = load_text(yaml, &f->d);
	free(yaml);
	assert_non_null(f->m);
	assert_int_equal(f->d.n, 0);
	assert_int_equal(templates_load(f->m, "templates", &f->d), 0);
	return connectors_load(&f->cn, f->m, f->dir, &f->d);
}

/* The plan of the file against an empty directory. */
static void
plan_all(struct fixture *f)
{
	struct diff_opts	o = diff_opts_default();

	assert_int_equal(identities(f->m, NULL), 0);
	render(f->m, &f->desired);
	o.model = f->m;
	diff(&f->desired, &f->current, &o, &f->plan);
}

/* The calls of the whole plan, each new person's password being pw. */
static void
plan_calls(struct fixture *f, const char *pw)
{
	char	**pws = xcalloc(f->plan.n, sizeof(*pws));
	size_t	  i;

	for (i = 0; i < f->plan.n; i++)
		pws[i] = (char *)pw;
	connectors_plan(&f->cn, &f->plan, f->plan.n, &f->desired, &f->current,
	    pw != NULL ? pws : NULL);
	free(pws);
}

static const struct call *
call_of(const struct fixture *f, size_t i)
{
	assert_true(i < f->cn.calls.n);
	return f->cn.calls.v[i];
}

static void
a_dry_run_lists_the_calls_in_order(void **state)
{
	struct fixture	*f = *state;
	size_t		 i, n, webhooks = 0;

	assert_int_equal(load(f, "", "welcome.txt"), 0);
	plan_all(f);
	plan_calls(f, NULL);
	n = f->cn.calls.n;
	/* a webhook per change, then SCIM users and groups, then the mails */
	for (i = 0; i < f->plan.n; i++)
		webhooks += call_of(f, i)->kind == CALL_WEBHOOK;
	assert_int_equal(webhooks, f->plan.n);
	assert_string_equal(call_of(f, f->plan.n)->what, "SCIM files: create or "
	    "update user helene.roux (V-1) at http://127.0.0.1:9/scim/v2/");
	/* Karim has no files: no SCIM user; the group holds Hélène only */
	assert_int_equal(call_of(f, f->plan.n + 1)->kind, CALL_SCIM_GROUP);
	assert_string_equal(call_of(f, f->plan.n + 1)->what, "SCIM files: create "
	    "or update group venissieux/dsi (1 member) at "
	    "http://127.0.0.1:9/scim/v2/");
	assert_int_equal(n, f->plan.n + 4);
	assert_string_equal(call_of(f, n - 1)->what, "SMTP smtp://127.0.0.1:9: "
	    "welcome mail for karim.roux to karim.roux@ville-venissieux.fr");
	/* only what was done is called: nothing when nothing was done */
	connectors_plan(&f->cn, &f->plan, 0, &f->desired, &f->current, NULL);
	assert_int_equal(f->cn.calls.n, 0);
}

static void
the_webhook_body_is_the_change_as_json(void **state)
{
	struct fixture		*f = *state;
	const struct call	*c;

	assert_int_equal(load(f, "", "welcome.txt"), 0);
	plan_all(f);
	plan_calls(f, NULL);
	c = call_of(f, 0);
	assert_true(json_valid(c->body));
	assert_non_null(strstr(c->body, "{\"syndicate\": \"sitiv\", \"change\": "
	    "{\"op\": \"add\", \"dn\": \"dc=sitiv,dc=fr\""));
}

static void
the_welcome_mail_is_french_and_holds_no_password(void **state)
{
	struct fixture		*f = *state;
	const struct call	*c;

	assert_int_equal(load(f, "", "welcome.txt"), 0);
	plan_all(f);
	plan_calls(f, "not-to-be-sent");
	c = call_of(f, f->cn.calls.n - 2);
	assert_int_equal(c->kind, CALL_MAIL);
	assert_string_equal(c->key, "helene.roux@ville-venissieux.fr");
	/* "Bienvenue à Ville de Vénissieux", as RFC 2047 words */
	assert_non_null(strstr(c->body, "\nSubject: =?UTF-8?B?QmllbnZlbnVlIMOgIFZp"
	    "bGxlIGRlIFbDqW5pc3NpZXV4?=\n"));
	assert_non_null(strstr(c->body, "Content-Type: text/plain; charset=UTF-8\n"));
	assert_non_null(strstr(c->body, "\n\nBonjour Hélène,\nIdentifiant : "
	    "helene.roux\n"));
	assert_null(strstr(c->body, "not-to-be-sent"));
}

static void
a_password_in_the_mail_needs_the_policy(void **state)
{
	struct fixture		*f = *state;
	const struct call	*c;

	assert_int_equal(load(f, "", "with-password.txt"), 1);
	assert_non_null(strstr(f->d.v[0].pos.file, "/with-password.txt"));
	assert_int_equal(f->d.v[0].pos.line, 4);
	assert_int_equal(f->d.v[0].pos.col, 16);
	assert_string_equal(f->d.v[0].msg, "{password} needs policy "
	    "welcome_password: include; without it, passwords go to the "
	    "credentials file only");
	/* with it, the mail holds the password apply generated */
	connectors_free(&f->cn);
	model_free(f->m);
	f->m = NULL;
	diag_free(&f->d);
	assert_int_equal(load(f, "policy: {welcome_password: include}\n",
	    "with-password.txt"), 0);
	plan_all(f);
	plan_calls(f, "abcd-efgh");
	c = call_of(f, f->cn.calls.n - 1);
	assert_non_null(strstr(c->body, "\nMot de passe : abcd-efgh\n"));
}

static void
connector_secrets_readable_by_others_are_refused(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(chmod(f->key, 0644), 0);
	assert_int_equal(load(f, "", "welcome.txt"), 1);
	assert_non_null(strstr(f->d.v[0].msg, "readable by group or others "
	    "(mode 0644)"));
	assert_null(strstr(f->d.v[0].msg, "s3cr3t"));
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest	tests[] = {
		T(a_dry_run_lists_the_calls_in_order),
		T(the_webhook_body_is_the_change_as_json),
		T(the_welcome_mail_is_french_and_holds_no_password),
		T(a_password_in_the_mail_needs_the_policy),
		T(connector_secrets_readable_by_others_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
