/*
 * An apply whose changes find their work done already, against the real
 * slapd: another writer (as a failed provider's changes arriving by
 * replication would) adds, while the apply runs, some of the entries it will
 * add late in its plan, exactly as it would make them. The apply must take
 * them as done, plan again, and end with the directory as the file says.
 *
 * The other writer waits for the apply's first person added (-v says each
 * change once its batch of 50 is answered) and adds the people of the last
 * town, which the plan adds after the 1,500 of the other towns: the race is
 * won unless the apply makes 30 batches in the few milliseconds the four
 * hand-made adds take. A run that
 * loses it still asserts: then the other writer was refused, and the apply
 * found nothing done.
 */
#include <signal.h>

#include "integration.h"

#define BIG		1500	/* people of the first two towns */
#define LATE		4	/* people of the last town, made by hand too */
#define LATE_PEOPLE	"ou=people,ou=town3," TENANTS
#define LATE_VALUES	8	/* of one attribute, at most */

static void
drop(char *file)
{
	unlink(file);
	free(file);
}

static void
assert_contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, text);
}

/* The offset of the last needle in text, or -1. */
static long
last_of(const char *text, const char *needle)
{
	const char	*p, *last = NULL;

	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		last = p;
	return last != NULL ? (long)(last - text) : -1;
}

/* A syndicate of BIG people in two towns, then LATE in a third. */
static char *
big_file(void)
{
	char	*path = write_temp("", 0);
	FILE	*fp = fopen(path, "w");
	int	 t, i;

	assert_non_null(fp);
	fprintf(fp, "version: 1\nsyndicate: {id: sitiv, name: SITIV, base_dn: "
	    "\"" BASE "\", mail_domain: sitiv.fr}\ndirectory: {uri: "
	    "\"ldap://127.0.0.1:3890\", bind_dn: \"cn=admin," BASE "\"}\n"
	    "policy: {password_scheme: sha512-crypt}\ntenants:\n");
	for (t = 1; t <= 3; t++) {
		fprintf(fp, "  - id: town%d\n    name: \"Ville %d\"\n    groups: "
		    "[{id: tous, name: Tous}]\n    people:\n", t, t);
		for (i = 0; i < (t < 3 ? BIG / 2 : LATE); i++)
			fprintf(fp, "      - {id: \"P%d%05d\", given_name: "
			    "\"Agent\", surname: \"T%dN%d\", kind: agent, "
			    "groups: [tous]}\n", t, i, t, i);
	}
	fclose(fp);
	return path;
}

/* One add record of an LDIF plan: "type: value" lines after its DN. */
struct record {
	char		*dn;
	struct ptrvec	 lines;		/* char *: "type: value" */
};

/* The add records of the LDIF for entries below parent, in its order. */
static size_t
records_below(const char *ldif, const char *parent, struct record *v,
    size_t max)
{
	char	*text = xstrdup(ldif), *line, *save = NULL;
	size_t	 n = 0;
	int	 in = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_true(*line != ' ');	/* short ASCII values: no folds */
		if (strncmp(line, "dn: ", 4) == 0) {
			in = strstr(line, parent) != NULL && n < max;
			if (in) {
				memset(&v[n], 0, sizeof(v[n]));
				v[n++].dn = xstrdup(line + 4);
			}
		} else if (in && *line != '#' &&
		    strncmp(line, "changetype:", 11) != 0)
			ptrvec_push(&v[n - 1].lines, xstrdup(line));
	}
	free(text);
	return n;
}

static void
record_free(struct record *r)
{
	size_t	i;

	for (i = 0; i < r->lines.n; i++)
		free(r->lines.v[i]);
	ptrvec_free(&r->lines);
	free(r->dn);
}

/* The modification of mods[0..n) for type, made when new; its value added. */
static void
mod_value(LDAPMod **mods, size_t *n, const char *type, const char *value)
{
	size_t	i, k = 0;

	for (i = 0; i < *n && strcasecmp(mods[i]->mod_type, type) != 0; i++)
		;
	if (i == *n) {
		mods[i] = xcalloc(1, sizeof(**mods));
		mods[i]->mod_op = LDAP_MOD_ADD;
		mods[i]->mod_type = xstrdup(type);
		mods[i]->mod_values = xcalloc(LATE_VALUES + 1, sizeof(char *));
		(*n)++;
	}
	while (mods[i]->mod_values[k] != NULL)
		k++;
	assert_true(k < LATE_VALUES);
	mods[i]->mod_values[k] = xstrdup(value);
}

