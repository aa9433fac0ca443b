/*
 * Integration: what the overlays that write on their own make of an apply,
 * on the configuration run-integration.sh started (SLAPD_OVERLAYS: memberof
 * alone, with refint on member, or with memberof-refint), and what another
 * writer does between the read and the write. Each test starts from an
 * empty directory.
 */
#include "integration.h"

#define DSI	"cn=dsi,ou=groups," VEN
#define RH	"cn=rh,ou=groups," VEN
#define ACCUEIL	"cn=accueil,ou=groups," FEY
#define MARIE2_FEY	"uid=marie.martin2,ou=people," FEY
#define HDUPONT	"uid=hdupont,ou=people," VEN
#define ANNE	"uid=anne.durand,ou=people," VEN

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The values of an attribute, sorted, joined with '|'; caller frees. */
static char *
sorted_values(const char *dn, const char *attr)
{
	char		*v = values(dn, attr), *tok, *save = NULL, *out, *tmp;
	struct ptrvec	 parts = { 0 };
	size_t		 i;

	if (v == NULL)
		fail_msg("no entry %s", dn);
	for (tok = strtok_r(v, "|", &save); tok != NULL;
	    tok = strtok_r(NULL, "|", &save))
		ptrvec_push(&parts, tok);
	qsort(parts.v, parts.n, sizeof(*parts.v), cmp_str);
	out = xstrdup("");
	for (i = 0; i < parts.n; i++) {
		tmp = xasprintf("%s%s%s", out, i ? "|" : "", (char *)parts.v[i]);
		free(out);
		out = tmp;
	}
	ptrvec_free(&parts);
	free(v);
	return out;
}

static void
assert_sorted_values(const char *dn, const char *attr, const char *want)
{
	char	*got = sorted_values(dn, attr);

	assert_string_equal(got, want);
	free(got);
}

/* Runs a command as root on the tests' server; it must exit with status. */
static void
run_expect(const char *cmd, const char *file, int status)
{
	struct run	r = run_root(cmd, file);

	if (r.status != status)
		fail_msg("mutualize %s %s: exit status %d, not %d\n%s%s", cmd,
		    file, r.status, status, r.out, r.err);
	run_free(&r);
}

