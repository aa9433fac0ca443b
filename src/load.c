/*
 * The tenants file, and the people files it names, as a model. Every key of
 * every mapping is looked up in a table; what is unknown, duplicated, missing or
 * of the wrong type is reported with the node's position, and loading goes on so
 * that every error is seen. Model strings point into the documents, which the
 * model owns.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <nettle/sha2.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mutualize.h"

struct loader {
	struct model	*m;
	struct diags	*d;
};

struct keyspec {
	const char	*name;
	int		 required;
};

#define NKEYS(a)	(sizeof(a) / sizeof((a)[0]))

static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, tmp, row[64];

	if (la >= NKEYS(row) || lb >= NKEYS(row))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static void
unknown_key(struct loader *l, const struct ynode *key, const char *what,
    const struct keyspec *keys, size_t nkeys)
{
	size_t	i, best = SIZE_MAX, dist, bi = 0;

	for (i = 0; i < nkeys; i++) {
		dist = edit_distance(key->value, keys[i].name);
		if (dist < best) {
			best = dist;
			bi = i;
		}
	}
	if (best <= 2 || (best <= 3 && strlen(keys[bi].name) > 6))
		diag_add(l->d, key->pos, "unknown key \"%s\" in %s; did you mean "
		    "\"%s\"?", key->value, what, keys[bi].name);
	else
		diag_add(l->d, key->pos, "unknown key \"%s\" in %s", key->value, what);
}

/*
 * Finds the value of each key of the table in a mapping (NULL when absent) and
 * reports unknown, duplicate and missing keys. Returns -1 when not a mapping.
 */
static int
map_keys(struct loader *l, const struct ynode *map, const char *what,
    const struct keyspec *keys, size_t nkeys, const struct ynode **vals)
{
	size_t	i, k;

	for (k = 0; k < nkeys; k++)
		vals[k] = NULL;
	if (map == NULL || map->kind != YN_MAP) {
		diag_add(l->d, map ? map->pos : l->m->syndicate.pos,
		    "%s must be a mapping", what);
		return -1;
	}
	for (i = 0; i < map->n; i += 2) {
		const struct ynode	*key = map->items[i];

		if (key->kind != YN_SCALAR) {
			diag_add(l->d, key->pos, "keys of %s must be plain names", what);
			continue;
		}
		for (k = 0; k < nkeys; k++)
			if (strcmp(key->value, keys[k].name) == 0)
				break;
		if (k == nkeys) {
			unknown_key(l, key, what, keys, nkeys);
			continue;
		}
		if (vals[k] != NULL) {
			diag_add(l->d, key->pos, "duplicate key \"%s\" in %s",
			    key->value, what);
			continue;
		}
		vals[k] = map->items[i + 1];
	}
	for (k = 0; k < nkeys; k++)
		if (keys[k].required && vals[k] == NULL)
			diag_add(l->d, map->pos, "%s has no \"%s\"", what,
			    keys[k].name);
	return 0;
}

/* Returns the scalar's text, or NULL after reporting an error. */
static const char *
get_string(struct loader *l, const struct ynode *n, const char *what)
{
	if (n == NULL)
		return NULL;
	if (n->kind != YN_SCALAR) {
		diag_add(l->d, n->pos, "%s must be a string", what);
		return NULL;
	}
	if (ynode_is_null(n) || n->len == 0) {
		diag_add(l->d, n->pos, "%s must not be empty", what);
		return NULL;
	}
	if (strlen(n->value) != n->len) {
		diag_add(l->d, n->pos, "%s contains a NUL character", what);
		return NULL;
	}
	return n->value;
}

/* The position of a value, or of its mapping when the key is absent. */
static struct pos
vpos(const struct ynode *n, struct pos fallback)
{
	return n != NULL ? n->pos : fallback;
}

/* Returns the number of items of a sequence (0 for null), or reports an error. */
static size_t
get_seq(struct loader *l, const struct ynode *n, const char *what)
{
	if (n == NULL || ynode_is_null(n))
		return 0;
	if (n->kind != YN_SEQ) {
		diag_add(l->d, n->pos, "%s must be a list", what);
		return 0;
	}
	return n->n;
}

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

