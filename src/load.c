/*
 * The tenants file, and the people files it names, as a model. Every key of
 * every mapping is looked up in a table; what is unknown, duplicated, missing or
 * of the wrong type is reported with the node's position, and loading goes on so
 * that every error is seen. Model strings point into the documents, which the
 * model owns.
 */
#include <errno.h>
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

/*
 * Entitlements: a list of service ids, or a mapping from service id to its
 * options ({quota: 10GiB}) or to nothing. Always returns an array, so that an
 * empty list given in the file is told from no list at all.
 */
static void
load_entitlements(struct loader *l, const struct ynode *n, const char *what,
    struct entitlement **ents, size_t *nents)
{
	static const struct keyspec	keys[] = { { "quota", 0 } };
	const struct ynode		*v[NKEYS(keys)], *key, *opts;
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
		    map_keys(l, opts, "service options", keys, NKEYS(keys), v) == 0 &&
		    v[0] != NULL)
			get_size(l, v[0], "quota", &e->quota);
		(*nents)++;
	}
}

static void
load_person(struct loader *l, const struct ynode *n, struct tenant *t,
    struct person *p)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "given_name", 1 }, { "surname", 1 }, { "kind", 1 },
		{ "state", 0 }, { "title", 0 }, { "department", 0 }, { "phone", 0 },
		{ "mail", 0 }, { "aliases", 0 }, { "login", 0 }, { "services", 0 },
		{ "groups", 0 },
	};
	static const char *const kinds[] = { "agent", "elected" };
	static const char *const states[] = { "active", "suspended" };
	const struct ynode	*v[NKEYS(keys)];
	int			 i;

	memset(p, 0, sizeof(*p));
	p->tenant = t;
	p->pos = n->pos;
	if (map_keys(l, n, "person", keys, NKEYS(keys), v) == -1)
		return;
	p->id = get_string(l, v[0], "person id");
	p->id_pos = vpos(v[0], n->pos);
	p->given_name = get_string(l, v[1], "given_name");
	p->surname = get_string(l, v[2], "surname");
	if (v[3] != NULL && (i = get_enum(l, v[3], "kind", kinds, 2)) >= 0)
		p->kind = (enum person_kind)i;
	if (v[4] != NULL && (i = get_enum(l, v[4], "state", states, 2)) >= 0)
		p->state = (enum person_state)i;
	p->title = get_string(l, v[5], "title");
	p->department = get_string(l, v[6], "department");
	p->phone = get_string(l, v[7], "phone");
	p->phone_pos = vpos(v[7], n->pos);
	p->mail_set = get_string(l, v[8], "mail");
	p->mail_pos = vpos(v[8], n->pos);
	load_refs(l, v[9], "aliases", &p->aliases, &p->naliases);
	p->login_set = get_string(l, v[10], "login");
	p->login_pos = vpos(v[10], n->pos);
	if (v[11] != NULL)
		load_entitlements(l, v[11], "services of a person", &p->services,
		    &p->nservices);
	load_refs(l, v[12], "groups of a person", &p->groups, &p->ngroups);
}

static void
load_group(struct loader *l, const struct ynode *n, struct group *g)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "name", 1 }, { "members", 0 },
	};
	const struct ynode		*v[NKEYS(keys)];

	memset(g, 0, sizeof(*g));
	g->pos = n->pos;
	if (map_keys(l, n, "group", keys, NKEYS(keys), v) == -1)
		return;
	g->id = get_string(l, v[0], "group id");
	g->id_pos = vpos(v[0], n->pos);
	g->name = get_string(l, v[1], "group name");
	load_refs(l, v[2], "members of a group", &g->members, &g->nmembers);
}

/*
 * A people file is named relative to the file that names it, and must stay in
 * that file's directory or below: "../" or a link that leads out is refused, so
 * that a tenants file cannot be made to read what its author could not see.
 * Returns the path to open (caller frees), or NULL after an error.
 */
static char *
people_path(struct loader *l, const struct ynode *n, const char *what)
{
	const char	*rel = get_string(l, n, what);
	char		*path, *real = NULL, *dir = NULL;
	size_t		 dlen;

	if (rel == NULL)
		return NULL;
	if (rel[0] == '/') {
		diag_add(l->d, n->pos, "%s \"%s\" must be a path relative to this "
		    "file's directory", what, rel);
		return NULL;
	}
	path = strcmp(l->m->dir, ".") == 0 ? xstrdup(rel) :
	    xasprintf("%s/%s", l->m->dir, rel);
	if ((dir = realpath(l->m->dir, NULL)) == NULL ||
	    (real = realpath(path, NULL)) == NULL) {
		diag_add(l->d, n->pos, "%s \"%s\": %s", what, rel, strerror(errno));
		goto fail;
	}
	dlen = strlen(dir);
	if (strncmp(real, dir, dlen) != 0 || (real[dlen] != '/' &&
	    strcmp(dir, "/") != 0)) {
		diag_add(l->d, n->pos, "%s \"%s\" leads out of this file's "
		    "directory", what, rel);
		goto fail;
	}
	free(real);
	free(dir);
	return path;
fail:
	free(real);
	free(dir);
	free(path);
	return NULL;
}

