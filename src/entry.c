/* Directory entries as plain data: a DN, its kind and its attributes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mutualize.h"

void
entries_init(struct entries *es)
{
	memset(es, 0, sizeof(*es));
}

void
entries_free(struct entries *es)
{
	ptrvec_free(&es->v);
	hmap_free(&es->by_key);
	hmap_free(&es->by_id);
	arena_free(&es->arena);
}

/*
 * DNs are compared in lowercase: every attribute mutualize names in a DN (dc,
 * ou, uid, cn) matches case-insensitively, and its own values are lowercase.
 */
const char *
dn_key(struct arena *a, const char *dn)
{
	char	*k = arena_strdup(a, dn), *p;

	for (p = k; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/* The number of RDNs: unescaped commas plus one. */
unsigned
dn_depth(const char *dn)
{
	unsigned	n = 1;

	if (*dn == '\0')
		return 0;
	for (; *dn != '\0'; dn++) {
		if (*dn == '\\' && dn[1] != '\0')
			dn++;
		else if (*dn == ',')
			n++;
	}
	return n;
}

struct entry *
entries_add(struct entries *es, const char *dn, const char *tenant,
    enum entry_kind kind)
{
	struct entry	*e = arena_alloc(&es->arena, sizeof(*e));
	const char	*key = dn_key(&es->arena, dn);

	if (hmap_get(&es->by_key, key) != NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->dn = arena_strdup(&es->arena, dn);
	e->key = key;
	e->tenant = tenant ? arena_strdup(&es->arena, tenant) : NULL;
	e->kind = kind;
	e->depth = dn_depth(dn);
	hmap_put(&es->by_key, e->key, e);
	ptrvec_push(&es->v, e);
	return e;
}

struct entry *
entries_find(const struct entries *es, const char *dn)
{
	char	 buf[512], *k = buf, *p;
	size_t	 len = strlen(dn);
	struct entry *e;

	if (len >= sizeof(buf))
		k = xmalloc(len + 1);
	memcpy(k, dn, len + 1);
	for (p = k; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	e = hmap_get(&es->by_key, k);
	if (k != buf)
		free(k);
	return e;
}

const struct attr *
entry_attr(const struct entry *e, const char *name)
{
	size_t	i;

	for (i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, name) == 0)
			return &e->attrs[i];
	return NULL;
}

/* Values arrive one at a time; arrays double in the arena (old ones stay there). */
void
entry_add_value(struct entries *es, struct entry *e, const char *name,
    const char *value)
{
	struct attr	*a = (struct attr *)entry_attr(e, name);
	const char	**vals;

	if (a == NULL) {
		if (e->nattrs == e->capattrs) {
			struct attr	*attrs;

			e->capattrs = e->capattrs ? e->capattrs * 2 : 8;
			attrs = arena_alloc(&es->arena, e->capattrs * sizeof(*attrs));
			if (e->nattrs > 0)
				memcpy(attrs, e->attrs, e->nattrs * sizeof(*attrs));
			e->attrs = attrs;
		}
		a = &e->attrs[e->nattrs++];
		a->name = arena_strdup(&es->arena, name);
		a->vals = NULL;
		a->nvals = 0;
	}
	/* Capacity is the next power of two at or above nvals. */
	if ((a->nvals & (a->nvals - 1)) == 0) {
		vals = arena_alloc(&es->arena, (a->nvals ? a->nvals * 2 : 1) *
		    sizeof(*vals));
		if (a->nvals > 0)
			memcpy(vals, a->vals, a->nvals * sizeof(*vals));
		a->vals = vals;
	}
	a->vals[a->nvals++] = arena_strdup(&es->arena, value);
}

/* The RDN of a DN key that ends at end: start of the attribute type. */
static const char *
rdn_start(const char *key, const char *end)
{
	const char	*p = end;

	while (p > key) {
		if (p[-1] == ',' && !(p - 1 > key && p[-2] == '\\'))
			break;
		p--;
	}
	return p;
}

static int
rdn_is(const char *rdn, const char *end, const char *want)
{
	size_t	len = strlen(want);

	return (size_t)(end - rdn) == len && strncmp(rdn, want, len) == 0;
}

/* ou=services below the base, and cn=<service> below it. */
static int
classify_service(struct entry *e, const char *base_key)
{
	size_t		 klen = strlen(e->key), blen = strlen(base_key);
	const char	*end;

	if (klen < blen + 12 || strcmp(e->key + klen - blen, base_key) != 0)
		return 0;
	end = e->key + klen - blen - 12;	/* where "ou=services," would start */
	if (strncmp(end, "ou=services,", 12) != 0)
		return 0;
	if (end == e->key) {
		e->kind = ENTRY_SERVICES;
		return 1;
	}
	if (end[-1] == ',' && strncmp(e->key, "cn=", 3) == 0 &&
	    rdn_start(e->key, end - 1) == e->key) {
		e->kind = ENTRY_SERVICE;
		return 1;
	}
	return 0;
}

/*
 * Recognises an entry read from the directory by where it stands:
 * ou=<tenant>; ou=people or ou=groups below it; uid= below ou=people and cn=
 * below ou=groups. Anything else is ENTRY_OTHER (still inside a tenant).
 */
void
entry_classify(struct entries *es, struct entry *e, const char *base_key,
    const char *tenants_key)
{
	size_t		 klen = strlen(e->key), tlen = strlen(tenants_key);
	const char	*end, *t, *mid, *first;

	if (strcmp(e->key, base_key) == 0) {
		e->kind = ENTRY_BASE;
		return;
	}
	if (strcmp(e->key, tenants_key) == 0) {
		e->kind = ENTRY_TENANTS;
		return;
	}
	if (classify_service(e, base_key))
		return;
	if (klen <= tlen + 1 || e->key[klen - tlen - 1] != ',' ||
	    strcmp(e->key + klen - tlen, tenants_key) != 0)
		return;
	end = e->key + klen - tlen - 1;
	t = rdn_start(e->key, end);
	if (strncmp(t, "ou=", 3) != 0)
		return;
	e->tenant = arena_strndup(&es->arena, t + 3, (size_t)(end - t - 3));
	if (t == e->key) {
		e->kind = ENTRY_TENANT;
		return;
	}
	mid = rdn_start(e->key, t - 1);
	if (mid == e->key) {
		if (rdn_is(mid, t - 1, "ou=people"))
			e->kind = ENTRY_PEOPLE;
		else if (rdn_is(mid, t - 1, "ou=groups"))
			e->kind = ENTRY_GROUPS;
		return;
	}
	first = rdn_start(e->key, mid - 1);
	if (first != e->key)
		return;
	if (rdn_is(mid, t - 1, "ou=people") && strncmp(first, "uid=", 4) == 0)
		e->kind = ENTRY_PERSON;
	else if (rdn_is(mid, t - 1, "ou=groups") && strncmp(first, "cn=", 3) == 0)
		e->kind = ENTRY_GROUP;
}

int
entry_has(const struct entry *e, const char *attr, const char *value)
{
	const struct attr	*a = entry_attr(e, attr);
	size_t			 i;

	for (i = 0; a != NULL && i < a->nvals; i++)
		if (strcasecmp(a->vals[i], value) == 0)
			return 1;
	return 0;
}

int
entry_managed(const struct entry *e)
{
	return entry_has(e, "objectClass", "mutualizeManaged");
}
