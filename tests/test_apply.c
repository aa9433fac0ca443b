/*
 * Integration: the real program against the real slapd that run-integration.sh
 * started (SLAPD_URI, SLAPD_ROOTDN, SLAPD_ROOTPW). Each test starts from an
 * empty directory and checks what the directory holds afterwards.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "integration.h"

static void
apply_builds_what_the_file_describes(void **state)
{
	struct run	r = run_root("apply", SMALL);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Plan: 16 to add, 0 to change, 0 to delete.\n"));
	assert_non_null(strstr(r.out, "Apply complete: 16 added, 0 changed, "
	    "0 renamed or moved, 0 disabled, 0 deleted.\n"));
	assert_string_equal(r.err, "");
	assert_int_equal(count_entries(BASE), 16);
	assert_values(HELENE, "cn", "Hélène Dupont-Sébastien");
	assert_values(HELENE, "mail", "helene.dupont-sebastien@ville-venissieux.fr");
	assert_values(HELENE, "employeeNumber", "V-00042");
	assert_values(HELENE, "employeeType", "agent");
	assert_values(HELENE, "memberOf", "cn=dsi,ou=groups," VEN);
	assert_values("uid=marie.martin2,ou=people," VEN, "memberOf",
	    "cn=dsi,ou=groups," VEN "|cn=rh,ou=groups," VEN);
	assert_values("uid=marie.martin,ou=people," FEY, "mail",
	    "marie.martin@sitiv.fr");
	assert_values(VEN, "associatedDomain", "ville-venissieux.fr");
	run_free(&r);
}

static void
second_apply_has_nothing_to_do(void **state)
{
	struct run	r1 = run_root("apply", SMALL), r2, r3;

	(void)state;
	assert_int_equal(r1.status, 0);
	r2 = run_root("apply", SMALL);
	assert_int_equal(r2.status, 0);
	assert_string_equal(r2.out, "No changes. The directory matches "
	    "tests/data/small.yaml.\n");
	r3 = run_root("plan --exit-code", SMALL);
	assert_int_equal(r3.status, 0);
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
}

static void
plan_and_dry_run_write_nothing(void **state)
{
	struct run	r1 = run_root("plan --exit-code", SMALL);
	struct run	r2 = run_root("apply -n --exit-code", SMALL);
	struct run	r3 = run_root("apply --dry-run", SMALL);

	(void)state;
	assert_int_equal(r1.status, 2);
	assert_int_equal(r2.status, 2);
	assert_int_equal(r3.status, 0);
	assert_string_equal(r1.out, r2.out);
	assert_string_equal(r1.out, r3.out);
	assert_non_null(strstr(r1.out, "Plan: 16 to add"));
	assert_int_equal(count_entries(BASE), 0);
	run_free(&r1);
	run_free(&r2);
	run_free(&r3);
}

static void
rename_is_a_modify_and_a_departure_disables(void **state)
{
	char		*text = slurp(SMALL), *married, *left, *file;
	char		*uuid, *uuid2, *stamp = NULL;
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	uuid = values("uid=michele.picard,ou=people," VEN, "entryUUID");
	/* Michèle Picard married; Marie Martin of Feyzin (F-0002) left */
	married = replace(text, "surname: \"Picard\"", "surname: \"Picard-Durand\"");
	left = without_line(married, "\"F-0002\"");
	file = write_temp(left, strlen(left));
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "~ uid=michele.picard,ou=people," VEN "\n"
	    "    cn: Michèle Picard -> Michèle Picard-Durand\n"
	    "    sn: Picard -> Picard-Durand\n"
	    "    displayName: Michèle Picard -> Michèle Picard-Durand\n"));
	assert_non_null(strstr(r.out, "~ uid=marie.martin,ou=people," FEY
	    " (disable: no longer in the file)\n"));
	assert_non_null(strstr(r.out, "Plan: 0 to add, 1 to change, 1 to disable, "
	    "0 to delete."));
	/* the same entry, the same login */
	uuid2 = values("uid=michele.picard,ou=people," VEN, "entryUUID");
	assert_string_equal(uuid, uuid2);
	assert_values("uid=michele.picard,ou=people," VEN, "sn", "Picard-Durand");
	/* she is kept, stamped and locked, in no group */
	assert_values("uid=marie.martin,ou=people," FEY, "pwdAccountLockedTime",
	    "000001010000Z");
	free(stamp);
	stamp = values("uid=marie.martin,ou=people," FEY, "mutualizeDisabled");
	assert_int_equal(strlen(stamp), 15);
	assert_int_equal(stamp[14], 'Z');
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
	/* nothing more to do, and --prune leaves a recent departure alone */
	r = run_root("apply --prune", file);
	assert_non_null(strstr(r.out, "No changes."));
	run_free(&r);
	unlink(file);
	free(file);
	free(left);
	free(married);
	free(text);
	free(uuid);
	free(uuid2);
	free(stamp);
}