/* Returns the index of the scalar's text in names, or -1 after an error. */
static int
get_enum(struct loader *l, const struct ynode *n, const char *what,
    const char *const *names, size_t count)
{
	const char	*v = get_string(l, n, what);
	size_t		 i;

	if (v == NULL)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	if (count == 2)
		diag_add(l->d, n->pos, "%s \"%s\" is neither \"%s\" nor \"%s\"",
		    what, v, names[0], names[1]);
	else
		diag_add(l->d, n->pos, "%s \"%s\" is not one of \"%s\", \"%s\" or "
		    "\"%s\"", what, v, names[0], names[1], names[2]);
	return -1;
}

/* A whole number written plainly, at most max. Returns -1 after an error. */
static int
get_uint(struct loader *l, const struct ynode *n, const char *what,
    unsigned max, unsigned *out)
{
	const char		*v = get_string(l, n, what);
	unsigned long long	 u;

	if (v == NULL)
		return -1;
	if (parse_uint(v, 0, max, &u) == -1) {
		diag_add(l->d, n->pos, "%s must be a whole number from 0 to %u, not "
		    "\"%s\"", what, max, v);
		return -1;
	}
	*out = (unsigned)u;
	return 0;
}

static int
get_size(struct loader *l, const struct ynode *n, const char *what,
    unsigned long long *out)
{
	const char	*v = get_string(l, n, what);

	if (v == NULL)
		return -1;
	if (parse_size(v, out) == -1) {
		diag_add(l->d, n->pos, "%s \"%s\" is not a size such as 500MB or "
		    "5GiB", what, v);
		return -1;
	}
	return 0;
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

/* Returns the index of the word in the NULL-terminated list, or -1 after an error. */
static int
get_word(struct loader *l, const struct ynode *n, const char *what,
    const char *const *words, const char *expected)
{
	const char	*s = get_string(l, n, what);
	int		 i;

	if (s == NULL)
		return -1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	diag_add(l->d, n->pos, "%s \"%s\" is not %s", what, s, expected);
	return -1;
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

/*
 * What a saved plan was made from: the tenants file and its people files,
 * hashed in the order they were read. Each is read again whole.
 */
int
model_digest(const struct model *m, char hex[65])
{
	struct sha256_ctx	 ctx;
	struct diags		 d = { 0 };
	uint8_t			 digest[SHA256_DIGEST_SIZE];
	char			*buf;
	size_t			 i, len;

	sha256_init(&ctx);
	for (i = 0; i <= m->docs.n; i++) {
		const char	*file = i == 0 ? m->file :
		    ((struct ydoc *)m->docs.v[i - 1])->file;

		if ((buf = file_read(file, ylimits_default.max_file, &d, &len)) ==
		    NULL) {
			diag_print(&d, stderr);
			diag_free(&d);
			return -1;
		}
		sha256_update(&ctx, len, (const uint8_t *)buf);
		free(buf);
	}
	sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}
#ifndef TEMPLATES_DIR
#define TEMPLATES_DIR	"/usr/local/share/mutualize/templates"
#endif

const char *
templates_dir(struct model *m, const char *option)
{
	const char	*env = getenv("MUTUALIZE_TEMPLATES"), *beside;
	struct stat	 st;

	if (option != NULL)
		return option;
	if (env != NULL && *env != '\0')
		return env;
	beside = arena_printf(&m->arena, "%s/templates", m->dir);
	if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode))
		return beside;
	return TEMPLATES_DIR;
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

/* An attribute or class name as LDAP writes them (RFC 4512 descr). */
static int
valid_descr(const char *s)
{
	size_t	len = strlen(s);

	return len > 0 && len <= 64 && ((*s >= 'a' && *s <= 'z') ||
	    (*s >= 'A' && *s <= 'Z')) && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == len;
}

/* Returns the name, or NULL after an error. */
static const char *
get_descr(struct loader *l, const struct ynode *n, const char *what)
{
	const char	*v = get_string(l, n, what);

	if (v != NULL && !valid_descr(v)) {
		diag_add(l->d, n->pos, "%s \"%s\" is not an LDAP name (a "
		    "letter, then letters, digits or hyphens)", what, v);
		return NULL;
	}
	return v;
}

/* A string whose placeholders render knows; NULL after an error. */
static const char *
get_pattern(struct loader *l, const struct ynode *n, const char *what,
    int filter)
{
	const char	*v = get_string(l, n, what);
	char		*err;

	if (v != NULL && (err = render_placeholder_error(v, filter)) != NULL) {
		diag_add(l->d, n->pos, "%s: %s", what, err);
		free(err);
		return NULL;
	}
	return v;
}

/* Parentheses balanced outside escapes, one filter in all: "(...)". */
static int
valid_filter(const char *s)
{
	int	depth = 0;

	if (*s != '(')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0)
			return s[1] == '\0';
		else if (depth < 0)
			return 0;
	}
	return 0;
}

