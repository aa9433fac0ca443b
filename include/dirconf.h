/* directory-config, shared by dirconf.c, dirent.c and dirprint.c only. */
#ifndef MUTUALIZE_DIRCONF_H
#define MUTUALIZE_DIRCONF_H

#include <stdio.h>

#include "mutualize.h"

/* The default password policy, below the base: ppolicy's olcPPolicyDefault. */
#define POLICY_RDN	"cn=default,ou=policies"

enum dirconf_format { DIRCONF_LDIF, DIRCONF_SLAPD_CONF, DIRCONF_ENTRIES };

struct dirconf {
	const struct options	*o;
	struct model		*m;
	enum dirconf_format	 format;
	struct conn		*c;		/* NULL: no server read */
	const char		*server;	/* what the configuration was read from */
	int			 local;		/* read over ldapi://: this host */
	struct slapd_config	 sc;
	struct slapd_db		*db;		/* serves the base, or NULL */
	const char		*db_dn;		/* that one's, or the one added */
	const char		*db_directory;	/* of a database added */
	struct ptrvec		 modules;	/* const char *: to load */
	struct access		 ac;
	struct entries		 es;		/* owns the entries to add */
	struct ptrvec		 data;		/* struct entry *: to add, in order */
	const char		*policy_dn;
	const char		*policy_min;	/* its pwdMinLength now, or NULL */
	const char		*policy_lockout;	/* its pwdLockout now */
	const char		*policy_must_change;	/* its pwdMustChange now */
	/* replication (dirrepl.c) */
	struct ptrvec		 replicas;	/* const char *: --replicas */
	unsigned		 server_id;	/* this one among them, from 1 */
	struct ptrvec		 server_ids;	/* const char *: olcServerID */
	struct ptrvec		 syncrepl;	/* const char *: olcSyncrepl */
	const char		*repl_dn;	/* the replication account */
	char			*repl_password;
	struct arena		 a;
};

/*
 * dirent.c: the entries the configuration names (the base, the password
 * policy, mutualize's bind_dn), those missing put in data. 0 or -1, said.
 */
int	 dirconf_entries(struct dirconf *);

/*
 * dirrepl.c: replication. The options checked (0 or -1, said); the stanzas
 * and server IDs made, with the account's password; a server that
 * replicates already refused without them. Then the records: each returns
 * how many it printed.
 */
int	 dirrepl_options(struct dirconf *);
/*
 * Whether the server replicates: memberOf then comes from dynlist, made from
 * the groups at each read, not from memberof, which a consumer's refresh
 * leaves wrong for members added after their group (OpenLDAP ITS#8613).
 */
int	 dirrepl_on(const struct dirconf *);
int	 dirrepl_prepare(struct dirconf *);
int	 dirrepl_check_server(struct dirconf *);
size_t	 dirrepl_put_server_ids(struct dirconf *, FILE *);
size_t	 dirrepl_put_database(struct dirconf *, FILE *);
void	 dirrepl_put_conf_global(struct dirconf *, FILE *);
void	 dirrepl_put_conf_database(struct dirconf *, FILE *);

/* dirprint.c: the configuration in its format; 0 or -1 after an error. */
int	 dirconf_print(struct dirconf *, FILE *);

#endif