static void
hand_made_entries_and_attributes_are_kept(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "Made by hand",
	    NULL };
	static const char *const reader[] = { "objectClass", "organizationalRole",
	    "cn", "reader", NULL };
	static const char *const printer[] = { "objectClass", "device",
	    "cn", "printer", NULL };
	LDAP		*ld;
	LDAPMod		 m1, m2, *mods[3] = { &m1, &m2, NULL };
	char		*pw[] = { "{CRYPT}x", NULL }, *room[] = { "B 204", NULL };
	struct run	 r;

	(void)state;
	add_by_hand(BASE, base);
	add_by_hand("cn=reader," BASE, reader);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* by hand: a password, a room, and an unmarked entry in a tenant */
	ld = root();
	m1.mod_op = LDAP_MOD_REPLACE;
	m1.mod_type = "userPassword";
	m1.mod_values = pw;
	m2.mod_op = LDAP_MOD_ADD;
	m2.mod_type = "roomNumber";
	m2.mod_values = room;
	assert_int_equal(ldap_modify_ext_s(ld, HELENE, mods, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	add_by_hand("cn=printer,ou=groups," VEN, printer);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Left alone: 1 entry without the "
	    "mutualizeManaged mark\n  cn=printer,ou=groups," VEN "\n"));
	assert_non_null(strstr(r.out, "No changes."));
	assert_values(BASE, "o", "Made by hand");
	assert_values("cn=reader," BASE, "cn", "reader");
	assert_values("cn=printer,ou=groups," VEN, "cn", "printer");
	assert_values(HELENE, "userPassword", "{CRYPT}x");
	assert_values(HELENE, "roomNumber", "B 204");
	run_free(&r);
}

/*
 * Hélène's entry made by hand as an account, marked: the plan's modify of it
 * cannot make it a person, and the server refuses it.
 */
static void
hand_made_account(void)
{
	static const char *const ou_t[] = { "objectClass", "organizationalUnit",
	    "ou", "tenants", NULL };
	static const char *const ou_v[] = { "objectClass", "organizationalUnit",
	    "objectClass", "domainRelatedObject", "ou", "venissieux",
	    "description", "Ville de Vénissieux", "associatedDomain",
	    "ville-venissieux.fr", NULL };
	static const char *const ou_p[] = { "objectClass", "organizationalUnit",
	    "ou", "people", NULL };
	/* marked, with another structural class: it cannot become a person */
	static const char *const acct[] = { "objectClass", "account",
	    "objectClass", "extensibleObject", "objectClass", "mutualizeManaged",
	    "uid", "helene.dupont-sebastien", "employeeNumber", "V-00042", NULL };
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };

	add_by_hand(BASE, base);
	add_by_hand(TENANTS, ou_t);
	add_by_hand(VEN, ou_v);
	add_by_hand("ou=people," VEN, ou_p);
	add_by_hand(HELENE, acct);
}

/* An apply that the server stops at the modify of that account. */
static struct run
apply_over_hand_made_account(const char *cmd)
{
	struct run	 r;

	hand_made_account();
	r = run_root(cmd, SMALL);
	assert_int_equal(r.status, EXIT_SCHEMA);
	assert_non_null(strstr(r.err, "mutualize: modify \"" HELENE "\" on "));
	assert_non_null(strstr(r.err, "Object class violation (65)\n"));
	assert_null(strstr(r.out, "Apply complete"));
	return r;
}

static void
in_a_transaction_a_server_error_rolls_the_batch_back_and_says_so(void **state)
{
	struct run	 r = apply_over_hand_made_account("apply --transactions");

	(void)state;
	assert_non_null(strstr(r.err, "mutualize: in transactions, which slapd "
	    "2.5 can damage its database in rolling back (mutualize(1), "
	    "BUGS)\n"));
	/* one transaction: the 11 adds before the modify are not there */
	assert_non_null(strstr(r.err, "mutualize: batch 1 (changes 1 to 12) was "
	    "rolled back: nothing of it was written\nmutualize: slapd 2.5 can "
	    "damage its database in rolling a transaction back: check it with "
	    "slapcat before writing again\n"));
	assert_non_null(strstr(r.err, "mutualize: none of the 12 changes was "
	    "made; nothing was written.\n"));
	assert_null(strstr(r.err, "partly updated"));
	assert_int_equal(count_entries(BASE), 5);
	run_free(&r);
}

static void
by_default_the_changes_before_an_error_stay(void **state)
{
	struct run	 r = apply_over_hand_made_account("apply");

	(void)state;
	/* outside a transaction, the server says why */
	assert_non_null(strstr(r.err, "Object class violation (65)\n\tserver says: "
	    "invalid structural object class chain (account/inetOrgPerson)\n"));
	/* the 11 adds went through before the modify */
	assert_non_null(strstr(r.err, "mutualize: 11 of 12 changes were made "
	    "before the error; the directory is partly updated.\n"));
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
}

/* The default, said aloud: scripts written when it was not keep working. */
static void
no_transactions_is_the_default_said_aloud(void **state)
{
	struct run	 r = apply_over_hand_made_account("apply --no-transactions");

	(void)state;
	assert_non_null(strstr(r.err, "mutualize: 11 of 12 changes were made "
	    "before the error; the directory is partly updated.\n"));
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
	r = run_root("apply --transactions --no-transactions", SMALL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "mutualize: --transactions and "
	    "--no-transactions exclude each other\n"));
	run_free(&r);
}

static void
batches_before_a_failed_one_land(void **state)
{
	struct run	 r = apply_over_hand_made_account("apply --batch-size 3");

	(void)state;
	assert_non_null(strstr(r.err, "mutualize: batches 1 to 3 of 4 landed "
	    "(changes 1 to 9)\nmutualize: batch 4 (changes 10 to 12) went "
	    "outside a transaction: what the server took before the error "
	    "stays\n"));
	assert_non_null(strstr(r.err, "mutualize: 11 of 12 changes were made "
	    "before the error"));
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
}

static void
in_transactions_the_batches_before_a_failed_one_land(void **state)
{
	struct run	 r = apply_over_hand_made_account("apply --transactions "
	    "--batch-size 3");

	(void)state;
	assert_non_null(strstr(r.err, "mutualize: batches 1 to 3 of 4 landed "
	    "(changes 1 to 9)\nmutualize: batch 4 (changes 10 to 12) was rolled "
	    "back: nothing of it was written\n"));
	assert_non_null(strstr(r.err, "mutualize: 9 of 12 changes were made "
	    "before the error"));
	assert_int_equal(count_entries(BASE), 14);
	run_free(&r);
}

