/*
 * People's dates and first passwords against the real slapd, ppolicy loaded:
 * an account before its valid_from or after its valid_until (or its tenant's
 * mandate_end) is disabled and cannot bind, slapd itself refuses a bind
 * before pwdStartTime and from pwdEndTime on, "Coming up" lists what the
 * dates change within the horizon, and a reset_required first password
 * binds only to be changed.
 *
 * The clock is the system's: the files are written with dates counted from
 * today by the test, as an administrator's file would hold them.
 */
#include <time.h>

#include "integration.h"

#define ANNE	"uid=anne.tot,ou=people," FEY
#define PAUL	"uid=paul.fin,ou=people," FEY
#define EVE	"uid=eve.elue,ou=people," FEY
#define MAIL	"cn=mail,ou=services," BASE

/* The local date days from today, YYYY-MM-DD, counted by the C library. */
static void
date_from_today(char buf[11], int days)
{
	time_t		 t = time(NULL);
	struct tm	 tm;

	localtime_r(&t, &tm);
	tm.tm_hour = 12;	/* a day from noon is the next day, DST or not */
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	localtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

/* A generalized time days from now, for values put in by hand. */
static void
gentime_from_now(char buf[16], long days)
{
	time_t		 t = time(NULL) + days * 86400;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, 16, "%Y%m%d%H%M%SZ", &tm);
}

/*
 * The tenants file: one town with the mail service, its people (YAML flow
 * mappings, one a line), the tenant's extra keys and the policy's.
 */
static char *
town_file(const char *policy, const char *tenant, const char *people)
{
	char	*text = xasprintf(
	    "version: 1\n"
	    "syndicate: {id: sitiv, name: SITIV, base_dn: \"" BASE "\", "
	    "mail_domain: sitiv.fr}\n"
	    "directory: {uri: \"ldap://127.0.0.1:3890\", bind_dn: "
	    "\"cn=admin," BASE "\"}\n"
	    "policy: {%s}\n"
	    "services: {mail: {bind_dn: \"cn=admin," BASE "\"}}\n"
	    "tenants:\n"
	    "  - id: feyzin\n"
	    "    name: Mairie de Feyzin\n"
	    "    services: [mail]\n"
	    "%s"
	    "    people:\n%s", policy, tenant, people);
	char	*path = write_temp(text, strlen(text));

	free(text);
	return path;
}

/* A person's line, with dates days from today (INT_MIN: none). */
static char *
person_line(const char *id, const char *given, const char *sur,
    const char *kind, int from, int until)
{
	char	 f[11], u[11];
	char	*fs, *us, *line;

	date_from_today(f, from);
	date_from_today(u, until);
	fs = from == INT_MIN ? xstrdup("") : xasprintf(", valid_from: %s", f);
	us = until == INT_MIN ? xstrdup("") : xasprintf(", valid_until: %s", u);
	line = xasprintf("      - {id: %s, given_name: %s, surname: %s, kind: "
	    "%s%s%s}\n", id, given, sur, kind, fs, us);
	free(fs);
	free(us);
	return line;
}

/*
 * The base and the default password policy, as directory-config makes them:
 * ppolicy enforces a lock, and pwdReset, only where a policy says so.
 */
static int
setup(void **state)
{
	static const char *const base[] = { "objectClass", "dcObject",
	    "objectClass", "organization", "dc", "sitiv", "o", "SITIV", NULL };
	static const char *const ou[] = { "objectClass", "organizationalUnit",
	    "ou", "policies", NULL };
	static const char *const policy[] = { "objectClass", "device",
	    "objectClass", "pwdPolicy", "cn", "default",
	    "pwdAttribute", "userPassword", "pwdLockout", "TRUE",
	    "pwdMustChange", "TRUE", NULL };

	wipe(state);
	add_by_hand(BASE, base);
	add_by_hand("ou=policies," BASE, ou);
	add_by_hand("cn=default,ou=policies," BASE, policy);
	return 0;
}

