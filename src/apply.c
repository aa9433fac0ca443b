/*
 * Carrying out a plan through LDAP, change by change, in the plan's order. On
 * the first error it stops and says what was done before it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	case CHANGE_MODRDN:
		return "modrdn";
	default:
		return "delete";
	}
}

/*
 * The initial password of a new person: generated, hashed for the entry, and
 * given in clear only to the credentials file, once the add has succeeded.
 */
struct initial {
	char	 password[SECRET_PASSWORD_LEN + 1];
	char	*hash;
};

/* Returns the LDAP result code of one change. */
static int
apply_change(struct conn *c, const struct change *ch, struct initial *pw,
    enum password_scheme scheme)
{
	const struct entry	*e = ch->entry;
	const char		*hash[1];
	LDAPMod			**mods;
	size_t			  i;
	int			  rc;

	switch (ch->op) {
	case CHANGE_ADD:
		mods = mods_new(e->nattrs + 1);
		for (i = 0; i < e->nattrs; i++)
			mods[i] = mod_new(LDAP_MOD_ADD, e->attrs[i].name,
			    e->attrs[i].vals, e->attrs[i].nvals);
		if (e->kind == ENTRY_PERSON) {
			secret_password(pw->password);
			pw->hash = secret_hash(pw->password, scheme);
			hash[0] = pw->hash;
			mods[i] = mod_new(LDAP_MOD_ADD, "userPassword", hash, 1);
		}
		rc = ldap_add_ext_s(c->ld, e->dn, mods, NULL, NULL);
		free_mods(mods);
		return rc;
	case CHANGE_MODIFY:
		mods = mods_new(ch->nmods);
		for (i = 0; i < ch->nmods; i++)
			mods[i] = mod_new(ldap_op(ch->mods[i].op), ch->mods[i].attr,
			    ch->mods[i].vals, ch->mods[i].nvals);
		rc = ldap_modify_ext_s(c->ld, ch->dn, mods, NULL, NULL);
		free_mods(mods);
		return rc;
	case CHANGE_MODRDN:
		return ldap_rename_s(c->ld, ch->dn, ch->newrdn, ch->newsuperior, 1,
		    NULL, NULL);
	default:
		return ldap_delete_ext_s(c->ld, ch->dn, NULL, NULL);
	}
}

/* One line a new account: login, mail, password, id. */
static int
write_credentials(FILE *fp, const struct entry *e, const char *password)
{
	const struct attr	*uid = entry_attr(e, "uid");
	const struct attr	*mail = entry_attr(e, "mail");
	const struct attr	*id = entry_attr(e, "employeeNumber");

	fprintf(fp, "%s\t%s\t%s\t%s\n", uid ? uid->vals[0] : "",
	    mail ? mail->vals[0] : "", password, id ? id->vals[0] : "");
	return fflush(fp) == 0 ? 0 : -1;
}

int
apply_plan(struct conn *c, const struct plan *p, const struct apply_opts *o,
    struct apply_result *res)
{
	struct initial	 pw;
	char		*matched = NULL, *diag = NULL;
	size_t		 i;
	int		 rc, ret = 0;

	res->done = 0;
	res->failed = 0;
	res->passwords = o->keep_passwords ? xcalloc(p->n ? p->n : 1,
	    sizeof(*res->passwords)) : NULL;
	for (i = 0; i < p->n && ret == 0; i++) {
		const struct change	*ch = &p->v[i];

		memset(&pw, 0, sizeof(pw));
		if ((rc = apply_change(c, ch, &pw, o->scheme)) != LDAP_SUCCESS) {
			ldap_get_option(c->ld, LDAP_OPT_MATCHED_DN, &matched);
			ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
			conn_perror(c, op_name(ch->op), ch->dn, rc, matched, diag);
			ldap_memfree(matched);
			ldap_memfree(diag);
			res->failed = i;
			ret = -1;
		} else {
			if (pw.hash != NULL && write_credentials(o->credentials,
			    ch->entry, pw.password) == -1) {
				fprintf(stderr, "mutualize: cannot write the "
				    "credentials file\n");
				ret = -1;
			}
			if (pw.hash != NULL && res->passwords != NULL)
				res->passwords[i] = xstrdup(pw.password);
			if (o->verbose)
				fprintf(stderr, "mutualize: %s %s\n",
				    op_name(ch->op), ch->dn);
			res->done++;
		}
		explicit_bzero(pw.password, sizeof(pw.password));
		secret_free(pw.hash);
	}
	return ret;
}

