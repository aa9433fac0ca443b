/* Connecting and binding to the directory; the one LDAP error reporter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"
#include "conn.h"

#define CONNECT_TIMEOUT	10	/* seconds to establish the TCP connection */
#define OP_TIMEOUT	120	/* seconds for any one operation */

void
conn_perror(const struct conn *c, const char *op, const char *dn, int rc,
    const char *matched, const char *diag)
{
	fprintf(stderr, "mutualize: %s \"%s\" on %s: %s (%d)\n", op, dn, c->uri,
	    ldap_err2string(rc), rc);
	if (matched != NULL && *matched != '\0')
		fprintf(stderr, "\tmatched DN: %s\n", matched);
	if (diag != NULL && *diag != '\0')
		fprintf(stderr, "\tserver says: %s\n", diag);
}

struct conn *
conn_open(const struct conn_opts *o)
{
	struct conn	*c = xcalloc(1, sizeof(*c));
	struct timeval	 net = { CONNECT_TIMEOUT, 0 }, op = { OP_TIMEOUT, 0 };
	struct berval	 cred;
	char		*diag = NULL;
	int		 version = LDAP_VERSION3, rc;

	c->uri = xstrdup(o->uri);
	c->verbose = o->verbose;
	if ((rc = ldap_initialize(&c->ld, o->uri)) != LDAP_SUCCESS) {
		fprintf(stderr, "mutualize: %s: %s\n", o->uri, ldap_err2string(rc));
		goto fail;
	}
	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &net);
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &op);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	cred.bv_val = (char *)o->password;
	cred.bv_len = strlen(o->password);
	if (o->verbose)
		fprintf(stderr, "mutualize: binding to %s as %s\n", o->uri,
		    o->bind_dn);
	rc = ldap_sasl_bind_s(c->ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL,
	    NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		conn_perror(c, "bind as", o->bind_dn, rc, NULL, diag);
		ldap_memfree(diag);
		goto fail;
	}
	return c;
fail:
	conn_close(c);
	return NULL;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->ld != NULL)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	free(c->uri);
	free(c);
}