/* Applies the file as root, a credentials file kept; returns the run. */
static struct run
apply_keeping(const char *file, const char *creds)
{
	char		*args = xasprintf("apply --credentials %s --journal "
	    "%s.journal --undo %s.undo -H %s %s", creds, creds, creds,
	    env("SLAPD_URI"), file);
	struct run	 r;

	unlink(creds);
	r = run(env("SLAPD_ROOTPW"), args);
	free(args);
	return r;
}

/* The password of a login in a credentials file; caller frees. */
static char *
password_of(const char *creds, const char *login)
{
	char	*text = slurp(creds), *key = xasprintf("\n%s\t", login);
	char	*t = xasprintf("\n%s", text), *line, *pw = NULL;

	if ((line = strstr(t, key)) != NULL) {
		line = strchr(line + strlen(key), '\t') + 1;
		pw = xstrndup(line, strcspn(line, "\t\n"));
	}
	free(t);
	free(key);
	free(text);
	assert_non_null(pw);
	return pw;
}

/* Changes one attribute of an entry as root: replace with v, or delete (NULL). */
static void
set_by_hand(const char *dn, const char *attr, const char *v)
{
	LDAP	*ld = root();
	char	*vals[] = { (char *)v, NULL };
	LDAPMod	 m = { v ? LDAP_MOD_REPLACE : LDAP_MOD_DELETE, (char *)attr,
	    { v ? vals : NULL } }, *mods[] = { &m, NULL };

	assert_int_equal(ldap_modify_ext_s(ld, dn, mods, NULL, NULL),
	    LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
}

/* The program printed want; what it printed otherwise, to see why not. */
static void
assert_printed(const char *out, const char *want)
{
	if (strstr(out, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, out);
}

static int
in_mail(const char *dn)
{
	char	*m = values(MAIL, "member");
	int	 in = m != NULL && strstr(m, dn) != NULL;

	free(m);
	return in;
}

static void
a_person_not_started_is_made_disabled_and_cannot_bind(void **state)
{
	char		*line = person_line("F-1", "Anne", "Tot", "agent", 3, INT_MIN);
	char		*file = town_file("", "", line), *creds = credentials_path();
	char		*pw, *want, from[11], past[16];
	struct run	 r;

	(void)state;
	date_from_today(from, 3);
	r = apply_keeping(file, creds);
	assert_int_equal(r.status, 0);
	want = xasprintf("+ " ANNE " (not started: disabled until valid_from "
	    "%s)\n", from);
	assert_printed(r.out, want);
	run_free(&r);
	pw = password_of(creds, "anne.tot");
	assert_int_equal(try_bind(ANNE, pw), LDAP_INVALID_CREDENTIALS);
	assert_false(in_mail(ANNE));
	assert_values(ANNE, "pwdAccountLockedTime", "000001010000Z");
	assert_int_equal(strlen(values_or(ANNE, "mutualizeDisabled")), 15);
	/* slapd alone: unlocked by hand, pwdStartTime still keeps her out */
	set_by_hand(ANNE, "pwdAccountLockedTime", NULL);
	assert_int_equal(try_bind(ANNE, pw), LDAP_INVALID_CREDENTIALS);
	gentime_from_now(past, -1);
	set_by_hand(ANNE, "pwdStartTime", past);
	assert_int_equal(try_bind(ANNE, pw), LDAP_SUCCESS);
	remove_run_files(creds);
	unlink(file);
	free(line);
	free(file);
	free(creds);
	free(pw);
	free(want);
}

static void
a_person_starts_on_the_day_of_valid_from(void **state)
{
	char		*line = person_line("F-1", "Anne", "Tot", "agent", 2, INT_MIN);
	char		*file = town_file("", "", line), *creds = credentials_path();
	char		*today_line, *today_file, *pw, *start, *want, from[11];
	struct run	 r;

	(void)state;
	date_from_today(from, 0);
	r = apply_keeping(file, creds);
	assert_int_equal(r.status, 0);
	run_free(&r);
	pw = password_of(creds, "anne.tot");
	assert_int_equal(try_bind(ANNE, pw), LDAP_INVALID_CREDENTIALS);
	/* the file of the day she starts: valid_from is today */
	today_line = person_line("F-1", "Anne", "Tot", "agent", 0, INT_MIN);
	today_file = town_file("", "", today_line);
	r = run_root("apply", today_file);
	assert_int_equal(r.status, 0);
	want = xasprintf("~ " ANNE " (started: enabled from valid_from %s)\n",
	    from);
	assert_printed(r.out, want);
	run_free(&r);
	free(want);
	assert_int_equal(try_bind(ANNE, pw), LDAP_SUCCESS);
	assert_true(in_mail(ANNE));
	assert_values(ANNE, "mutualizeDisabled", "");
	start = values(ANNE, "pwdStartTime");
	assert_int_equal(strlen(start), 15);
	free(start);
	r = run_root("plan --exit-code", today_file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	remove_run_files(creds);
	unlink(file);
	unlink(today_file);
	free(line);
	free(file);
	free(today_line);
	free(today_file);
	free(creds);
	free(pw);
}

static void
an_ended_contract_is_disabled_on_the_first_apply_after_its_date(void **state)
{
	char		*line = person_line("F-2", "Paul", "Fin", "agent", INT_MIN, 0);
	char		*file = town_file("", "", line), *creds = credentials_path();
	char		*ended_line, *ended_file, *pw, *want, until[11], later[16];
	struct run	 r;

	(void)state;
	r = apply_keeping(file, creds);
	assert_int_equal(r.status, 0);
	run_free(&r);
	pw = password_of(creds, "paul.fin");
	/* today is his last day: it is worked whole */
	assert_int_equal(try_bind(PAUL, pw), LDAP_SUCCESS);
	assert_true(in_mail(PAUL));
	/* the day after: the same file holds a valid_until of yesterday */
	ended_line = person_line("F-2", "Paul", "Fin", "agent", INT_MIN, -1);
	ended_file = town_file("", "", ended_line);
	date_from_today(until, -1);
	r = run_root("apply", ended_file);
	assert_int_equal(r.status, 0);
	want = xasprintf("~ " PAUL " (ended: disabled after valid_until %s)\n",
	    until);
	assert_printed(r.out, want);
	assert_printed(r.out, "    + mutualizeDisabled: ");
	assert_printed(r.out, "    + pwdAccountLockedTime: 000001010000Z\n");
	run_free(&r);
	assert_int_equal(try_bind(PAUL, pw), LDAP_INVALID_CREDENTIALS);
	assert_false(in_mail(PAUL));
	/* slapd alone: unlocked by hand, pwdEndTime still keeps him out */
	set_by_hand(PAUL, "pwdAccountLockedTime", NULL);
	assert_int_equal(try_bind(PAUL, pw), LDAP_INVALID_CREDENTIALS);
	gentime_from_now(later, 1);
	set_by_hand(PAUL, "pwdEndTime", later);
	assert_int_equal(try_bind(PAUL, pw), LDAP_SUCCESS);
	remove_run_files(creds);
	unlink(file);
	unlink(ended_file);
	free(line);
	free(file);
	free(ended_line);
	free(ended_file);
	free(creds);
	free(pw);
	free(want);
}

static void
a_mandate_end_ends_the_elected_officials_not_the_agents(void **state)
{
	char	*eve = person_line("E-1", "Eve", "Elue", "elected", INT_MIN,
	    INT_MIN);
	char	*paul = person_line("F-2", "Paul", "Fin", "agent", INT_MIN,
	    INT_MIN);
	char	*people = xasprintf("%s%s", eve, paul), end[11], past[11];
	char	*mandate = NULL, *ended = NULL, *file, *ended_file, *want;
	char	*creds = credentials_path(), *epw, *ppw;
	struct run r;

	(void)state;
	date_from_today(end, 10);
	date_from_today(past, -1);
	mandate = xasprintf("    mandate_end: %s\n", end);
	ended = xasprintf("    mandate_end: %s\n", past);
	file = town_file("", mandate, people);
	ended_file = town_file("", ended, people);
	r = apply_keeping(file, creds);
	assert_int_equal(r.status, 0);
	run_free(&r);
	epw = password_of(creds, "eve.elue");
	ppw = password_of(creds, "paul.fin");
	assert_int_equal(try_bind(EVE, epw), LDAP_SUCCESS);
	assert_int_equal(strlen(values_or(EVE, "pwdEndTime")), 15);
	assert_values(PAUL, "pwdEndTime", "");
	r = run_root("apply", ended_file);
	assert_int_equal(r.status, 0);
	want = xasprintf("~ " EVE " (ended: disabled after mandate_end %s)\n",
	    past);
	assert_printed(r.out, want);
	assert_null(strstr(r.out, "~ " PAUL));
	run_free(&r);
	assert_int_equal(try_bind(EVE, epw), LDAP_INVALID_CREDENTIALS);
	assert_false(in_mail(EVE));
	assert_int_equal(try_bind(PAUL, ppw), LDAP_SUCCESS);
	assert_true(in_mail(PAUL));
	remove_run_files(creds);
	unlink(file);
	unlink(ended_file);
	free(eve);
	free(paul);
	free(people);
	free(mandate);
	free(ended);
	free(file);
	free(ended_file);
	free(want);
	free(creds);
	free(epw);
	free(ppw);
}

static void
coming_up_lists_exactly_the_people_within_the_horizon(void **state)
{
	char	*a = person_line("F-1", "Anne", "Tot", "agent", 5, INT_MIN);
	char	*b = person_line("F-2", "Paul", "Fin", "agent", INT_MIN, 19);
	char	*c = person_line("F-3", "Luc", "Loin", "agent", 40, INT_MIN);
	char	*d = person_line("F-4", "Max", "Parti", "agent", INT_MIN, -1);
	char	*people = xasprintf("%s%s%s%s", a, b, c, d), *file, *want;
	char	 start[11], last[11], end[11];
	struct run r;

	(void)state;
	file = town_file("", "", people);
	date_from_today(start, 5);
	date_from_today(last, 19);
	date_from_today(end, 20);
	r = run_root("apply", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* nothing else to change: the section still says what comes */
	r = run_root("plan", file);
	assert_int_equal(r.status, 0);
	want = xasprintf("Coming up within 30 days\n"
	    "  %s  starts  feyzin/F-1  Anne Tot (anne.tot): valid_from\n"
	    "  %s  ends    feyzin/F-2  Paul Fin (paul.fin): valid_until, last "
	    "day %s\n\nNo changes.", start, end, last);
	assert_printed(r.out, want);
	run_free(&r);
	free(want);
	r = run_root("plan --horizon 10", file);
	want = xasprintf("Coming up within 10 days\n"
	    "  %s  starts  feyzin/F-1  Anne Tot (anne.tot): valid_from\n\n"
	    "No changes.", start);
	assert_printed(r.out, want);
	run_free(&r);
	r = run_root("plan --horizon 4", file);
	assert_null(strstr(r.out, "Coming up"));
	run_free(&r);
	r = run_root("plan --horizon 3651", file);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "--horizon takes a number of days from 0 "
	    "to 3650"));
	run_free(&r);
	unlink(file);
	free(a);
	free(b);
	free(c);
	free(d);
	free(people);
	free(file);
	free(want);
}

/*
 * A bind with the password policy request control: the bind's result, and
 * the policy's error in the response control (-1 when none).
 */
static int
bind_ppolicy(LDAP *ld, const char *dn, const char *pw, int *pperr)
{
	struct berval	 cred = { strlen(pw), (char *)pw };
	LDAPControl	*req = NULL, *sctrls[2], **rctrls = NULL, *resp;
	LDAPMessage	*res = NULL;
	LDAPPasswordPolicyError err = PP_noError;
	ber_int_t	 expire, grace;
	int		 msgid, rc;

	assert_int_equal(ldap_create_passwordpolicy_control(ld, &req),
	    LDAP_SUCCESS);
	sctrls[0] = req;
	sctrls[1] = NULL;
	assert_int_equal(ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, sctrls,
	    NULL, &msgid), LDAP_SUCCESS);
	assert_true(ldap_result(ld, msgid, LDAP_MSG_ALL, NULL, &res) > 0);
	assert_int_equal(ldap_parse_result(ld, res, &rc, NULL, NULL, NULL,
	    &rctrls, 1), LDAP_SUCCESS);
	*pperr = -1;
	if ((resp = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE,
	    rctrls, NULL)) != NULL &&
	    ldap_parse_passwordpolicy_control(ld, resp, &expire, &grace,
	    &err) == LDAP_SUCCESS)
		*pperr = (int)err;
	ldap_controls_free(rctrls);
	ldap_control_free(req);
	return rc;
}

