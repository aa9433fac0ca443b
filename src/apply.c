/*
 * Carrying out a plan through LDAP, change by change, in the plan's order. On
 * the first error it stops and says what was done before it.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

/* LDAPMod array for an add or a modify; freed with free_mods. */
static LDAPMod **
mods_new(size_t n)
{
	return xcalloc(n + 1, sizeof(LDAPMod *));
}

/* The value pointers and the bervals share one block, freed with the array. */
static LDAPMod *
mod_new(int op, const char *attr, const char **vals, size_t nvals)
{
	LDAPMod		*m = xcalloc(1, sizeof(*m));
	struct berval	*bv;
	size_t		 i, ptrs = (nvals + 1) * sizeof(struct berval *);

	m->mod_op = op | LDAP_MOD_BVALUES;
	m->mod_type = (char *)attr;
	m->mod_bvalues = xcalloc(1, ptrs + nvals * sizeof(*bv));
	bv = (struct berval *)((char *)m->mod_bvalues + ptrs);
	for (i = 0; i < nvals; i++) {
		bv[i].bv_val = (char *)vals[i];
		bv[i].bv_len = strlen(vals[i]);
		m->mod_bvalues[i] = &bv[i];
	}
	return m;
}

static void
free_mods(LDAPMod **mods)
{
	size_t	i;

	for (i = 0; mods[i] != NULL; i++) {
		free(mods[i]->mod_bvalues);
		free(mods[i]);
	}
	free(mods);
}

static int
ldap_op(enum mod_op op)
{
	switch (op) {
	case MOD_ADD:
		return LDAP_MOD_ADD;
	case MOD_DELETE:
		return LDAP_MOD_DELETE;
	default:
		return LDAP_MOD_REPLACE;
	}
}

static const char *
op_name(enum change_op op)
{
	switch (op) {
	case CHANGE_ADD:
		return "add";
	case CHANGE_MODIFY:
		return "modify";
	default:
		return "delete";
	}
}

/* Sends one change; returns the LDAP code of the sending, with its msgid. */
static int
send_change(struct conn *c, const struct change *ch, int *msgid)
{
	const struct entry	*e = ch->entry;
	LDAPMod			**mods;
	size_t			  i;
	int			  rc;

	switch (ch->op) {
	case CHANGE_ADD:
		mods = mods_new(e->nattrs);
		for (i = 0; i < e->nattrs; i++)
			mods[i] = mod_new(LDAP_MOD_ADD, e->attrs[i].name,
			    e->attrs[i].vals, e->attrs[i].nvals);
		rc = ldap_add_ext(c->ld, e->dn, mods, NULL, NULL, msgid);
		free_mods(mods);
		return rc;
	case CHANGE_MODIFY:
		mods = mods_new(ch->nmods);
		for (i = 0; i < ch->nmods; i++)
			mods[i] = mod_new(ldap_op(ch->mods[i].op), ch->mods[i].attr,
			    ch->mods[i].vals, ch->mods[i].nvals);
		rc = ldap_modify_ext(c->ld, e->dn, mods, NULL, NULL, msgid);
		free_mods(mods);
		return rc;
	default:
		return ldap_delete_ext(c->ld, e->dn, NULL, NULL, msgid);
	}
}

int
apply_plan(struct conn *c, const struct plan *p, struct apply_result *res,
    int verbose)
{
	char	*matched = NULL, *diag = NULL;
	size_t	 i;
	int	 rc, msgid;

	res->done = 0;
	res->failed = 0;
	for (i = 0; i < p->n; i++) {
		const struct change	*ch = &p->v[i];

		/* Each change waits at most the timeout, as every operation. */
		if ((rc = send_change(c, ch, &msgid)) == LDAP_SUCCESS)
			rc = conn_wait(c, msgid, &matched, &diag);
		if (rc != LDAP_SUCCESS) {
			conn_perror(c, op_name(ch->op), ch->entry->dn, rc, matched,
			    diag);
			ldap_memfree(matched);
			ldap_memfree(diag);
			res->failed = i;
			return -1;
		}
		ldap_memfree(matched);
		ldap_memfree(diag);
		matched = diag = NULL;
		if (verbose)
			fprintf(stderr, "mutualize: %s %s\n", op_name(ch->op),
			    ch->entry->dn);
		res->done++;
	}
	return 0;
}
