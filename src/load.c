/*
 * The tenants file, and the people files it names, as a model. Every key of
 * every mapping is looked up in a table; what is unknown, duplicated, missing or
 * of the wrong type is reported with the node's position, and loading goes on so
 * that every error is seen. Model strings point into the documents, which the
 * model owns.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static void
load_refs(struct loader *l, const struct ynode *n, const char *what,
    struct ref **refs, size_t *nrefs)
{
	size_t	i, count = get_seq(l, n, what);

	*nrefs = 0;
	*refs = arena_alloc(&l->m->arena, (count ? count : 1) * sizeof(**refs));
	for (i = 0; i < count; i++) {
		const char	*id = get_string(l, n->items[i], what);

		if (id == NULL)
			continue;
		(*refs)[*nrefs].id = id;
		(*refs)[*nrefs].pos = n->items[i]->pos;
		(*nrefs)++;
	}
}

enum {
	OPTION_QUOTA, OPTION_NKEYS
};
static const struct keyspec option_keys[OPTION_NKEYS] = {
	[OPTION_QUOTA] = { "quota", 0 },
};

/*
 * Entitlements: a list of service ids, or a mapping from service id to its
 * options ({quota: 10GiB}) or to nothing. Always returns an array, so that an
 * empty list given in the file is told from no list at all.
 */
static void
load_entitlements(struct loader *l, const struct ynode *n, const char *what,
    struct entitlement **ents, size_t *nents)
{
	const struct ynode		*f[OPTION_NKEYS], *key, *opts;
	size_t				 i, count = 0;

	*nents = 0;
	if (n != NULL && n->kind == YN_MAP)
		count = n->n / 2;
	else
		count = get_seq(l, n, what);
	*ents = arena_alloc(&l->m->arena, (count ? count : 1) * sizeof(**ents));
	for (i = 0; i < count; i++) {
		struct entitlement	*e = &(*ents)[*nents];

		memset(e, 0, sizeof(*e));
		key = n->kind == YN_MAP ? n->items[2 * i] : n->items[i];
		if ((e->id = get_string(l, key, "service id")) == NULL)
			continue;
		e->pos = key->pos;
		opts = n->kind == YN_MAP ? n->items[2 * i + 1] : NULL;
		if (opts != NULL && !ynode_is_null(opts) &&
		    map_keys(l, opts, "service options", option_keys,
		    OPTION_NKEYS, f) == 0 && f[OPTION_QUOTA] != NULL)
			get_size(l, f[OPTION_QUOTA], "quota", &e->quota);
		(*nents)++;
	}
}

enum {
	PERSON_ID, PERSON_GIVEN_NAME, PERSON_SURNAME, PERSON_KIND,
	PERSON_STATE, PERSON_TITLE, PERSON_DEPARTMENT, PERSON_PHONE,
	PERSON_MAIL, PERSON_ALIASES, PERSON_LOGIN, PERSON_SERVICES,
	PERSON_GROUPS, PERSON_VALID_FROM, PERSON_VALID_UNTIL, PERSON_NKEYS
};
static const struct keyspec person_keys[PERSON_NKEYS] = {
	[PERSON_ID] = { "id", 1 }, [PERSON_GIVEN_NAME] = { "given_name", 1 },
	[PERSON_SURNAME] = { "surname", 1 }, [PERSON_KIND] = { "kind", 1 },
	[PERSON_STATE] = { "state", 0 }, [PERSON_TITLE] = { "title", 0 },
	[PERSON_DEPARTMENT] = { "department", 0 },
	[PERSON_PHONE] = { "phone", 0 }, [PERSON_MAIL] = { "mail", 0 },
	[PERSON_ALIASES] = { "aliases", 0 }, [PERSON_LOGIN] = { "login", 0 },
	[PERSON_SERVICES] = { "services", 0 },
	[PERSON_GROUPS] = { "groups", 0 },
	[PERSON_VALID_FROM] = { "valid_from", 0 },
	[PERSON_VALID_UNTIL] = { "valid_until", 0 },
};

/* A contract's first and last days; check.c sees that they are in order. */
static void
load_person_dates(struct loader *l, const struct ynode *const *f,
    const struct ynode *n, struct person *p)
{
	p->valid_from = p->valid_until = DATE_NONE;
	if (f[PERSON_VALID_FROM] != NULL)
		get_date(l, f[PERSON_VALID_FROM], "valid_from", &p->valid_from);
	if (f[PERSON_VALID_UNTIL] != NULL)
		get_date(l, f[PERSON_VALID_UNTIL], "valid_until",
		    &p->valid_until);
	p->valid_from_pos = vpos(f[PERSON_VALID_FROM], n->pos);
	p->valid_until_pos = vpos(f[PERSON_VALID_UNTIL], n->pos);
}