/*
 * Parents before children, people before their groups, across batches too,
 * pipelined or in transactions.
 */
static void
small_batches_keep_the_order_of_the_plan(void **state)
{
	const char	*sizes[] = { "1", "4", "7", "1 --transactions",
	    "4 --transactions", "7 --transactions" };
	struct run	 r;
	char		*cmd;
	size_t		 i;

	(void)state;
	for (i = 0; i < 6; i++) {
		wipe(NULL);
		cmd = xasprintf("apply --batch-size %s", sizes[i]);
		r = run_root(cmd, SMALL);
		assert_int_equal(r.status, 0);
		assert_int_equal(count_entries(BASE), 16);
		assert_values("uid=marie.martin2,ou=people," VEN, "memberOf",
		    "cn=dsi,ou=groups," VEN "|cn=rh,ou=groups," VEN);
		run_free(&r);
		r = run_root("plan --exit-code", SMALL);
		assert_int_equal(r.status, 0);
		run_free(&r);
		free(cmd);
	}
	r = run_root("apply --batch-size 0", SMALL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "--batch-size takes a count from 1 to "
	    "100000\n"));
	run_free(&r);
}

static void
password_scheme_none_adds_accounts_without_a_password(void **state)
{
	char		*file = edited_small("\ntenants:", "\npolicy: "
	    "{password_scheme: none}\ntenants:");
	char		*journal = credentials_path(), *undo = credentials_path();
	char		*args = xasprintf("apply --journal %s --undo %s -H %s %s",
	    journal, undo, env("SLAPD_URI"), file);
	struct run	 r = run(env("SLAPD_ROOTPW"), args);

	(void)state;
	/* no --credentials: there is no password to write */
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "Initial passwords"));
	assert_int_equal(count_entries(BASE), 16);
	assert_values(HELENE, "userPassword", "");
	assert_values(HELENE, "mail", "helene.dupont-sebastien@ville-venissieux.fr");
	run_free(&r);
	unlink(file);
	unlink(journal);
	unlink(undo);
	free(file);
	free(journal);
	free(undo);
	free(args);
}

static void
paged_read_sees_past_a_size_limit(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };
	static const char *const reader[] = { "objectClass", "organizationalRole",
	    "objectClass", "simpleSecurityObject", "cn", "reader",
	    "userPassword", "reader-pw", NULL };
	char		*file = edited_small("cn=admin,dc=sitiv,dc=fr",
	    "cn=reader,dc=sitiv,dc=fr"), *args;
	LDAP		*ld;
	LDAPMessage	*res = NULL;
	struct run	 r;

	(void)state;
	add_by_hand(BASE, base);
	add_by_hand("cn=reader," BASE, reader);
	r = run_root("apply", SMALL);
	run_free(&r);
	/* slapd limits the reader to 5 entries a search */
	ld = bind_as("cn=reader," BASE, "reader-pw");
	assert_int_equal(ldap_search_ext_s(ld, TENANTS, LDAP_SCOPE_SUBTREE,
	    "(objectClass=*)", NULL, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res),
	    LDAP_SIZELIMIT_EXCEEDED);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	args = xasprintf("plan --exit-code -H %s %s", env("SLAPD_URI"), file);
	r = run("reader-pw", args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No changes."));
	run_free(&r);
	unlink(file);
	free(file);
	free(args);
}

static void
wrong_password_is_refused_clearly(void **state)
{
	char		*args = xasprintf("plan -H %s %s", env("SLAPD_URI"), SMALL);
	struct run	 r = run("not-the-password", args);

	(void)state;
	assert_int_equal(r.status, EXIT_CREDENTIALS);
	assert_non_null(strstr(r.err, "mutualize: bind as \"cn=admin,dc=sitiv,"
	    "dc=fr\" on "));
	assert_non_null(strstr(r.err, "Invalid credentials (49)"));
	assert_null(strstr(r.err, "not-the-password"));
	assert_string_equal(r.out, "");
	run_free(&r);
	free(args);
}

static void
password_file_readable_by_others_is_refused(void **state)
{
	char		 dir[] = "/tmp/mutualize-pw.XXXXXX";
	char		*yaml, *pw, *text, *args, *sub, *creds;
	struct run	 r;
	FILE		*fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	text = slurp(SMALL);
	sub = strstr(text, "  bind_dn:");
	assert_non_null(sub);
	yaml = xasprintf("%s/t.yaml", dir);
	pw = xasprintf("%s/bind.pw", dir);
	assert_non_null(fp = fopen(yaml, "w"));
	fwrite(text, 1, (size_t)(strchr(sub + 1, '\n') + 1 - text), fp);
	fputs("  bind_password_file: bind.pw\n", fp);
	fputs(strchr(sub + 1, '\n') + 1, fp);
	fclose(fp);
	assert_non_null(fp = fopen(pw, "w"));
	fprintf(fp, "%s\n", env("SLAPD_ROOTPW"));
	fclose(fp);
	chmod(pw, 0644);
	creds = credentials_path();
	args = xasprintf("apply --credentials %s --journal %s.journal --undo %s.undo "
	    "-H %s %s", creds, creds, creds, env("SLAPD_URI"), yaml);
	r = run(NULL, args);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "readable by group or others (mode 0644); "
	    "run: chmod 600"));
	assert_int_equal(count_entries(BASE), 0);
	run_free(&r);
	/* once private, the same file works */
	chmod(pw, 0600);
	r = run(NULL, args);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
	unlink(yaml);
	unlink(pw);
	remove_run_files(creds);
	rmdir(dir);
	free(yaml);
	free(pw);
	free(text);
	free(args);
	free(creds);
}