/* Adds the record as root, as the apply would: the server's result. */
static int
add_record(LDAP *ld, const struct record *r)
{
	LDAPMod		**mods = xcalloc(r->lines.n + 1, sizeof(*mods));
	char		*type, *colon;
	size_t		 i, k, n = 0;
	int		 rc;

	for (i = 0; i < r->lines.n; i++) {
		type = xstrdup(r->lines.v[i]);
		colon = strchr(type, ':');
		assert_non_null(colon);
		assert_true(colon[1] == ' ');	/* no base64 */
		*colon = '\0';
		mod_value(mods, &n, type, colon + 2);
		free(type);
	}
	rc = ldap_add_ext_s(ld, r->dn, mods, NULL, NULL);
	for (i = 0; i < n; i++) {
		for (k = 0; mods[i]->mod_values[k] != NULL; k++)
			free(mods[i]->mod_values[k]);
		free(mods[i]->mod_values);
		free(mods[i]->mod_type);
		free(mods[i]);
	}
	free(mods);
	return rc;
}

/* The apply, and the other writer that waits for its first person added. */
struct race {
	struct record	 late[LATE];
	size_t		 nlate;
	int		 made[LATE];	/* by hand: LDAP_SUCCESS, or refused */
	size_t		 nmade;
	char		*creds, *journal, *undo;
};