static void
load_person(struct loader *l, const struct ynode *n, struct tenant *t,
    struct person *p)
{
	static const char *const kinds[] = { "agent", "elected" };
	static const char *const states[] = { "active", "suspended" };
	const struct ynode	*f[PERSON_NKEYS];
	int			 i;

	memset(p, 0, sizeof(*p));
	p->tenant = t;
	p->pos = n->pos;
	p->valid_from = p->valid_until = DATE_NONE;
	if (map_keys(l, n, "person", person_keys, PERSON_NKEYS, f) == -1)
		return;
	load_person_dates(l, f, n, p);
	p->id = get_string(l, f[PERSON_ID], "person id");
	p->id_pos = vpos(f[PERSON_ID], n->pos);
	p->given_name = get_string(l, f[PERSON_GIVEN_NAME], "given_name");
	p->surname = get_string(l, f[PERSON_SURNAME], "surname");
	if (f[PERSON_KIND] != NULL &&
	    (i = get_enum(l, f[PERSON_KIND], "kind", kinds, 2)) >= 0)
		p->kind = (enum person_kind)i;
	if (f[PERSON_STATE] != NULL &&
	    (i = get_enum(l, f[PERSON_STATE], "state", states, 2)) >= 0)
		p->state = (enum person_state)i;
	p->title = get_string(l, f[PERSON_TITLE], "title");
	p->department = get_string(l, f[PERSON_DEPARTMENT], "department");
	p->phone = get_string(l, f[PERSON_PHONE], "phone");
	p->phone_pos = vpos(f[PERSON_PHONE], n->pos);
	p->mail_set = get_string(l, f[PERSON_MAIL], "mail");
	p->mail_pos = vpos(f[PERSON_MAIL], n->pos);
	load_refs(l, f[PERSON_ALIASES], "aliases", &p->aliases, &p->naliases);
	p->login_set = get_string(l, f[PERSON_LOGIN], "login");
	p->login_pos = vpos(f[PERSON_LOGIN], n->pos);
	if (f[PERSON_SERVICES] != NULL)
		load_entitlements(l, f[PERSON_SERVICES], "services of a person",
		    &p->services, &p->nservices);
	load_refs(l, f[PERSON_GROUPS], "groups of a person", &p->groups,
	    &p->ngroups);
}

enum {
	GROUP_ID, GROUP_NAME, GROUP_MEMBERS, GROUP_NKEYS
};
static const struct keyspec group_keys[GROUP_NKEYS] = {
	[GROUP_ID] = { "id", 1 }, [GROUP_NAME] = { "name", 1 },
	[GROUP_MEMBERS] = { "members", 0 },
};

static void
load_group(struct loader *l, const struct ynode *n, struct group *g)
{
	const struct ynode		*f[GROUP_NKEYS];

	memset(g, 0, sizeof(*g));
	g->pos = n->pos;
	if (map_keys(l, n, "group", group_keys, GROUP_NKEYS, f) == -1)
		return;
	g->id = get_string(l, f[GROUP_ID], "group id");
	g->id_pos = vpos(f[GROUP_ID], n->pos);
	g->name = get_string(l, f[GROUP_NAME], "group name");
	load_refs(l, f[GROUP_MEMBERS], "members of a group", &g->members,
	    &g->nmembers);
}

enum {
	MAILBOX_ID, MAILBOX_ADDRESS, MAILBOX_NAME, MAILBOX_DELEGATES,
	MAILBOX_SERVICES, MAILBOX_NKEYS
};
static const struct keyspec mailbox_keys[MAILBOX_NKEYS] = {
	[MAILBOX_ID] = { "id", 1 }, [MAILBOX_ADDRESS] = { "address", 1 },
	[MAILBOX_NAME] = { "name", 0 }, [MAILBOX_DELEGATES] = { "delegates", 0 },
	[MAILBOX_SERVICES] = { "services", 0 },
};

/* A functional mailbox; check.c and mailbox.c check what it says. */
static void
load_mailbox(struct loader *l, const struct ynode *n, struct tenant *t,
    struct mailbox *b)
{
	const struct ynode	*f[MAILBOX_NKEYS];