/* The keys of a person whose CSV cells are lists ("dsi; rh"). */
static const char *const csv_list_keys[] = {
	"aliases", "services", "groups", NULL
};

/* Adds the person nodes of a people file (YAML list or CSV) to the list. */
static void
people_from_file(struct loader *l, const struct ynode *n, int csv,
    struct ptrvec *nodes)
{
	const char	*what = csv ? "people_csv" : "people_file";
	char		*path = people_path(l, n, what);
	struct ydoc	*doc;
	size_t		 i;

	if (path == NULL)
		return;
	doc = csv ? csv_load_file(path, &ylimits_default, l->d, csv_list_keys) :
	    ydoc_load_file(path, &ylimits_default, l->d);
	free(path);
	if (doc == NULL)
		return;
	ptrvec_push(&l->m->docs, doc);
	if (doc->nroots != 1 || doc->roots[0]->kind != YN_SEQ) {
		struct pos	pos = { doc->file, 1, 1 };

		diag_add(l->d, doc->nroots ? doc->roots[0]->pos : pos,
		    "a people file must hold one list of people");
		return;
	}
	for (i = 0; i < doc->roots[0]->n; i++)
		ptrvec_push(nodes, doc->roots[0]->items[i]);
}

static void
load_tenant(struct loader *l, const struct ynode *n, struct tenant *t)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "name", 1 }, { "mail_domain", 0 }, { "services", 0 },
		{ "admins", 0 }, { "groups", 0 }, { "people", 0 },
		{ "people_file", 0 }, { "people_csv", 0 },
	};
	const struct ynode	*v[NKEYS(keys)];
	struct ptrvec		 people = { 0 };
	size_t			 i, count;

	memset(t, 0, sizeof(*t));
	t->pos = n->pos;
	if (map_keys(l, n, "tenant", keys, NKEYS(keys), v) == -1)
		return;
	t->id = get_string(l, v[0], "tenant id");
	t->id_pos = vpos(v[0], n->pos);
	t->name = get_string(l, v[1], "tenant name");
	t->mail_domain = v[2] ? get_string(l, v[2], "mail_domain") :
	    l->m->syndicate.mail_domain;
	t->mail_domain_pos = vpos(v[2], n->pos);
	load_entitlements(l, v[3], "services of a tenant", &t->services,
	    &t->nservices);
	load_refs(l, v[4], "admins", &t->admins, &t->nadmins);
	t->ngroups = get_seq(l, v[5], "groups");
	t->groups = arena_alloc(&l->m->arena, (t->ngroups ? t->ngroups : 1) *
	    sizeof(*t->groups));
	for (i = 0; i < t->ngroups; i++)
		load_group(l, v[5]->items[i], &t->groups[i]);
	count = get_seq(l, v[6], "people");
	for (i = 0; i < count; i++)
		ptrvec_push(&people, v[6]->items[i]);
	if (v[7] != NULL)
		people_from_file(l, v[7], 0, &people);
	if (v[8] != NULL)
		people_from_file(l, v[8], 1, &people);
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

