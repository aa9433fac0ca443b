/* The LDAP connection, shared by conn.c, read.c, apply.c and lock.c only. */
#ifndef MUTUALIZE_CONN_H
#define MUTUALIZE_CONN_H

#include <ldap.h>

struct conn {
	LDAP		*ld;
	char		*uri;		/* the server that answered */
	unsigned	 timeout;	/* seconds for each operation */
	int		 verbose;
	int		 status;	/* exit status of the first error, or 0 */
	char		*why;		/* conn_opts' why, or NULL */
	size_t		 whylen;
};

/*
 * Prints one LDAP error as OpenLDAP's tools do: what was done to which DN, the
 * result, its code, the matched DN and the server's diagnostic; then what the
 * class of error means for the admin. The first error sets the exit status.
 */
void	conn_perror(struct conn *, const char *op, const char *dn, int rc,
	    const char *matched, const char *diag);
/*
 * Waits at most the timeout for a message of an operation (all of them, or
 * the next one). Returns LDAP_SUCCESS with the message, or an error code;
 * an operation that timed out is abandoned.
 */
int	conn_result(struct conn *, int msgid, int all, LDAPMessage **);
/*
 * Waits for the result of an operation and returns the server's result code,
 * with the matched DN and diagnostic the caller frees with ldap_memfree.
 */
int	conn_wait(struct conn *, int msgid, char **matched, char **diag);

/*
 * read.c: one search (objectClass=*), page by page (RFC 2696), whatever a
 * server's size limit; take is handed each entry, which the page's messages
 * hold only until it returns. Returns 0, 1 when the base does not exist, or
 * -1 after printing the error (conn_status says which).
 */
int	read_paged(struct conn *, const char *base, int scope,
	    const char *const *attrs, void (*take)(void *, LDAPMessage *),
	    void *arg);
/*
 * The next attribute of an entry message, after ldap_get_dn_ber: its name,
 * and its values appended to *v (*nv of *capv, grown as needed) where they
 * lie in the message. Returns 1, 0 at the end, -1 if it is no attribute.
 */
struct span;
int	read_attr(BerElement *, struct berval *name, struct span **v,
	    size_t *nv, size_t *capv);

/* An LDAPMod array for an add or a modify, NULL-terminated; free_mods frees it. */
LDAPMod	**mods_new(size_t n);
/* One modification; the values are borrowed, not copied. */
LDAPMod	 *mod_new(int op, const char *attr, const char **vals, size_t nvals);
void	  free_mods(LDAPMod **);

#endif