	memset(b, 0, sizeof(*b));
	b->tenant = t;
	b->pos = n->pos;
	if (map_keys(l, n, "mailbox", mailbox_keys, MAILBOX_NKEYS, f) == -1)
		return;
	b->id = get_string(l, f[MAILBOX_ID], "mailbox id");
	b->id_pos = vpos(f[MAILBOX_ID], n->pos);
	b->address = get_string(l, f[MAILBOX_ADDRESS], "address");
	b->address_pos = vpos(f[MAILBOX_ADDRESS], n->pos);
	b->name = get_string(l, f[MAILBOX_NAME], "mailbox name");
	b->name_pos = vpos(f[MAILBOX_NAME], n->pos);
	load_refs(l, f[MAILBOX_DELEGATES], "delegates", &b->delegates,
	    &b->ndelegates);
	if (f[MAILBOX_SERVICES] != NULL)
		load_entitlements(l, f[MAILBOX_SERVICES], "services of a mailbox",
		    &b->services, &b->nservices);
}

enum {
	TENANT_ID, TENANT_NAME, TENANT_MAIL_DOMAIN, TENANT_SERVICES,
	TENANT_ADMINS, TENANT_GROUPS, TENANT_PEOPLE, TENANT_PEOPLE_FILE,
	TENANT_PEOPLE_CSV, TENANT_MANDATE_END, TENANT_MAILBOXES, TENANT_NKEYS
};
static const struct keyspec tenant_keys[TENANT_NKEYS] = {
	[TENANT_ID] = { "id", 1 }, [TENANT_NAME] = { "name", 1 },
	[TENANT_MAIL_DOMAIN] = { "mail_domain", 0 },
	[TENANT_SERVICES] = { "services", 0 },
	[TENANT_ADMINS] = { "admins", 0 }, [TENANT_GROUPS] = { "groups", 0 },
	[TENANT_PEOPLE] = { "people", 0 },
	[TENANT_PEOPLE_FILE] = { "people_file", 0 },
	[TENANT_PEOPLE_CSV] = { "people_csv", 0 },
	[TENANT_MANDATE_END] = { "mandate_end", 0 },
	[TENANT_MAILBOXES] = { "mailboxes", 0 },
};

static void
load_tenant(struct loader *l, const struct ynode *n, struct tenant *t)
{
	const struct ynode	*f[TENANT_NKEYS];
	struct ptrvec		 people = { 0 };
	size_t			 i, count;

	memset(t, 0, sizeof(*t));
	t->pos = n->pos;
	t->mandate_end = DATE_NONE;
	if (map_keys(l, n, "tenant", tenant_keys, TENANT_NKEYS, f) == -1)
		return;
	if (f[TENANT_MANDATE_END] != NULL)
		get_date(l, f[TENANT_MANDATE_END], "mandate_end",
		    &t->mandate_end);
	t->mandate_end_pos = vpos(f[TENANT_MANDATE_END], n->pos);
	t->id = get_string(l, f[TENANT_ID], "tenant id");
	t->id_pos = vpos(f[TENANT_ID], n->pos);
	t->name = get_string(l, f[TENANT_NAME], "tenant name");
	t->mail_domain = f[TENANT_MAIL_DOMAIN] ? get_string(l,
	    f[TENANT_MAIL_DOMAIN], "mail_domain") : l->m->syndicate.mail_domain;
	t->mail_domain_pos = vpos(f[TENANT_MAIL_DOMAIN], n->pos);
	load_entitlements(l, f[TENANT_SERVICES], "services of a tenant",
	    &t->services, &t->nservices);
	load_refs(l, f[TENANT_ADMINS], "admins", &t->admins, &t->nadmins);
	t->ngroups = get_seq(l, f[TENANT_GROUPS], "groups");
	t->groups = arena_alloc(&l->m->arena, (t->ngroups ? t->ngroups : 1) *
	    sizeof(*t->groups));
	for (i = 0; i < t->ngroups; i++)
		load_group(l, f[TENANT_GROUPS]->items[i], &t->groups[i]);
	t->nmailboxes = get_seq(l, f[TENANT_MAILBOXES], "mailboxes");
	t->mailboxes = arena_alloc(&l->m->arena, (t->nmailboxes ?
	    t->nmailboxes : 1) * sizeof(*t->mailboxes));
	for (i = 0; i < t->nmailboxes; i++)
		load_mailbox(l, f[TENANT_MAILBOXES]->items[i], t,
		    &t->mailboxes[i]);
	count = get_seq(l, f[TENANT_PEOPLE], "people");
	for (i = 0; i < count; i++)
		ptrvec_push(&people, f[TENANT_PEOPLE]->items[i]);
	if (f[TENANT_PEOPLE_FILE] != NULL)
		people_from_file(l, f[TENANT_PEOPLE_FILE], 0, &people);
	if (f[TENANT_PEOPLE_CSV] != NULL)
		people_from_file(l, f[TENANT_PEOPLE_CSV], 1, &people);
	t->npeople = people.n;
	t->people = arena_alloc(&l->m->arena, (people.n ? people.n : 1) *
	    sizeof(*t->people));
	for (i = 0; i < people.n; i++)
		load_person(l, people.v[i], t, &t->people[i]);
	ptrvec_free(&people);
	for (i = 0; i < l->m->docs.n; i++)
		if (((struct ydoc *)l->m->docs.v[i])->roots != NULL)
			ydoc_drop_nodes(l->m->docs.v[i]);
}

