/*
 * The tenants file as a model. Every key of every mapping is looked up in a
 * table; what is unknown, duplicated, missing or of the wrong type is reported
 * with the node's position, and loading goes on so that every error is seen.
 * Model strings point into the YAML document, which the model owns.
 */
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static void
load_person(struct loader *l, const struct ynode *n, struct tenant *t,
    struct person *p)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "given_name", 1 }, { "surname", 1 }, { "kind", 1 },
		{ "groups", 0 },
	};
	const struct ynode	*v[NKEYS(keys)];
	const char		*kind;

	memset(p, 0, sizeof(*p));
	p->tenant = t;
	p->pos = n->pos;
	if (map_keys(l, n, "person", keys, NKEYS(keys), v) == -1)
		return;
	p->id = get_string(l, v[0], "person id");
	if (v[0] != NULL)
		p->id_pos = v[0]->pos;
	p->given_name = get_string(l, v[1], "given_name");
	p->surname = get_string(l, v[2], "surname");
	if ((kind = get_string(l, v[3], "kind")) != NULL) {
		if (strcmp(kind, "agent") == 0)
			p->kind = KIND_AGENT;
		else if (strcmp(kind, "elected") == 0)
			p->kind = KIND_ELECTED;
		else
			diag_add(l->d, v[3]->pos, "kind \"%s\" is neither \"agent\" "
			    "nor \"elected\"", kind);
	}
	load_refs(l, v[4], "groups of a person", &p->groups, &p->ngroups);
}

static void
load_group(struct loader *l, const struct ynode *n, struct group *g)
{
	static const struct keyspec	keys[] = { { "id", 1 }, { "name", 1 } };
	const struct ynode		*v[NKEYS(keys)];

	memset(g, 0, sizeof(*g));
	g->pos = n->pos;
	if (map_keys(l, n, "group", keys, NKEYS(keys), v) == -1)
		return;
	g->id = get_string(l, v[0], "group id");
	if (v[0] != NULL)
		g->id_pos = v[0]->pos;
	g->name = get_string(l, v[1], "group name");
}

static void
load_tenant(struct loader *l, const struct ynode *n, struct tenant *t)
{
	static const struct keyspec	keys[] = {
		{ "id", 1 }, { "name", 1 }, { "mail_domain", 0 }, { "groups", 0 },
		{ "people", 0 },
	};
	const struct ynode	*v[NKEYS(keys)];
	size_t			 i;

	memset(t, 0, sizeof(*t));
	t->pos = n->pos;
	if (map_keys(l, n, "tenant", keys, NKEYS(keys), v) == -1)
		return;
	t->id = get_string(l, v[0], "tenant id");
	if (v[0] != NULL)
		t->id_pos = v[0]->pos;
	t->name = get_string(l, v[1], "tenant name");
	t->mail_domain = v[2] ? get_string(l, v[2], "mail_domain") :
	    l->m->syndicate.mail_domain;
	t->mail_domain_pos = vpos(v[2], n->pos);
	t->ngroups = get_seq(l, v[3], "groups");
	t->groups = arena_alloc(&l->m->arena, (t->ngroups ? t->ngroups : 1) *
	    sizeof(*t->groups));
	for (i = 0; i < t->ngroups; i++)
		load_group(l, v[3]->items[i], &t->groups[i]);
	t->npeople = get_seq(l, v[4], "people");
	t->people = arena_alloc(&l->m->arena, (t->npeople ? t->npeople : 1) *
	    sizeof(*t->people));
	for (i = 0; i < t->npeople; i++)
		load_person(l, v[4]->items[i], t, &t->people[i]);
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
	const char	*s = get_string(l, n, "timeout");
	unsigned long	 v = 0;

	if (s == NULL)
		return DIRECTORY_TIMEOUT;
	if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 4)
		v = strtoul(s, NULL, 10);
	if (v < 1 || v > DIRECTORY_TIMEOUT_MAX) {
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

static void
load_root(struct loader *l, const struct ynode *root)
{
	static const struct keyspec	keys[] = {
		{ "version", 1 }, { "syndicate", 1 }, { "directory", 1 },
		{ "tenants", 1 },
	};
	const struct ynode	*v[NKEYS(keys)];
	struct model		*m = l->m;
	size_t			 i;

	m->syndicate.pos = root->pos;
	if (map_keys(l, root, "the file", keys, NKEYS(keys), v) == -1)
		return;
	if (v[0] != NULL && (v[0]->kind != YN_SCALAR || !v[0]->plain ||
	    strcmp(v[0]->value, "1") != 0))
		diag_add(l->d, v[0]->pos, "version must be 1");
	load_syndicate(l, v[1]);
	load_directory(l, v[2]);
	m->ntenants = get_seq(l, v[3], "tenants");
	m->tenants = arena_alloc(&m->arena, (m->ntenants ? m->ntenants : 1) *
	    sizeof(*m->tenants));
	for (i = 0; i < m->ntenants; i++)
		load_tenant(l, v[3]->items[i], &m->tenants[i]);
}

struct model *
model_load(const char *file, struct diags *d)
{
	struct model	*m = xcalloc(1, sizeof(*m));
	struct loader	 l = { m, d };
	struct pos	 pos = { file, 0, 0 };
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
	return m;
fail:
	model_free(m);
	return NULL;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	arena_free(&m->arena);
	ydoc_free(m->doc);
	free(m);
}
