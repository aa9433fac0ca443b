/*
 * What an apply reads of the directory besides the plan: whether the server
 * offers transactions, and the whole entry each delete is about to remove,
 * for the undo file.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

/*
 * The whole entry a delete is about to remove (every user attribute), for the
 * undo file: under the apply lock, nothing of mutualize's changes it since.
 */
const struct entry *
lookup_entry(struct conn *c, struct entries *es, const char *dn)
{
	LDAPMessage	*res = NULL, *msg;
	BerElement	*ber = NULL;
	struct berval	**vals;
	struct entry	*e = NULL;
	char		*attr, *v;
	/* ppolicy's lock is operational, yet an administrator sets it */
	char		*attrs[] = { "*", "pwdAccountLockedTime", NULL };
	size_t		 i;

	if (ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
	    0, NULL, NULL, NULL, 0, &res) != LDAP_SUCCESS ||
	    (msg = ldap_first_entry(c->ld, res)) == NULL ||
	    (e = entries_add(es, dn, NULL, ENTRY_OTHER)) == NULL)
		goto out;
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
out:
	ldap_msgfree(res);
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