enum {
	SCIM_URL, SCIM_TOKEN_FILE, SCIM_NKEYS
};
static const struct keyspec scim_keys[SCIM_NKEYS] = {
	[SCIM_URL] = { "url", 1 }, [SCIM_TOKEN_FILE] = { "token_file", 1 },
};

enum {
	SERVICE_TEMPLATE, SERVICE_QUOTA, SERVICE_BIND_DN,
	SERVICE_BIND_PASSWORD_FILE, SERVICE_SCIM, SERVICE_NKEYS
};
static const struct keyspec service_keys[SERVICE_NKEYS] = {
	[SERVICE_TEMPLATE] = { "template", 0 },
	[SERVICE_QUOTA] = { "quota", 0 }, [SERVICE_BIND_DN] = { "bind_dn", 0 },
	[SERVICE_BIND_PASSWORD_FILE] = { "bind_password_file", 0 },
	[SERVICE_SCIM] = { "scim", 0 },
};

static void
load_services(struct loader *l, const struct ynode *n)
{
	const struct ynode	*f[SERVICE_NKEYS], *sf[SCIM_NKEYS];
	struct model		*m = l->m;
	size_t			 i;

	if (n == NULL || ynode_is_null(n))
		return;
	if (n->kind != YN_MAP) {
		diag_add(l->d, n->pos, "services must be a mapping from service id "
		    "to its settings");
		return;
	}
	m->services = arena_alloc(&m->arena, (n->n ? n->n / 2 : 1) *
	    sizeof(*m->services));
	for (i = 0; i < n->n; i += 2) {
		struct service	*s = &m->services[m->nservices];
		const struct ynode *val = n->items[i + 1];

		memset(s, 0, sizeof(*s));
		if ((s->id = get_string(l, n->items[i], "service id")) == NULL)
			continue;
		s->id_pos = s->pos = s->template_pos = n->items[i]->pos;
		s->template = s->id;
		s->bind_password_file_pos = s->pos;
		m->nservices++;
		if (ynode_is_null(val) ||
		    map_keys(l, val, "service", service_keys, SERVICE_NKEYS,
		    f) == -1)
			continue;
		if (f[SERVICE_TEMPLATE] != NULL) {
			s->template_pos = f[SERVICE_TEMPLATE]->pos;
			s->template = get_string(l, f[SERVICE_TEMPLATE],
			    "template");
			if (s->template == NULL)
				s->template = s->id;
		}
		if (f[SERVICE_QUOTA] != NULL)
			get_size(l, f[SERVICE_QUOTA], "quota", &s->quota);
		s->bind_dn = get_string(l, f[SERVICE_BIND_DN], "bind_dn");
		s->bind_dn_pos = vpos(f[SERVICE_BIND_DN], val->pos);
		s->bind_password_file = get_string(l,
		    f[SERVICE_BIND_PASSWORD_FILE], "bind_password_file");
		s->bind_password_file_pos = vpos(f[SERVICE_BIND_PASSWORD_FILE],
		    val->pos);
		if (f[SERVICE_SCIM] != NULL && map_keys(l, f[SERVICE_SCIM],
		    "scim", scim_keys, SCIM_NKEYS, sf) == 0) {
			s->scim.pos = f[SERVICE_SCIM]->pos;
			s->scim.url = get_string(l, sf[SCIM_URL], "scim url");
			s->scim.token_file = get_string(l, sf[SCIM_TOKEN_FILE],
			    "token_file");
		}
	}
}