/*
 * What a template may not set: what mutualize renders or reads for itself,
 * the password and what the server computes.
 */
static int
reserved_attr(const char *name)
{
	const char *const	*a;

	for (a = render_read_attrs(NULL); *a != NULL; a++)
		if (strcasecmp(*a, name) == 0)
			return 1;
	return strcasecmp(name, "userPassword") == 0 ||
	    strcasecmp(name, "memberOf") == 0;
}

static void
template_attrs(struct loader *l, const struct ynode *n, struct template *t)
{
	size_t	i, j, count;

	if (n == NULL || ynode_is_null(n))
		return;
	if (n->kind != YN_MAP) {
		diag_add(l->d, n->pos, "attributes must be a mapping from "
		    "attribute name to a value or a list of values");
		return;
	}
	t->attrs = arena_alloc(&l->m->arena, (n->n / 2 + 1) *
	    sizeof(*t->attrs));
	for (i = 0; i < n->n; i += 2) {
		struct template_attr	*a = &t->attrs[t->nattrs];
		const struct ynode	*key = n->items[i];
		const struct ynode	*val = n->items[i + 1];

		if ((a->name = get_descr(l, key, "attribute")) == NULL)
			continue;
		a->pos = key->pos;
		if (reserved_attr(a->name)) {
			diag_add(l->d, key->pos, "attribute \"%s\" is "
			    "mutualize's own; a template cannot set it",
			    a->name);
			continue;
		}
		count = val->kind == YN_SEQ ? val->n : 1;
		a->vals = arena_alloc(&l->m->arena, count * sizeof(*a->vals));
		a->nvals = 0;
		for (j = 0; j < count; j++) {
			const struct ynode	*item = val->kind == YN_SEQ ?
			    val->items[j] : val;
			const char		*v;

			if ((v = get_pattern(l, item, "value", 0)) != NULL)
				a->vals[a->nvals++] = v;
		}
		t->nattrs++;
	}
}

static unsigned
template_configs(struct loader *l, const struct ynode *n)
{
	static const char *const names[] = {
		"dovecot", "postfix", "apache", "nextcloud", "prosody"
	};
	size_t		 i, k, count = get_seq(l, n, "configs");
	const char	*v;
	unsigned	 set = 0;

	for (i = 0; i < count; i++) {
		if ((v = get_string(l, n->items[i], "config")) == NULL)
			continue;
		for (k = 0; k < NKEYS(names); k++)
			if (strcmp(v, names[k]) == 0)
				break;
		if (k == NKEYS(names))
			diag_add(l->d, n->items[i]->pos, "config \"%s\" is not "
			    "one of dovecot, postfix, apache, nextcloud or "
			    "prosody", v);
		else
			set |= 1u << k;
	}
	return set;
}