static void
load_policy(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "login", 0 }, { "mail", 0 }, { "password_scheme", 0 },
		{ "on_departure", 0 }, { "retention_days", 0 },
		{ "max_removals", 0 }, { "welcome_password", 0 },
	};
	static const char *const welcome[] = { "never", "include" };
	static const char *const schemes[] = { "yescrypt", "sha512-crypt",
	    "none" };
	static const char *const departures[] = { "disable", "delete" };
	const struct ynode	*v[NKEYS(keys)];
	struct policy		*p = &l->m->policy;
	const char		*mr;
	size_t			 len;
	int			 i;

	p->login_format = "{given_name}.{surname}";
	p->mail_format = "{login}@{mail_domain}";
	p->retention_days = 90;
	if (n == NULL)
		return;
	p->pos = p->login_pos = p->mail_pos = n->pos;
	if (map_keys(l, n, "policy", keys, NKEYS(keys), v) == -1)
		return;
	if (v[0] != NULL && (p->login_format = get_string(l, v[0], "login")))
		p->login_pos = v[0]->pos;
	if (v[1] != NULL && (p->mail_format = get_string(l, v[1], "mail")))
		p->mail_pos = v[1]->pos;
	if (v[2] != NULL && (i = get_enum(l, v[2], "password_scheme", schemes,
	    3)) >= 0)
		p->password_scheme = (enum password_scheme)i;
	if (v[3] != NULL && (i = get_enum(l, v[3], "on_departure", departures,
	    2)) >= 0)
		p->on_departure = (enum departure)i;
	if (v[4] != NULL)
		get_uint(l, v[4], "retention_days", 36500, &p->retention_days);
	if (v[6] != NULL && (i = get_enum(l, v[6], "welcome_password", welcome,
	    2)) >= 0)
		p->welcome_password = i;
	if (p->welcome_password && p->password_scheme == PW_NONE)
		diag_add(l->d, v[6]->pos, "welcome_password: include needs a "
		    "password: password_scheme is none");
	if (v[5] != NULL && (mr = get_string(l, v[5], "max_removals")) != NULL) {
		len = strlen(mr);
		if (len > 1 && mr[len - 1] == '%') {
			char			*num = xstrndup(mr, len - 1);
			unsigned long long	 u;

			if (parse_uint(num, 0, 100, &u) == 0) {
				p->max_removals = (unsigned)u;
				p->max_removals_percent = 1;
				p->max_removals_set = 1;
			} else
				diag_add(l->d, v[5]->pos, "max_removals \"%s\" is "
				    "not a count or a percentage from 0%% to 100%%",
				    mr);
			free(num);
		} else if (get_uint(l, v[5], "max_removals", 1000000,
		    &p->max_removals) == 0)
			p->max_removals_set = 1;
	}
}

static void
load_services(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "template", 0 }, { "quota", 0 }, { "bind_dn", 0 },
		{ "scim", 0 },
	};
	static const struct keyspec	scim_keys[] = {
		{ "url", 1 }, { "token_file", 1 },
	};
	const struct ynode	*v[NKEYS(keys)], *sv[NKEYS(scim_keys)];
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
		m->nservices++;
		if (ynode_is_null(val) ||
		    map_keys(l, val, "service", keys, NKEYS(keys), v) == -1)
			continue;
		if (v[0] != NULL) {
			s->template_pos = v[0]->pos;
			s->template = get_string(l, v[0], "template");
			if (s->template == NULL)
				s->template = s->id;
		}
		if (v[1] != NULL)
			get_size(l, v[1], "quota", &s->quota);
		s->bind_dn = get_string(l, v[2], "bind_dn");
		s->bind_dn_pos = vpos(v[2], val->pos);
		if (v[3] != NULL && map_keys(l, v[3], "scim", scim_keys,
		    NKEYS(scim_keys), sv) == 0) {
			s->scim.pos = v[3]->pos;
			s->scim.url = get_string(l, sv[0], "scim url");
			s->scim.token_file = get_string(l, sv[1], "token_file");
		}
	}
}

static void
load_syndicate(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "name", 1 }, { "base_dn", 1 }, { "mail_domain", 1 },
	};
	const struct ynode	*v[NKEYS(keys)];

	if (n == NULL)
		return;
	l->m->syndicate.pos = n->pos;
	if (map_keys(l, n, "syndicate", keys, NKEYS(keys), v) == -1)
		return;
	l->m->syndicate.id = get_string(l, v[0], "syndicate id");
	l->m->syndicate.name = get_string(l, v[1], "syndicate name");
	l->m->syndicate.base_dn = get_string(l, v[2], "base_dn");
	l->m->syndicate.mail_domain = get_string(l, v[3], "mail_domain");
	l->m->syndicate.id_pos = vpos(v[0], n->pos);
	l->m->syndicate.base_dn_pos = vpos(v[2], n->pos);
	l->m->syndicate.mail_domain_pos = vpos(v[3], n->pos);
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

/*
 * A simple bind names a DN and takes its password from elsewhere; a SASL
 * EXTERNAL bind over ldapi:// is who runs mutualize, as the server maps it,
 * and takes neither.
 */
