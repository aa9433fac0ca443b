/*
 * What an apply reads of the directory besides the plan: whether the server
 * offers transactions, the whole entry each delete is about to remove, for
 * the undo file, and an entry as it is now, when a change failed in a way
 * that says its work may be done already.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

/* Every value of every attribute of msg, into e. */
static void
take_values(struct conn *c, LDAPMessage *msg, struct entries *es,
    struct entry *e)
{
	BerElement	*ber = NULL;
	struct berval	**vals;
	char		*attr, *v;
	size_t		 i;

	for (attr = ldap_first_attribute(c->ld, msg, &ber); attr != NULL;
	    attr = ldap_next_attribute(c->ld, msg, ber)) {
		vals = ldap_get_values_len(c->ld, msg, attr);
		for (i = 0; vals != NULL && vals[i] != NULL; i++) {
			v = xstrndup(vals[i]->bv_val, vals[i]->bv_len);
			entry_add_value(es, e, attr, v);
			free(v);
		}
		ldap_value_free_len(vals);
		ldap_memfree(attr);
	}
	ber_free(ber, 0);
}

/* The entry at dn with attrs, into es: as lookup_now. */
static int
lookup(struct conn *c, struct entries *es, const char *dn, char **attrs,
    const struct entry **found)
{
	LDAPMessage	*res = NULL, *msg;
	struct entry	*e;
	int		 rc, ret = -1;

	*found = NULL;
	rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, 0, &res);
	if (rc == LDAP_NO_SUCH_OBJECT)
		ret = 0;
	else if (rc == LDAP_SUCCESS && (msg = ldap_first_entry(c->ld, res)) !=
	    NULL && (e = entries_add(es, dn, NULL, ENTRY_OTHER)) != NULL) {
		take_values(c, msg, es, e);
		*found = e;
		ret = 1;
	}
	ldap_msgfree(res);
	return ret;
}

/*
 * ppolicy's lock is operational, yet an administrator sets it, and so does a
 * departure; entryUUID tells an entry from another of the same DN.
 */
int
lookup_now(struct conn *c, struct entries *es, const char *dn,
    const struct entry **found)
{
	char	*attrs[] = { "*", "pwdAccountLockedTime", "entryUUID", NULL };

	return lookup(c, es, dn, attrs, found);
}

/*
 * The whole entry a delete is about to remove (every user attribute), for the
 * undo file: under the apply lock, nothing of mutualize's changes it since.
 * No entryUUID: an add cannot set it.
 */
const struct entry *
lookup_entry(struct conn *c, struct entries *es, const char *dn)
{
	char			*attrs[] = { "*", "pwdAccountLockedTime", NULL };
	const struct entry	*e;

	lookup(c, es, dn, attrs, &e);
	return e;
}

static int
has_value(struct berval **v, const char *s)
{
	size_t	i, len = strlen(s);

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (v[i]->bv_len == len && memcmp(v[i]->bv_val, s, len) == 0)
			return 1;
	return 0;
}

/* Whether the root DSE lists the Start and End Transaction operations. */
int
lookup_transactions(struct conn *c)
{
	char		*attrs[] = { "supportedExtension", NULL };
	LDAPMessage	*res = NULL, *e;
	struct berval	**v = NULL;
	int		 yes;

	if (ldap_search_ext_s(c->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, 0, &res) == LDAP_SUCCESS &&
	    (e = ldap_first_entry(c->ld, res)) != NULL)
		v = ldap_get_values_len(c->ld, e, attrs[0]);
	yes = has_value(v, LDAP_EXOP_TXN_START) && has_value(v, LDAP_EXOP_TXN_END);
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return yes;
}
