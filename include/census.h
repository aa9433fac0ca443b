/*
 * report: what each tenant counts for the syndicate's cost sharing, read
 * from the directory, never from the file. Shared by census.c (the read, the
 * only one that speaks LDAP), censuscount.c (the counting, on plain data)
 * and censusout.c (text, CSV, JSON).
 */
#ifndef MUTUALIZE_CENSUS_H
#define MUTUALIZE_CENSUS_H

#include <stdio.h>

#include "mutualize.h"

/* A service of the file: its group, and where its template puts the quota. */
struct census_service {
	const char	*id;
	const char	*group_dn;	/* cn=<id>,ou=services,<base> */
	const char	*quota_attr;	/* whose value is "{quota}", or NULL */
};

/* The counts of one tenant, or of the whole syndicate. */
struct census_row {
	const char	*id;		/* its ou; NULL in the total */
	const char	*name;		/* its description, or NULL */
	const char	*key;		/* its RDN value, lowercase */
	unsigned long long people;	/* managed, below ou=people */
	unsigned long long agents, elected;	/* of them, by employeeType */
	unsigned long long active, disabled;	/* disabled: mutualizeDisabled */
	unsigned long long mailboxes;	/* managed, below ou=mailboxes */
	unsigned long long *entitled;	/* per service: active people in its group */
	unsigned long long *quota;	/* per service: their quotas, bytes */
};

struct census {
	const char		*file;
	const struct census_service *services;
	size_t			 nservices;
	struct ptrvec		 rows;		/* struct census_row *: tenants */
	struct census_row	 total;
	unsigned		 tenants_depth;	/* RDNs of ou=tenants,<base> */
	unsigned long long	 bad_quotas;	/* values that are no number */
	struct hmap		 by_key;	/* RDN value -> row */
	struct hmap		 members;	/* lowercase DN -> flags per service */
	struct census_row	*last;		/* the row found last */
	char			*lower;		/* census_lower's, reused */
	size_t			 lowercap;
	struct arena		 arena;
};

/* censuscount.c: the counting, one entry at a time. */
void	 census_init(struct census *, const char *file, const char *tenants_dn,
	    const struct census_service *, size_t nservices);
void	 census_free(struct census *);
/* The bytes in lowercase, in a buffer reused by the next call. */
const char *census_lower(struct census *, const char *, size_t);
/* A value of the member attribute of the service's group. */
void	 census_member(struct census *, size_t service, const char *dn,
	    size_t len);
/* The services whose group lists dn (lowercase), one flag each; or NULL. */
const unsigned char *census_member_of(const struct census *, const char *dn);
enum census_place {
	PLACE_OTHER,		/* not counted */
	PLACE_TENANT,		/* ou=<id>,ou=tenants,<base> */
	PLACE_PERSON,		/* <rdn>,ou=people,ou=<id>,ou=tenants,<base> */
	PLACE_MAILBOX		/* <rdn>,ou=mailboxes,ou=<id>,... */
};
/* Where an entry stands, from its DN, and its tenant's RDN value. */
enum census_place census_place(const struct census *, struct span dn,
	    struct span *tenant);
/* What the read found of an entry of the tenants subtree. */
struct census_entry {
	enum census_place	 place;
	struct span		 tenant;	/* the tenant's RDN value */
	int			 managed;	/* objectClass mutualizeManaged */
	int			 disabled;	/* it has mutualizeDisabled */
	struct span		 ou, description, kind;	/* first values, or {0} */
	const unsigned char	*member;	/* census_member_of, or NULL */
	struct span		*quota;		/* per service: first value */
};
void	 census_take(struct census *, const struct census_entry *);
/* Orders the tenants by id and adds them up into the total. */
void	 census_done(struct census *);

/* censusout.c: the counts printed. */
/* The format of that name (text, csv, json), or -1. */
int	 census_format(const char *);
void	 census_print(const struct census *, int format, FILE *);
/* Bytes as people read them: 512 B, 5 GiB, 1.5 TiB. */
void	 census_bytes(char *, size_t, unsigned long long);

#endif