static void
other_writer(struct race *race)
{
	LDAP	*ld = root();
	size_t	 i;

	for (i = 0; i < race->nlate; i++) {
		race->made[i] = add_record(ld, &race->late[i]);
		if (race->made[i] != LDAP_SUCCESS &&
		    race->made[i] != LDAP_ALREADY_EXISTS)
			fail_msg("add %s: %s", race->late[i].dn,
			    ldap_err2string(race->made[i]));
		race->nmade += race->made[i] == LDAP_SUCCESS;
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/*
 * Runs the apply with -v (and extra options), its standard error read as it
 * comes.
 */
static struct run
apply_racing(struct race *race, const char *extra, const char *file)
{
	char		*args = xasprintf("-v apply%s --batch-size 50 --credentials "
	    "%s --journal %s --undo %s -H %s %s", extra, race->creds,
	    race->journal, race->undo, env("SLAPD_URI"), file);
	char		*out = write_temp("", 0), *cmd, line[4096];
	struct memtext	 err;
	struct run	 r;
	FILE		*pp, *ep = memtext_open(&err);
	int		 st, raced = 0;

	setenv("MUTUALIZE_BIND_PASSWORD", env("SLAPD_ROOTPW"), 1);
	cmd = xasprintf("%s %s 2>&1 >%s </dev/null", env("MUTUALIZE_TEST_BIN"),
	    args, out);
	assert_non_null(pp = popen(cmd, "r"));
	while (fgets(line, sizeof(line), pp) != NULL) {
		fputs(line, ep);
		if (!raced && strncmp(line, "mutualize: add uid=", 19) == 0) {
			other_writer(race);
			raced = 1;
		}
	}
	st = pclose(pp);
	assert_true(WIFEXITED(st));
	r.status = WEXITSTATUS(st);
	r.out = slurp(out);
	r.err = memtext_close(&err);
	log_run(args, &r);
	unlink(out);
	free(out);
	free(cmd);
	free(args);
	return r;
}

/* How many times needle is in text. */
static size_t
count(const char *text, const char *needle)
{
	size_t		 n = 0;
	const char	*p;

	for (p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* What the files of the apply say of each late person, made by hand or not. */
static void
assert_files(const struct race *race)
{
	char	*creds = slurp(race->creds), *undo = slurp(race->undo);
	char	*journal = slurp(race->journal), *want, *uid;
	size_t	 i;

	for (i = 0; i < race->nlate; i++) {
		uid = xstrndup(race->late[i].dn + 4,
		    strcspn(race->late[i].dn + 4, ","));
		want = xasprintf("# not created (it exists already, with a "
		    "password of its own; this one is unused): %s\n", uid);
		assert_int_equal(strstr(creds, want) != NULL,
		    race->made[i] == LDAP_SUCCESS);
		free(want);
		/* the undo file takes back only what this apply made */
		want = xasprintf("dn: %s\nchangetype: delete\n",
		    race->late[i].dn);
		assert_int_equal(strstr(undo, want) == NULL,
		    race->made[i] == LDAP_SUCCESS);
		free(want);
		free(uid);
	}
	assert_int_equal(count(journal, "\"result\": \"already done\""),
	    race->nmade);
	free(creds);
	free(undo);
	free(journal);
}

/*
 * The people of the last town, from the plan as LDIF, the last of them with a
 * telephone number the file does not give; the files of the apply named.
 */
static void
race_init(struct race *race, const char *file)
{
	char		*args;
	struct run	 r;

	memset(race, 0, sizeof(*race));
	args = xasprintf("plan --format ldif -H %s %s", env("SLAPD_URI"), file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	race->nlate = records_below(r.out, "," LATE_PEOPLE, race->late, LATE);
	assert_int_equal(race->nlate, LATE);
	/* the plan adds them after every other person */
	assert_true(last_of(r.out, "dn: uid=agent.t2n") >= 0);
	assert_true(last_of(r.out, "dn: uid=agent.t1n") <
	    last_of(r.out, "dn: uid=agent.t3n"));
	assert_true(last_of(r.out, "dn: uid=agent.t2n") <
	    strstr(r.out, "dn: uid=agent.t3n") - r.out);
	run_free(&r);
	free(args);
	ptrvec_push(&race->late[LATE - 1].lines, xstrdup("telephoneNumber: "
	    "+33 4 72 00 00 00"));
	race->creds = credentials_path();
	race->journal = credentials_path();
	race->undo = credentials_path();
}

static void
race_free(struct race *race)
{
	size_t	i;

	for (i = 0; i < race->nlate; i++)
		record_free(&race->late[i]);
	unlink(race->creds);
	unlink(race->journal);
	unlink(race->undo);
	free(race->creds);
	free(race->journal);
	free(race->undo);
}

/* What the apply says of the people made meanwhile, and its exit status. */
static void
assert_found(const struct race *race, const struct run *r)
{
	char	*want;

	fprintf(stderr, "# %zu of %d people made by the other writer first\n",
	    race->nmade, LATE);
	if (r->status != 0)
		fail_msg("exit status %d:\n%s", r->status, r->err);
	if (race->nmade == 0) {
		assert_null(strstr(r->out, "already done"));
		assert_null(strstr(r->err, "already done"));
		return;
	}
	want = xasprintf("; %zu already done.\n", race->nmade);
	assert_contains(r->out, want);
	free(want);
}

/*
 * The people of the last town, added by another writer while the apply runs,
 * one with a telephone number the file does not give: taken as done, and the
 * number gone after the apply planned again.
 */
static void
entries_made_meanwhile_are_taken_as_done_and_planned_again(void **state)
{
	char		*file = big_file(), *want;
	struct race	 race;
	struct run	 r;

	(void)state;
	race_init(&race, file);
	r = apply_racing(&race, "", file);
	assert_found(&race, &r);
	if (race.nmade > 0) {
		want = xasprintf("the directory changed under the apply (%zu "
		    "change%s found already made): planning again\n", race.nmade,
		    race.nmade == 1 ? "" : "s");
		assert_contains(r.err, want);
		free(want);
	} else
		assert_null(strstr(r.err, "planning again"));
	assert_files(&race);
	run_free(&r);
	/* the directory is as the file says, the extra number gone */
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_values(race.late[LATE - 1].dn, "telephoneNumber", "");
	race_free(&race);
	drop(file);
}

/*
 * A reviewed plan meets the same writer: what it found done is reported, and
 * nothing else is planned; the extra number waits for the next plan.
 */
static void
a_reviewed_plan_finds_entries_made_and_plans_nothing_else(void **state)
{
	char		*file = big_file(), *saved = credentials_path(), *args;
	char		*extra;
	struct race	 race;
	struct run	 r;

	(void)state;
	race_init(&race, file);
	args = xasprintf("plan --out %s -H %s %s", saved, env("SLAPD_URI"),
	    file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	run_free(&r);
	extra = xasprintf(" --plan %s", saved);
	r = apply_racing(&race, extra, file);
	assert_found(&race, &r);
	assert_null(strstr(r.err, "planning again"));
	if (race.nmade > 0)
		assert_contains(r.err, "found done already in the last round; "
		    "nothing more is planned");
	assert_files(&race);
	run_free(&r);
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, race.made[LATE - 1] == LDAP_SUCCESS ?
	    EXIT_CHANGES : EXIT_OK);
	run_free(&r);
	race_free(&race);
	unlink(saved);
	free(saved);
	free(extra);
	free(args);
	drop(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
		    entries_made_meanwhile_are_taken_as_done_and_planned_again,
		    wipe),
		cmocka_unit_test_setup(
		    a_reviewed_plan_finds_entries_made_and_plans_nothing_else,
		    wipe),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("replan", tests, NULL, NULL);
}