static void
invalid_file_contacts_nothing(void **state)
{
	char		*file = edited_small("kind: elected", "kind: mayor");
	struct run	 r = run_root("apply", file);

	(void)state;
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "kind \"mayor\" is neither \"agent\" nor "
	    "\"elected\"\n"));
	assert_non_null(strstr(r.err, ": 1 error; nothing was contacted.\n"));
	assert_int_equal(count_entries(BASE), 0);
	run_free(&r);
	unlink(file);
	free(file);
}

#define SERVICES "ou=services," BASE

/*
 * The split example: people files, a CSV, services, admins, shared groups;
 * applied from a copy, where the services' password files go.
 */
static void
split_example_applies_with_every_key(void **state)
{
	char		 dir[64], *cmd, *file;
	struct run	 r, r2;

	(void)state;
	temp_dir(dir, "mutualize-split");
	cmd = xasprintf("cp -R examples/split/. %s", dir);
	assert_int_equal(system(cmd), 0);
	file = xasprintf("%s/sitiv.yaml", dir);
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_values(HELENE, "title", "Directrice des systèmes d'information");
	assert_values(HELENE, "ou", "Direction des systèmes d'information");
	assert_values(HELENE, "telephoneNumber", "+33 4 72 21 44 44");
	assert_values(HELENE, "mailLocalAddress", "dsi@ville-venissieux.fr");
	assert_values(HELENE, "memberOf", "cn=dsi,ou=groups," VEN "|cn=admins,"
	    "ou=groups," VEN "|cn=dsi,ou=groups,ou=sitiv," TENANTS "|cn=mail,"
	    SERVICES "|cn=files," SERVICES "|cn=visio," SERVICES);
	/* what the templates add: her own mail quota, the service's for files */
	assert_values(HELENE, "mutualizeMailQuota", "10737418240");
	assert_values(HELENE, "mutualizeFilesQuota", "21474836480");
	assert_values("uid=maelle.perrin,ou=people," FEY, "mutualizeFilesQuota",
	    "");
	/* a CSV cell with a comma in quotes; "mail; visio" is a list */
	assert_values("uid=zoe.brunel,ou=people," FEY, "title",
	    "Adjointe au maire, chargée de la culture");
	assert_values("uid=maelle.perrin,ou=people," FEY, "memberOf",
	    "cn=rh,ou=groups," FEY "|cn=admins,ou=groups," FEY "|cn=mail,"
	    SERVICES "|cn=visio," SERVICES);
	/* login set in the file; suspended and "services: []" get no service */
	assert_values("uid=lgall,ou=people,ou=saint-fons," TENANTS, "mail",
	    "lgall@saint-fons.fr");
	assert_values("uid=laetitia.garnier,ou=people," VEN, "memberOf", "");
	assert_values("uid=jerome.bonnaventure,ou=people,ou=saint-fons," TENANTS,
	    "memberOf", "");
	assert_values("cn=rgpd,ou=groups,ou=sitiv," TENANTS, "member",
	    "uid=aminata.ndiaye,ou=people," VEN "|uid=anais.chevalier,ou=people,"
	    "ou=saint-fons," TENANTS "|uid=therese.caillat,ou=people," FEY
	    "|uid=celine.faure,ou=people,ou=sitiv," TENANTS);
	/* the services bind with accounts whose passwords are beside the file */
	assert_values("cn=visio,ou=system," BASE, "cn", "visio");
	r2 = run_root("plan --exit-code", file);
	assert_int_equal(r2.status, 0);
	run_free(&r);
	run_free(&r2);
	remove_tree(dir);
	free(file);
	free(cmd);
}

/* Whether a simple bind with this password succeeds. */
static int
can_bind(const char *dn, const char *pw)
{
	return try_bind(dn, pw) == LDAP_SUCCESS;
}

/* The password of a login in a credentials file; caller frees. */
static char *
password_of(const char *creds, const char *login)
{
	char		*text = slurp(creds), *line, *pw = NULL;
	char		*key = xasprintf("\n%s\t", login), *t;

	t = xasprintf("\n%s", text);
	if ((line = strstr(t, key)) != NULL) {
		line = strchr(line + strlen(key), '\t') + 1;	/* after the mail */
		pw = xstrndup(line, strcspn(line, "\t"));
	}
	free(t);
	free(key);
	free(text);
	return pw;
}

