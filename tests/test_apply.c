/*
 * Integration: the real program against the real slapd that run-integration.sh
 * started (SLAPD_URI, SLAPD_ROOTDN, SLAPD_ROOTPW). Each test starts from an
 * empty directory and checks what the directory holds afterwards.
 */
#include "integration.h"

static void
apply_builds_what_the_file_describes(void **state)
{
	struct run	r = run_root("apply", SMALL);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Plan: 16 to add, 0 to change, 0 to delete.\n"));
	assert_non_null(strstr(r.out, "Apply complete: 16 added, 0 changed, "
	    "0 deleted.\n"));
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
rename_is_a_modify_and_removal_a_delete(void **state)
{
	char		*text = slurp(SMALL), *married, *left, *file;
	struct run	 r;

	(void)state;
	r = run_root("apply", SMALL);
	run_free(&r);
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
	assert_non_null(strstr(r.out, "- uid=marie.martin,ou=people," FEY "\n"));
	assert_non_null(strstr(r.out, "Plan: 0 to add, 1 to change, 1 to delete."));
	/* the login stays: the entry was modified in place */
	assert_values("uid=michele.picard,ou=people," VEN, "sn", "Picard-Durand");
	assert_null(values("uid=marie.martin,ou=people," FEY, "uid"));
	assert_int_equal(count_entries(BASE), 15);
	run_free(&r);
	unlink(file);
	free(file);
	free(left);
	free(married);
	free(text);
}

static void
hand_made_entries_and_attributes_are_kept(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "Made by hand",
	    NULL };
	static const char *const reader[] = { "objectClass", "organizationalRole",
	    "cn", "reader", NULL };
	LDAP		*ld;
	LDAPMod		 mod, *mods[2] = { &mod, NULL };
	char		*pw[] = { "{CRYPT}x", NULL };
	struct run	 r;

	(void)state;
	add_by_hand(BASE, base);
	add_by_hand("cn=reader," BASE, reader);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	ld = root();
	mod.mod_op = LDAP_MOD_ADD;
	mod.mod_type = "userPassword";
	mod.mod_values = pw;
	assert_int_equal(ldap_modify_ext_s(ld, HELENE, mods, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No changes."));
	assert_values(BASE, "o", "Made by hand");
	assert_values("cn=reader," BASE, "cn", "reader");
	assert_values(HELENE, "userPassword", "{CRYPT}x");
	run_free(&r);
}

static void
server_error_stops_and_says_what_was_done(void **state)
{
	static const char *const ou_t[] = { "objectClass", "organizationalUnit",
	    "ou", "tenants", NULL };
	static const char *const ou_v[] = { "objectClass", "organizationalUnit",
	    "objectClass", "domainRelatedObject", "ou", "venissieux",
	    "description", "Ville de Vénissieux", "associatedDomain",
	    "ville-venissieux.fr", NULL };
	static const char *const ou_p[] = { "objectClass", "organizationalUnit",
	    "ou", "people", NULL };
	/* made by hand with another structural class: it cannot become a person */
	static const char *const acct[] = { "objectClass", "account",
	    "objectClass", "extensibleObject", "uid", "helene.dupont-sebastien",
	    "employeeNumber", "V-00042", NULL };
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };
	struct run	 r;

	(void)state;
	add_by_hand(BASE, base);
	add_by_hand(TENANTS, ou_t);
	add_by_hand(VEN, ou_v);
	add_by_hand("ou=people," VEN, ou_p);
	add_by_hand(HELENE, acct);
	r = run_root("apply", SMALL);
	assert_int_equal(r.status, EXIT_SCHEMA);
	assert_non_null(strstr(r.err, "mutualize: modify \"" HELENE "\" on "));
	assert_non_null(strstr(r.err, "Object class violation (65)\n\tserver says: "
	    "invalid structural object class chain (account/inetOrgPerson)\n"));
	/* the 11 adds went through before the modify */
	assert_non_null(strstr(r.err, "mutualize: 11 of 12 changes were made "
	    "before the error; the directory is partly updated.\n"));
	assert_null(strstr(r.out, "Apply complete"));
	assert_int_equal(count_entries(BASE), 16);
	run_free(&r);
}

static void
paged_read_sees_past_a_size_limit(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };
	char		*pw = test_password("reader");
	const char	*reader[] = { "objectClass", "organizationalRole",
	    "objectClass", "simpleSecurityObject", "cn", "reader",
	    "userPassword", pw, NULL };
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
	ld = bind_as("cn=reader," BASE, pw);
	assert_int_equal(ldap_search_ext_s(ld, TENANTS, LDAP_SCOPE_SUBTREE,
	    "(objectClass=*)", NULL, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res),
	    LDAP_SIZELIMIT_EXCEEDED);
	ldap_msgfree(res);
	ldap_unbind_ext_s(ld, NULL, NULL);
	args = xasprintf("plan --exit-code -H %s %s", env("SLAPD_URI"), file);
	r = run(pw, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No changes."));
	run_free(&r);
	unlink(file);
	free(file);
	free(args);
	free(pw);
}

static void
wrong_password_is_refused_clearly(void **state)
{
	char		*args = xasprintf("plan -H %s %s", env("SLAPD_URI"), SMALL);
	char		*pw = test_password("wrong");
	struct run	 r = run(pw, args);

	(void)state;
	assert_int_equal(r.status, EXIT_CREDENTIALS);
	assert_non_null(strstr(r.err, "mutualize: bind as \"cn=admin,dc=sitiv,"
	    "dc=fr\" on "));
	assert_non_null(strstr(r.err, "Invalid credentials (49)\n"
	    "mutualize: the server refused the bind: check bind_dn and its "
	    "password\n"));
	assert_null(strstr(r.err, pw));
	assert_string_equal(r.out, "");
	run_free(&r);
	free(args);
	free(pw);
}

static void
password_file_readable_by_others_is_refused(void **state)
{
	char		 dir[] = "/tmp/mutualize-pw.XXXXXX";
	char		*yaml, *pw, *text, *args, *sub;
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
	args = xasprintf("apply -H %s %s", env("SLAPD_URI"), yaml);
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
	rmdir(dir);
	free(yaml);
	free(pw);
	free(text);
	free(args);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup(name, wipe)
		T(apply_builds_what_the_file_describes),
		T(second_apply_has_nothing_to_do),
		T(plan_and_dry_run_write_nothing),
		T(rename_is_a_modify_and_removal_a_delete),
		T(hand_made_entries_and_attributes_are_kept),
		T(server_error_stops_and_says_what_was_done),
		T(paged_read_sees_past_a_size_limit),
		T(wrong_password_is_refused_clearly),
		T(password_file_readable_by_others_is_refused),
		T(invalid_file_contacts_nothing),
#undef T
	};

	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
