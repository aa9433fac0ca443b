/*
 * Carrying out a plan through LDAP, change by change, in the plan's order. On
 * the first error it stops and says what was done before it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/*
 * Returns the LDAP result code of one change. ctrls: the assertion control of
 * a saved plan's change, or NULL.
 */
static int
apply_change(struct conn *c, const struct change *ch, struct initial *pw,
    enum password_scheme scheme, LDAPControl **ctrls)
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
		rc = ldap_modify_ext_s(c->ld, ch->dn, mods, ctrls, NULL);
		free_mods(mods);
		return rc;
	case CHANGE_MODRDN:
		return ldap_rename_s(c->ld, ch->dn, ch->newrdn, ch->newsuperior, 1,
		    ctrls, NULL);
	default:
		return ldap_delete_ext_s(c->ld, ch->dn, ctrls, NULL);
	}
}

/*
 * The whole entry a delete is about to remove (every user attribute), for the
 * undo file: under the apply lock, nothing of mutualize's changes it since.
 */
static const struct entry *
entry_before(struct conn *c, struct entries *es, const char *dn)
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

int
apply_plan(struct conn *c, const struct plan *p, const struct apply_opts *o,
    struct apply_result *res)
{
	struct initial		 pw;
	struct entries		 before;
	const struct entry	*gone;
	LDAPControl		*ctrls[2] = { NULL, NULL };
	char			*matched = NULL, *diag = NULL;
	size_t			 i;
	int			 rc, ret = 0;

	res->done = res->failed = res->refused = 0;
	res->passwords = o->keep_passwords ? xcalloc(p->n ? p->n : 1,
	    sizeof(*res->passwords)) : NULL;
	entries_init(&before);
	for (i = 0; i < p->n && ret == 0; i++) {
		const struct change	*ch = &p->v[i];

		memset(&pw, 0, sizeof(pw));
		ctrls[0] = NULL;
		if (o->assert && ch->assertion != NULL &&
		    ldap_create_assertion_control(c->ld, (char *)ch->assertion, 1,
		    &ctrls[0]) != LDAP_SUCCESS)
			ctrls[0] = NULL;
		gone = ch->op == CHANGE_DELETE && o->journal != NULL ?
		    entry_before(c, &before, ch->dn) : NULL;
		rc = apply_change(c, ch, &pw, o->scheme, ctrls[0] ? ctrls : NULL);
		ldap_control_free(ctrls[0]);
		journal_change(o->journal, ch, rc == LDAP_SUCCESS ? "ok" :
		    ldap_err2string(rc), gone);
		if (rc == LDAP_ASSERTION_FAILED) {
			/* the entry changed since the plan was reviewed: not this one */
			fprintf(stderr, "mutualize: refused: %s changed on the server "
			    "since the plan was made\n", ch->dn);
			res->refused++;
			continue;
		}
		if (rc != LDAP_SUCCESS) {
			ldap_get_option(c->ld, LDAP_OPT_MATCHED_DN, &matched);
			ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
			conn_perror(c, op_name(ch->op), ch->dn, rc, matched, diag);
			ldap_memfree(matched);
			ldap_memfree(diag);
			res->failed = i;
			ret = -1;
		} else {
			if (pw.hash != NULL && secret_credentials(o->credentials,
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
	entries_free(&before);
	return ret == 0 && res->refused > 0 ? -1 : ret;
}

int
plan_save(struct conn *c, const struct plan *p, FILE *fp, const char *file,
    const char *digest, const char *now)
{
	struct berval	bv;
	size_t		i;
	time_t		t = time(NULL);
	char		when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(fp, "# A plan of mutualize for %s, made %s: mutualize apply "
	    "--plan this file.\n# inputs: %s\n# now: %s\nversion: 1\n\n", file,
	    when, digest, now);
	for (i = 0; i < p->n; i++) {
		const struct change	*ch = &p->v[i];

		bv.bv_val = NULL;
		bv.bv_len = 0;
		if (ch->assertion != NULL &&
		    ldap_create_assertion_control_value(c->ld,
		    (char *)ch->assertion, &bv) != LDAP_SUCCESS) {
			conn_perror(c, "encode the assertion for", ch->dn,
			    LDAP_ENCODING_ERROR, NULL, NULL);
			return -1;
		}
		ldif_write_change(fp, ch, NULL, bv.bv_val, bv.bv_len);
		ber_memfree(bv.bv_val);
	}
	return fflush(fp) == 0 ? 0 : -1;
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