enum {
	SYNDICATE_ID, SYNDICATE_NAME, SYNDICATE_BASE_DN,
	SYNDICATE_MAIL_DOMAIN, SYNDICATE_NKEYS
};
static const struct keyspec syndicate_keys[SYNDICATE_NKEYS] = {
	[SYNDICATE_ID] = { "id", 1 }, [SYNDICATE_NAME] = { "name", 1 },
	[SYNDICATE_BASE_DN] = { "base_dn", 1 },
	[SYNDICATE_MAIL_DOMAIN] = { "mail_domain", 1 },
};

static void
load_syndicate(struct loader *l, const struct ynode *n)
{
	const struct ynode	*f[SYNDICATE_NKEYS];

	if (n == NULL)
		return;
	l->m->syndicate.pos = n->pos;
	if (map_keys(l, n, "syndicate", syndicate_keys, SYNDICATE_NKEYS,
	    f) == -1)
		return;
	l->m->syndicate.id = get_string(l, f[SYNDICATE_ID], "syndicate id");
	l->m->syndicate.name = get_string(l, f[SYNDICATE_NAME],
	    "syndicate name");
	l->m->syndicate.base_dn = get_string(l, f[SYNDICATE_BASE_DN],
	    "base_dn");
	l->m->syndicate.mail_domain = get_string(l, f[SYNDICATE_MAIL_DOMAIN],
	    "mail_domain");
	l->m->syndicate.id_pos = vpos(f[SYNDICATE_ID], n->pos);
	l->m->syndicate.base_dn_pos = vpos(f[SYNDICATE_BASE_DN], n->pos);
	l->m->syndicate.mail_domain_pos = vpos(f[SYNDICATE_MAIL_DOMAIN],
	    n->pos);
}

/* uri: one URI, or a list of them tried in order. */
static void
load_uris(struct loader *l, const struct ynode *n)
{
	struct model	*m = l->m;
	const struct ynode *const *items = &n;
	size_t		 count = 1, i;

	if (n->kind == YN_SEQ) {
		items = (const struct ynode *const *)n->items;
		if ((count = n->n) == 0)
			diag_add(l->d, n->pos, "uri must name at least one server");
	}
	m->directory.uris = arena_alloc(&m->arena, (count ? count : 1) *
	    sizeof(*m->directory.uris));
	for (i = 0; i < count; i++) {
		const char	*uri = get_string(l, items[i], "uri");

		if (uri == NULL)
			continue;
		m->directory.uris[m->directory.nuris].uri = uri;
		m->directory.uris[m->directory.nuris].pos = items[i]->pos;
		m->directory.nuris++;
	}
}

static unsigned
get_timeout(struct loader *l, const struct ynode *n)
{
	const char		*s = get_string(l, n, "timeout");
	unsigned long long	 v;

	if (s == NULL)
		return DIRECTORY_TIMEOUT;
	if (parse_uint(s, 1, DIRECTORY_TIMEOUT_MAX, &v) == -1) {
		diag_add(l->d, n->pos, "timeout \"%s\" is not a number of seconds "
		    "from 1 to %d", s, DIRECTORY_TIMEOUT_MAX);
		return DIRECTORY_TIMEOUT;
	}
	return (unsigned)v;
}

/* The two keys of a simple bind stay side by side: a check walks between them. */
enum {
	DIR_URI, DIR_BIND_DN, DIR_BIND_PASSWORD_FILE, DIR_BIND, DIR_TLS,
	DIR_CA_FILE, DIR_TIMEOUT, DIR_NKEYS
};
static const struct keyspec directory_keys[DIR_NKEYS] = {
	[DIR_URI] = { "uri", 1 }, [DIR_BIND_DN] = { "bind_dn", 0 },
	[DIR_BIND_PASSWORD_FILE] = { "bind_password_file", 0 },
	[DIR_BIND] = { "bind", 0 }, [DIR_TLS] = { "tls", 0 },
	[DIR_CA_FILE] = { "ca_file", 0 }, [DIR_TIMEOUT] = { "timeout", 0 },
};

/*
 * A simple bind names a DN and takes its password from elsewhere; a SASL
 * EXTERNAL bind over ldapi:// is who runs mutualize, as the server maps it,
 * and takes neither.
 */
