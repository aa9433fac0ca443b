/*
 * Reading the directory: the base entry, then the whole subtrees below
 * ou=tenants, ou=services and ou=system with the paged-results control (RFC
 * 2696), so that a server size limit never truncates the picture. Entries are taken one message at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

#define PAGE_SIZE	1000

/* One attribute of an entry being read: its values are r->v[first, first + n). */
struct taken {
	struct berval	 name;
	size_t		 first, n;
};

/* What the pages of the searches are taken into. */
struct reader {
	struct conn	*c;
	struct entries	*es;
	const char	*base_key, *tenants_key;
	size_t		 count;
	struct span	*v;		/* one entry's values, reused */
	size_t		 nv, capv;
	struct taken	*a;		/* and its attributes */
	size_t		 na, capa;
};

/*
 * One attribute, its name and values left where they lie in the message:
 * lber's primitives rather than ldap_get_attribute_ber, which interprets a
 * format and allocates an array for each attribute. The values are added to
 * *v, which grows as needed and is reused from one entry to the next.
 * Returns 1, 0 at the end of the entry, -1 if it is not an attribute.
 */
int
read_attr(BerElement *ber, struct berval *name, struct span **v, size_t *nv,
    size_t *capv)
{
	struct berval	 bv;
	ber_len_t	 len;
	ber_tag_t	 tag;
	char		*last;

	if (ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &len) !=
	    LBER_OPT_SUCCESS || len == 0)
		return 0;
	if (ber_skip_tag(ber, &len) != LBER_SEQUENCE ||
	    ber_get_stringbv(ber, name, LBER_BV_NOTERM) == LBER_ERROR)
		return -1;
	for (tag = ber_first_element(ber, &len, &last); tag != LBER_DEFAULT;
	    tag = ber_next_element(ber, &len, last)) {
		if (*nv == *capv) {
			*capv = *capv ? *capv * 2 : 256;
			*v = xreallocarray(*v, *capv, sizeof(**v));
		}
		if (ber_get_stringbv(ber, &bv, LBER_BV_NOTERM) == LBER_ERROR)
			return -1;
		(*v)[*nv].s = bv.bv_val;
		(*v)[(*nv)++].len = bv.bv_len;
	}
	return last == NULL ? -1 : 1;
}

/* One attribute of the entry being read, into r->a. */
static int
decode_attr(struct reader *r, BerElement *ber)
{
	struct taken	*t;
	int		 rc;

	if (r->na == r->capa) {
		r->capa = r->capa ? r->capa * 2 : 32;
		r->a = xreallocarray(r->a, r->capa, sizeof(*r->a));
	}
	t = &r->a[r->na];
	t->first = r->nv;
	if ((rc = read_attr(ber, &t->name, &r->v, &r->nv, &r->capv)) != 1)
		return rc;
	t->n = r->nv - t->first;
	r->na++;
	return 1;
}

/*
 * The values are read where they lie in the message, as ldapsearch does,
 * and copied once, into the entry set: the attributes are decoded first, so
 * that the entry's array is made once, to size (100,000 of them add up).
 * A message cut short keeps the attributes before the cut.
 */
static void
take_entry(struct reader *r, LDAPMessage *msg)
{
	struct berval	 dn;
	BerElement	*ber = NULL;
	struct entries	*es = r->es;
	struct entry	*e;
	char		*dnz, name[256];
	size_t		 k;

	if (ldap_get_dn_ber(r->c->ld, msg, &ber, &dn) != LDAP_SUCCESS)
		goto out;
	dnz = xstrndup(dn.bv_val, dn.bv_len);
	e = entries_add(es, dnz, NULL, ENTRY_OTHER);
	free(dnz);
	if (e == NULL)
		goto out;
	entry_classify(es, e, r->base_key, r->tenants_key);
	r->na = r->nv = 0;
	while (decode_attr(r, ber) == 1)
		;
	entry_reserve(es, e, r->na);
	for (k = 0; k < r->na; k++) {
		if (r->a[k].name.bv_len >= sizeof(name))
			continue;
		memcpy(name, r->a[k].name.bv_val, r->a[k].name.bv_len);
		name[r->a[k].name.bv_len] = '\0';
		entry_add_values(es, e, name, r->v + r->a[k].first, r->a[k].n);
	}
	if (ENTRY_IS_USER(e->kind) && entry_managed(e)) {
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

/* One entry into the set, counted. */
static void
take_counted(void *arg, LDAPMessage *msg)
{
	struct reader	*r = arg;

	take_entry(r, msg);
	r->count++;
}

/* Hands a page's entries to take, and frees them. */
static void
take_page(struct conn *c, struct ptrvec *msgs,
    void (*take)(void *, LDAPMessage *), void *arg)
{
	LDAPMessage	*msg;
	size_t		 i;

	for (i = 0; i < msgs->n; i++) {
		for (msg = ldap_first_entry(c->ld, msgs->v[i]); msg != NULL;
		    msg = ldap_next_entry(c->ld, msg))
			take(arg, msg);
		ldap_msgfree(msgs->v[i]);
	}
	msgs->n = 0;
}

/*
 * A page's entries are kept until its end has come and the next page is
 * asked for: the server makes that one while this one is taken in.
 */
int
read_paged(struct conn *c, const char *base, int scope,
    const char *const *attrs, void (*take)(void *, LDAPMessage *), void *arg)
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
		take_page(c, &msgs, take, arg);
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
    const char *const *subtrees, const char *const *attrs, struct entries *es)
{
	struct reader	 r = { c, es, dn_key(&es->arena, base_dn),
	    dn_key(&es->arena, tenants_dn), 0, NULL, 0, 0, NULL, 0, 0 };
	int		 ret = -1;

	if (read_paged(c, base_dn, LDAP_SCOPE_BASE, attrs, take_counted,
	    &r) == -1 || read_paged(c, tenants_dn, LDAP_SCOPE_SUBTREE, attrs,
	    take_counted, &r) == -1)
		goto out;
	for (; *subtrees != NULL; subtrees++)
		if (read_paged(c, *subtrees, LDAP_SCOPE_SUBTREE, attrs,
		    take_counted, &r) == -1)
			goto out;
	es->ppolicy = knows_lock(c);
	if (c->verbose)
		fprintf(stderr, "mutualize: read %zu entries from %s%s\n",
		    r.count, c->uri,
		    es->ppolicy ? "; it can lock accounts (ppolicy)" : "");
	ret = 0;
out:
	free(r.v);
	free(r.a);
	return ret;
}