/*
 * The apply lock: an entry below the base that only one apply at a time can
 * add. It says who holds it, so that a second apply can say so, and a lock
 * left by a process of this host that no longer runs can be told stale.
 */
#define LOCK_RDN	"cn=mutualize-lock"

static int
lock_holder(struct conn *c, const char *dn, char *buf, size_t len)
{
	char		*attrs[] = { "description", NULL };
	struct berval	**v;
	LDAPMessage	*res = NULL, *e;
	int		 rc;

	buf[0] = '\0';
	rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, 0, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(c->ld, res)) != NULL &&
	    (v = ldap_get_values_len(c->ld, e, "description")) != NULL) {
		if (v[0] != NULL)
			snprintf(buf, len, "%.*s", (int)v[0]->bv_len, v[0]->bv_val);
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return rc;
}

/* A lock taken by this host for a process that has gone. */
static int
lock_stale(const char *holder)
{
	char	host[256], their[256];
	long	pid;

	if (gethostname(host, sizeof(host)) == -1 ||
	    sscanf(holder, "pid %ld on %255s", &pid, their) != 2 ||
	    strcmp(host, their) != 0 || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int
lock_take(struct conn *c, const char *base_dn, const char *started,
    char **lockdn)
{
	char		 host[256] = "", holder[512], *desc, *dn;
	const char	*oc[] = { "applicationProcess" }, *cn[] = { "mutualize-lock" };
	const char	*d[1];
	LDAPMod		**mods;
	int		 rc, tries;

	*lockdn = NULL;
	gethostname(host, sizeof(host) - 1);
	dn = xasprintf(LOCK_RDN ",%s", base_dn);
	desc = xasprintf("pid %ld on %s since %s", (long)getpid(), host, started);
	d[0] = desc;
	for (tries = 0; tries < 2; tries++) {
		mods = mods_new(3);
		mods[0] = mod_new(LDAP_MOD_ADD, "objectClass", oc, 1);
		mods[1] = mod_new(LDAP_MOD_ADD, "cn", cn, 1);
		mods[2] = mod_new(LDAP_MOD_ADD, "description", d, 1);
		rc = ldap_add_ext_s(c->ld, dn, mods, NULL, NULL);
		free_mods(mods);
		if (rc == LDAP_SUCCESS) {
			*lockdn = dn;
			free(desc);
			return 0;
		}
		if (rc == LDAP_NO_SUCH_OBJECT) {
			/* No base yet: the first apply, which creates it, goes unlocked. */
			free(dn);
			free(desc);
			return 0;
		}
		if (rc != LDAP_ALREADY_EXISTS) {
			conn_perror(c, "add the lock", dn, rc, NULL, NULL);
			break;
		}
		lock_holder(c, dn, holder, sizeof(holder));
		if (tries == 0 && lock_stale(holder)) {
			fprintf(stderr, "mutualize: removing a stale lock (%s): that "
			    "process is no longer running\n", holder);
			ldap_delete_ext_s(c->ld, dn, NULL, NULL);
			continue;
		}
		fprintf(stderr, "mutualize: another apply holds the lock of this "
		    "directory: %s\nmutualize: if it is no longer running, delete "
		    "%s and run again\n", holder[0] ? holder : "(unknown)", dn);
		break;
	}
	free(dn);
	free(desc);
	return -1;
}

void
lock_release(struct conn *c, char *lockdn)
{
	int	rc;

	if (lockdn == NULL)
		return;
	if ((rc = ldap_delete_ext_s(c->ld, lockdn, NULL, NULL)) != LDAP_SUCCESS)
		conn_perror(c, "remove the lock", lockdn, rc, NULL, NULL);
	free(lockdn);
}