static void
modify_by_hand(const char *dn, int op, const char *attr, const char *value)
{
	LDAP		*ld = root();
	char		*vals[] = { (char *)value, NULL };
	LDAPMod		 m = { op, (char *)attr, { vals } }, *mods[] = { &m, NULL };

	assert_int_equal(ldap_modify_ext_s(ld, dn, mods, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

static void
rename_by_hand(const char *dn, const char *newrdn)
{
	LDAP	*ld = root();

	assert_int_equal(ldap_rename_s(ld, dn, newrdn, NULL, 1, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* The file of the move below; caller frees and unlinks. */
static char *
moved_small(void)
{
	char	*text = slurp(SMALL), *t1, *t2, *t3, *file;

	t1 = replace(text, "kind: agent, groups: [dsi]}", "kind: agent, groups: "
	    "[dsi], login: hdupont}");
	t2 = without_line(t1, "\"V-00043\"");
	t3 = replace(t2, "kind: elected, groups: [accueil]}", "kind: elected, "
	    "groups: [accueil]}\n      - {id: \"V-00043\", given_name: \"Marie\", "
	    "surname: \"Martin\", kind: agent, groups: [accueil, "
	    "\"venissieux/rh\"]}");
	file = write_temp(t3, strlen(t3));
	free(t1);
	free(t2);
	free(t3);
	free(text);
	return file;
}

/*
 * Hélène takes the login she asked for; Marie Martin (V-00043), of dsi and
 * rh, moves to Feyzin, into its accueil and still in Vénissieux's rh. With
 * refint, the old code's delete of her old DN after the move failed (16);
 * with memberof alone, her memberOf kept dsi, and the plan said nothing.
 */
static void
a_person_in_groups_renamed_or_moved_keeps_exactly_her_groups(void **state)
{
	char	*file = moved_small();

	(void)state;
	run_expect("apply", SMALL, 0);
	run_expect("apply", file, 0);
	run_expect("plan --exit-code", file, 0);
	assert_sorted_values(MARIE2_FEY, "memberOf", ACCUEIL "|" RH);
	assert_sorted_values(HDUPONT, "memberOf", DSI);
	assert_values(DSI, "member", HDUPONT);
	assert_values(RH, "member", MARIE2_FEY);
	unlink(file);
	free(file);
}

/*
 * The same move, reviewed in the morning (plan --out) and applied in the
 * afternoon (apply --plan): each change with its assertion lands, the
 * removals before the renames, and the next plan is empty.
 */
static void
a_reviewed_plan_of_a_move_lands_as_reviewed(void **state)
{
	char	*file = moved_small(), *saved = credentials_path(), *cmd;

	(void)state;
	run_expect("apply", SMALL, 0);
	cmd = xasprintf("plan --out %s", saved);
	run_expect(cmd, file, 0);
	free(cmd);
	cmd = xasprintf("apply --plan %s", saved);
	run_expect(cmd, file, 0);
	run_expect("plan --exit-code", file, 0);
	assert_sorted_values(MARIE2_FEY, "memberOf", ACCUEIL "|" RH);
	assert_sorted_values(HDUPONT, "memberOf", DSI);
	unlink(saved);
	unlink(file);
	free(cmd);
	free(saved);
	free(file);
}

/*
 * An apply stopped right after the modrdn of the move, as the old order did
 * on refint: the server moved her, and refint (if it runs) rewrote her DN in
 * her groups, or memberof alone left them naming her old DN. The next apply
 * reads what is there and finishes; her memberOf ends exact.
 */
static void
an_apply_stopped_after_a_move_is_finished_by_the_next(void **state)
{
	char	*file = moved_small();
	LDAP	*ld;

	(void)state;
	run_expect("apply", SMALL, 0);
	ld = root();
	assert_int_equal(ldap_rename_s(ld, "uid=marie.martin2,ou=people," VEN,
	    "uid=marie.martin2", "ou=people," FEY, 1, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	run_expect("apply", file, 0);
	run_expect("plan --exit-code", file, 0);
	assert_sorted_values(MARIE2_FEY, "memberOf", ACCUEIL "|" RH);
	assert_values(RH, "member", MARIE2_FEY);
	unlink(file);
	free(file);
}

/*
 * A stale memberOf, as memberof alone leaves it when a member value goes
 * after its entry moved: Hélène is no member of rh, yet her memberOf says
 * so, and every service filter reads memberOf. The plan shows it as drift;
 * apply repairs it. (refint, or memberof-refint, would have followed the
 * move: the hand-made state arises with memberof alone.)
 */
static void
a_stale_memberof_is_drift_that_apply_repairs(void **state)
{
	const char	*overlays = getenv("SLAPD_OVERLAYS");
	struct run	 r;

	(void)state;
	if (overlays != NULL && strcmp(overlays, "memberof") != 0)
		skip();
	run_expect("apply", SMALL, 0);
	modify_by_hand(RH, LDAP_MOD_ADD, "member", HELENE);
	rename_by_hand(HELENE, "uid=away");
	modify_by_hand(RH, LDAP_MOD_DELETE, "member", HELENE);
	rename_by_hand("uid=away,ou=people," VEN, "uid=helene.dupont-sebastien");
	assert_sorted_values(HELENE, "memberOf", DSI "|" RH);
	r = run_root("plan --exit-code", SMALL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "~ " RH " (memberOf drift"));
	assert_null(strstr(r.out, "No changes"));
	run_free(&r);
	run_expect("apply", SMALL, 0);
	assert_sorted_values(HELENE, "memberOf", DSI);
	assert_values(RH, "member", "uid=marie.martin2,ou=people," VEN);
	run_expect("plan --exit-code", SMALL, 0);
}

/*
 * A missing memberOf: rh named Anne Durand before her entry existed, so
 * memberof had nowhere to write it, and the apply that added her had no
 * member to add. The next plan shows it as drift; apply repairs it.
 */
static void
a_missing_memberof_is_drift_that_apply_repairs(void **state)
{
	char		*file = edited_small("      - {id: \"V-00007\"",
	    "      - {id: \"V-00050\", given_name: \"Anne\", surname: \"Durand\", "
	    "kind: agent, groups: [rh]}\n      - {id: \"V-00007\"");
	struct run	 r;

	(void)state;
	run_expect("apply", SMALL, 0);
	modify_by_hand(RH, LDAP_MOD_ADD, "member", ANNE);
	run_expect("apply", file, 0);
	assert_values(ANNE, "memberOf", "");
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "~ " RH " (memberOf drift"));
	run_free(&r);
	run_expect("apply", file, 0);
	assert_values(ANNE, "memberOf", RH);
	run_expect("plan --exit-code", file, 0);
	unlink(file);
	free(file);
}

/* What mutualize does between its read and its write, in this process. */
struct pipeline {
	struct model	*m;
	struct conn	*c;
	struct entries	 desired, current;
	struct plan	 plan;
	const char	*managed[4];
};

static void
pipeline_plan(struct pipeline *pl, const char *file)
{
	struct diags		 d = { 0 };
	struct conn_target	 t = { env("SLAPD_URI"), TLS_NONE };
	struct conn_opts	 co = { &t, 1, BIND_SIMPLE, env("SLAPD_ROOTDN"),
	    env("SLAPD_ROOTPW"), NULL, 10, 0, NULL, 0 };
	struct diff_opts	 o = { 0 };
	int			 status;

	memset(pl, 0, sizeof(*pl));
	entries_init(&pl->desired);
	entries_init(&pl->current);
	pl->m = model_load(file, &d);
	assert_non_null(pl->m);
	assert_int_equal(model_check(pl->m, &d), 0);
	assert_int_equal(templates_load(pl->m, env("MUTUALIZE_TEMPLATES"), &d), 0);
	assert_non_null(pl->c = conn_open(&co, &status));
	pl->managed[0] = render_tenants_dn(&pl->desired.arena, pl->m);
	pl->managed[1] = render_services_dn(&pl->desired.arena, pl->m);
	pl->managed[2] = render_system_dn(&pl->desired.arena, pl->m);
	assert_int_equal(read_directory(pl->c, pl->m->syndicate.base_dn,
	    pl->managed[0], pl->managed + 1, render_read_attrs(pl->m),
	    &pl->current), 0);
	assert_int_equal(model_identities(pl->m, &pl->current, &d), 0);
	render(pl->m, &pl->desired);
	o.model = pl->m;
	o.managed = pl->managed;
	o.on_departure = pl->m->policy.on_departure;
	o.now = "20261201000000Z";
	o.lock_accounts = pl->current.ppolicy;
	diff(&pl->desired, &pl->current, &o, &pl->plan);
	diag_free(&d);
}

static void
pipeline_free(struct pipeline *pl)
{
	plan_free(&pl->plan);
	conn_close(pl->c);
	entries_free(&pl->desired);
	entries_free(&pl->current);
	model_free(pl->m);
}

/*
 * A self-service tool edits Hélène's title and phone after mutualize read
 * them and before it writes: the file's values win (her title goes, her
 * phone is the file's), and the apply does not fail on it. The old code
 * deleted the title by its value, which was no longer there (16).
 */
static void
another_writer_between_the_read_and_the_write_fails_nothing(void **state)
{
	char			*before = edited_small("kind: agent, groups: [dsi]}",
	    "kind: agent, groups: [dsi], title: \"Ingénieure\", phone: "
	    "\"+33 4 72 21 44 44\"}");
	char			*after = edited_small("kind: agent, groups: [dsi]}",
	    "kind: agent, groups: [dsi], phone: \"+33 4 72 21 44 45\"}");
	struct apply_opts	 ao = { 0 };
	struct apply_result	 res = { 0 };
	struct pipeline		 pl;

	(void)state;
	run_expect("apply", before, 0);
	pipeline_plan(&pl, after);
	assert_int_equal(pl.plan.n, 1);
	modify_by_hand(HELENE, LDAP_MOD_REPLACE, "title", "Cheffe de projet");
	modify_by_hand(HELENE, LDAP_MOD_REPLACE, "telephoneNumber",
	    "+33 1 00 00 00 00");
	ao.scheme = PW_NONE;
	ao.batch = BATCH_DEFAULT;
	ao.transactions = 1;
	assert_int_equal(apply_plan(pl.c, &pl.plan, &ao, &res), 0);
	assert_int_equal(res.done, 1);
	pipeline_free(&pl);
	assert_values(HELENE, "title", "");
	assert_values(HELENE, "telephoneNumber", "+33 4 72 21 44 45");
	run_expect("plan --exit-code", after, 0);
	unlink(before);
	unlink(after);
	free(before);
	free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup(name, wipe)
		T(a_person_in_groups_renamed_or_moved_keeps_exactly_her_groups),
		T(a_reviewed_plan_of_a_move_lands_as_reviewed),
		T(an_apply_stopped_after_a_move_is_finished_by_the_next),
		T(a_stale_memberof_is_drift_that_apply_repairs),
		T(a_missing_memberof_is_drift_that_apply_repairs),
		T(another_writer_between_the_read_and_the_write_fails_nothing),
#undef T
	};

	return cmocka_run_group_tests_name("overlays", tests, NULL, NULL);
}