static void
load_directory(struct loader *l, const struct ynode *n)
{
	static const char *const	binds[] = { "simple", "external", NULL };
	static const char *const	tlss[] = { "starttls", "ldaps", "none", NULL };
	static const enum tls_mode	tls_modes[] = {
		TLS_STARTTLS, TLS_LDAPS, TLS_NONE
	};
	const struct ynode	*f[DIR_NKEYS];
	struct model		*m = l->m;
	int			 i;

	m->directory.timeout = DIRECTORY_TIMEOUT;
	if (n == NULL)
		return;
	m->directory.pos = n->pos;
	if (map_keys(l, n, "directory", directory_keys, DIR_NKEYS, f) == -1)
		return;
	if (f[DIR_URI] != NULL)
		load_uris(l, f[DIR_URI]);
	m->directory.bind_dn = get_string(l, f[DIR_BIND_DN], "bind_dn");
	m->directory.bind_password_file = get_string(l,
	    f[DIR_BIND_PASSWORD_FILE], "bind_password_file");
	if (f[DIR_BIND] != NULL && (i = get_word(l, f[DIR_BIND], "bind", binds,
	    "simple or external")) != -1)
		m->directory.bind = i == 1 ? BIND_EXTERNAL : BIND_SIMPLE;
	if (f[DIR_TLS] != NULL && (i = get_word(l, f[DIR_TLS], "tls", tlss,
	    "starttls, ldaps or none")) != -1)
		m->directory.tls = tls_modes[i];
	m->directory.ca_file = get_string(l, f[DIR_CA_FILE], "ca_file");
	if (f[DIR_TIMEOUT] != NULL)
		m->directory.timeout = get_timeout(l, f[DIR_TIMEOUT]);
	m->directory.bind_dn_pos = vpos(f[DIR_BIND_DN], n->pos);
	m->directory.bind_password_file_pos = vpos(f[DIR_BIND_PASSWORD_FILE],
	    n->pos);
	m->directory.ca_file_pos = vpos(f[DIR_CA_FILE], n->pos);
	if (m->directory.bind == BIND_SIMPLE && f[DIR_BIND_DN] == NULL)
		diag_add(l->d, n->pos, "directory has no \"bind_dn\"");
	for (i = DIR_BIND_DN; i <= DIR_BIND_PASSWORD_FILE &&
	    m->directory.bind == BIND_EXTERNAL; i++)
		if (f[i] != NULL)
			diag_add(l->d, f[i]->pos, "%s goes with a simple bind; "
			    "bind: external needs none", directory_keys[i].name);
}

enum {
	WEBHOOK_URL, WEBHOOK_SECRET_FILE, WEBHOOK_NKEYS
};
static const struct keyspec webhook_keys[WEBHOOK_NKEYS] = {
	[WEBHOOK_URL] = { "url", 1 },
	[WEBHOOK_SECRET_FILE] = { "secret_file", 1 },
};

/* The webhook: a JSON POST of each change made, signed with HMAC-SHA256. */
static void
load_webhook(struct loader *l, const struct ynode *n)
{
	const struct ynode	*f[WEBHOOK_NKEYS];

	if (n == NULL || map_keys(l, n, "webhook", webhook_keys, WEBHOOK_NKEYS,
	    f) == -1)
		return;
	l->m->webhook.pos = n->pos;
	l->m->webhook.url = get_string(l, f[WEBHOOK_URL], "webhook url");
	l->m->webhook.secret_file = get_string(l, f[WEBHOOK_SECRET_FILE],
	    "secret_file");
}

enum {
	WELCOME_URL, WELCOME_FROM, WELCOME_TO, WELCOME_TEMPLATE, WELCOME_NKEYS
};
static const struct keyspec welcome_keys[WELCOME_NKEYS] = {
	[WELCOME_URL] = { "url", 1 }, [WELCOME_FROM] = { "from", 1 },
	[WELCOME_TO] = { "to", 0 }, [WELCOME_TEMPLATE] = { "template", 0 },
};

