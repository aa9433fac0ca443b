/*
 * Service templates: per service, the classes and attributes an entitled
 * person gets and the filter the service finds its people with. Each file is
 * read with its errors at their places; the attributes templates set are added
 * to those mutualize manages, one template owning each.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "loader.h"

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

/* A string whose placeholders are known; NULL after an error. */
static const char *
get_pattern(struct loader *l, const struct ynode *n, const char *what,
    int filter)
{
	const char	*v = get_string(l, n, what);
	char		*err;

	if (v != NULL && (err = placeholder_error(v, filter)) != NULL) {
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

enum {
	TEMPLATE_DESCRIPTION, TEMPLATE_CLASSES, TEMPLATE_ATTRIBUTES,
	TEMPLATE_LOGIN_ATTRIBUTE, TEMPLATE_FILTER, TEMPLATE_CONFIGS,
	TEMPLATE_ON_REMOVAL, TEMPLATE_NKEYS
};
static const struct keyspec template_keys[TEMPLATE_NKEYS] = {
	[TEMPLATE_DESCRIPTION] = { "description", 0 },
	[TEMPLATE_CLASSES] = { "classes", 0 },
	[TEMPLATE_ATTRIBUTES] = { "attributes", 0 },
	[TEMPLATE_LOGIN_ATTRIBUTE] = { "login_attribute", 0 },
	[TEMPLATE_FILTER] = { "filter", 1 },
	[TEMPLATE_CONFIGS] = { "configs", 0 },
	[TEMPLATE_ON_REMOVAL] = { "on_removal", 0 },
};

/* The command run for each person deleted; NULL when none or wrong. */
static const char *
get_removal(struct loader *l, const struct ynode *n)
{
	const char	*v;
	char		*err;

	if (n == NULL || (v = get_string(l, n, "on_removal")) == NULL)
		return NULL;
	if ((err = removal_error(v)) != NULL) {
		diag_add(l->d, n->pos, "on_removal: %s", err);
		free(err);
		return NULL;
	}
	return v;
}

/* Reads one template file; NULL after errors. */
static struct template *
load_template(struct loader *l, const char *dir, const struct service *s)
{
	const struct ynode	*f[TEMPLATE_NKEYS];
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
	if (map_keys(l, doc->roots[0], "a template", template_keys,
	    TEMPLATE_NKEYS, f) == -1)
		return NULL;
	t->description = get_string(l, f[TEMPLATE_DESCRIPTION], "description");
	count = get_seq(l, f[TEMPLATE_CLASSES], "classes");
	t->classes = arena_alloc(&l->m->arena, (count + 1) *
	    sizeof(*t->classes));
	for (i = 0; i < count; i++)
		if ((c = get_descr(l, f[TEMPLATE_CLASSES]->items[i],
		    "class")) != NULL)
			t->classes[t->nclasses++] = c;
	template_attrs(l, f[TEMPLATE_ATTRIBUTES], t);
	t->login_attr = f[TEMPLATE_LOGIN_ATTRIBUTE] ? get_descr(l,
	    f[TEMPLATE_LOGIN_ATTRIBUTE], "login_attribute") : "uid";
	if ((t->filter = get_pattern(l, f[TEMPLATE_FILTER], "filter",
	    1)) != NULL &&
	    !valid_filter(t->filter)) {
		diag_add(l->d, f[TEMPLATE_FILTER]->pos, "filter \"%s\" is not "
		    "one LDAP filter in parentheses", t->filter);
		t->filter = NULL;
	}
	t->configs = template_configs(l, f[TEMPLATE_CONFIGS]);
	t->on_removal = get_removal(l, f[TEMPLATE_ON_REMOVAL]);
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