static void
new_accounts_get_a_password_only_the_credentials_file_has(void **state)
{
	char		*creds = credentials_path(), *args, *pw;
	struct run	 r;
	struct stat	 st;
	char		*text;

	(void)state;
	args = xasprintf("apply --credentials %s --journal %s.journal --undo %s.undo "
	    "-H %s %s", creds, creds, creds, env("SLAPD_URI"), SMALL);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	assert_int_equal(stat(creds, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	text = slurp(creds);
	pw = password_of(creds, "helene.dupont-sebastien");
	assert_non_null(pw);
	assert_int_equal(strlen(pw), SECRET_PASSWORD_LEN);
	/* hashed in the entry, verified by slapd; never printed */
	assert_true(can_bind(HELENE, pw));
	assert_false(can_bind(HELENE, "wrong"));
	assert_int_equal(strncmp(values_or(HELENE, "userPassword"), "{CRYPT}$y$",
	    10), 0);
	assert_null(strstr(r.out, pw));
	assert_null(strstr(r.err, pw));
	assert_non_null(strstr(text, "helene.dupont-sebastien\t"
	    "helene.dupont-sebastien@ville-venissieux.fr\t"));
	run_free(&r);
	/* a second apply never overwrites the file, nor the password */
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	assert_true(can_bind(HELENE, pw));
	run_free(&r);
	remove_run_files(creds);
	free(creds);
	free(args);
	free(pw);
	free(text);
}

static void
a_departure_locks_and_a_return_unlocks_the_same_entry(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };
	/*
	 * ppolicy enforces a lock only where a policy applies: the default one,
	 * where directory-config puts it (the base was wiped with it)
	 */
	static const char *const ou[] = { "objectClass", "organizationalUnit",
	    "ou", "policies", NULL };
	static const char *const policy[] = { "objectClass", "device",
	    "objectClass", "pwdPolicy", "cn", "default",
	    "pwdAttribute", "userPassword", "pwdLockout", "TRUE", NULL };
	char		*creds = credentials_path(), *args, *pw, *file, *text, *uuid;
	char		*uuid2;
	struct run	 r;

	(void)state;
	add_by_hand(BASE, base);
	add_by_hand("ou=policies," BASE, ou);
	add_by_hand("cn=default,ou=policies," BASE, policy);
	args = xasprintf("apply --credentials %s --journal %s.journal --undo %s.undo "
	    "-H %s %s", creds, creds, creds, env("SLAPD_URI"), SMALL);
	r = run(env("SLAPD_ROOTPW"), args);
	run_free(&r);
	pw = password_of(creds, "marie.martin");
	uuid = values("uid=marie.martin,ou=people," FEY, "entryUUID");
	assert_true(can_bind("uid=marie.martin,ou=people," FEY, pw));
	text = slurp(SMALL);
	free(args);
	args = without_line(text, "\"F-0002\"");
	file = write_temp(args, strlen(args));
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_false(can_bind("uid=marie.martin,ou=people," FEY, pw));
	/* she comes back: the same entry, her password works again */
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "~ uid=marie.martin,ou=people," FEY
	    " (enable: back in the file)\n"));
	run_free(&r);
	assert_true(can_bind("uid=marie.martin,ou=people," FEY, pw));
	uuid2 = values("uid=marie.martin,ou=people," FEY, "entryUUID");
	assert_string_equal(uuid, uuid2);
	remove_run_files(creds);
	unlink(file);
	free(creds);
	free(file);
	free(args);
	free(text);
	free(pw);
	free(uuid);
	free(uuid2);
}

static void
prune_deletes_who_was_disabled_before_the_retention(void **state)
{
	char		*text = slurp(SMALL), *left, *file;
	LDAP		*ld;
	LDAPMod		 m, *mods[2] = { &m, NULL };
	char		*old[] = { "20200101000000Z", NULL };
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	left = without_line(text, "\"F-0002\"");
	file = write_temp(left, strlen(left));
	r = run_root("apply", file);
	run_free(&r);
	/* as if she had left in 2020 */
	ld = root();
	m.mod_op = LDAP_MOD_REPLACE;
	m.mod_type = "mutualizeDisabled";
	m.mod_values = old;
	assert_int_equal(ldap_modify_ext_s(ld, "uid=marie.martin,ou=people," FEY,
	    mods, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_root("apply --prune", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "- uid=marie.martin,ou=people," FEY
	    " (prune: disabled for longer than retention_days)\n"));
	assert_null(values("uid=marie.martin,ou=people," FEY, "uid"));
	run_free(&r);
	unlink(file);
	free(file);
	free(left);
	free(text);
}

static void
a_changed_login_and_a_move_keep_the_entry(void **state)
{
	char		*text = slurp(SMALL), *t1, *t2, *file, *u1, *u2, *u3, *u4;
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	u1 = values(HELENE, "entryUUID");
	u2 = values("uid=michele.picard,ou=people," VEN, "entryUUID");
	/* Hélène gets the login she asked for; Michèle moves to Feyzin */
	t1 = replace(text, "surname: \"Dupont-Sébastien\", kind: agent",
	    "surname: \"Dupont-Sébastien\", kind: agent, login: hdupont");
	t2 = without_line(t1, "\"V-00007\"");
	free(t1);
	t1 = replace(t2, "      - {id: \"F-0002\"", "      - {id: \"V-00007\", "
	    "given_name: \"Michèle\", surname: \"Picard\", kind: elected}\n"
	    "      - {id: \"F-0002\"");
	file = write_temp(t1, strlen(t1));
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "> " HELENE "\n    is renamed "
	    "uid=hdupont,ou=people," VEN "\n"));
	assert_non_null(strstr(r.out, "> uid=michele.picard,ou=people," VEN
	    "\n    moves to uid=michele.picard,ou=people," FEY "\n"));
	assert_non_null(strstr(r.out, "2 to rename or move"));
	u3 = values("uid=hdupont,ou=people," VEN, "entryUUID");
	u4 = values("uid=michele.picard,ou=people," FEY, "entryUUID");
	assert_string_equal(u1, u3);
	assert_string_equal(u2, u4);
	/* her old address stays hers; the group follows her new DN */
	assert_values("uid=hdupont,ou=people," VEN, "mailLocalAddress",
	    "helene.dupont-sebastien@ville-venissieux.fr");
	assert_values("uid=hdupont,ou=people," VEN, "memberOf",
	    "cn=dsi,ou=groups," VEN);
	assert_values("uid=michele.picard,ou=people," FEY, "mail",
	    "michele.picard@sitiv.fr");
	run_free(&r);
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	unlink(file);
	free(file);
	free(t1);
	free(t2);
	free(text);
	free(u1);
	free(u2);
	free(u3);
	free(u4);
}