/* Reads one template file; NULL after errors. */
static struct template *
load_template(struct loader *l, const char *dir, const struct service *s)
{
	static const struct keyspec	keys[] = {
		{ "description", 0 }, { "classes", 0 }, { "attributes", 0 },
		{ "login_attribute", 0 }, { "filter", 1 }, { "configs", 0 },
	};
	const struct ynode	*v[NKEYS(keys)];
	struct template		*t;
	struct ydoc		*doc;
	size_t			 i, count;
	const char		*c;

	if (strchr(s->template, '/') != NULL || s->template[0] == '.') {
		diag_add(l->d, s->template_pos, "template \"%s\" must name a "
		    "file of the templates directory", s->template);
		return NULL;
	}
	t = arena_alloc(&l->m->arena, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->name = s->template;
	t->path = strchr(s->template, '.') != NULL ?
	    arena_printf(&l->m->arena, "%s/%s", dir, s->template) :
	    arena_printf(&l->m->arena, "%s/%s.yaml", dir, s->template);
	if (access(t->path, R_OK) == -1) {
		diag_add(l->d, s->template_pos, "template \"%s\": %s: %s",
		    s->template, t->path, strerror(errno));
		return NULL;
	}
	if ((doc = ydoc_load_file(t->path, &ylimits_default, l->d)) == NULL)
		return NULL;
	ptrvec_push(&l->m->docs, doc);
	if (doc->nroots != 1) {
		struct pos	pos = { doc->file, 1, 1 };

		diag_add(l->d, pos, "a template must hold one mapping");
		return NULL;
	}
	if (map_keys(l, doc->roots[0], "a template", keys, NKEYS(keys),
	    v) == -1)
		return NULL;
	t->description = get_string(l, v[0], "description");
	count = get_seq(l, v[1], "classes");
	t->classes = arena_alloc(&l->m->arena, (count + 1) *
	    sizeof(*t->classes));
	for (i = 0; i < count; i++)
		if ((c = get_descr(l, v[1]->items[i], "class")) != NULL)
			t->classes[t->nclasses++] = c;
	template_attrs(l, v[2], t);
	t->login_attr = v[3] ? get_descr(l, v[3], "login_attribute") : "uid";
	if ((t->filter = get_pattern(l, v[4], "filter", 1)) != NULL &&
	    !valid_filter(t->filter)) {
		diag_add(l->d, v[4]->pos, "filter \"%s\" is not one LDAP "
		    "filter in parentheses", t->filter);
		t->filter = NULL;
	}
	t->configs = template_configs(l, v[5]);
	ydoc_drop_nodes(doc);
	return t;
}

/* A NULL-terminated copy of base, then the names of extra, in the arena. */
static const char **
attr_list(struct arena *a, const char *const *base, const struct ptrvec *extra)
{
	const char	**v;
	size_t		  n, i;

	for (n = 0; base[n] != NULL; n++)
		;
	v = arena_alloc(a, (n + extra->n + 1) * sizeof(*v));
	memcpy(v, base, n * sizeof(*v));
	for (i = 0; i < extra->n; i++)
		v[n + i] = extra->v[i];
	v[n + extra->n] = NULL;
	return v;
}

/*
 * Records who sets each attribute of a template: one owner per attribute, so
 * that no two templates disagree on it.
 */
static void
claim_attrs(struct loader *l, const struct template *t, struct hmap *owner,
    struct ptrvec *names)
{
	const struct template	*other;
	char			*key, *p;
	size_t			 i;

	for (i = 0; i < t->nattrs; i++) {
		key = arena_strdup(&l->m->arena, t->attrs[i].name);
		for (p = key; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if ((other = hmap_get(owner, key)) != NULL) {
			diag_add(l->d, t->attrs[i].pos, "attribute \"%s\" is "
			    "already set by the template %s", t->attrs[i].name,
			    other->path);
			continue;
		}
		hmap_put(owner, key, (void *)t);
		ptrvec_push(names, (void *)t->attrs[i].name);
	}
}

size_t
templates_load(struct model *m, const char *dir, struct diags *d)
{
	struct loader	 l = { m, d };
	struct hmap	 loaded = { 0 };	/* template name -> template */
	struct hmap	 owner = { 0 };		/* attribute -> its template */
	struct ptrvec	 names = { 0 };		/* attributes, in order */
	struct template	*t;
	size_t		 before = d->n, i;

	for (i = 0; i < m->nservices; i++) {
		struct service	*s = &m->services[i];

		if ((t = hmap_get(&loaded, s->template)) == NULL) {
			if ((t = load_template(&l, dir, s)) == NULL)
				continue;
			hmap_put(&loaded, s->template, t);
			claim_attrs(&l, t, &owner, &names);
		}
		s->tmpl = t;
	}
	m->person_attrs = attr_list(&m->arena, render_managed_attrs(NULL,
	    ENTRY_PERSON), &names);
	m->read_attrs = attr_list(&m->arena, render_read_attrs(NULL), &names);
	ptrvec_free(&names);
	hmap_free(&owner);
	hmap_free(&loaded);
	return d->n - before;
}