static void
load_directory(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "uri", 1 }, { "bind_dn", 0 }, { "bind_password_file", 0 },
		{ "bind", 0 }, { "tls", 0 }, { "ca_file", 0 }, { "timeout", 0 },
	};
	static const char *const	binds[] = { "simple", "external", NULL };
	static const char *const	tlss[] = { "starttls", "ldaps", "none", NULL };
	static const enum tls_mode	tls_modes[] = {
		TLS_STARTTLS, TLS_LDAPS, TLS_NONE
	};
	const struct ynode	*v[NKEYS(keys)];
	struct model		*m = l->m;
	int			 i;

	m->directory.timeout = DIRECTORY_TIMEOUT;
	if (n == NULL)
		return;
	m->directory.pos = n->pos;
	if (map_keys(l, n, "directory", keys, NKEYS(keys), v) == -1)
		return;
	if (v[0] != NULL)
		load_uris(l, v[0]);
	m->directory.bind_dn = get_string(l, v[1], "bind_dn");
	m->directory.bind_password_file = get_string(l, v[2],
	    "bind_password_file");
	if (v[3] != NULL && (i = get_word(l, v[3], "bind", binds,
	    "simple or external")) != -1)
		m->directory.bind = i == 1 ? BIND_EXTERNAL : BIND_SIMPLE;
	if (v[4] != NULL && (i = get_word(l, v[4], "tls", tlss,
	    "starttls, ldaps or none")) != -1)
		m->directory.tls = tls_modes[i];
	m->directory.ca_file = get_string(l, v[5], "ca_file");
	if (v[6] != NULL)
		m->directory.timeout = get_timeout(l, v[6]);
	m->directory.bind_dn_pos = vpos(v[1], n->pos);
	m->directory.bind_password_file_pos = vpos(v[2], n->pos);
	m->directory.ca_file_pos = vpos(v[5], n->pos);
	if (m->directory.bind == BIND_SIMPLE && v[1] == NULL)
		diag_add(l->d, n->pos, "directory has no \"bind_dn\"");
	for (i = 1; i <= 2 && m->directory.bind == BIND_EXTERNAL; i++)
		if (v[i] != NULL)
			diag_add(l->d, v[i]->pos, "%s goes with a simple bind; "
			    "bind: external needs none", keys[i].name);
}

/* The webhook: a JSON POST of each change made, signed with HMAC-SHA256. */
static void
load_webhook(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "url", 1 }, { "secret_file", 1 },
	};
	const struct ynode	*v[NKEYS(keys)];

	if (n == NULL || map_keys(l, n, "webhook", keys, NKEYS(keys), v) == -1)
		return;
	l->m->webhook.pos = n->pos;
	l->m->webhook.url = get_string(l, v[0], "webhook url");
	l->m->webhook.secret_file = get_string(l, v[1], "secret_file");
}

/* The welcome mail to new people, or to their tenant's admins. */
static void
load_welcome(struct loader *l, const struct ynode *n)
{
	static const struct keyspec	keys[] = {
		{ "url", 1 }, { "from", 1 }, { "to", 0 }, { "template", 0 },
	};
	static const char *const	to[] = { "person", "admins" };
	const struct ynode		*v[NKEYS(keys)];
	int				 i;

	if (n == NULL || map_keys(l, n, "welcome", keys, NKEYS(keys), v) == -1)
		return;
	l->m->welcome.pos = n->pos;
	l->m->welcome.url = get_string(l, v[0], "welcome url");
	l->m->welcome.from = get_string(l, v[1], "from");
	if (v[2] != NULL && (i = get_enum(l, v[2], "to", to, 2)) >= 0)
		l->m->welcome.to_admins = i;
	l->m->welcome.template = v[3] ? get_string(l, v[3], "template") :
	    "welcome.txt";
}

static void
load_root(struct loader *l, const struct ynode *root)
{
	static const struct keyspec	keys[] = {
		{ "version", 1 }, { "syndicate", 1 }, { "directory", 1 },
		{ "policy", 0 }, { "services", 0 }, { "tenants", 1 },
		{ "webhook", 0 }, { "welcome", 0 },
	};
	const struct ynode	*v[NKEYS(keys)];
	struct model		*m = l->m;
	size_t			 i;

	m->syndicate.pos = root->pos;
	load_policy(l, NULL);
	if (map_keys(l, root, "the file", keys, NKEYS(keys), v) == -1)
		return;
	if (v[0] != NULL && (v[0]->kind != YN_SCALAR || !v[0]->plain ||
	    strcmp(v[0]->value, "1") != 0))
		diag_add(l->d, v[0]->pos, "version must be 1");
	load_syndicate(l, v[1]);
	load_directory(l, v[2]);
	load_policy(l, v[3]);
	load_services(l, v[4]);
	load_webhook(l, v[6]);
	load_welcome(l, v[7]);
	m->ntenants = get_seq(l, v[5], "tenants");
	m->tenants = arena_alloc(&m->arena, (m->ntenants ? m->ntenants : 1) *
	    sizeof(*m->tenants));
	for (i = 0; i < m->ntenants; i++)
		load_tenant(l, v[5]->items[i], &m->tenants[i]);
}

struct model *
model_load(const char *file, struct diags *d)
{
	struct model	*m = xcalloc(1, sizeof(*m));
	struct loader	 l = { m, d };
	struct pos	 pos = { file, 1, 1 };
	char		*copy;

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
