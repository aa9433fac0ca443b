/* The LDAP connection, shared by conn.c, read.c and apply.c only. */
#ifndef MUTUALIZE_CONN_H
#define MUTUALIZE_CONN_H

#include <ldap.h>

struct conn {
	LDAP	*ld;
	char	*uri;
	int	 verbose;
};

/*
 * Prints one LDAP error as OpenLDAP's tools do: what was done to which DN, the
 * result, its code, the matched DN and the server's diagnostic.
 */
void	conn_perror(const struct conn *, const char *op, const char *dn, int rc,
	    const char *matched, const char *diag);

#endif