static void
mass_removal_is_refused_before_any_write(void **state)
{
	char		*text = slurp(SMALL), *kept, *file, *tmp;
	const char	*ids[] = { "\"V-00042\"", "\"V-00043\"", "\"V-00007\"",
	    "\"F-0002\"", "\"F-0001\"" };
	struct run	 r;
	size_t		 i;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	kept = replace(text, "version: 1", "version: 1\npolicy: {max_removals: 2}");
	for (i = 0; i < 3; i++) {
		tmp = without_line(kept, ids[i]);
		free(kept);
		kept = tmp;
	}
	file = write_temp(kept, strlen(kept));
	r = run_root("apply", file);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "this plan disables or deletes 3 people, more "
	    "than max_removals allows (2 of 5)."));
	assert_non_null(strstr(r.err, "--allow-mass-removal"));
	assert_string_equal(values_or(HELENE, "mutualizeDisabled"), "");
	run_free(&r);
	r = run_root("apply --allow-mass-removal", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "3 disabled"));
	run_free(&r);
	unlink(file);
	free(file);
	free(kept);
	free(text);
	(void)ids[3];
	(void)ids[4];
}

static void
a_removed_tenant_needs_confirmation(void **state)
{
	char		*text = slurp(SMALL), *file, *cut;
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	cut = xstrndup(text, (size_t)(strstr(text, "  - id: feyzin") - text));
	file = write_temp(cut, strlen(cut));
	r = run_root("apply", file);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "tenant \"feyzin\" (ou=feyzin," TENANTS ") is "
	    "in the directory but not in"));
	assert_non_null(strstr(r.err, "--remove-tenant feyzin"));
	assert_int_equal(count_entries(FEY), 6);
	run_free(&r);
	r = run_root("apply --remove-tenant feyzin", file);
	assert_int_equal(r.status, 0);
	assert_int_equal(count_entries(FEY), 0);
	assert_int_equal(count_entries(VEN), 8);
	run_free(&r);
	unlink(file);
	free(file);
	free(cut);
	free(text);
}

static void
a_second_apply_is_refused_by_the_lock(void **state)
{
	static const char *const lock[] = { "objectClass", "applicationProcess",
	    "cn", "mutualize-lock", "description",
	    "pid 1 on elsewhere.example since 20261128100000Z", NULL };
	static const char *const stale[] = { "objectClass", "applicationProcess",
	    "cn", "mutualize-lock", "description", NULL, NULL };
	char		 host[256] = "", desc[512];
	const char	*st[7];
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	add_by_hand("cn=mutualize-lock," BASE, lock);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "another apply holds the lock of this "
	    "directory: pid 1 on elsewhere.example since 20261128100000Z"));
	run_free(&r);
	/* plan takes no lock */
	r = run_root("plan", SMALL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	wipe(NULL);
	r = run_root("apply", SMALL);
	run_free(&r);
	/* a lock of this host whose process is gone is stale: removed, said */
	gethostname(host, sizeof(host) - 1);
	snprintf(desc, sizeof(desc), "pid 999999 on %s since 20261128100000Z",
	    host);
	memcpy(st, stale, sizeof(st));
	st[5] = desc;
	add_by_hand("cn=mutualize-lock," BASE, st);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "removing a stale lock (pid 999999 on"));
	assert_null(values("cn=mutualize-lock," BASE, "cn"));
	run_free(&r);
}

/* Runs ldapmodify as the rootdn on an LDIF file; returns its exit status. */
static int
ldapmodify(const char *ldif)
{
	char	*pwfile = write_temp(env("SLAPD_ROOTPW"), strlen(env("SLAPD_ROOTPW")));
	char	*cmd = xasprintf("ldapmodify -x -H %s -D %s -y %s -f %s >/dev/null",
	    env("SLAPD_URI"), env("SLAPD_ROOTDN"), pwfile, ldif);
	int	 st = system(cmd);

	unlink(pwfile);
	free(pwfile);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes what a run printed to a file; returns its path (caller frees). */
static char *
save_output(const struct run *r)
{
	return write_temp(r->out, strlen(r->out));
}

/*
 * The LDIF of a plan, applied by ldapmodify, leaves the directory where
 * apply would: the next plan has nothing to do. From an empty directory (with
 * hashes, and the passwords work), then through a rename, a move and a departure.
 */
static void
ldif_applied_by_ldapmodify_gives_what_apply_gives(void **state)
{
	char		*creds = credentials_path(), *args, *ldif, *pw, *text, *t1;
	char		*t2, *file;
	struct run	 r;

	(void)state;
	args = xasprintf("plan --format ldif --show-hashes --credentials %s -H %s "
	    "%s", creds, env("SLAPD_URI"), SMALL);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	assert_int_equal(strncmp(r.out, "version: 1\n\ndn: dc=sitiv,dc=fr\n"
	    "changetype: add\n", 35), 0);
	ldif = save_output(&r);
	run_free(&r);
	assert_int_equal(ldapmodify(ldif), 0);
	r = run_root("plan --exit-code", SMALL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	pw = password_of(creds, "helene.dupont-sebastien");
	assert_true(can_bind(HELENE, pw));
	unlink(ldif);
	free(ldif);
	/* a second month: a rename, a move, a departure */
	text = slurp(SMALL);
	t1 = replace(text, "surname: \"Picard\"", "surname: \"Picard-Durand\"");
	t2 = without_line(t1, "\"F-0002\"");
	free(t1);
	t1 = replace(t2, "kind: agent, groups: [dsi]}", "kind: agent, groups: [dsi], "
	    "login: hdupont}");
	file = write_temp(t1, strlen(t1));
	r = run_root("plan --format ldif", file);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "changetype: modrdn\nnewrdn: uid=hdupont\n"
	    "deleteoldrdn: 1\n"));
	ldif = save_output(&r);
	run_free(&r);
	assert_int_equal(ldapmodify(ldif), 0);
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_values("uid=hdupont,ou=people," VEN, "mailLocalAddress",
	    "helene.dupont-sebastien@ville-venissieux.fr");
	assert_values("uid=marie.martin,ou=people," FEY, "pwdAccountLockedTime",
	    "000001010000Z");
	unlink(ldif);
	unlink(file);
	unlink(creds);
	free(ldif);
	free(file);
	free(creds);
	free(args);
	free(pw);
	free(text);
	free(t1);
	free(t2);
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every user attribute of every entry, one sorted "dn attr: value" a line. */
static char *
snapshot(void)
{
	LDAP		*ld = root();
	LDAPMessage	*res = NULL, *e;
	BerElement	*ber;
	struct berval	**v;
	struct ptrvec	 lines = { 0 };
	char		*attrs[] = { "*", "pwdAccountLockedTime", NULL }, *a, *dn;
	char		*out = xstrdup(""), *tmp;
	size_t		 i;

	assert_int_equal(ldap_search_ext_s(ld, BASE, LDAP_SCOPE_SUBTREE,
	    "(objectClass=*)", attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res),
	    LDAP_SUCCESS);
	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
		dn = ldap_get_dn(ld, e);
		for (a = ldap_first_attribute(ld, e, &ber); a != NULL;
		    a = ldap_next_attribute(ld, e, ber)) {
			v = ldap_get_values_len(ld, e, a);
			for (i = 0; v != NULL && v[i] != NULL; i++)
				ptrvec_push(&lines, xasprintf("%s %s: %.*s", dn, a,
				    (int)v[i]->bv_len, v[i]->bv_val));
			ldap_value_free_len(v);
			ldap_memfree(a);
		}
		ber_free(ber, 0);
		ldap_memfree(dn);
	}
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	qsort(lines.v, lines.n, sizeof(*lines.v), cmp_line);
	for (i = 0; i < lines.n; i++) {
		tmp = xasprintf("%s%s\n", out, (char *)lines.v[i]);
		free(out);
		free(lines.v[i]);
		out = tmp;
	}
	ptrvec_free(&lines);
	return out;
}

