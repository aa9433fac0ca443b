/*
 * Reading the directory: the base entry, then the whole subtrees below
 * ou=tenants and ou=services with the paged-results control (RFC 2696), so that a server size
 * limit never truncates the picture. Entries are taken one message at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

#define PAGE_SIZE	1000

/* Attributes of one message kept for a second pass; more are rare. */
#define TAKE_ATTRS	32

/*
 * The values are read where they lie in the message, as ldapsearch does,
 * and copied once, into the entry set: the attributes are counted first, so
 * that the entry's array is made once, to size (100,000 of them add up).
 */
static void
take_entry(struct conn *c, LDAPMessage *msg, struct entries *es,
    const char *base_key, const char *tenants_key)
{
	struct berval	 dn, attr[TAKE_ATTRS], *vals[TAKE_ATTRS];
	BerElement	*ber = NULL;
	struct entry	*e;
	char		*dnz, name[256];
	size_t		 i, k, n;

	if (ldap_get_dn_ber(c->ld, msg, &ber, &dn) != LDAP_SUCCESS)
		goto out;
	dnz = xstrndup(dn.bv_val, dn.bv_len);
	e = entries_add(es, dnz, NULL, ENTRY_OTHER);
	free(dnz);
	if (e == NULL)
		goto out;
	entry_classify(es, e, base_key, tenants_key);
	do {
		for (n = 0; n < TAKE_ATTRS && ldap_get_attribute_ber(c->ld, msg,
		    ber, &attr[n], &vals[n]) == LDAP_SUCCESS &&
		    attr[n].bv_val != NULL; n++)
			;
		entry_reserve(es, e, n);
		for (k = 0; k < n; k++) {
			if (attr[k].bv_len < sizeof(name)) {
				memcpy(name, attr[k].bv_val, attr[k].bv_len);
				name[attr[k].bv_len] = '\0';
				for (i = 0; vals[k] != NULL &&
				    vals[k][i].bv_val != NULL; i++)
					entry_add_valuen(es, e, name,
					    vals[k][i].bv_val, vals[k][i].bv_len);
			}
			ber_memfree(vals[k]);
		}
	} while (n == TAKE_ATTRS);
	if (e->kind == ENTRY_PERSON && entry_managed(e)) {
		const struct attr	*id = entry_attr(e, "employeeNumber");

		if (id != NULL && id->nvals > 0)
			hmap_put(&es->by_id, id->vals[0], e);
	}
out:
	ber_free(ber, 0);
}

/* Sends the request of one page. Returns its msgid, or -1 with r set. */
static int
request_page(struct conn *c, const char *base, int scope,
    const char *const *attrs, struct berval *cookie, int *r)
{
	LDAPControl	*page = NULL, *ctrls[2] = { NULL, NULL };
	int		 msgid;

	if ((*r = ldap_create_page_control(c->ld, PAGE_SIZE, cookie, 1,
	    &page)) != LDAP_SUCCESS)
		return -1;
	ctrls[0] = page;
	*r = ldap_search_ext(c->ld, base, scope, "(objectClass=*)",
	    (char **)attrs, 0, ctrls, NULL, NULL, 0, &msgid);
	ldap_control_free(page);
	return *r == LDAP_SUCCESS ? msgid : -1;
}

/* Takes a page's entries into the set, and frees them. */
static void
take_page(struct conn *c, struct ptrvec *msgs, struct entries *es,
    const char *base_key, const char *tenants_key, size_t *count)
{
	LDAPMessage	*msg;
	size_t		 i;

	for (i = 0; i < msgs->n; i++) {
		for (msg = ldap_first_entry(c->ld, msgs->v[i]); msg != NULL;
		    msg = ldap_next_entry(c->ld, msg)) {
			take_entry(c, msg, es, base_key, tenants_key);
			(*count)++;
		}
		ldap_msgfree(msgs->v[i]);
	}
	msgs->n = 0;
}

/*
 * One search, page by page. A page's entries are kept until its end has
 * come and the next page is asked for: the server makes that one while this
 * one is taken in. Returns 0, 1 when the base does not exist, or -1 after
 * printing the error.
 */
