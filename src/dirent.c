/*
 * The entries directory-config adds beside the configuration: the base, the
 * default password policy that ppolicy names, and the entry mutualize binds
 * as (with bind_dn). Those the server has already are left as they are, but
 * for the policy's values of policy_attrs, which follow the configuration.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "mutualize.h"
#include "conn.h"
#include "dirconf.h"

/* vals[i] gets the first value of attrs[i] in the entry, or NULL. */
static void
first_values(struct dirconf *d, LDAPMessage *e, const char *const *attrs,
    const char **vals)
{
	struct berval	**v;
	size_t		  i;

	for (i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		v = ldap_get_values_len(d->c->ld, e, attrs[i]);
		if (v != NULL && v[0] != NULL)
			vals[i] = arena_strndup(&d->a, v[0]->bv_val,
			    v[0]->bv_len);
		ldap_value_free_len(v);
	}
}

/*
 * Whether the entry exists: 1, 0, or -1 after saying why; none does in a
 * database not made yet. With attrs (NULL-ended), vals[i] gets the first
 * value of attrs[i] (or NULL) in the arena, all read in one search.
 */
static int
exists(struct dirconf *d, const char *dn, const char *const *attrs,
    const char **vals)
{
	static const char *const none[] = { "1.1", NULL };
	struct timeval	 tv = { (time_t)(d->c != NULL ? d->c->timeout : 0), 0 };
	LDAPMessage	*res = NULL, *e;
	size_t		 i;
	int		 rc, found = 0;

	for (i = 0; attrs != NULL && attrs[i] != NULL; i++)
		vals[i] = NULL;
	if (d->c == NULL || d->db == NULL)
		return 0;
	rc = ldap_search_ext_s(d->c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    (char **)(attrs != NULL ? attrs : none), 0, NULL, NULL, &tv, 0,
	    &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(d->c->ld, res)) != NULL) {
		found = 1;
		first_values(d, e, attrs, vals);
	}
	ldap_msgfree(res);
	if (rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT)
		return found;
	msg_warn("%s: cannot read %s: %s (%d)", d->server, dn,
	    ldap_err2string(rc), rc);
	return -1;
}

static struct entry *
new_entry(struct dirconf *d, const char *dn, const char *const *classes)
{
	struct entry	*e = entries_add(&d->es, dn, NULL, ENTRY_OTHER);
	size_t		 i;

	for (i = 0; classes[i] != NULL; i++)
		entry_add_value(&d->es, e, "objectClass", classes[i]);
	ptrvec_push(&d->data, e);
	return e;
}

/*
 * pwdLockout: without it ppolicy ignores pwdAccountLockedTime, and a
 * departed person would still bind. pwdMustChange: without it the pwdReset
 * a town's admin sets after a reset asks nothing of the person. Neither
 * makes ppolicy lock anyone out after failures (no pwdMaxFailure) nor mark
 * the accounts mutualize adds.
 */
const char *const policy_attrs[] = { "pwdMinLength", "pwdLockout",
    "pwdMustChange", NULL };

const char *
policy_value(struct dirconf *d, size_t i)
{
	return i == 0 ? arena_printf(&d->a, "%u",
	    d->m->policy.password_min_length) : "TRUE";
}

/* The password policy of every account: pwdMinLength checked on change. */
static int
policy_entries(struct dirconf *d)
{
	const char	*ou = arena_printf(&d->a, "ou=policies,%s",
	    d->m->syndicate.base_dn);
	struct entry	*e;
	size_t		 i;
	int		 r;

	if ((r = exists(d, ou, NULL, NULL)) == -1)
		return -1;
	if (r == 0)
		entry_add_value(&d->es, new_entry(d, ou, (const char *const[]){
		    "organizationalUnit", NULL }), "ou", "policies");
	if ((r = exists(d, d->policy_dn, policy_attrs, d->policy_now)) != 0) {
		d->policy_exists = r == 1;
		return r == -1 ? -1 : 0;
	}
	e = new_entry(d, d->policy_dn, (const char *const[]){ "device",
	    "pwdPolicy", NULL });
	entry_add_value(&d->es, e, "cn", "default");
	entry_add_value(&d->es, e, "description", "The password policy of "
	    "every account of the directory (mutualize directory-config)");
	entry_add_value(&d->es, e, "pwdAttribute", "userPassword");
	/* 1: a password sent in clear is checked; a hash is taken as it is. */
	entry_add_value(&d->es, e, "pwdCheckQuality", "1");
	for (i = 0; policy_attrs[i] != NULL; i++)
		entry_add_value(&d->es, e, policy_attrs[i], policy_value(d, i));
	return 0;
}