static LDAP *
connection(void)
{
	LDAP	*ld;
	int	 v3 = LDAP_VERSION3;

	assert_int_equal(ldap_initialize(&ld, env("SLAPD_URI")), LDAP_SUCCESS);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	return ld;
}

static int
read_self(LDAP *ld, const char *dn)
{
	LDAPMessage	*res = NULL;
	char		*attrs[] = { "cn", NULL };
	int		 rc;

	rc = ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res);
	ldap_msgfree(res);
	return rc;
}

static void
a_first_password_to_reset_binds_only_to_be_changed(void **state)
{
	char		*line = person_line("F-1", "Anne", "Tot", "agent", INT_MIN,
	    INT_MIN);
	char		*file = town_file("first_password: reset_required", "",
	    line);
	char		*creds = credentials_path(), *pw, *npw = test_password("new");
	struct berval	 user = { strlen(ANNE), ANNE }, old, new, made = { 0 };
	LDAP		*ld;
	int		 pperr;
	struct run	 r;

	(void)state;
	r = apply_keeping(file, creds);
	assert_int_equal(r.status, 0);
	run_free(&r);
	pw = password_of(creds, "anne.tot");
	assert_values(ANNE, "pwdReset", "TRUE");
	/* the bind succeeds, saying the password must be changed */
	ld = connection();
	assert_int_equal(bind_ppolicy(ld, ANNE, pw, &pperr), LDAP_SUCCESS);
	assert_int_equal(pperr, PP_changeAfterReset);
	/* and nothing but the change is allowed */
	assert_int_equal(read_self(ld, ANNE), LDAP_INSUFFICIENT_ACCESS);
	old = (struct berval){ strlen(pw), pw };
	new = (struct berval){ strlen(npw), npw };
	assert_int_equal(ldap_passwd_s(ld, &user, &old, &new, &made, NULL,
	    NULL), LDAP_SUCCESS);
	ber_memfree(made.bv_val);
	ldap_unbind_ext_s(ld, NULL, NULL);
	assert_values(ANNE, "pwdReset", "");
	ld = connection();
	assert_int_equal(bind_ppolicy(ld, ANNE, npw, &pperr), LDAP_SUCCESS);
	assert_true(pperr == -1 || pperr == PP_noError);
	assert_int_equal(read_self(ld, ANNE), LDAP_SUCCESS);
	ldap_unbind_ext_s(ld, NULL, NULL);
	/* the next apply leaves her password and its state alone */
	r = run_root("plan --exit-code", file);
	assert_int_equal(r.status, 0);
	run_free(&r);
	remove_run_files(creds);
	unlink(file);
	free(line);
	free(file);
	free(creds);
	free(pw);
	free(npw);
}

int
main(void)
{
#define T(name)	cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(a_person_not_started_is_made_disabled_and_cannot_bind),
		T(a_person_starts_on_the_day_of_valid_from),
		T(an_ended_contract_is_disabled_on_the_first_apply_after_its_date),
		T(a_mandate_end_ends_the_elected_officials_not_the_agents),
		T(coming_up_lists_exactly_the_people_within_the_horizon),
		T(a_first_password_to_reset_binds_only_to_be_changed),
	};
#undef T

	return cmocka_run_group_tests_name("validity", tests, NULL, NULL);
}