static int
search_paged(struct conn *c, const char *base, int scope,
    const char *const *attrs, struct entries *es, const char *base_key,
    const char *tenants_key, size_t *count)
{
	struct berval	 cookie = { 0, NULL };
	LDAPControl	**rctrls = NULL, *rc;
	LDAPMessage	*res = NULL;
	struct ptrvec	 msgs = { 0 };
	char		*matched = NULL, *diag = NULL;
	size_t		 i;
	int		 msgid, err, r, ret = -1, done = 0;
	ber_int_t	 estimate;

	if ((msgid = request_page(c, base, scope, attrs, &cookie, &r)) == -1)
		goto lderr;
	do {
		for (;;) {
			/* The timeout is between two messages, not for the whole. */
			r = conn_result(c, msgid, LDAP_MSG_ONE, &res);
			if (r != LDAP_SUCCESS)
				goto lderr;
			if (ldap_msgtype(res) == LDAP_RES_SEARCH_RESULT)
				break;
			ptrvec_push(&msgs, res);
			res = NULL;
		}
		r = ldap_parse_result(c->ld, res, &err, &matched, &diag, NULL,
		    &rctrls, 0);
		if (r != LDAP_SUCCESS)
			goto lderr;
		if (err == LDAP_NO_SUCH_OBJECT) {
			ret = 1;
			goto out;
		}
		if (err != LDAP_SUCCESS) {
			conn_perror(c, "search", base, err, matched, diag);
			goto out;
		}
		ber_memfree(cookie.bv_val);
		cookie.bv_val = NULL;
		cookie.bv_len = 0;
		rc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
		if (rc == NULL || ldap_parse_pageresponse_control(c->ld, rc,
		    &estimate, &cookie) != LDAP_SUCCESS || cookie.bv_len == 0)
			done = 1;
		else if ((msgid = request_page(c, base, scope, attrs, &cookie,
		    &r)) == -1)
			goto lderr;
		take_page(c, &msgs, es, base_key, tenants_key, count);
		ldap_controls_free(rctrls);
		rctrls = NULL;
		ldap_msgfree(res);
		res = NULL;
		ldap_memfree(matched);
		ldap_memfree(diag);
		matched = diag = NULL;
	} while (!done);
	ret = 0;
	goto out;
lderr:
	conn_perror(c, "search", base, r, NULL, NULL);
out:
	for (i = 0; i < msgs.n; i++)
		ldap_msgfree(msgs.v[i]);
	ptrvec_free(&msgs);
	ber_memfree(cookie.bv_val);
	ldap_controls_free(rctrls);
	ldap_msgfree(res);
	ldap_memfree(matched);
	ldap_memfree(diag);
	return ret;
}

/*
 * Whether the server knows ppolicy's pwdAccountLockedTime, by which a departed
 * person's account is locked. The subschema says; a failed read says no.
 */
static int
knows_lock(struct conn *c)
{
	char		*attrs[] = { "attributeTypes", NULL };
	struct berval	**v;
	LDAPMessage	*res = NULL, *e;
	size_t		 i;
	int		 found = 0;

	if (ldap_search_ext_s(c->ld, "cn=Subschema", LDAP_SCOPE_BASE,
	    "(objectClass=subschema)", attrs, 0, NULL, NULL, NULL, 0,
	    &res) == LDAP_SUCCESS && (e = ldap_first_entry(c->ld, res)) != NULL) {
		v = ldap_get_values_len(c->ld, e, attrs[0]);
		for (i = 0; v != NULL && v[i] != NULL && !found; i++)
			found = memmem(v[i]->bv_val, v[i]->bv_len,
			    "'pwdAccountLockedTime'", 22) != NULL;
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return found;
}

int
read_directory(struct conn *c, const char *base_dn, const char *tenants_dn,
    const char *services_dn, const char *const *attrs, struct entries *es)
{
	const char	*base_key = dn_key(&es->arena, base_dn);
	const char	*tenants_key = dn_key(&es->arena, tenants_dn);
	size_t		 count = 0;

	if (search_paged(c, base_dn, LDAP_SCOPE_BASE, attrs, es, base_key,
	    tenants_key, &count) == -1)
		return -1;
	if (search_paged(c, tenants_dn, LDAP_SCOPE_SUBTREE, attrs, es, base_key,
	    tenants_key, &count) == -1)
		return -1;
	if (search_paged(c, services_dn, LDAP_SCOPE_SUBTREE, attrs, es,
	    base_key, tenants_key, &count) == -1)
		return -1;
	es->ppolicy = knows_lock(c);
	if (c->verbose)
		fprintf(stderr, "mutualize: read %zu entries from %s%s\n", count,
		    c->uri, es->ppolicy ? "; it can lock accounts (ppolicy)" : "");
	return 0;
}
