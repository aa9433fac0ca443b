/*
 * The rules of the tenants file that span more than one node: identifiers,
 * references, uniqueness. One pass over the model; every problem is reported.
 * Fields left NULL by the loader (already reported) are skipped.
 */
#include <stdlib.h>
#include <string.h>

#include "mutualize.h"

/* Tenant, group and syndicate ids: [a-z0-9-]+, 1 to 63 characters, a DNS label. */
int
valid_id(const char *s)
{
	size_t	len = strlen(s);

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* Person ids: HR numbers, 1 to 64 letters, digits, '.', '_' or '-'. */
int
valid_person_id(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

/* A DNS name of at least two labels (RFC 1035 letters, digits, hyphens). */
int
valid_domain(const char *s)
{
	size_t	label = 0, labels = 0, len = strlen(s), i;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		char	c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			labels++;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z') || (c == '-' && label > 0))
			label++;
		else
			return 0;
	}
	return labels >= 2;
}

/* Enough of RFC 4514 to catch a typo: attr=value pairs separated by commas. */
static int
valid_dn(const char *s)
{
	const char	*p = s;

	while (*p != '\0') {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-')
			p++;
		if (*p++ != '=' || *p == ',' || *p == '\0')
			return 0;
		while (*p != '\0' && *p != ',') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			p++;
		}
		if (*p == ',' && *++p == '\0')
			return 0;
	}
	return p != s;
}

static void
check_person(const struct tenant *t, const struct person *p, struct hmap *ids,
    struct hmap *tgroups, struct diags *d)
{
	const struct person	*other;
	char			*login;
	size_t			 i, j;

	if (p->id != NULL) {
		if (!valid_person_id(p->id))
			diag_add(d, p->id_pos, "person id \"%s\" must be 1 to 64 "
			    "letters, digits, '.', '_' or '-'", p->id);
		else if ((other = hmap_get(ids, p->id)) != NULL)
			diag_add(d, p->id_pos, "duplicate person id \"%s\" (first "
			    "at %s%s%u)", p->id, other->id_pos.file == p->id_pos.file ?
			    "line " : other->id_pos.file, other->id_pos.file ==
			    p->id_pos.file ? "" : ":", other->id_pos.line);
		else
			hmap_put(ids, p->id, (void *)p);
	}
	if (p->given_name != NULL && p->surname != NULL) {
		login = translit_login(p->surname);
		if (login[0] == '\0')
			diag_add(d, p->pos, "no login can be derived from surname "
			    "\"%s\"", p->surname);
		free(login);
	}
	for (i = 0; i < p->ngroups; i++) {
		if (hmap_get(tgroups, p->groups[i].id) == NULL)
			diag_add(d, p->groups[i].pos, "tenant \"%s\" has no group "
			    "\"%s\"", t->id ? t->id : "?", p->groups[i].id);
		for (j = 0; j < i; j++)
			if (strcmp(p->groups[i].id, p->groups[j].id) == 0)
				diag_add(d, p->groups[i].pos, "group \"%s\" is "
				    "listed twice", p->groups[i].id);
	}
}

static void
check_tenant(const struct model *m, const struct tenant *t, struct hmap *tids,
    struct hmap *pids, struct diags *d)
{
	const struct tenant	*other;
	const struct group	*og;
	struct hmap		 groups = { 0 };
	size_t			 i;

	if (t->id != NULL) {
		if (!valid_id(t->id))
			diag_add(d, t->id_pos, "tenant id \"%s\" must be 1 to 63 "
			    "lowercase letters, digits or inner hyphens", t->id);
		else if ((other = hmap_get(tids, t->id)) != NULL)
			diag_add(d, t->id_pos, "duplicate tenant id \"%s\" (first "
			    "at line %u)", t->id, other->id_pos.line);
		else
			hmap_put(tids, t->id, (void *)t);
	}
	/* One inherited from the syndicate is checked there. */
	if (t->mail_domain != NULL && t->mail_domain != m->syndicate.mail_domain &&
	    !valid_domain(t->mail_domain))
		diag_add(d, t->mail_domain_pos, "mail_domain \"%s\" is not a "
		    "domain name", t->mail_domain);
	for (i = 0; i < t->ngroups; i++) {
		const struct group	*g = &t->groups[i];

		if (g->id == NULL)
			continue;
		if (!valid_id(g->id))
			diag_add(d, g->id_pos, "group id \"%s\" must be 1 to 63 "
			    "lowercase letters, digits or inner hyphens", g->id);
		else if ((og = hmap_get(&groups, g->id)) != NULL)
			diag_add(d, g->id_pos, "duplicate group id \"%s\" in tenant "
			    "(first at line %u)", g->id, og->id_pos.line);
		else
			hmap_put(&groups, g->id, (void *)g);
	}
	for (i = 0; i < t->npeople; i++)
		check_person(t, &t->people[i], pids, &groups, d);
	hmap_free(&groups);
}

/* Each URI must serve with the file's tls and bind; see directory.c. */
static void
check_directory(const struct model *m, struct diags *d)
{
	const char	*why;
	enum tls_mode	 tls;
	size_t		 i, j;

	for (i = 0; i < m->directory.nuris; i++) {
		const struct dir_uri	*u = &m->directory.uris[i];

		if (directory_uri_tls(u->uri, m->directory.tls, m->directory.bind,
		    &tls, &why) == -1)
			diag_add(d, u->pos, "uri \"%s\" %s", u->uri, why);
		for (j = 0; j < i; j++)
			if (strcmp(u->uri, m->directory.uris[j].uri) == 0)
				diag_add(d, u->pos, "uri \"%s\" is listed twice",
				    u->uri);
	}
	if (m->directory.bind_dn != NULL && !valid_dn(m->directory.bind_dn))
		diag_add(d, m->directory.bind_dn_pos, "bind_dn \"%s\" is not a DN",
		    m->directory.bind_dn);
}

size_t
model_check(const struct model *m, struct diags *d)
{
	struct hmap	tids = { 0 }, pids = { 0 };
	size_t		before = d->n, i;

	if (m->syndicate.id != NULL && !valid_id(m->syndicate.id))
		diag_add(d, m->syndicate.id_pos, "syndicate id \"%s\" must be 1 to 63 "
		    "lowercase letters, digits or inner hyphens", m->syndicate.id);
	if (m->syndicate.base_dn != NULL && !valid_dn(m->syndicate.base_dn))
		diag_add(d, m->syndicate.base_dn_pos, "base_dn \"%s\" is not a DN",
		    m->syndicate.base_dn);
	if (m->syndicate.mail_domain != NULL &&
	    !valid_domain(m->syndicate.mail_domain))
		diag_add(d, m->syndicate.mail_domain_pos, "mail_domain \"%s\" is not a domain "
		    "name", m->syndicate.mail_domain);
	check_directory(m, d);
	for (i = 0; i < m->ntenants; i++)
		check_tenant(m, &m->tenants[i], &tids, &pids, d);
	hmap_free(&tids);
	hmap_free(&pids);
	return d->n - before;
}
