/*
 * The apply lock: an entry below the base that only one apply at a time can
 * add. It says who holds it, so that a second apply can say so, and a lock
 * left by a process of this host that no longer runs can be told stale.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutualize.h"
#include "conn.h"

#define LOCK_RDN	"cn=mutualize-lock"

static int
lock_holder(struct conn *c, const char *dn, char *buf, size_t len)
{
	char		*attrs[] = { "description", NULL };
	struct berval	**v;
	LDAPMessage	*res = NULL, *e;
	char		*tmp, *shown;
	int		 rc;

	buf[0] = '\0';
	rc = ldap_search_ext_s(c->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, NULL, 0, &res);
	if (rc == LDAP_SUCCESS && (e = ldap_first_entry(c->ld, res)) != NULL &&
	    (v = ldap_get_values_len(c->ld, e, "description")) != NULL) {
		if (v[0] != NULL) {
			/* what another writer put there is shown, not acted on */
			tmp = xstrndup(v[0]->bv_val, v[0]->bv_len);
			shown = text_escape(tmp);
			snprintf(buf, len, "%s", shown);
			free(shown);
			free(tmp);
		}
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	return rc;
}

/* A lock taken by this host for a process that has gone. */
int
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
			msg_warn("removing a stale lock (%s): that process is "
			    "no longer running", holder);
			ldap_delete_ext_s(c->ld, dn, NULL, NULL);
			continue;
		}
		msg_warn("another apply holds the lock of this directory: "
		    "%s\nif it is no longer running, delete %s and run again",
		    holder[0] ? holder : "(unknown)", dn);
		break;
	}
	free(dn);
	free(desc);
	return -1;
}

int
lock_peek(struct conn *c, const char *base_dn, char *holder, size_t len)
{
	char	*dn = xasprintf(LOCK_RDN ",%s", base_dn);
	int	 rc = lock_holder(c, dn, holder, len), ret = 1;

	if (rc == LDAP_NO_SUCH_OBJECT)
		ret = 0;
	else if (rc != LDAP_SUCCESS) {
		conn_perror(c, "read the lock", dn, rc, NULL, NULL);
		ret = -1;
	}
	free(dn);
	return ret;
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
