/*
 * The rules of the tenants file that span more than one node: identifiers,
 * references, uniqueness. One pass over the model; every problem is reported.
 * Fields left NULL by the loader (already reported) are skipped.
 */
#include <ctype.h>
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

/* local@domain, with the characters RFC 5322 allows in a dot-atom local part. */
int
valid_mail(const char *s)
{
	const char	*at = strrchr(s, '@'), *p;

	if (at == NULL || at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++)
		if (!isalnum((unsigned char)*p) &&
		    strchr(".!#$%&'*+/=?^_`{|}~-", *p) == NULL)
			return 0;
		else if (*p == '.' && p[1] == '.')
			return 0;
	return valid_domain(at + 1);
}

/* A login: lowercase ASCII letters and digits, with inner '.', '-' or '_'. */
int
valid_login(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len <= LOGIN_MAX && isalnum((unsigned char)s[0]) &&
	    isalnum((unsigned char)s[len - 1]) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-_") == len;
}

/* What the telephoneNumber syntax takes: digits, spaces and + ( ) . - / */
static int
valid_phone(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len <= 32 && strchr("+0123456789(", s[0]) != NULL &&
	    strspn(s, "0123456789 +().-/") == len;
}

/* What check knows of one tenant while it checks the others. */
struct tenant_index {
	const struct tenant	*t;
	struct hmap		 groups;	/* group id -> struct group */
};

struct checker {
	struct model		*m;
	struct diags		*d;
	struct hmap		 tenants;	/* id -> struct tenant_index */
	struct hmap		 services;	/* id -> struct service */
	struct hmap		 addresses;	/* lowercase -> struct mailbox */
	struct arena		 tmp;		/* the keys of addresses */
	struct tenant_index	*index;		/* one per tenant */
};

static void
check_identifier(struct checker *c, const char *what, const char *id,
    struct pos pos)
{
	if (id != NULL && !valid_id(id))
		diag_add(c->d, pos, "%s id \"%s\" must be 1 to 63 lowercase letters, "
		    "digits or inner hyphens", what, id);
}

/* Pass one: every id, so that references may point forward and across files. */
static void
index_tenant(struct checker *c, const struct tenant *t, struct tenant_index *ti)
{
	const struct tenant_index *other;
	const struct group	*og;
	const struct person	*op;
	size_t			 i;

	ti->t = t;
	check_identifier(c, "tenant", t->id, t->id_pos);
	if (t->id != NULL && valid_id(t->id)) {
		if ((other = hmap_get(&c->tenants, t->id)) != NULL)
			diag_add(c->d, t->id_pos, "duplicate tenant id \"%s\" (first "
			    "at line %u)", t->id, other->t->id_pos.line);
		else
			hmap_put(&c->tenants, t->id, ti);
	}
	for (i = 0; i < t->ngroups; i++) {
		const struct group	*g = &t->groups[i];

		if (g->id == NULL)
			continue;
		check_identifier(c, "group", g->id, g->id_pos);
		if (strcmp(g->id, "admins") == 0)
			diag_add(c->d, g->id_pos, "group id \"admins\" is reserved "
			    "for the tenant's admins");
		else if ((og = hmap_get(&ti->groups, g->id)) != NULL)
			diag_add(c->d, g->id_pos, "duplicate group id \"%s\" in tenant "
			    "(first at line %u)", g->id, og->id_pos.line);
		else
			hmap_put(&ti->groups, g->id, (void *)g);
	}
	for (i = 0; i < t->npeople; i++) {
		const struct person	*p = &t->people[i];

		if (p->id == NULL)
			continue;
		if (!valid_person_id(p->id))
			diag_add(c->d, p->id_pos, "person id \"%s\" must be 1 to 64 "
			    "letters, digits, '.', '_' or '-'", p->id);
		else if ((op = hmap_get(&c->m->people_by_id, p->id)) != NULL)
			diag_add(c->d, p->id_pos, "duplicate person id \"%s\" (first "
			    "at %s%s%u)", p->id, op->id_pos.file == p->id_pos.file ?
			    "line " : op->id_pos.file, op->id_pos.file ==
			    p->id_pos.file ? "" : ":", op->id_pos.line);
		else
			hmap_put(&c->m->people_by_id, p->id, (void *)p);
	}
}

