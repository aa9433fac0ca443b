/*
 * The policy section of the tenants file: how logins and addresses are made,
 * what a departure does and the guard rail, passwords, the directory's
 * rules that come from it, the outbox. Each key's default when absent.
 */
#include <stdlib.h>
#include <string.h>

#include "loader.h"

enum {
	POLICY_LOGIN, POLICY_MAIL, POLICY_PASSWORD_SCHEME,
	POLICY_ON_DEPARTURE, POLICY_RETENTION_DAYS, POLICY_MAX_REMOVALS,
	POLICY_WELCOME_PASSWORD, POLICY_ADDRESS_BOOK, POLICY_PASSWORD_MIN,
	POLICY_GIVE_UP_DAYS, POLICY_FIRST_PASSWORD, POLICY_NKEYS
};
static const struct keyspec policy_keys[POLICY_NKEYS] = {
	[POLICY_LOGIN] = { "login", 0 }, [POLICY_MAIL] = { "mail", 0 },
	[POLICY_PASSWORD_SCHEME] = { "password_scheme", 0 },
	[POLICY_ON_DEPARTURE] = { "on_departure", 0 },
	[POLICY_RETENTION_DAYS] = { "retention_days", 0 },
	[POLICY_MAX_REMOVALS] = { "max_removals", 0 },
	[POLICY_WELCOME_PASSWORD] = { "welcome_password", 0 },
	[POLICY_ADDRESS_BOOK] = { "address_book", 0 },
	[POLICY_PASSWORD_MIN] = { "password_min_length", 0 },
	[POLICY_GIVE_UP_DAYS] = { "connector_give_up_days", 0 },
	[POLICY_FIRST_PASSWORD] = { "first_password", 0 },
};

/*
 * What the directory's access rules and password policy take from the policy
 * (directory-config): the shared address book, the shortest password, and
 * whether a first password must be changed (ppolicy's pwdMustChange).
 */
static void
load_policy_directory(struct loader *l, const struct ynode *const *f)
{
	static const char *const bools[] = { "false", "true" };
	static const char *const firsts[] = { "generated", "reset_required" };
	struct policy	*p = &l->m->policy;
	int		 i;

	if (f[POLICY_ADDRESS_BOOK] != NULL && (i = get_enum(l,
	    f[POLICY_ADDRESS_BOOK], "address_book", bools, 2)) >= 0)
		p->address_book = i;
	if (f[POLICY_PASSWORD_MIN] != NULL && get_uint(l,
	    f[POLICY_PASSWORD_MIN], "password_min_length", PASSWORD_MIN_MAX,
	    &p->password_min_length) == 0 &&
	    p->password_min_length < PASSWORD_MIN_MIN)
		diag_add(l->d, f[POLICY_PASSWORD_MIN]->pos, "password_min_length"
		    " %u is below %d, too short for any account of a town hall",
		    p->password_min_length, PASSWORD_MIN_MIN);
	if (f[POLICY_FIRST_PASSWORD] != NULL && (i = get_enum(l,
	    f[POLICY_FIRST_PASSWORD], "first_password", firsts, 2)) >= 0) {
		p->first_password = (enum first_password)i;
		p->first_password_pos = f[POLICY_FIRST_PASSWORD]->pos;
	}
	/* a password to change must first be one the person can be given */
	if (p->first_password == FIRST_RESET && p->password_scheme == PW_NONE)
		diag_add(l->d, p->first_password_pos, "first_password: "
		    "reset_required needs a password: password_scheme is none");
}

/* max_removals: a count, or a percentage of the people managed. */
static void
load_max_removals(struct loader *l, const struct ynode *n)
{
	struct policy		*p = &l->m->policy;
	const char		*mr = get_string(l, n, "max_removals");
	char			*num;
	size_t			 len;
	unsigned long long	 u;

	if (mr == NULL)
		return;
	len = strlen(mr);
	if (len <= 1 || mr[len - 1] != '%') {
		if (get_uint(l, n, "max_removals", 1000000, &p->max_removals) == 0)
			p->max_removals_set = 1;
		return;
	}
	num = xstrndup(mr, len - 1);
	if (parse_uint(num, 0, 100, &u) == 0) {
		p->max_removals = (unsigned)u;
		p->max_removals_percent = 1;
		p->max_removals_set = 1;
	} else
		diag_add(l->d, n->pos, "max_removals \"%s\" is not a count or a "
		    "percentage from 0%% to 100%%", mr);
	free(num);
}

void
load_policy(struct loader *l, const struct ynode *n)
{
	static const char *const welcome[] = { "never", "include" };
	static const char *const schemes[] = { "yescrypt", "sha512-crypt",
	    "none" };
	static const char *const departures[] = { "disable", "delete" };
	const struct ynode	*f[POLICY_NKEYS];
	struct policy		*p = &l->m->policy;
	int			 i;

	p->login_format = "{given_name}.{surname}";
	p->mail_format = "{login}@{mail_domain}";
	p->retention_days = 90;
	p->connector_give_up_days = 7;	/* OUTBOX_GIVE_UP_DAYS */
	p->password_min_length = PASSWORD_MIN_DEFAULT;
	if (n == NULL)
		return;
	p->pos = p->login_pos = p->mail_pos = n->pos;
	if (map_keys(l, n, "policy", policy_keys, POLICY_NKEYS, f) == -1)
		return;
	if (f[POLICY_LOGIN] != NULL &&
	    (p->login_format = get_string(l, f[POLICY_LOGIN], "login")))
		p->login_pos = f[POLICY_LOGIN]->pos;
	if (f[POLICY_MAIL] != NULL &&
	    (p->mail_format = get_string(l, f[POLICY_MAIL], "mail")))
		p->mail_pos = f[POLICY_MAIL]->pos;
	if (f[POLICY_PASSWORD_SCHEME] != NULL && (i = get_enum(l,
	    f[POLICY_PASSWORD_SCHEME], "password_scheme", schemes, 3)) >= 0)
		p->password_scheme = (enum password_scheme)i;
	if (f[POLICY_ON_DEPARTURE] != NULL && (i = get_enum(l,
	    f[POLICY_ON_DEPARTURE], "on_departure", departures, 2)) >= 0)
		p->on_departure = (enum departure)i;
	if (f[POLICY_RETENTION_DAYS] != NULL)
		get_uint(l, f[POLICY_RETENTION_DAYS], "retention_days", 36500,
		    &p->retention_days);
	if (f[POLICY_GIVE_UP_DAYS] != NULL && get_uint(l,
	    f[POLICY_GIVE_UP_DAYS], "connector_give_up_days", 365,
	    &p->connector_give_up_days) == 0 && p->connector_give_up_days == 0)
		diag_add(l->d, f[POLICY_GIVE_UP_DAYS]->pos,
		    "connector_give_up_days is at least 1: a call that failed "
		    "once is retried at least for a day");
	if (f[POLICY_WELCOME_PASSWORD] != NULL && (i = get_enum(l,
	    f[POLICY_WELCOME_PASSWORD], "welcome_password", welcome, 2)) >= 0)
		p->welcome_password = i;
	if (p->welcome_password && p->password_scheme == PW_NONE)
		diag_add(l->d, f[POLICY_WELCOME_PASSWORD]->pos,
		    "welcome_password: include needs a password: "
		    "password_scheme is none");
	load_policy_directory(l, f);
	if (f[POLICY_MAX_REMOVALS] != NULL)
		load_max_removals(l, f[POLICY_MAX_REMOVALS]);
}