/*
 * The undo file of an apply, given to ldapmodify, brings the directory back:
 * renames, a move, a departure, new groups and a deleted tenant included.
 */
static void
the_undo_file_takes_an_apply_back(void **state)
{
	char		*creds = credentials_path(), *text = slurp(SMALL), *t1, *t2;
	char		*file, *args, *before, *after, *undo, *journal, *log;
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	before = snapshot();
	t1 = replace(text, "surname: \"Picard\"", "surname: \"Picard-Durand\"");
	t2 = without_line(t1, "\"V-00043\"");
	free(t1);
	t1 = replace(t2, "kind: agent, groups: [dsi]}", "kind: agent, groups: [dsi], "
	    "login: hdupont}");
	free(t2);
	t2 = xstrndup(t1, (size_t)(strstr(t1, "  - id: feyzin") - t1));
	file = write_temp(t2, strlen(t2));
	undo = xasprintf("%s.undo", creds);
	journal = xasprintf("%s.journal", creds);
	args = xasprintf("apply --remove-tenant feyzin --allow-mass-removal "
	    "--allow-mass-change --credentials %s --journal %s --undo %s -H %s %s",
	    creds, journal, undo, env("SLAPD_URI"), file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "to take this apply back: ldapmodify -f "));
	run_free(&r);
	after = snapshot();
	assert_string_not_equal(before, after);
	/* the journal: one line a change, names of attributes, no values */
	log = slurp(journal);
	assert_non_null(strstr(log, "\"op\": \"modrdn\", \"dn\": \"" HELENE "\""));
	assert_non_null(strstr(log, "\"op\": \"delete\", \"dn\": \"uid=marie.martin,"));
	assert_null(strstr(log, "Picard-Durand"));
	assert_int_equal(ldapmodify(undo), 0);
	free(after);
	after = snapshot();
	assert_string_equal(before, after);
	remove_run_files(creds);
	unlink(file);
	free(creds);
	free(text);
	free(t1);
	free(t2);
	free(file);
	free(args);
	free(before);
	free(after);
	free(undo);
	free(journal);
	free(log);
}

/*
 * A saved plan without the assertion lines of the change of the entry whose
 * DN holds who; the digest at its end computed again when reseal.
 */
static char *
strip_assertion(const char *saved, const char *who, int reseal)
{
	char		*text = slurp(saved), *out = NULL, *line, *save = NULL;
	char		*path;
	size_t		 len = 0;
	FILE		*fp = open_memstream(&out, &len);
	int		 in = 0, control = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "dn:", 3) == 0)
			in = strstr(line, who) != NULL;
		if (strncmp(line, "# sha256: ", 10) == 0 && reseal)
			break;
		if (in && (strncmp(line, "# assert: ", 10) == 0 ||
		    strncmp(line, "control: ", 9) == 0 || (control && *line == ' '))) {
			control = strncmp(line, "control: ", 9) == 0 ||
			    (control && *line == ' ');
			continue;
		}
		control = 0;
		/* records are a blank line apart, which strtok_r skips */
		fprintf(fp, "%s%s\n", strncmp(line, "dn:", 3) == 0 ? "\n" : "",
		    line);
	}
	fclose(fp);
	path = credentials_path();
	fp = fopen(path, "w");
	if (reseal)
		assert_int_equal(saved_seal(fp, out, len), 0);
	else
		fputs(out, fp);
	fclose(fp);
	free(out);
	free(text);
	return path;
}