/* The entry of bind_dn, with the hash of the bind password. */
static int
bind_entry(struct dirconf *d, const char *parent)
{
	const struct model	*m = d->m;
	const char		*dn = m->directory.bind_dn, *eq;
	struct diags		 diags = { 0 };
	struct entry		*e;
	char			*pw, *hash;
	int			 cn = strncasecmp(dn, "cn=", 3) == 0;

	if (!cn && strncasecmp(dn, "uid=", 4) != 0) {
		msg_warn("bind_dn %s: directory-config makes a cn= or uid= entry "
		    "to bind as; make this one yourself", dn);
		return -1;
	}
	if ((pw = secret_bind_password(m, &diags)) == NULL) {
		diag_print(&diags, stderr);
		diag_free(&diags);
		return -1;
	}
	hash = secret_hash(pw, m->policy.password_scheme == PW_SHA512_CRYPT ?
	    PW_SHA512_CRYPT : PW_YESCRYPT);
	secret_free(pw);
	eq = strchr(dn, '=') + 1;
	e = new_entry(d, dn, (const char *const[]){ cn ? "applicationProcess" :
	    "account", "simpleSecurityObject", NULL });
	entry_add_value(&d->es, e, cn ? "cn" : "uid", arena_strndup(&d->a, eq,
	    (size_t)(parent - 1 - eq)));
	entry_add_value(&d->es, e, "description", "What mutualize binds as to "
	    "manage the directory");
	entry_add_value(&d->es, e, "userPassword", hash);
	secret_free(hash);
	return 0;
}

/* mutualize's own entry, when it binds with a DN below the base. */
static int
bind_entries(struct dirconf *d)
{
	const char	*dn = d->m->directory.bind_dn, *parent;
	int		 r;

	if (dn == NULL || d->m->directory.bind != BIND_SIMPLE ||
	    (parent = strchr(dn, ',')) == NULL)
		return 0;
	if ((r = exists(d, dn, NULL, NULL)) != 0)
		return r;
	parent++;
	if (strcasecmp(parent, d->m->syndicate.base_dn) != 0 &&
	    entries_find(&d->es, parent) == NULL &&
	    (r = exists(d, parent, NULL, NULL)) != 1) {
		if (r == 0)
			msg_warn("bind_dn %s: its parent %s does not exist; put "
			    "bind_dn directly below the base, or make the "
			    "parent first", dn, parent);
		return -1;
	}
	return bind_entry(d, parent);
}

/* The replication account: it reads everything, for the other servers. */
static int
replicator_entry(struct dirconf *d)
{
	struct entry	*e;
	char		*hash;
	int		 r;

	if (d->repl_dn == NULL || (r = exists(d, d->repl_dn, NULL, NULL)) == 1)
		return 0;
	if (r == -1)
		return -1;
	e = new_entry(d, d->repl_dn, (const char *const[]){
	    "applicationProcess", "simpleSecurityObject", NULL });
	entry_add_value(&d->es, e, "cn", "replicator");
	entry_add_value(&d->es, e, "description", "What the other servers bind "
	    "as to replicate the directory");
	hash = secret_hash(d->repl_password, PW_YESCRYPT);
	entry_add_value(&d->es, e, "userPassword", hash);
	secret_free(hash);
	return 0;
}

/*
 * The entries, on the first provider only: the others and the read
 * replicas get them by replication (the same entry added on two providers
 * would be two entries with one name).
 */
int
dirconf_entries(struct dirconf *d)
{
	int	r;

	if (d->server_id > 1 || d->o->consumer_of != NULL)
		return 0;

	if ((r = exists(d, d->m->syndicate.base_dn, NULL, NULL)) == -1)
		return -1;
	if (r == 0) {
		render_base(d->m, &d->es);
		ptrvec_push(&d->data, entries_find(&d->es,
		    d->m->syndicate.base_dn));
	}
	if (policy_entries(d) == -1 || bind_entries(d) == -1 ||
	    replicator_entry(d) == -1)
		return -1;
	return 0;
}