/* The welcome mail to new people, or to their tenant's admins. */
static void
load_welcome(struct loader *l, const struct ynode *n)
{
	static const char *const	to[] = { "person", "admins" };
	const struct ynode		*f[WELCOME_NKEYS];
	int				 i;

	if (n == NULL || map_keys(l, n, "welcome", welcome_keys, WELCOME_NKEYS,
	    f) == -1)
		return;
	l->m->welcome.pos = n->pos;
	l->m->welcome.url = get_string(l, f[WELCOME_URL], "welcome url");
	l->m->welcome.from = get_string(l, f[WELCOME_FROM], "from");
	if (f[WELCOME_TO] != NULL &&
	    (i = get_enum(l, f[WELCOME_TO], "to", to, 2)) >= 0)
		l->m->welcome.to_admins = i;
	l->m->welcome.template = f[WELCOME_TEMPLATE] ? get_string(l,
	    f[WELCOME_TEMPLATE], "template") : "welcome.txt";
}

enum {
	ROOT_VERSION, ROOT_SYNDICATE, ROOT_DIRECTORY, ROOT_POLICY,
	ROOT_SERVICES, ROOT_TENANTS, ROOT_WEBHOOK, ROOT_WELCOME, ROOT_NKEYS
};
static const struct keyspec root_keys[ROOT_NKEYS] = {
	[ROOT_VERSION] = { "version", 1 },
	[ROOT_SYNDICATE] = { "syndicate", 1 },
	[ROOT_DIRECTORY] = { "directory", 1 }, [ROOT_POLICY] = { "policy", 0 },
	[ROOT_SERVICES] = { "services", 0 }, [ROOT_TENANTS] = { "tenants", 1 },
	[ROOT_WEBHOOK] = { "webhook", 0 }, [ROOT_WELCOME] = { "welcome", 0 },
};

static void
load_root(struct loader *l, const struct ynode *root)
{
	const struct ynode	*f[ROOT_NKEYS], *version;
	struct model		*m = l->m;
	size_t			 i;

	m->syndicate.pos = root->pos;
	load_policy(l, NULL);
	if (map_keys(l, root, "the file", root_keys, ROOT_NKEYS, f) == -1)
		return;
	version = f[ROOT_VERSION];
	if (version != NULL && (version->kind != YN_SCALAR || !version->plain ||
	    strcmp(version->value, "1") != 0))
		diag_add(l->d, version->pos, "version must be 1");
	load_syndicate(l, f[ROOT_SYNDICATE]);
	load_directory(l, f[ROOT_DIRECTORY]);
	load_policy(l, f[ROOT_POLICY]);
	load_services(l, f[ROOT_SERVICES]);
	load_webhook(l, f[ROOT_WEBHOOK]);
	load_welcome(l, f[ROOT_WELCOME]);
	m->ntenants = get_seq(l, f[ROOT_TENANTS], "tenants");
	m->tenants = arena_alloc(&m->arena, (m->ntenants ? m->ntenants : 1) *
	    sizeof(*m->tenants));
	for (i = 0; i < m->ntenants; i++)
		load_tenant(l, f[ROOT_TENANTS]->items[i], &m->tenants[i]);
}

struct model *
model_load(const char *file, struct diags *d)
{
	struct model	*m = xcalloc(1, sizeof(*m));
	struct loader	 l = { m, d };
	struct pos	 pos = { file, 1, 1 };
	char		*copy;

	m->today = date_today();
	m->doc = ydoc_load_file(file, &ylimits_default, d);
	if (m->doc == NULL)
		goto fail;
	m->file = m->doc->file;
	copy = xstrdup(file);
	m->dir = arena_strdup(&m->arena, dirname(copy));
	free(copy);
	pos.file = m->file;
	if (m->doc->nroots != 1) {
		if (m->doc->nroots == 0)
			diag_add(d, pos, "the file is empty");
		else
			diag_add(d, m->doc->roots[1]->pos, "the file must hold one "
			    "YAML document, not %zu", m->doc->nroots);
		goto fail;
	}
	load_root(&l, m->doc->roots[0]);
	/* The model has what it needs from the nodes: only strings stay. */
	ydoc_drop_nodes(m->doc);
	return m;
fail:
	model_free(m);
	return NULL;
}

void
model_free(struct model *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->docs.n; i++)
		ydoc_free(m->docs.v[i]);
	ptrvec_free(&m->docs);
	hmap_free(&m->people_by_id);
	arena_free(&m->arena);
	ydoc_free(m->doc);
	free(m);
}

const struct service *
model_service(const struct model *m, const char *id)
{
	size_t	i;

	for (i = 0; i < m->nservices; i++)
		if (m->services[i].id != NULL &&
		    strcmp(m->services[i].id, id) == 0)
			return &m->services[i];
	return NULL;
}