/* A reviewed plan whose assertion was taken out is refused whole. */
static void
an_edited_saved_plan_is_refused_whole(void **state)
{
	char		*text = slurp(SMALL), *t1, *file, *saved, *args, *edited;
	struct run	 r;
	LDAP		*ld;
	LDAPMod		 m, *mods[2] = { &m, NULL };
	char		*room[] = { "B 204", NULL };
	int		 reseal;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	t1 = replace(text, "surname: \"Picard\"", "surname: \"Picard-Durand\"");
	file = write_temp(t1, strlen(t1));
	saved = credentials_path();
	args = xasprintf("plan --out %s -H %s %s", saved, env("SLAPD_URI"), file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	run_free(&r);
	free(args);
	/* her entry is edited on the server after the review */
	ld = root();
	m.mod_op = LDAP_MOD_ADD;
	m.mod_type = "roomNumber";
	m.mod_values = room;
	assert_int_equal(ldap_modify_ext_s(ld, "uid=michele.picard,ou=people," VEN,
	    mods, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	/* her change's assertion taken out; its digest left, or made again */
	for (reseal = 0; reseal <= 1; reseal++) {
		edited = strip_assertion(saved, "michele.picard", reseal);
		args = xasprintf("apply --plan %s", edited);
		r = run_root(args, file);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, reseal ? "lacks the assertion" :
		    "does not end with the digest of its content"));
		assert_non_null(strstr(r.err, "it is refused, nothing was written"));
		if (!reseal)	/* refused before the server is contacted */
			assert_string_equal(r.out, "");
		assert_values("uid=michele.picard,ou=people," VEN, "sn", "Picard");
		run_free(&r);
		unlink(edited);
		free(edited);
		free(args);
	}
	unlink(saved);
	unlink(file);
	free(saved);
	free(file);
	free(t1);
	free(text);
}

static void
a_reviewed_plan_is_applied_as_reviewed(void **state)
{
	char		*text = slurp(SMALL), *t1, *t2, *file, *saved, *args, *x;
	struct run	 r;
	LDAP		*ld;
	LDAPMod		 m, *mods[2] = { &m, NULL };
	char		*room[] = { "B 204", NULL };
	struct stat	 st;
	FILE		*fp;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
	/* the morning: Michele Picard married, Marie Martin of Feyzin left */
	t1 = replace(text, "surname: \"Picard\"", "surname: \"Picard-Durand\"");
	t2 = without_line(t1, "\"F-0002\"");
	file = write_temp(t2, strlen(t2));
	saved = credentials_path();
	args = xasprintf("plan --out %s -H %s %s", saved, env("SLAPD_URI"), file);
	r = run(env("SLAPD_ROOTPW"), args);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(stat(saved, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* noon: someone edits her entry by hand */
	ld = root();
	m.mod_op = LDAP_MOD_ADD;
	m.mod_type = "roomNumber";
	m.mod_values = room;
	assert_int_equal(ldap_modify_ext_s(ld, "uid=michele.picard,ou=people," VEN,
	    mods, NULL, NULL), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	/* the afternoon: the reviewed plan; her change is refused, alone */
	free(args);
	args = xasprintf("--plan %s", saved);
	x = xasprintf("apply %s", args);
	r = run_root(x, file);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "refused: uid=michele.picard,ou=people," VEN
	    " changed on the server since the plan was made"));
	assert_values("uid=michele.picard,ou=people," VEN, "sn", "Picard");
	assert_values("uid=marie.martin,ou=people," FEY, "pwdAccountLockedTime",
	    "000001010000Z");
	run_free(&r);
	/* a plan made from another file is refused whole, before any write */
	fp = fopen(file, "a");
	fputs("# edited after the review\n", fp);
	fclose(fp);
	r = run_root(x, file);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "was not made from the files as they are now"));
	assert_string_equal(r.out, "");
	run_free(&r);
	/* and ldapmodify takes the saved plan, controls included */
	unlink(saved);
	free(args);
	args = xasprintf("plan --out %s -H %s %s", saved, env("SLAPD_URI"), file);
	r = run(env("SLAPD_ROOTPW"), args);
	run_free(&r);
	assert_int_equal(ldapmodify(saved), 0);
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	unlink(saved);
	unlink(file);
	free(saved);
	free(file);
	free(args);
	free(x);
	free(t1);
	free(t2);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup(name, wipe)
		T(apply_builds_what_the_file_describes),
		T(second_apply_has_nothing_to_do),
		T(plan_and_dry_run_write_nothing),
		T(rename_is_a_modify_and_a_departure_disables),
		T(hand_made_entries_and_attributes_are_kept),
		T(in_a_transaction_a_server_error_rolls_the_batch_back_and_says_so),
		T(by_default_the_changes_before_an_error_stay),
		T(no_transactions_is_the_default_said_aloud),
		T(batches_before_a_failed_one_land),
		T(in_transactions_the_batches_before_a_failed_one_land),
		T(small_batches_keep_the_order_of_the_plan),
		T(password_scheme_none_adds_accounts_without_a_password),
		T(paged_read_sees_past_a_size_limit),
		T(wrong_password_is_refused_clearly),
		T(password_file_readable_by_others_is_refused),
		T(invalid_file_contacts_nothing),
		T(split_example_applies_with_every_key),
		T(new_accounts_get_a_password_only_the_credentials_file_has),
		T(a_departure_locks_and_a_return_unlocks_the_same_entry),
		T(prune_deletes_who_was_disabled_before_the_retention),
		T(a_changed_login_and_a_move_keep_the_entry),
		T(mass_removal_is_refused_before_any_write),
		T(a_removed_tenant_needs_confirmation),
		T(a_second_apply_is_refused_by_the_lock),
		T(ldif_applied_by_ldapmodify_gives_what_apply_gives),
		T(the_undo_file_takes_an_apply_back),
		T(a_reviewed_plan_is_applied_as_reviewed),
		T(an_edited_saved_plan_is_refused_whole),
#undef T
	};

	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
