/*
 * The parts of an import shared by import.c (the directory read and mapped)
 * and importout.c (the tenants file and the report written).
 */
#ifndef MUTUALIZE_IMPORT_H
#define MUTUALIZE_IMPORT_H

#include "mutualize.h"

struct imp_person {
	const char	*dn, *id, *given_name, *surname, *login, *mail;
	const char	*key;			/* the DN's, for members */
	const char	*tenant, *tenant_name;	/* id, and as written */
	struct ptrvec	 aliases;		/* const char * */
	struct ptrvec	 groups;		/* "group" or "tenant/group" */
	struct ptrvec	 services;		/* service ids */
	int		 dropped;		/* said in the report, not written */
};
struct imp_group {
	const char	*dn, *id, *name, *tenant;
	struct ptrvec	 members;		/* struct imp_person * */
};
struct imp_tenant {
	const char	*id, *name;
	struct ptrvec	 people, groups;	/* sorted by id */
};
/* What an import maps, all in its arena. */
struct import {
	const char	*base;
	const char	*id_attr, *tenant_attr;
	const char	*people_dir;	/* people files there, or NULL: inline */
	unsigned	 tenant_level;
	struct ptrvec	 tenants;	/* struct imp_tenant *, sorted by id */
	struct ptrvec	 report;	/* const char *: "DN: why" */
	size_t		 npeople, ngroups;
	struct hmap	 people;	/* DN key -> struct imp_person */
	struct hmap	 tenant_ids;	/* id -> struct imp_tenant */
	struct arena	 arena;
};
/* The report's line for dn, as printf makes it. */
void	 import_say(struct import *, const char *dn, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * importout.c: the template's text with its "tenants: []" line replaced by the
 * tenants imported; -1 when the template has no such line.
 */
int	 import_write(FILE *, const struct import *, const char *template,
	    size_t len, const char *cmdline);
/* Everything in the order it is written, whatever order it was read in. */
void	 import_sort(struct import *);
/* Whether a text is UTF-8 without control characters. */
int	 import_text_ok(const char *);
/*
 * Each tenant's people as a people file, a YAML list, in people_dir beside
 * output (made, mode 0700, when missing). 0, or -1 after saying why.
 */
/* Whether every people file is still to be made: 0, or -1 after saying which is not. */
int	 import_people_new(const struct import *, const char *output);
int	 import_write_people(const struct import *, const char *output);
/* Whether a template has its "tenants: []" line. */
int	 import_template_ok(const char *, size_t);
/* The report, sorted, one line each. */
void	 import_report(FILE *, const struct import *);
/* A tenant or group id made of a name: "Saint-Fons" -> "saint-fons"; NULL if none. */
char	*import_slug(struct arena *, const char *);

#endif