static void
check_people_refs(struct checker *c, const struct ref *refs, size_t n,
    const char *what)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (hmap_get(&c->m->people_by_id, refs[i].id) == NULL)
			diag_add(c->d, refs[i].pos, "%s \"%s\" is no person of the "
			    "syndicate", what, refs[i].id);
}

static void
check_entitlements(struct checker *c, const struct entitlement *e, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		if (hmap_get(&c->services, e[i].id) == NULL)
			diag_add(c->d, e[i].pos, "service \"%s\" is not declared in "
			    "services", e[i].id);
		for (j = 0; j < i; j++)
			if (strcmp(e[i].id, e[j].id) == 0)
				diag_add(c->d, e[i].pos, "service \"%s\" is listed "
				    "twice", e[i].id);
	}
}

/*
 * A person's group is one of its tenant's, or "tenant/group" for a group of
 * another tenant (inter-municipal working groups).
 */
static void
check_group_ref(struct checker *c, const struct tenant_index *own,
    const struct ref *r)
{
	const struct tenant_index *ti = own;
	const char		*slash = strchr(r->id, '/'), *gid = r->id;
	char			*tid;

	if (slash != NULL) {
		tid = xstrndup(r->id, (size_t)(slash - r->id));
		ti = hmap_get(&c->tenants, tid);
		free(tid);
		gid = slash + 1;
		if (ti == NULL) {
			diag_add(c->d, r->pos, "group \"%s\" names no tenant of the "
			    "syndicate", r->id);
			return;
		}
	}
	if (hmap_get(&ti->groups, gid) == NULL)
		diag_add(c->d, r->pos, "tenant \"%s\" has no group \"%s\"",
		    ti->t->id ? ti->t->id : "?", gid);
}

static void
check_refs_once(struct checker *c, const struct ref *refs, size_t n,
    const char *what)
{
	size_t	i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(refs[i].id, refs[j].id) == 0)
				diag_add(c->d, refs[i].pos, "%s \"%s\" is listed "
				    "twice", what, refs[i].id);
}

/* A contract that ends before it starts is a typing error, not a plan. */
static void
check_dates(struct checker *c, const struct person *p)
{
	char	from[DATE_LEN + 1], until[DATE_LEN + 1];

	if (p->valid_from == DATE_NONE || p->valid_until == DATE_NONE ||
	    p->valid_until >= p->valid_from)
		return;
	date_format(p->valid_from, from);
	date_format(p->valid_until, until);
	diag_add(c->d, p->valid_until_pos, "valid_until %s is before "
	    "valid_from %s", until, from);
}

static void
check_person(struct checker *c, const struct tenant_index *ti,
    const struct person *p)
{
	size_t	i;

	for (i = 0; i < p->ngroups; i++)
		check_group_ref(c, ti, &p->groups[i]);
	check_refs_once(c, p->groups, p->ngroups, "group");
	check_entitlements(c, p->services, p->nservices);
	if (p->mail_set != NULL && !valid_mail(p->mail_set))
		diag_add(c->d, p->mail_pos, "mail \"%s\" is not an address",
		    p->mail_set);
	for (i = 0; i < p->naliases; i++)
		if (!valid_mail(p->aliases[i].id))
			diag_add(c->d, p->aliases[i].pos, "alias \"%s\" is not an "
			    "address", p->aliases[i].id);
	if (p->login_set != NULL && !valid_login(p->login_set))
		diag_add(c->d, p->login_pos, "login \"%s\" must be lowercase "
		    "letters and digits, with inner '.', '-' or '_'", p->login_set);
	if (p->phone != NULL && !valid_phone(p->phone))
		diag_add(c->d, p->phone_pos, "phone \"%s\" is not a telephone "
		    "number", p->phone);
	check_dates(c, p);
}

/*
 * A mailbox's address is its own in the whole syndicate: no other mailbox
 * has it (model_identities sees that no person has it either).
 */
static void
check_mailbox_address(struct checker *c, const struct mailbox *b)
{
	const struct mailbox	*other;
	char			*key, *p;

	if (!valid_mail(b->address)) {
		diag_add(c->d, b->address_pos, "address \"%s\" of mailbox \"%s\" "
		    "is not an address", b->address, b->id ? b->id : "?");
		return;
	}
	if (strchr(b->address, '*') != NULL) {
		diag_add(c->d, b->address_pos, "address \"%s\" of mailbox \"%s\" "
		    "holds '*', which parts the mailbox from the delegate's "
		    "login when a delegate opens it", b->address,
		    b->id ? b->id : "?");
		return;
	}
	key = arena_strdup(&c->tmp, b->address);
	for (p = key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if ((other = hmap_get(&c->addresses, key)) != NULL)
		diag_add(c->d, b->address_pos, "address \"%s\" is also the address "
		    "of mailbox \"%s\" of tenant \"%s\" (line %u)", b->address,
		    other->id ? other->id : "?", other->tenant->id ?
		    other->tenant->id : "?", other->address_pos.line);
	else
		hmap_put(&c->addresses, key, (void *)b);
}

/* A tenant's mailboxes: ids unique in it, addresses in the syndicate. */
static void
check_mailboxes(struct checker *c, const struct tenant *t)
{
	size_t	i, j;

	for (i = 0; i < t->nmailboxes; i++) {
		const struct mailbox	*b = &t->mailboxes[i];

		check_identifier(c, "mailbox", b->id, b->id_pos);
		for (j = 0; b->id != NULL && j < i; j++)
			if (t->mailboxes[j].id != NULL &&
			    strcmp(b->id, t->mailboxes[j].id) == 0)
				diag_add(c->d, b->id_pos, "duplicate mailbox id "
				    "\"%s\" in tenant (first at line %u)", b->id,
				    t->mailboxes[j].id_pos.line);
		if (b->address != NULL)
			check_mailbox_address(c, b);
		check_people_refs(c, b->delegates, b->ndelegates, "delegate");
		check_refs_once(c, b->delegates, b->ndelegates, "delegate");
		check_entitlements(c, b->services, b->nservices);
	}
}

/* Pass two: everything that refers to something else. */
static void
check_tenant(struct checker *c, const struct tenant_index *ti)
{
	const struct tenant	*t = ti->t;
	size_t			 i;

	/* One inherited from the syndicate is checked there. */
	if (t->mail_domain != NULL && t->mail_domain !=
	    c->m->syndicate.mail_domain && !valid_domain(t->mail_domain))
		diag_add(c->d, t->mail_domain_pos, "mail_domain \"%s\" is not a "
		    "domain name", t->mail_domain);
	check_entitlements(c, t->services, t->nservices);
	check_people_refs(c, t->admins, t->nadmins, "admin");
	for (i = 0; i < t->ngroups; i++)
		check_people_refs(c, t->groups[i].members, t->groups[i].nmembers,
		    "member");
	for (i = 0; i < t->npeople; i++)
		check_person(c, ti, &t->people[i]);
	check_mailboxes(c, t);
}

static void
check_policy(struct checker *c)
{
	const struct policy	*p = &c->m->policy;
	char			*err;

	if (p->login_format != NULL && (err = format_error(p->login_format, 0))) {
		diag_add(c->d, p->login_pos, "login format: %s", err);
		free(err);
	}
	if (p->mail_format != NULL && (err = format_error(p->mail_format, 1))) {
		diag_add(c->d, p->mail_pos, "mail format: %s", err);
		free(err);
	}
}

/*
 * A connector's URL: the scheme it speaks, and no credentials in it, since
 * URLs are shown in plans and errors; secrets go in files.
 */
static void
check_url(struct checker *c, const char *url, struct pos pos, const char *what,
    const char *const *schemes)
{
	const char	*host;
	size_t		 i;

	if (url == NULL)
		return;
	for (i = 0; schemes[i] != NULL; i++)
		if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
			break;
	if (schemes[i] == NULL) {
		diag_add(c->d, pos, "%s \"%s\" must start with %s or %s", what,
		    url, schemes[0], schemes[1]);
		return;
	}
	host = url + strlen(schemes[i]);
	if (memchr(host, '@', strcspn(host, "/?#")) != NULL)
		diag_add(c->d, pos, "%s \"%s\" must not hold credentials; they "
		    "go in a file", what, url);
}

static void
check_connectors(struct checker *c)
{
	static const char *const http[] = { "https://", "http://", NULL };
	static const char *const smtp[] = { "smtp://", "smtps://", NULL };
	const struct model	*m = c->m;
	size_t			 i;

	check_url(c, m->webhook.url, m->webhook.pos, "webhook url", http);
	check_url(c, m->welcome.url, m->welcome.pos, "welcome url", smtp);
	if (m->welcome.from != NULL && !valid_mail(m->welcome.from))
		diag_add(c->d, m->welcome.pos, "welcome from \"%s\" is not an "
		    "address", m->welcome.from);
	for (i = 0; i < m->nservices; i++)
		check_url(c, m->services[i].scim.url, m->services[i].scim.pos,
		    "scim url", http);
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Two accounts that mutualize makes cannot share a password file: the second
 * would take the first one's password. Services that bind as one DN of the
 * admin's may name the one file that holds its password.
 */
static void
check_password_files(struct checker *c)
{
	const struct service	*s, *other;
	struct arena		 a = { 0 };
	struct hmap		 seen = { 0 };
	const char		*file;
	size_t			 i;

	for (i = 0; i < c->m->nservices; i++) {
		s = &c->m->services[i];
		if (s->bind_password_file != NULL &&
		    has_control(s->bind_password_file))
			diag_add(c->d, s->bind_password_file_pos,
			    "bind_password_file of service \"%s\" holds a control "
			    "character: service-config writes it into the services' "
			    "configurations", s->id);
		if (s->id == NULL || !account_wanted(s))
			continue;
		file = account_password_file(&a, s);
		/* a duplicate service is said once, as such */
		if ((other = hmap_put(&seen, file, (void *)s)) != NULL &&
		    strcmp(other->id, s->id) != 0)
			diag_add(c->d, s->bind_password_file_pos,
			    "bind_password_file \"%s\" of service \"%s\" is "
			    "that of service \"%s\" (line %u): each account "
			    "has its own", file, s->id, other->id,
			    other->bind_password_file_pos.line);
	}
	hmap_free(&seen);
	arena_free(&a);
}

static void
check_services(struct checker *c)
{
	const struct service	*s, *other;
	size_t			 i;

	for (i = 0; i < c->m->nservices; i++) {
		s = &c->m->services[i];
		check_identifier(c, "service", s->id, s->id_pos);
		if (s->bind_dn != NULL && !valid_dn(s->bind_dn))
			diag_add(c->d, s->bind_dn_pos, "bind_dn \"%s\" of "
			    "service \"%s\" is not a DN", s->bind_dn, s->id);
		if ((other = hmap_get(&c->services, s->id)) != NULL)
			diag_add(c->d, s->id_pos, "duplicate service \"%s\" (first at "
			    "line %u)", s->id, other->id_pos.line);
		else
			hmap_put(&c->services, s->id, (void *)s);
	}
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
model_check(struct model *m, struct diags *d)
{
	struct checker	c;
	size_t		before = d->n, i;

	memset(&c, 0, sizeof(c));
	c.m = m;
	c.d = d;
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
	check_policy(&c);
	check_services(&c);
	check_password_files(&c);
	check_connectors(&c);
	hmap_free(&m->people_by_id);
	c.index = xcalloc(m->ntenants ? m->ntenants : 1, sizeof(*c.index));
	for (i = 0; i < m->ntenants; i++)
		index_tenant(&c, &m->tenants[i], &c.index[i]);
	for (i = 0; i < m->ntenants; i++)
		check_tenant(&c, &c.index[i]);
	for (i = 0; i < m->ntenants; i++)
		hmap_free(&c.index[i].groups);
	free(c.index);
	hmap_free(&c.tenants);
	hmap_free(&c.services);
	hmap_free(&c.addresses);
	arena_free(&c.tmp);
	return d->n - before;
}

struct person *
model_person(const struct model *m, const char *id)
{
	return hmap_get(&m->people_by_id, id);
}
